package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// BenchmarkUnaryFloat32 measures the forward of the transcendental
// element-wise ops on a contiguous float32 tensor of 64 Ki elements (the
// size of a LeNet activation at batch 64), which run on the vector kernels.
func BenchmarkUnaryFloat32(b *testing.B) {
	x := tensor.Uniform(rand.New(rand.NewPCG(1, 2)), tensor.Float32, 0.1, 3, 64, 1024)
	for _, c := range []struct {
		name string
		f    func(*tensor.Tensor) *tensor.Tensor
	}{
		{"Exp", (*tensor.Tensor).Exp},
		{"Log", (*tensor.Tensor).Log},
		{"Tanh", (*tensor.Tensor).Tanh},
		{"Sigmoid", (*tensor.Tensor).Sigmoid},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(8 * x.Numel()))
			for b.Loop() {
				c.f(x)
			}
		})
	}
}
