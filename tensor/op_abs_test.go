package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestAbsGrad(t *testing.T) {
	runGradCases(t, unaryGradCases((*tensor.Tensor).Abs, -1, 1, 0))
	// |x|·x has the second derivative 2·sign(x): it checks the backward
	// pass of Abs recorded with CreateGraph.
	checkSecondUnary(t, func(x *tensor.Tensor) *tensor.Tensor { return x.Abs().Mul(x) }, -1, 1, 0)
}

func TestAbsValues(t *testing.T) {
	checkUnaryValues(t, (*tensor.Tensor).Abs, math.Abs, append([]float64{-2, 0.5}, specialInputs...), 0)
	got := tensor.FromSlice([]int64{-3, 0, 4, math.MinInt64}).Abs()
	if want := tensor.FromSlice([]int64{3, 0, 4, math.MinInt64}); !tensor.Equal(got, want) {
		t.Errorf("int64: got %v, want %v", got, want)
	}
	// The gradient at 0 and at NaN is 0, as in PyTorch.
	x := tensor.FromSlice([]float64{-2, 0, 3, math.NaN()}).SetRequiresGrad(true)
	x.Abs().Sum().Backward()
	if got, want := x.Grad(), tensor.FromSlice([]float64{-1, 0, 1, 0}); !tensor.Equal(got, want) {
		t.Errorf("gradient %v, want %v", got, want)
	}
}
