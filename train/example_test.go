package train_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// Example trains a small classifier of two well separated clusters and
// reports its validation accuracy after each epoch.
func Example() {
	// Points around (2, 2) are class 0, points around (−2, −2) class 1.
	r := rand.New(rand.NewPCG(1, 2))
	makeData := func(n int) *data.TensorDataset {
		x := make([]float32, 2*n)
		y := make([]int64, n)
		for i := range n {
			c := i % 2
			y[i] = int64(c)
			for j := range 2 {
				x[2*i+j] = float32(2 - 4*float64(c) + 0.5*r.NormFloat64())
			}
		}
		ds, err := data.NewTensorDataset(tensor.FromSlice(x, n, 2), tensor.FromSlice(y, n))
		if err != nil {
			log.Fatal(err)
		}
		return ds
	}
	trainLoader, err := data.NewLoader(makeData(64), data.LoaderConfig{BatchSize: 16, Shuffle: true, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	valLoader, err := data.NewLoader(makeData(32), data.LoaderConfig{BatchSize: 32})
	if err != nil {
		log.Fatal(err)
	}

	pcg := rand.NewPCG(3, 4)
	model := nn.NewSequential(nn.NewLinear(rand.New(pcg), 2, 8, true), nn.ReLU{}, nn.NewLinear(rand.New(pcg), 8, 2, true))
	tr, err := train.New(train.Config{
		Model: model,
		Loss: func(out, y *tensor.Tensor) *tensor.Tensor {
			return loss.CrossEntropy(out, y, loss.CrossEntropyOptions{})
		},
		Optimizer: optim.NewSGD(nn.Parameters(model), optim.SGDConfig{LR: 0.1, Momentum: 0.9}),
		Train:     trainLoader,
		Val:       valLoader,
		Epochs:    3,
		RNG:       pcg,
	})
	if err != nil {
		log.Fatal(err)
	}
	hist, err := tr.Fit(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range hist.Epochs {
		fmt.Printf("epoch %d: %d steps, validation accuracy %.0f%%\n", e.Epoch, e.Step, 100*e.Val.Accuracy)
	}
	// Output:
	// epoch 1: 4 steps, validation accuracy 100%
	// epoch 2: 8 steps, validation accuracy 100%
	// epoch 3: 12 steps, validation accuracy 100%
}

// ExampleShards computes the gradient of a mean squared error over a batch
// of six examples as two shards of three, at once, and compares it with
// the gradient of the whole batch.
func ExampleShards() {
	w := tensor.FromSlice([]float64{0.5, -1, 2}, 1, 3).SetRequiresGrad(true)
	x := tensor.FromSlice([]float64{1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, 6, 3)
	y := tensor.FromSlice([]float64{1, 0, 1, 0, 2, 1}, 6, 1)
	mse := func(x, y *tensor.Tensor) *tensor.Tensor {
		d := x.MatMul(w.T()).Sub(y)
		return d.Mul(d).Mean()
	}
	mse(x, y).Backward()
	fmt.Printf("whole batch: %.4f\n", w.Grad().Float64s())
	w.ZeroGradInPlace()

	shards, err := train.NewShards([]*tensor.Tensor{w}, 2)
	if err != nil {
		log.Fatal(err)
	}
	shards.Step(x, y, func(k int, xs, ys *tensor.Tensor, share float64, opts ...tensor.BackwardOption) {
		mse(xs, ys).MulScalar(share).Backward(opts...)
	})
	fmt.Printf("two shards:  %.4f\n", w.Grad().Float64s())
	// The errors x·wᵀ − y are −0.5, −1, 1, −0.5, −1, 0.5, so the gradient
	// (2/6)·Σ errorᵢ·xᵢ is [−0.5, −2, 0.5]/3.

	// Output:
	// whole batch: [-0.1667 -0.6667 0.1667]
	// two shards:  [-0.1667 -0.6667 0.1667]
}
