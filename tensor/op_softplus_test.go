package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestSoftplusGrad(t *testing.T) {
	std := func(x *tensor.Tensor) *tensor.Tensor { return x.Softplus(1, 20) }
	runGradCases(t, unaryGradCases(std, -3, 3))
	checkSecondUnary(t, std, -3, 3)
	// β = 2 and threshold 1: linear above x = 0.5.
	cut := func(x *tensor.Tensor) *tensor.Tensor { return x.Softplus(2, 1) }
	runGradCases(t, unaryGradCases(cut, -1, 1, 0.5))
	checkSecondUnary(t, cut, -1, 1, 0.5)
}

func TestSoftplusValues(t *testing.T) {
	f := func(x *tensor.Tensor) *tensor.Tensor { return x.Softplus(2, 5) }
	ref := func(x float64) float64 {
		if 2*x > 5 {
			return x
		}
		return math.Log(1+math.Exp(2*x)) / 2
	}
	// The plain formula loses some digits to 1 + e^(2x) for negative x.
	checkUnaryValues(t, f, ref, append([]float64{-3, -0.5, 0.25, 2.5, 2.5001, 40}, specialInputs...), 1e-12)
	// PyTorch 1.13.1, softplus(x, beta=2, threshold=5): 2.5 is at the
	// threshold and still goes through the logarithm.
	checkTorchActivation(t, f, []float64{0.0012378425688652247, 0.02429367578687103, 0.15663084375911143, 0.34657359027997264, 0.48703849209005334, 1.0634640055214863, 2.503357674244559, 30.0}, 1e-15)
	// Tiny values keep their precision (log1p): softplus(−40) ≈ e⁻⁴⁰.
	if got, want := tensor.FromSlice([]float64{-40}).Softplus(1, 20).At(0), math.Exp(-40); !closeTo(got, want, 1e-15) {
		t.Errorf("Softplus(-40) = %v, want %v", got, want)
	}
	x := tensor.FromSlice([]float64{0, 30}).SetRequiresGrad(true)
	x.Softplus(1, 20).Sum().Backward()
	if got, want := x.Grad(), tensor.FromSlice([]float64{0.5, 1}); !tensor.Equal(got, want) {
		t.Errorf("gradient %v, want %v", got, want)
	}
}
