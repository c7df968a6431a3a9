package train

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// benchData returns n MNIST-shaped examples (784 uniform features, labels
// 0–9) drawn from a fixed seed.
func benchData(b *testing.B, n int) *data.TensorDataset {
	b.Helper()
	r := rand.New(rand.NewPCG(8, 9))
	ds, err := data.NewTensorDataset(tensor.Rand(r, tensor.Float32, n, 784), tensor.RandInt(r, 0, 10, n))
	if err != nil {
		b.Fatal(err)
	}
	return ds
}

// benchMLP returns the anchor recipe's MLP 784-256-128-10.
func benchMLP() nn.Module {
	r := rand.New(rand.NewPCG(1, 2))
	return nn.NewSequential(
		nn.NewLinear(r, 784, 256, true), nn.ReLU{},
		nn.NewLinear(r, 256, 128, true), nn.ReLU{},
		nn.NewLinear(r, 128, 10, true))
}

// BenchmarkFitStep times the steps of Fit (batch gathering, forward,
// cross-entropy, zero_grad, backward, SGD with momentum 0.9, metrics) for
// the MLP 784-256-128-10 at batch 64, and reports samples/s.
func BenchmarkFitStep(b *testing.B) {
	const batch = 64
	model := benchMLP()
	cfg := Config{
		Model:     model,
		Loss:      crossEntropy,
		Optimizer: optim.NewSGD(nn.Parameters(model), optim.SGDConfig{LR: 0.01, Momentum: 0.9}),
		Train:     loader(b, benchData(b, 4096), batch, true, 1),
		Epochs:    1 << 30,
	}
	stopAt := 0
	cfg.Callbacks = []Callback{CallbackFuncs{Step: func(m StepMetrics) error {
		if m.Step >= stopAt {
			return ErrStop
		}
		return nil
	}}}
	tr := mustNew(b, cfg)
	// Warm up: the optimizer's state, the arena's buffers.
	stopAt = 3
	if _, err := tr.Fit(context.Background()); err != nil {
		b.Fatal(err)
	}
	stopAt = tr.Step() + b.N
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := tr.Fit(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if tr.Step() != stopAt {
		b.Fatalf("stopped at step %d, want %d", tr.Step(), stopAt)
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkEvaluate times Evaluate over 4096 MNIST-shaped examples in
// batches of 256 with the MLP 784-256-128-10, and reports samples/s.
func BenchmarkEvaluate(b *testing.B) {
	const n = 4096
	model := benchMLP()
	l := loader(b, benchData(b, n), 256, false, 0)
	ctx := context.Background()
	if _, err := Evaluate(ctx, model, l, crossEntropy, 1); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Evaluate(ctx, model, l, crossEntropy, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "samples/s")
}
