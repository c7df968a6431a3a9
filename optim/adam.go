package optim

import (
	"math"

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
type Adam struct {
	base
	eps       float64
	amsgrad   bool
	decoupled bool
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
	o.steps++
	for _, g := range o.groups {
		for _, p := range g.Params {
			grad := gradOf(p)
			if grad == nil {
				continue
			}
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
				adamUpdate(p.RawFloat32(), grad.RawFloat32(), m.RawFloat32(), v.RawFloat32(), raw32(vmax), a)
			case tensor.Float64:
				adamUpdate(p.RawFloat64(), grad.RawFloat64(), m.RawFloat64(), v.RawFloat64(), raw64(vmax), a)
			}
		}
	}
}

type adamArgs struct {
	lr, wd, b1, b2, eps float64
	bc1, bc2sqrt        float64 // bias corrections 1−β₁ᵗ and √(1−β₂ᵗ)
	decoupled           bool
}

// adamUpdate applies one Adam step to p with gradient g, moments m and v
// and, with AMSGrad, the running maximum vmax (nil otherwise).
func adamUpdate[T float32 | float64](p, g, m, v, vmax []T, a adamArgs) {
	n := len(p)
	g, m, v = g[:n], m[:n], v[:n]
	if vmax != nil {
		vmax = vmax[:n]
	}
	stepSize := a.lr / a.bc1
	for i := range p {
		x := float64(p[i])
		d := float64(g[i])
		if a.decoupled {
			x = float64(T(x * (1 - a.lr*a.wd)))
		} else if a.wd != 0 {
			d += a.wd * x
		}
		m[i] = T(a.b1*float64(m[i]) + (1-a.b1)*d)
		v[i] = T(a.b2*float64(v[i]) + (1-a.b2)*d*d)
		vv := float64(v[i])
		if vmax != nil {
			if mx := float64(vmax[i]); !(vv > mx) {
				vv = mx
			} else {
				vmax[i] = v[i]
			}
		}
		denom := math.Sqrt(vv)/a.bc2sqrt + a.eps
		p[i] = T(x - stepSize*float64(m[i])/denom)
	}
}
