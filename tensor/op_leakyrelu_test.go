package tensor_test

import (
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func leakyReLU01(x *tensor.Tensor) *tensor.Tensor { return x.LeakyReLU(0.1) }

func TestLeakyReLUGrad(t *testing.T) {
	runGradCases(t, unaryGradCases(leakyReLU01, -1, 1, 0))
	checkSecondUnary(t, func(x *tensor.Tensor) *tensor.Tensor { return leakyReLU01(x).Mul(x) }, -1, 1, 0)
}

func TestLeakyReLUValues(t *testing.T) {
	ref := func(x float64) float64 {
		if x > 0 {
			return x
		}
		return 0.1 * x
	}
	checkUnaryValues(t, leakyReLU01, ref, append([]float64{-2, 0.5}, specialInputs...), 0)
	// PyTorch 1.13.1, leaky_relu(x, 0.1) in float64.
	checkTorchActivation(t, leakyReLU01, []float64{-0.30000000000000004, -0.15000000000000002, -0.05, 0.0, 0.25, 1.0, 2.5, 30.0}, 0)
	x := tensor.FromSlice([]float64{-2, 0, 3}).SetRequiresGrad(true)
	leakyReLU01(x).Sum().Backward()
	if got, want := x.Grad(), tensor.FromSlice([]float64{0.1, 0.1, 1}); !tensor.Equal(got, want) {
		t.Errorf("gradient %v, want %v", got, want)
	}
}

func TestLeakyReLUErrors(t *testing.T) {
	mustPanic(t, "tensor.LeakyReLU: not supported for dtype int64 (shapes [1])", func() { tensor.Ones(tensor.Int64, 1).LeakyReLU(0.1) })
}
