package optim

import "github.com/backprop-go/backprop/tensor"

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
	o.steps++
	for _, g := range o.groups {
		for _, p := range g.Params {
			grad := gradOf(p)
			if grad == nil {
				continue
			}
			var buf *tensor.Tensor
			first := false
			if g.Momentum != 0 {
				buf, first = o.buffer(o.paramState(p), 0, p, 0)
			}
			a := sgdArgs{lr: g.LR, wd: g.WeightDecay, mom: g.Momentum, damp: o.dampening, nesterov: o.nesterov, first: first}
			switch p.DType() {
			case tensor.Float32:
				sgdUpdate(p.RawFloat32(), grad.RawFloat32(), raw32(buf), a)
			case tensor.Float64:
				sgdUpdate(p.RawFloat64(), grad.RawFloat64(), raw64(buf), a)
			}
		}
	}
}

type sgdArgs struct {
	lr, wd, mom, damp float64
	nesterov, first   bool
}

// sgdUpdate applies one SGD step to p with gradient g and momentum buffer
// buf (nil without momentum).
func sgdUpdate[T float32 | float64](p, g, buf []T, a sgdArgs) {
	g = g[:len(p)]
	if buf != nil {
		buf = buf[:len(p)]
	}
	for i, x := range p {
		d := float64(g[i])
		if a.wd != 0 {
			d += a.wd * float64(x)
		}
		if buf != nil {
			b := d
			if !a.first {
				b = a.mom*float64(buf[i]) + (1-a.damp)*d
			}
			buf[i] = T(b)
			if a.nesterov {
				d += a.mom * float64(buf[i])
			} else {
				d = float64(buf[i])
			}
		}
		p[i] = T(float64(x) - a.lr*d)
	}
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
