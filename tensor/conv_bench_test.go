package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// BenchmarkMaxPool2d times MaxPool2d 2×2 with stride 2, forward and
// backward, on the activations of LeNet-5's two pooling layers at batch
// 64 (after ReLU, so about half the values are zero), in an arena.
func BenchmarkMaxPool2d(b *testing.B) {
	for _, c := range []struct {
		name  string
		shape []int
	}{
		{"64x6x24x24", []int{64, 6, 24, 24}},
		{"64x16x8x8", []int{64, 16, 8, 8}},
	} {
		r := rand.New(rand.NewPCG(1, 2))
		x := tensor.Randn(r, tensor.Float32, c.shape...).ReLU().Detach().SetRequiresGrad(true)
		k := [2]int{2, 2}
		a := tensor.NewArena()
		b.Run(c.name+"/forward", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tensor.MaxPool2d(x.NoGrad().InArena(a), k, k, [2]int{})
				a.Reset()
			}
		})
		b.Run(c.name+"/forward+backward", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tensor.MaxPool2d(x.InArena(a), k, k, [2]int{}).Sum().Backward()
				x.ZeroGradInPlace()
				a.Reset()
			}
		})
	}
}

// BenchmarkConv2d times LeNet-5's two convolutions at batch 64, forward
// and backward (input gradient for the second only, as in training), in
// an arena.
func BenchmarkConv2d(b *testing.B) {
	for _, c := range []struct {
		name    string
		x, w    []int
		inputGr bool
	}{
		{"1to6_28x28", []int{64, 1, 28, 28}, []int{6, 1, 5, 5}, false},
		{"6to16_12x12", []int{64, 6, 12, 12}, []int{16, 6, 5, 5}, true},
	} {
		r := rand.New(rand.NewPCG(1, 2))
		x := tensor.Randn(r, tensor.Float32, c.x...).SetRequiresGrad(c.inputGr)
		w := tensor.Randn(r, tensor.Float32, c.w...).SetRequiresGrad(true)
		bias := tensor.Randn(r, tensor.Float32, c.w[0]).SetRequiresGrad(true)
		a := tensor.NewArena()
		b.Run(c.name+"/forward", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tensor.Conv2d(x.NoGrad().InArena(a), w, bias, tensor.Conv2dOptions{})
				a.Reset()
			}
		})
		b.Run(c.name+"/forward+backward", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tensor.Conv2d(x.InArena(a), w, bias, tensor.Conv2dOptions{}).Sum().Backward()
				w.ZeroGradInPlace()
				bias.ZeroGradInPlace()
				x.ZeroGradInPlace()
				a.Reset()
			}
		})
	}
}
