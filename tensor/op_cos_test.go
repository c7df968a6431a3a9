package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestCosGrad(t *testing.T) {
	runGradCases(t, unaryGradCases((*tensor.Tensor).Cos, -3, 3))
	checkSecondUnary(t, (*tensor.Tensor).Cos, -3, 3)
}

func TestCosValues(t *testing.T) {
	checkUnaryValues(t, (*tensor.Tensor).Cos, math.Cos, append([]float64{-3, -0.5, 1, math.Pi, 100}, specialInputs...), 0)
}
