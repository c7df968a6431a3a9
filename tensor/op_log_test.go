package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestLogGrad(t *testing.T) {
	runGradCases(t, unaryGradCases((*tensor.Tensor).Log, 0.1, 2))
	checkSecondUnary(t, (*tensor.Tensor).Log, 0.1, 2)
}

func TestLogValues(t *testing.T) {
	checkUnaryValues(t, (*tensor.Tensor).Log, math.Log, append([]float64{1e-30, 0.5, 1, 2, 1e30, -1}, specialInputs...), 0)
	got := tensor.FromSlice([]float64{0, -1, 1, math.E}).Log().Float64s()
	want := []float64{math.Inf(-1), math.NaN(), 0, 1}
	for i := range want {
		if !closeTo(got[i], want[i], 0) {
			t.Errorf("element %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func TestLogErrors(t *testing.T) {
	mustPanic(t, "tensor.Log: not supported for dtype int64 (shapes [])", func() { tensor.Ones(tensor.Int64).Log() })
}
