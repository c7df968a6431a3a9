package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestSumGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3, 4)) }
	runGradCases(t, []gradCase{
		{"all", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Sum() }, nil},
		{"axis", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Sum(1) }, nil},
		{"axes", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Sum(0, -1) }, nil},
		{"keepdim", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].SumKeepDim(2) }, nil},
		{"permuted", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(2, 0, 1).Sum(1) }, nil},
	})
}

func TestSumValues(t *testing.T) {
	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if got, want := x.Sum(0), tensor.FromSlice([]float32{5, 7, 9}, 3); !tensor.Equal(got, want) {
		t.Fatalf("Sum(0) = %v, want %v", got, want)
	}
	if got, want := x.SumKeepDim(1), tensor.FromSlice([]float32{6, 15}, 2, 1); !tensor.Equal(got, want) {
		t.Fatalf("SumKeepDim(1) = %v, want %v", got, want)
	}
	if got := x.Sum().Item(); got != 21 {
		t.Fatalf("Sum() = %v, want 21", got)
	}
	if got := tensor.FromSlice([]int64{1, 2, 3}).Sum().Item(); got != 6 {
		t.Fatalf("int64 Sum() = %v, want 6", got)
	}
}
