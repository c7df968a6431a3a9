package optim

import (
	"math"

	"github.com/backprop-go/backprop/tensor"
)

// AdagradConfig configures Adagrad. Zero fields mean PyTorch's defaults:
// LR 0.01, LRDecay 0, WeightDecay 0, InitialAccumulatorValue 0, Eps 1e-10.
type AdagradConfig struct {
	LR                      float64 // learning rate
	LRDecay                 float64 // learning-rate decay per step
	WeightDecay             float64 // L2 penalty added to the gradient
	InitialAccumulatorValue float64 // starting value of the sum of squares
	Eps                     float64 // added to the denominator for stability
}

// Adagrad is the Adagrad optimizer, as torch.optim.Adagrad. With gradient
// g, parameter p, learning rate γ, learning-rate decay η, weight decay λ and
// the parameter's step t, each step computes
//
//	g = g + λ·p
//	s = s + g²
//	p = p − γ/(1 + (t−1)·η) · g / (√s + ε)
//
// Its state is step and sum (s) for each parameter.
type Adagrad struct {
	base
	lrDecay, initAcc, eps float64
}

var adagradSchema = &schema{
	name:     "Adagrad",
	slots:    []string{"sum"},
	hasStep:  true,
	required: func(*Group) []int { return []int{0} },
}

// NewAdagrad returns an Adagrad optimizer with one group holding params.
func NewAdagrad(params []*tensor.Tensor, cfg AdagradConfig) *Adagrad {
	return NewAdagradGroups([]Group{{Params: params}}, cfg)
}

// NewAdagradGroups returns an Adagrad optimizer over the given groups,
// which take their unset fields from cfg as documented on Group.
func NewAdagradGroups(groups []Group, cfg AdagradConfig) *Adagrad {
	const op = "NewAdagrad"
	eps := orDefault(cfg.Eps, 1e-10)
	if !(cfg.LRDecay >= 0) || !(cfg.InitialAccumulatorValue >= 0) || !(eps >= 0) {
		panicf("%s: negative hyperparameter in %+v", op, cfg)
	}
	o := &Adagrad{lrDecay: cfg.LRDecay, initAcc: cfg.InitialAccumulatorValue, eps: eps}
	o.base = newBase(adagradSchema, op, groups, orDefault(cfg.LR, 0.01), cfg.WeightDecay, func(*Group) {})
	return o
}

// Step updates every parameter that has a gradient.
func (o *Adagrad) Step() {
	o.step(o.update)
}

// update updates p, of group g, with its gradient grad.
func (o *Adagrad) update(g *Group, p, grad *tensor.Tensor) {
	s := o.paramState(p)
	sum, _ := o.buffer(s, 0, p, o.initAcc)
	s.step++
	a := adagradArgs{clr: g.LR / (1 + float64(s.step-1)*o.lrDecay), wd: g.WeightDecay, eps: o.eps}
	switch p.DType() {
	case tensor.Float32:
		adagradUpdate(p.RawFloat32(), grad.RawFloat32(), sum.RawFloat32(), a)
	case tensor.Float64:
		adagradUpdate(p.RawFloat64(), grad.RawFloat64(), sum.RawFloat64(), a)
	}
}

type adagradArgs struct{ clr, wd, eps float64 }

// adagradUpdate applies one Adagrad step to p with gradient g and sum of
// squares sum.
func adagradUpdate[T float32 | float64](p, g, sum []T, a adagradArgs) {
	n := len(p)
	g, sum = g[:n], sum[:n]
	for i := range p {
		x := float64(p[i])
		d := float64(g[i])
		if a.wd != 0 {
			d += a.wd * x
		}
		sum[i] = T(float64(sum[i]) + d*d)
		p[i] = T(x - a.clr*d/(math.Sqrt(float64(sum[i]))+a.eps))
	}
}
