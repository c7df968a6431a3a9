package optim

import (
	"math"

	"github.com/backprop-go/backprop/tensor"
)

// RMSpropConfig configures RMSprop. Zero fields mean PyTorch's defaults:
// LR 0.01, Alpha 0.99, Eps 1e-8, WeightDecay 0, Momentum 0, not centered.
type RMSpropConfig struct {
	LR          float64 // learning rate
	Alpha       float64 // smoothing constant of the squared-gradient average
	Eps         float64 // added to the denominator for stability
	WeightDecay float64 // L2 penalty added to the gradient
	Momentum    float64 // momentum factor
	Centered    bool    // normalize by the estimated variance of the gradient
}

// RMSprop is the RMSprop optimizer, as torch.optim.RMSprop. With gradient
// g, parameter p, learning rate γ, weight decay λ, smoothing α and momentum
// μ, each step computes
//
//	g = g + λ·p
//	s = α·s + (1−α)·g²
//	a = α·a + (1−α)·g,  r = √(s − a²) + ε   (centered)
//	r = √s + ε                               (otherwise)
//	b = μ·b + g/r,  p = p − γ·b              (μ > 0)
//	p = p − γ·g/r                            (otherwise)
//
// Its state is step, square_avg (s), and grad_avg (a, centered) and
// momentum_buffer (b, μ > 0) for each parameter.
type RMSprop struct {
	base
	alpha, eps float64
	centered   bool
}

func rmspropSchema(centered bool) *schema {
	return &schema{
		name:      "RMSprop",
		slots:     []string{"square_avg", "momentum_buffer", "grad_avg"},
		hasStep:   true,
		groupKeys: []groupKey{keyMomentum},
		required: func(*Group) []int {
			if centered {
				return []int{0, 2}
			}
			return []int{0}
		},
	}
}

// NewRMSprop returns an RMSprop optimizer with one group holding params.
func NewRMSprop(params []*tensor.Tensor, cfg RMSpropConfig) *RMSprop {
	return NewRMSpropGroups([]Group{{Params: params}}, cfg)
}

// NewRMSpropGroups returns an RMSprop optimizer over the given groups,
// which take their unset fields from cfg as documented on Group.
func NewRMSpropGroups(groups []Group, cfg RMSpropConfig) *RMSprop {
	const op = "NewRMSprop"
	alpha := orDefault(cfg.Alpha, 0.99)
	eps := orDefault(cfg.Eps, 1e-8)
	if !(alpha >= 0) || !(eps >= 0) || !(cfg.Momentum >= 0) {
		panicf("%s: negative hyperparameter in %+v", op, cfg)
	}
	o := &RMSprop{alpha: alpha, eps: eps, centered: cfg.Centered}
	o.base = newBase(rmspropSchema(cfg.Centered), op, groups, orDefault(cfg.LR, 0.01), cfg.WeightDecay, func(g *Group) {
		g.Momentum = cfg.Momentum
	})
	return o
}

// Step updates every parameter that has a gradient.
func (o *RMSprop) Step() {
	o.step(o.update)
}

// update updates p, of group g, with its gradient grad.
func (o *RMSprop) update(g *Group, p, grad *tensor.Tensor) {
	s := o.paramState(p)
	sq, _ := o.buffer(s, 0, p, 0)
	var buf, avg *tensor.Tensor
	if g.Momentum > 0 {
		buf, _ = o.buffer(s, 1, p, 0)
	}
	if o.centered {
		avg, _ = o.buffer(s, 2, p, 0)
	}
	s.step++
	a := rmspropArgs{lr: g.LR, wd: g.WeightDecay, alpha: o.alpha, eps: o.eps, mom: g.Momentum}
	switch p.DType() {
	case tensor.Float32:
		rmspropUpdate(p.RawFloat32(), grad.RawFloat32(), sq.RawFloat32(), raw32(avg), raw32(buf), a)
	case tensor.Float64:
		rmspropUpdate(p.RawFloat64(), grad.RawFloat64(), sq.RawFloat64(), raw64(avg), raw64(buf), a)
	}
}

type rmspropArgs struct{ lr, wd, alpha, eps, mom float64 }

// rmspropUpdate applies one RMSprop step to p with gradient g, squared
// average sq, gradient average avg (nil unless centered) and momentum
// buffer buf (nil without momentum).
func rmspropUpdate[T float32 | float64](p, g, sq, avg, buf []T, a rmspropArgs) {
	n := len(p)
	g, sq = g[:n], sq[:n]
	if avg != nil {
		avg = avg[:n]
	}
	if buf != nil {
		buf = buf[:n]
	}
	for i := range p {
		x := float64(p[i])
		d := float64(g[i])
		if a.wd != 0 {
			d += a.wd * x
		}
		sq[i] = T(a.alpha*float64(sq[i]) + (1-a.alpha)*d*d)
		var r float64
		if avg != nil {
			avg[i] = T(a.alpha*float64(avg[i]) + (1-a.alpha)*d)
			ga := float64(avg[i])
			r = math.Sqrt(float64(T(float64(sq[i])-ga*ga))) + a.eps
		} else {
			r = math.Sqrt(float64(sq[i])) + a.eps
		}
		if buf != nil {
			buf[i] = T(a.mom*float64(buf[i]) + d/r)
			p[i] = T(x - a.lr*float64(buf[i]))
		} else {
			p[i] = T(x - a.lr*d/r)
		}
	}
}
