package optim_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// mlpParams returns float32 parameters shaped like those of the MLP
// 784-256-128-10 (235,146 values) with random gradients.
func mlpParams(dt tensor.DType) []*tensor.Tensor {
	r := rand.New(rand.NewPCG(3, 4))
	var ps []*tensor.Tensor
	for _, l := range [][2]int{{784, 256}, {256, 128}, {128, 10}} {
		in, out := l[0], l[1]
		for _, shape := range [][]int{{out, in}, {out}} {
			p := tensor.Randn(r, dt, shape...).MulScalar(0.05).SetRequiresGrad(true)
			p.SetGrad(tensor.Randn(r, dt, shape...).MulScalar(0.01))
			ps = append(ps, p)
		}
	}
	return ps
}

// benchStep times Step of the optimizer mk builds over the MLP's
// parameters, after a first step has created its state.
func benchStep(b *testing.B, dt tensor.DType, mk func([]*tensor.Tensor) optim.Optimizer) {
	ps := mlpParams(dt)
	opt := mk(ps)
	opt.Step()
	b.ReportAllocs()
	for b.Loop() {
		opt.Step()
	}
	n := 0
	for _, p := range ps {
		n += p.Numel()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mparams/s")
}

// BenchmarkSGDStep times one SGD step over the MLP 784-256-128-10's
// parameters: plain, with momentum 0.9 (the anchor recipe's), and with
// Nesterov momentum and weight decay.
func BenchmarkSGDStep(b *testing.B) {
	for _, c := range []struct {
		name string
		dt   tensor.DType
		cfg  optim.SGDConfig
	}{
		{"plain/f32", tensor.Float32, optim.SGDConfig{LR: 0.01}},
		{"momentum/f32", tensor.Float32, optim.SGDConfig{LR: 0.01, Momentum: 0.9}},
		{"nesterov_wd/f32", tensor.Float32, optim.SGDConfig{LR: 0.01, Momentum: 0.9, Nesterov: true, WeightDecay: 1e-4}},
		{"momentum/f64", tensor.Float64, optim.SGDConfig{LR: 0.01, Momentum: 0.9}},
	} {
		b.Run(c.name, func(b *testing.B) {
			benchStep(b, c.dt, func(ps []*tensor.Tensor) optim.Optimizer { return optim.NewSGD(ps, c.cfg) })
		})
	}
}

// BenchmarkAdamStep times one Adam or AdamW step over the MLP
// 784-256-128-10's parameters.
func BenchmarkAdamStep(b *testing.B) {
	for _, c := range []struct {
		name string
		dt   tensor.DType
		mk   func([]*tensor.Tensor) optim.Optimizer
	}{
		{"adam/f32", tensor.Float32, func(ps []*tensor.Tensor) optim.Optimizer { return optim.NewAdam(ps, optim.AdamConfig{}) }},
		{"adam_wd_amsgrad/f32", tensor.Float32, func(ps []*tensor.Tensor) optim.Optimizer {
			return optim.NewAdam(ps, optim.AdamConfig{WeightDecay: 1e-4, AMSGrad: true})
		}},
		{"adamw/f32", tensor.Float32, func(ps []*tensor.Tensor) optim.Optimizer { return optim.NewAdamW(ps, optim.AdamConfig{}) }},
		{"adam/f64", tensor.Float64, func(ps []*tensor.Tensor) optim.Optimizer { return optim.NewAdam(ps, optim.AdamConfig{}) }},
	} {
		b.Run(c.name, func(b *testing.B) { benchStep(b, c.dt, c.mk) })
	}
}
