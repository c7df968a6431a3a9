package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestSigmoidGrad(t *testing.T) {
	runGradCases(t, unaryGradCases((*tensor.Tensor).Sigmoid, -4, 4))
	checkSecondUnary(t, (*tensor.Tensor).Sigmoid, -4, 4)
}

func TestSigmoidValues(t *testing.T) {
	ref := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	checkUnaryValues(t, (*tensor.Tensor).Sigmoid, ref, append([]float64{-30, -3, -0.5, 1, 2.5, 40, 800, -800}, specialInputs...), 1e-15)
	// PyTorch 1.13.1, torch.sigmoid in float64.
	xs := []float64{-3, -1.5, -0.5, 0, 0.25, 1, 2.5, 30}
	torch := []float64{0.04742587317756678, 0.18242552380635635, 0.3775406687981454, 0.5, 0.5621765008857981, 0.7310585786300049, 0.9241418199787566, 0.9999999999999065}
	got := tensor.FromSlice(xs).Sigmoid().Float64s()
	for i := range xs {
		if !closeTo(got[i], torch[i], 1e-15) {
			t.Errorf("Sigmoid(%v) = %v, PyTorch %v", xs[i], got[i], torch[i])
		}
	}
	// No underflow to NaN for large negative inputs.
	if got := tensor.FromSlice([]float64{-800}).Sigmoid().At(0); got != 0 {
		t.Errorf("Sigmoid(-800) = %v, want 0", got)
	}
}
