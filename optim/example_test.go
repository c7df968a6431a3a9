package optim_test

import (
	"fmt"

	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// ExampleAdam fits y = 2x + 1 by least squares.
func ExampleAdam() {
	x := tensor.FromSlice([]float64{-1, -0.5, 0, 0.5, 1, 1.5}, 6, 1)
	y := tensor.FromSlice([]float64{-1, 0, 1, 2, 3, 4}, 6, 1)
	w := tensor.Zeros(tensor.Float64, 1, 1).SetRequiresGrad(true)
	b := tensor.Zeros(tensor.Float64, 1).SetRequiresGrad(true)
	opt := optim.NewAdam([]*tensor.Tensor{w, b}, optim.AdamConfig{LR: 0.1})
	for step := 0; step < 500; step++ {
		opt.ZeroGrad()
		r := x.MatMul(w).Add(b).Sub(y)
		r.Mul(r).Mean().Backward()
		opt.Step()
	}
	fmt.Printf("w = %.3f, b = %.3f\n", w.Item(), b.Item())
	// Output:
	// w = 2.000, b = 1.000
}

// ExampleNewStepLR halves the learning rate every three epochs.
func ExampleNewStepLR() {
	p := tensor.Zeros(tensor.Float32, 3).SetRequiresGrad(true)
	opt := optim.NewSGD([]*tensor.Tensor{p}, optim.SGDConfig{LR: 0.8, Momentum: 0.9})
	sched := optim.NewStepLR(opt, 3, 0.5)
	for epoch := 0; epoch < 8; epoch++ {
		fmt.Printf("epoch %d: lr %.2f\n", epoch, sched.LR()[0])
		// ... train one epoch, calling opt.Step() after each batch ...
		sched.Step()
	}
	// Output:
	// epoch 0: lr 0.80
	// epoch 1: lr 0.80
	// epoch 2: lr 0.80
	// epoch 3: lr 0.40
	// epoch 4: lr 0.40
	// epoch 5: lr 0.40
	// epoch 6: lr 0.20
	// epoch 7: lr 0.20
}

// ExampleNewOneCycleLR prints the learning rate and momentum of a short
// 1cycle schedule stepped after every batch.
func ExampleNewOneCycleLR() {
	p := tensor.Zeros(tensor.Float32, 3).SetRequiresGrad(true)
	opt := optim.NewSGD([]*tensor.Tensor{p}, optim.SGDConfig{LR: 0.1, Momentum: 0.9})
	sched := optim.NewOneCycleLR(opt, optim.OneCycleConfig{MaxLR: 1, TotalSteps: 6, PctStart: 0.5})
	for batch := 0; batch < 6; batch++ {
		g := opt.Groups()[0]
		fmt.Printf("batch %d: lr %.4f momentum %.3f\n", batch, g.LR, g.Momentum)
		sched.Step()
	}
	// Output:
	// batch 0: lr 0.0400 momentum 0.950
	// batch 1: lr 0.5200 momentum 0.900
	// batch 2: lr 1.0000 momentum 0.850
	// batch 3: lr 0.7500 momentum 0.875
	// batch 4: lr 0.2500 momentum 0.925
	// batch 5: lr 0.0000 momentum 0.950
}
