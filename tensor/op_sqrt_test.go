package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestSqrtGrad(t *testing.T) {
	runGradCases(t, unaryGradCases((*tensor.Tensor).Sqrt, 0.1, 2))
	checkSecondUnary(t, (*tensor.Tensor).Sqrt, 0.1, 2)
}

func TestSqrtValues(t *testing.T) {
	checkUnaryValues(t, (*tensor.Tensor).Sqrt, math.Sqrt, append([]float64{0.25, 2, 1e-300, -1}, specialInputs...), 0)
	// The gradient at 0 is +Inf, as in PyTorch.
	x := tensor.FromSlice([]float64{0, 4}).SetRequiresGrad(true)
	x.Sqrt().Sum().Backward()
	if g := x.Grad().Float64s(); !math.IsInf(g[0], 1) || g[1] != 0.25 {
		t.Errorf("gradient at [0 4] = %v, want [+Inf 0.25]", g)
	}
}
