package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestSinGrad(t *testing.T) {
	runGradCases(t, unaryGradCases((*tensor.Tensor).Sin, -3, 3))
	checkSecondUnary(t, (*tensor.Tensor).Sin, -3, 3)
}

func TestSinValues(t *testing.T) {
	checkUnaryValues(t, (*tensor.Tensor).Sin, math.Sin, append([]float64{-3, -0.5, 1, math.Pi / 2, 100}, specialInputs...), 0)
}
