package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestSubGrad(t *testing.T) {
	runGradCases(t, binaryGradCases((*tensor.Tensor).Sub, -1, 1, -1, 1))
	runGradCases(t, []gradCase{
		{"scalar", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].SubScalar(2.5) }, nil},
		{"self", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Sub(x[0]) }, nil},
	})
}

func TestSubValues(t *testing.T) {
	a := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := tensor.FromSlice([]float32{10, 20, 30}, 3)
	if got, want := a.Sub(b), tensor.FromSlice([]float32{-9, -18, -27, -6, -15, -24}, 2, 3); !tensor.Equal(got, want) {
		t.Errorf("float32 broadcast: got %v, want %v", got, want)
	}
	if got, want := b.Sub(a), tensor.FromSlice([]float32{9, 18, 27, 6, 15, 24}, 2, 3); !tensor.Equal(got, want) {
		t.Errorf("float32 broadcast, swapped: got %v, want %v", got, want)
	}
	i := tensor.FromSlice([]int64{1, 2}, 2, 1)
	if got, want := i.Sub(tensor.FromSlice([]int64{10, 20}, 2)), tensor.FromSlice([]int64{-9, -19, -8, -18}, 2, 2); !tensor.Equal(got, want) {
		t.Errorf("int64 broadcast: got %v, want %v", got, want)
	}
	if got, want := i.SubScalar(3), tensor.FromSlice([]int64{-2, -1}, 2, 1); !tensor.Equal(got, want) {
		t.Errorf("int64 SubScalar: got %v, want %v", got, want)
	}
	if got := tensor.FromSlice([]float64{0.5}).SubScalar(0.25).At(0); got != 0.25 {
		t.Errorf("SubScalar: got %v, want 0.25", got)
	}
}

func TestSubErrors(t *testing.T) {
	mustPanic(t, "tensor.Sub: shapes cannot be broadcast together: size 3 vs 4 at dimension 1 (shapes [2 3], [4])", func() {
		tensor.Zeros(tensor.Float32, 2, 3).Sub(tensor.Zeros(tensor.Float32, 4))
	})
	mustPanic(t, "tensor.Sub: dtypes differ: float32 and float64 (shapes [2], [2])", func() {
		tensor.Zeros(tensor.Float32, 2).Sub(tensor.Zeros(tensor.Float64, 2))
	})
}
