package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestMinimumGrad(t *testing.T) {
	runGradCases(t, binaryGradCases((*tensor.Tensor).Minimum, -1, 1, -1, 1))
	checkSecondUnary(t, func(x *tensor.Tensor) *tensor.Tensor {
		return x.Minimum(tensor.FromSlice([]float64{0.2, -0.3, 0.1})).Mul(x.Exp())
	}, -1, 1, 0.2, -0.3, 0.1)
}

func TestMinimumValues(t *testing.T) {
	nan := math.NaN()
	checkExtremeGrads(t, (*tensor.Tensor).Minimum,
		[]float64{1, 2, nan, 3, -1}, []float64{1, 3, 1, nan, -2},
		[]float64{1, 2, nan, nan, -2}, []float64{0.5, 1, 1, 1, 0}, []float64{0.5, 0, 1, 1, 1})
	got := tensor.FromSlice([]int64{1, 5, -3}).Minimum(tensor.FromSlice([]int64{2}))
	if want := tensor.FromSlice([]int64{1, 2, -3}); !tensor.Equal(got, want) {
		t.Errorf("int64: got %v, want %v", got, want)
	}
}

func TestMinimumErrors(t *testing.T) {
	mustPanic(t, "tensor.Minimum: dtypes differ: int64 and float64 (shapes [1], [1])", func() {
		tensor.Ones(tensor.Int64, 1).Minimum(tensor.Ones(tensor.Float64, 1))
	})
}
