package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func elu15(x *tensor.Tensor) *tensor.Tensor { return x.ELU(1.5) }

func TestELUGrad(t *testing.T) {
	runGradCases(t, unaryGradCases(elu15, -2, 2, 0))
	checkSecondUnary(t, elu15, -2, 2, 0)
}

func TestELUValues(t *testing.T) {
	ref := func(x float64) float64 {
		if x > 0 {
			return x
		}
		return 1.5 * (math.Exp(x) - 1)
	}
	checkUnaryValues(t, elu15, ref, append([]float64{-2, -0.5, 0.25, 3, -800}, specialInputs...), 1e-15)
	checkTorchActivation(t, elu15, []float64{-1.4253193974482041, -1.1653047597773554, -0.5902040104310499, 0.0, 0.25, 1.0, 2.5, 30.0}, 1e-15)
	// At 0 the gradient is α, as in PyTorch; a large x leaves no NaN in
	// the second derivative.
	x := tensor.FromSlice([]float64{0, -2, 3, 800}).SetRequiresGrad(true)
	d1 := tensor.Gradients(elu15(x).Sum(), []*tensor.Tensor{x}, tensor.CreateGraph())[0]
	if got, want := d1.Detach(), tensor.FromSlice([]float64{1.5, 1.5 * math.Exp(-2), 1, 1}); !tensor.AllClose(got, want, 1e-15, 0) {
		t.Errorf("gradient %v, want %v", got, want)
	}
	d2 := tensor.Gradients(d1.Sum(), []*tensor.Tensor{x})[0]
	if got, want := d2, tensor.FromSlice([]float64{1.5, 1.5 * math.Exp(-2), 0, 0}); !tensor.AllClose(got, want, 1e-15, 0) {
		t.Errorf("second derivative %v, want %v", got, want)
	}
}
