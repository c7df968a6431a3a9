package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestExpGrad(t *testing.T) {
	runGradCases(t, unaryGradCases((*tensor.Tensor).Exp, -2, 2))
	checkSecondUnary(t, (*tensor.Tensor).Exp, -2, 2)
	checkNotRecorded(t, (*tensor.Tensor).Exp, -2, 2)
}

func TestExpValues(t *testing.T) {
	checkUnaryValues(t, (*tensor.Tensor).Exp, math.Exp, append([]float64{-3, -0.5, 1, 2.5, 710, -750}, specialInputs...), 0)
	if got := tensor.FromSlice([]float64{1}).Exp().At(0); got != math.E {
		t.Errorf("Exp(1) = %v, want e", got)
	}
}

func TestExpErrors(t *testing.T) {
	mustPanic(t, "tensor.Exp: not supported for dtype int64 (shapes [2])", func() { tensor.Ones(tensor.Int64, 2).Exp() })
}
