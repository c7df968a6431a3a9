package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestRsqrtGrad(t *testing.T) {
	runGradCases(t, unaryGradCases((*tensor.Tensor).Rsqrt, 0.1, 2))
	checkSecondUnary(t, (*tensor.Tensor).Rsqrt, 0.1, 2)
}

func TestRsqrtValues(t *testing.T) {
	ref := func(x float64) float64 { return 1 / math.Sqrt(x) }
	checkUnaryValues(t, (*tensor.Tensor).Rsqrt, ref, append([]float64{0.25, 2, 1e-300, -1}, specialInputs...), 0)
	got := tensor.FromSlice([]float64{4, 0, math.Copysign(0, -1)}).Rsqrt().Float64s()
	if got[0] != 0.5 || !math.IsInf(got[1], 1) || !math.IsInf(got[2], -1) {
		t.Errorf("Rsqrt([4 0 -0]) = %v, want [0.5 +Inf -Inf]", got)
	}
}
