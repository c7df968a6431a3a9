package tensor_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/internal/kernel"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// stepModel builds the anchor's models (../shared/anchors/torch_train.py):
// the MLP 784-256-128-10 and LeNet-5, with PyTorch's initialization.
func stepModel(name string, r *rand.Rand) (nn.Module, []int) {
	lin := func(in, out int) nn.Module {
		return nn.NewLinear(r, in, out, true)
	}
	if name == "mlp" {
		return nn.NewSequential(
			lin(784, 256), nn.ReLU{},
			lin(256, 128), nn.ReLU{},
			lin(128, 10),
		), []int{784}
	}
	pool := func() nn.Module { return nn.NewMaxPool2d([2]int{2, 2}, [2]int{2, 2}, [2]int{}) }
	return nn.NewSequential(
		nn.NewConv2d(r, nn.Conv2dConfig{In: 1, Out: 6, Kernel: [2]int{5, 5}}), nn.ReLU{}, pool(),
		nn.NewConv2d(r, nn.Conv2dConfig{In: 6, Out: 16, Kernel: [2]int{5, 5}}), nn.ReLU{}, pool(),
		nn.NewFlatten(),
		lin(256, 120), nn.ReLU{},
		lin(120, 84), nn.ReLU{},
		lin(84, 10),
	), []int{1, 28, 28}
}

// benchTrainStep times the anchor's full step (forward, mean cross-entropy,
// zero_grad, backward, SGD with momentum 0.9) on a few pre-drawn batches,
// and reports samples/s. With arena set, every step's tensors come from an
// arena that is reset after the step and gradients are zeroed in place.
func benchTrainStep(b *testing.B, model string, batch int, arena bool) {
	r := rand.New(rand.NewPCG(1, 2))
	m, shape := stepModel(model, r)
	params := nn.Parameters(m)
	opt := optim.NewSGD(params, optim.SGDConfig{LR: 0.01, Momentum: 0.9})
	const nb = 4
	var xs, ys [nb]*tensor.Tensor
	for i := range nb {
		xs[i] = tensor.Rand(r, tensor.Float32, append([]int{batch}, shape...)...)
		ys[i] = tensor.RandInt(r, 0, 10, batch)
	}
	var a *tensor.Arena
	if arena {
		a = tensor.NewArena()
	}
	step := func(i int) {
		x := xs[i%nb]
		if a != nil {
			x = x.InArena(a)
		}
		l := tensor.SoftmaxCrossEntropy(m.Forward(x), ys[i%nb]).Mean()
		if a != nil {
			for _, p := range params {
				p.ZeroGradInPlace()
			}
		} else {
			opt.ZeroGrad()
		}
		l.Backward()
		opt.Step()
		if a != nil {
			a.Reset()
		}
	}
	for i := range 3 {
		step(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		step(i)
	}
	b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkStep(b *testing.B) {
	for _, c := range []struct {
		name  string
		model string
		batch int
	}{
		{"MLP/b64", "mlp", 64},
		{"MLP/b256", "mlp", 256},
		{"LeNet/b64", "cnn", 64},
	} {
		b.Run(c.name+"/heap", func(b *testing.B) { benchTrainStep(b, c.model, c.batch, false) })
		b.Run(c.name+"/arena", func(b *testing.B) { benchTrainStep(b, c.model, c.batch, true) })
	}
}

// BenchmarkTrainGemm times the matrix products of the MLP's training step
// at batch 64 and 256 as Linear issues them (PyTorch's [out, in] weight
// layout), in GFLOP/s; run with -cpu 1,2.
func BenchmarkTrainGemm(b *testing.B) {
	type shape struct {
		name    string
		m, n, k int
		ta, tb  bool
	}
	var shapes []shape
	for _, bs := range []int{64, 256} {
		for _, l := range [][2]int{{784, 256}, {256, 128}, {128, 10}} {
			in, out := l[0], l[1]
			shapes = append(shapes,
				shape{fmt.Sprintf("b%d/%dx%d/fwd", bs, in, out), bs, out, in, false, true},
				shape{fmt.Sprintf("b%d/%dx%d/dW", bs, in, out), out, in, bs, true, false},
				shape{fmt.Sprintf("b%d/%dx%d/dx", bs, in, out), bs, in, out, false, false})
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range shapes {
		b.Run(s.name, func(b *testing.B) {
			ar, ac := s.m, s.k
			if s.ta {
				ar, ac = ac, ar
			}
			br, bc := s.k, s.n
			if s.tb {
				br, bc = bc, br
			}
			x := tensor.Rand(r, tensor.Float32, ar, ac).RawFloat32()
			y := tensor.Rand(r, tensor.Float32, br, bc).RawFloat32()
			c := make([]float32, s.m*s.n)
			for b.Loop() {
				kernel.Gemm(s.ta, s.tb, s.m, s.n, s.k, 1, x, ac, y, bc, 0, c, s.n)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
