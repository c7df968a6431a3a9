package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestSiLUGrad(t *testing.T) {
	runGradCases(t, unaryGradCases((*tensor.Tensor).SiLU, -4, 4))
	checkSecondUnary(t, (*tensor.Tensor).SiLU, -4, 4)
}

func TestSiLUValues(t *testing.T) {
	ref := func(x float64) float64 { return x / (1 + math.Exp(-x)) }
	checkUnaryValues(t, (*tensor.Tensor).SiLU, ref, append([]float64{-30, -2, -0.5, 0.25, 1, 40}, specialInputs[:4]...), 1e-15)
	checkTorchActivation(t, (*tensor.Tensor).SiLU, []float64{-0.14227761953270035, -0.2736382857095345, -0.1887703343990727, 0.0, 0.14054412522144952, 0.7310585786300049, 2.3103545499468914, 29.999999999997197}, 1e-15)
}
