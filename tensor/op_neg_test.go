package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestNegGrad(t *testing.T) {
	runGradCases(t, unaryGradCases((*tensor.Tensor).Neg, -1, 1))
	checkNotRecorded(t, (*tensor.Tensor).Neg, -1, 1)
}

func TestNegValues(t *testing.T) {
	checkUnaryValues(t, (*tensor.Tensor).Neg, func(x float64) float64 { return -x }, append([]float64{-2, 0.5, 3}, specialInputs...), 0)
	if got := tensor.Zeros(tensor.Float64, 1).Neg().At(0); !math.Signbit(got) {
		t.Errorf("Neg(0) = %v, want -0", got)
	}
	got := tensor.FromSlice([]int64{1, -2, 0, math.MaxInt64}).Neg()
	if want := tensor.FromSlice([]int64{-1, 2, 0, -math.MaxInt64}); !tensor.Equal(got, want) {
		t.Errorf("int64: got %v, want %v", got, want)
	}
}
