package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestAddGrad(t *testing.T) {
	runGradCases(t, []gradCase{
		{"same", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3), in(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Add(x[1]) }, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 1, 3), in(r, -1, 1, 4, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Add(x[1]) }, nil},
		{"used twice", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Add(x[0]) }, nil},
		{"permuted", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 2), in(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].T().Add(x[1]) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3), constIn(r, -1, 1, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Add(x[1]) }, nil},
		{"scalar", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].AddScalar(2.5) }, nil},
	})
}

func TestAddValues(t *testing.T) {
	a := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := tensor.FromSlice([]float32{10, 20, 30}, 3)
	want := tensor.FromSlice([]float32{11, 22, 33, 14, 25, 36}, 2, 3)
	if got := a.Add(b); !tensor.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	i := tensor.FromSlice([]int64{1, 2}, 2, 1)
	if got := i.Add(tensor.FromSlice([]int64{10, 20}, 2)); !tensor.Equal(got, tensor.FromSlice([]int64{11, 21, 12, 22}, 2, 2)) {
		t.Fatalf("int64 broadcast add: got %v", got)
	}
}

func TestAddErrors(t *testing.T) {
	mustPanic(t, "tensor.Add: shapes cannot be broadcast together: size 3 vs 4 at dimension 1 (shapes [2 3], [4])", func() {
		tensor.Zeros(tensor.Float32, 2, 3).Add(tensor.Zeros(tensor.Float32, 4))
	})
	mustPanic(t, "tensor.Add: dtypes differ: float32 and float64 (shapes [2], [2])", func() {
		tensor.Zeros(tensor.Float32, 2).Add(tensor.Zeros(tensor.Float64, 2))
	})
}
