package optim

import (
	"github.com/backprop-go/backprop/internal/kernel"
	"github.com/backprop-go/backprop/tensor"
)

// SGDConfig configures stochastic gradient descent. LR has no default and
// must be set (in the configuration or in every group); the other fields
// default to zero, as in PyTorch.
type SGDConfig struct {
	LR          float64 // learning rate
	Momentum    float64 // momentum factor
	Dampening   float64 // dampening of the momentum
	WeightDecay float64 // L2 penalty added to the gradient
	Nesterov    bool    // Nesterov momentum; needs Momentum > 0 and Dampening 0
}

// SGD is stochastic gradient descent with optional momentum, as
// torch.optim.SGD. With gradient g, parameter p, weight decay λ, momentum
// μ, dampening τ and learning rate γ, each step computes
//
//	d = g + λ·p
//	b = d on the first step, else μ·b + (1−τ)·d   (when μ ≠ 0)
//	d = d + μ·b with Nesterov, else b              (when μ ≠ 0)
//	p = p − γ·d
//
// Its state is momentum_buffer for each parameter that has one.
type SGD struct {
	base
	nesterov  bool
	dampening float64
	run32     blockRunner[sgdTask]
}

var sgdSchema = &schema{
	name:      "SGD",
	slots:     []string{"momentum_buffer"},
	groupKeys: []groupKey{keyMomentum},
	required:  func(*Group) []int { return nil },
}

// NewSGD returns an SGD optimizer with one group holding params.
func NewSGD(params []*tensor.Tensor, cfg SGDConfig) *SGD {
	return NewSGDGroups([]Group{{Params: params}}, cfg)
}

// NewSGDGroups returns an SGD optimizer over the given groups, which take
// their unset fields from cfg as documented on Group.
func NewSGDGroups(groups []Group, cfg SGDConfig) *SGD {
	const op = "NewSGD"
	if cfg.Momentum < 0 || cfg.Dampening < 0 || cfg.LR < 0 {
		panicf("%s: negative hyperparameter in %+v", op, cfg)
	}
	if cfg.Nesterov && (cfg.Momentum <= 0 || cfg.Dampening != 0) {
		panicf("%s: Nesterov momentum requires a positive momentum and zero dampening", op)
	}
	o := &SGD{nesterov: cfg.Nesterov, dampening: cfg.Dampening}
	o.base = newBase(sgdSchema, op, groups, cfg.LR, cfg.WeightDecay, func(g *Group) {
		if g.LR == 0 {
			panicf("%s: no learning rate: set SGDConfig.LR or the LR of every group", op)
		}
		g.Momentum = cfg.Momentum
	})
	return o
}

// Step updates every parameter that has a gradient.
func (o *SGD) Step() {
	if o.run32.apply == nil {
		o.run32.apply = sgdBlock
	}
	o.step(o.update)
	o.run32.exec()
}

// update updates p, of group g, with its gradient grad: at once in
// float64, queued on o.run32 in float32.
func (o *SGD) update(g *Group, p, grad *tensor.Tensor) {
	var buf *tensor.Tensor
	first := false
	if g.Momentum != 0 {
		buf, first = o.buffer(o.paramState(p), 0, p, 0)
	}
	switch p.DType() {
	case tensor.Float32:
		n := p.Numel()
		o.run32.add(sgdTask{
			p: p.RawFloat32()[:n], g: grad.RawFloat32()[:n], buf: raw32(buf),
			lr: float32(g.LR), wd: float32(g.WeightDecay), mom: float32(g.Momentum),
			damp1: float32(1 - o.dampening), dampWD: float32((1 - o.dampening) * g.WeightDecay),
			decay: float32(1 - g.LR*g.WeightDecay), lrMom: float32(g.LR * g.Momentum),
			nesterov: o.nesterov, first: first,
		}, n)
	case tensor.Float64:
		a := sgdArgs{lr: g.LR, wd: g.WeightDecay, mom: g.Momentum, damp: o.dampening, nesterov: o.nesterov, first: first}
		sgdUpdate64(p.RawFloat64(), grad.RawFloat64(), raw64(buf), a)
	}
}

type sgdArgs struct {
	lr, wd, mom, damp float64
	nesterov, first   bool
}

// sgdUpdate64 applies one SGD step to p with gradient g and momentum
// buffer buf (nil without momentum).
func sgdUpdate64(p, g, buf []float64, a sgdArgs) {
	g = g[:len(p)]
	if buf != nil {
		buf = buf[:len(p)]
	}
	for i, x := range p {
		d := g[i]
		if a.wd != 0 {
			d += a.wd * x
		}
		if buf != nil {
			b := d
			if !a.first {
				b = a.mom*buf[i] + (1-a.damp)*d
			}
			buf[i] = b
			if a.nesterov {
				d += a.mom * buf[i]
			} else {
				d = buf[i]
			}
		}
		p[i] = x - a.lr*d
	}
}

// sgdTask is the float32 SGD update of one parameter: its storage p, its
// gradient g and its momentum buffer buf (nil without momentum), with the
// group's coefficients rounded to float32.
type sgdTask struct {
	p, g, buf []float32

	lr, wd, mom float32
	damp1       float32 // 1 − τ
	dampWD      float32 // (1 − τ)·λ
	decay       float32 // 1 − γλ
	lrMom       float32 // γμ

	nesterov, first bool
}

// sgdBlock applies t's update to elements [lo, hi) with the vector
// kernels, one pass each, the order of the passes making every pass read
// the values the update rule needs (the parameter before its update, the
// new momentum buffer):
//
//	b = g + λ·p                      (first step)
//	b = μ·b + (1−τ)·g + (1−τ)λ·p     (later steps)
//	p = (1−γλ)·p − γ·g − γμ·b        (Nesterov)
//	p = p − γ·b                      (momentum)
//	p = (1−γλ)·p − γ·g               (no momentum)
//
// The terms with λ are skipped when it is zero. This is PyTorch's update
// with the weight-decay term distributed, which changes the rounding of
// float32 results in the last bits only.
func sgdBlock(t *sgdTask, lo, hi int) {
	p, g := t.p[lo:hi], t.g[lo:hi]
	if t.buf == nil {
		if t.wd != 0 {
			kernel.Scale(t.decay, p, p)
		}
		kernel.Axpy(-t.lr, g, p)
		return
	}
	b := t.buf[lo:hi]
	if t.first {
		copy(b, g)
		if t.wd != 0 {
			kernel.Axpy(t.wd, p, b)
		}
	} else {
		if t.wd == 0 && !t.nesterov {
			// The common case in one pass, bit for bit the three below.
			kernel.SGDMomentum(p, g, b, t.mom, t.damp1, t.lr)
			return
		}
		kernel.Scale(t.mom, b, b)
		kernel.Axpy(t.damp1, g, b)
		if t.wd != 0 {
			kernel.Axpy(t.dampWD, p, b)
		}
	}
	if !t.nesterov {
		kernel.Axpy(-t.lr, b, p)
		return
	}
	if t.wd != 0 {
		kernel.Scale(t.decay, p, p)
	}
	kernel.Axpy(-t.lr, g, p)
	kernel.Axpy(-t.lrMom, b, p)
}

// raw32 returns the storage of t, or nil for a nil t.
func raw32(t *tensor.Tensor) []float32 {
	if t == nil {
		return nil
	}
	return t.RawFloat32()
}

// raw64 returns the storage of t, or nil for a nil t.
func raw64(t *tensor.Tensor) []float64 {
	if t == nil {
		return nil
	}
	return t.RawFloat64()
}
