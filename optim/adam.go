package optim

import (
	"math"

	"github.com/backprop-go/backprop/internal/kernel"
	"github.com/backprop-go/backprop/tensor"
)

// AdamConfig configures Adam and AdamW. Zero fields mean PyTorch's
// defaults: LR 1e-3, Beta1 0.9, Beta2 0.999, Eps 1e-8, and WeightDecay 0
// for Adam and 0.01 for AdamW (AdamW without weight decay is Adam).
type AdamConfig struct {
	LR          float64 // learning rate
	Beta1       float64 // decay rate of the first moment estimate
	Beta2       float64 // decay rate of the second moment estimate
	Eps         float64 // added to the denominator for stability
	WeightDecay float64 // L2 penalty (Adam) or decoupled decay (AdamW)
	AMSGrad     bool    // use the maximum of past second moments
}

// Adam is the Adam optimizer (torch.optim.Adam), or AdamW
// (torch.optim.AdamW) when built by NewAdamW. With gradient g, parameter
// p, learning rate γ, weight decay λ and step t, each step computes
//
//	p = p·(1 − γλ)                        (AdamW)
//	g = g + λ·p                           (Adam)
//	m = β₁·m + (1−β₁)·g
//	v = β₂·v + (1−β₂)·g²
//	v̂ = max(v̂, v) with AMSGrad, else v
//	p = p − γ/(1−β₁ᵗ) · m / (√v̂ / √(1−β₂ᵗ) + ε)
//
// Its state is step, exp_avg (m), exp_avg_sq (v) and, with AMSGrad,
// max_exp_avg_sq (v̂) for each parameter.
//
// Unlike PyTorch, a first moment m that falls below the smallest normal
// number of its dtype is stored as zero (see flushSubnormal32): the update
// it would make is far below the parameter's precision, and keeping it
// would slow every later step down.
type Adam struct {
	base
	eps       float64
	amsgrad   bool
	decoupled bool
	run32     blockRunner[adamTask]
}

func adamSchema(name string, amsgrad bool) *schema {
	return &schema{
		name:      name,
		slots:     []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
		hasStep:   true,
		groupKeys: []groupKey{keyBeta1, keyBeta2},
		required: func(*Group) []int {
			if amsgrad {
				return []int{0, 1, 2}
			}
			return []int{0, 1}
		},
	}
}

// NewAdam returns an Adam optimizer with one group holding params.
func NewAdam(params []*tensor.Tensor, cfg AdamConfig) *Adam {
	return NewAdamGroups([]Group{{Params: params}}, cfg)
}

// NewAdamGroups returns an Adam optimizer over the given groups, which take
// their unset fields from cfg as documented on Group.
func NewAdamGroups(groups []Group, cfg AdamConfig) *Adam {
	return newAdam("Adam", groups, cfg, 0, false)
}

// NewAdamW returns an AdamW optimizer (Adam with decoupled weight decay,
// 0.01 by default) with one group holding params.
func NewAdamW(params []*tensor.Tensor, cfg AdamConfig) *Adam {
	return NewAdamWGroups([]Group{{Params: params}}, cfg)
}

// NewAdamWGroups returns an AdamW optimizer over the given groups, which
// take their unset fields from cfg as documented on Group.
func NewAdamWGroups(groups []Group, cfg AdamConfig) *Adam {
	return newAdam("AdamW", groups, cfg, 0.01, true)
}

func newAdam(name string, groups []Group, cfg AdamConfig, defaultWD float64, decoupled bool) *Adam {
	op := "New" + name
	lr := orDefault(cfg.LR, 1e-3)
	b1 := orDefault(cfg.Beta1, 0.9)
	b2 := orDefault(cfg.Beta2, 0.999)
	eps := orDefault(cfg.Eps, 1e-8)
	wd := orDefault(cfg.WeightDecay, defaultWD)
	if !(b1 >= 0 && b1 < 1) || !(b2 >= 0 && b2 < 1) {
		panicf("%s: betas must lie in [0, 1), got %v and %v", op, b1, b2)
	}
	if !(eps >= 0) {
		panicf("%s: invalid epsilon %v", op, eps)
	}
	o := &Adam{eps: eps, amsgrad: cfg.AMSGrad, decoupled: decoupled}
	o.base = newBase(adamSchema(name, cfg.AMSGrad), op, groups, lr, wd, func(g *Group) {
		g.Beta1, g.Beta2 = b1, b2
	})
	return o
}

// Step updates every parameter that has a gradient.
func (o *Adam) Step() {
	if o.run32.apply == nil {
		o.run32.apply = adamBlock
	}
	o.step(o.update)
	o.run32.exec()
}

// update updates p, of group g, with its gradient grad: at once in
// float64, queued on o.run32 in float32.
func (o *Adam) update(g *Group, p, grad *tensor.Tensor) {
	s := o.paramState(p)
	m, _ := o.buffer(s, 0, p, 0)
	v, _ := o.buffer(s, 1, p, 0)
	var vmax *tensor.Tensor
	if o.amsgrad {
		vmax, _ = o.buffer(s, 2, p, 0)
	}
	s.step++
	t := float64(s.step)
	a := adamArgs{
		lr: g.LR, wd: g.WeightDecay, b1: g.Beta1, b2: g.Beta2, eps: o.eps,
		bc1: 1 - math.Pow(g.Beta1, t), bc2sqrt: math.Sqrt(1 - math.Pow(g.Beta2, t)),
		decoupled: o.decoupled,
	}
	switch p.DType() {
	case tensor.Float32:
		n := p.Numel()
		task := adamTask{
			p: p.RawFloat32()[:n], g: grad.RawFloat32()[:n], m: m.RawFloat32()[:n], v: v.RawFloat32()[:n], vmax: raw32(vmax),
			decay: 1,
			b1:    float32(a.b1), c1: float32(1 - a.b1), b2: float32(a.b2), c2: float32(1 - a.b2),
			bc2sqrt: float32(a.bc2sqrt), eps: float32(a.eps), stepSize: float32(a.lr / a.bc1),
		}
		if a.decoupled {
			task.decay = float32(1 - a.lr*a.wd)
		} else {
			task.wd = float32(a.wd)
		}
		o.run32.add(task, n)
	case tensor.Float64:
		adamUpdate64(p.RawFloat64(), grad.RawFloat64(), m.RawFloat64(), v.RawFloat64(), raw64(vmax), a)
	}
}

type adamArgs struct {
	lr, wd, b1, b2, eps float64
	bc1, bc2sqrt        float64 // bias corrections 1−β₁ᵗ and √(1−β₂ᵗ)
	decoupled           bool
}

// adamUpdate64 applies one Adam step to p with gradient g, moments m and v
// and, with AMSGrad, the running maximum vmax (nil otherwise).
func adamUpdate64(p, g, m, v, vmax []float64, a adamArgs) {
	n := len(p)
	g, m, v = g[:n], m[:n], v[:n]
	if vmax != nil {
		vmax = vmax[:n]
	}
	stepSize := a.lr / a.bc1
	for i := range p {
		x := p[i]
		d := g[i]
		if a.decoupled {
			x = x * (1 - a.lr*a.wd)
		} else if a.wd != 0 {
			d += a.wd * x
		}
		m[i] = flushSubnormal64(a.b1*m[i] + (1-a.b1)*d)
		v[i] = a.b2*v[i] + (1-a.b2)*d*d
		vv := v[i]
		if vmax != nil {
			if mx := vmax[i]; !(vv > mx) {
				vv = mx
			} else {
				vmax[i] = v[i]
			}
		}
		denom := math.Sqrt(vv)/a.bc2sqrt + a.eps
		p[i] = x - stepSize*m[i]/denom
	}
}

// adamTask is the float32 Adam update of one parameter: its storage p,
// gradient g, moments m and v and, with AMSGrad, the running maximum vmax
// (nil otherwise), with the coefficients of its step rounded to float32.
type adamTask struct {
	p, g, m, v, vmax []float32

	wd       float32 // λ of Adam's L2 penalty (0 for AdamW)
	decay    float32 // 1 − γλ for AdamW, 1 for Adam
	b1, c1   float32 // β₁ and 1 − β₁
	b2, c2   float32 // β₂ and 1 − β₂
	bc2sqrt  float32 // √(1−β₂ᵗ)
	eps      float32
	stepSize float32 // γ/(1−β₁ᵗ)
}

// adamBlock applies t's update to elements [lo, hi): AdamW's decay with
// the vector kernel, then one loop over the elements in float32, one loop
// for each combination of the options but AMSGrad's (rarely used), so that
// those do not branch per element.
func adamBlock(t *adamTask, lo, hi int) {
	p := t.p[lo:hi]
	g, m, v := t.g[lo:hi:hi], t.m[lo:hi:hi], t.v[lo:hi:hi]
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	if t.decay != 1 {
		kernel.Scale(t.decay, p, p)
	}
	b1, c1, b2, c2, rbc, eps, ss := t.b1, t.c1, t.b2, t.c2, 1/t.bc2sqrt, t.eps, t.stepSize
	if t.vmax != nil {
		vmax := t.vmax[lo:hi]
		vmax = vmax[:len(p)]
		wd := t.wd
		for i, x := range p {
			d := g[i]
			if wd != 0 {
				d += wd * x
			}
			mi := flushSubnormal32(b1*m[i] + c1*d)
			vi := b2*v[i] + c2*d*d
			m[i], v[i] = mi, vi
			if vm := vmax[i]; !(vi > vm) {
				vi = vm
			} else {
				vmax[i] = vi
			}
			p[i] = x - ss*mi/(sqrt32(vi)*rbc+eps)
		}
		return
	}
	if t.wd != 0 {
		wd := t.wd
		for i, x := range p {
			d := g[i] + wd*x
			mi := flushSubnormal32(b1*m[i] + c1*d)
			vi := b2*v[i] + c2*d*d
			m[i], v[i] = mi, vi
			p[i] = x - ss*mi/(sqrt32(vi)*rbc+eps)
		}
		return
	}
	for i, x := range p {
		d := g[i]
		mi := flushSubnormal32(b1*m[i] + c1*d)
		vi := b2*v[i] + c2*d*d
		m[i], v[i] = mi, vi
		p[i] = x - ss*mi/(sqrt32(vi)*rbc+eps)
	}
}

// flushSubnormal32 returns x, or zero when x is subnormal (non-zero with
// |x| below 2⁻¹²⁶, float32's smallest normal number).
//
// Adam's first moment needs it. A parameter whose gradient is exactly zero
// step after step (as a weight at a ReLU unit that is inactive for the
// whole batch does: about a third of LeNet-5's parameter elements get a
// zero gradient at a step of MNIST training) has its
// moment multiplied by β₁ each step, so it decays into the subnormal range
// within a few hundred steps, and then never leaves it: β₁·k ulps rounds
// back to k ulps once (1−β₁)·k < ½ (k ≤ 4 for β₁ = 0.9), a fixed point above
// zero. x86 CPUs handle subnormal operands and results in microcode, about
// a hundred times slower than normal arithmetic, which made Adam's update
// about ten times slower from the second epoch of LeNet-5 training on (and
// the whole training step 20 % slower; profiles and per-epoch numbers in
// BENCHMARKS.md, "Sixth round"). Flushing loses nothing: a subnormal m
// moves the parameter by at most γ/(1−β₁ᵗ)·2⁻¹²⁶/(√v̂/√(1−β₂ᵗ)+ε), which
// for a moment that decayed from a normal gradient (v decays far more
// slowly than m) is below the resolution of any parameter that is not
// itself almost zero. The test is one mask and compare of the exponent
// bits.
func flushSubnormal32(x float32) float32 {
	if math.Float32bits(x)&0x7f800000 == 0 {
		return 0
	}
	return x
}

// flushSubnormal64 is flushSubnormal32 for float64, whose smallest normal
// number is 2⁻¹⁰²²: its fixed point is the same, reached after a few
// thousand steps.
func flushSubnormal64(x float64) float64 {
	if math.Float64bits(x)&0x7ff0000000000000 == 0 {
		return 0
	}
	return x
}

// sqrt32 is the correctly rounded float32 square root (the compiler turns
// it into one instruction).
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
