package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// activationXs are the inputs of the PyTorch 1.13.1 reference values of the
// activations, computed in float64.
var activationXs = []float64{-3, -1.5, -0.5, 0, 0.25, 1, 2.5, 30}

// checkTorchActivation compares f(activationXs) in Float64 with PyTorch's values.
func checkTorchActivation(t *testing.T, f func(*tensor.Tensor) *tensor.Tensor, torch []float64, tol float64) {
	t.Helper()
	got := f(tensor.FromSlice(activationXs)).Float64s()
	for i, x := range activationXs {
		if !closeTo(got[i], torch[i], tol) {
			t.Errorf("f(%v) = %v, PyTorch %v", x, got[i], torch[i])
		}
	}
}

func TestGELUGrad(t *testing.T) {
	runGradCases(t, unaryGradCases((*tensor.Tensor).GELU, -3, 3))
	checkSecondUnary(t, (*tensor.Tensor).GELU, -3, 3)
	checkNotRecorded(t, (*tensor.Tensor).GELU, -3, 3)
}

func TestGELUValues(t *testing.T) {
	ref := func(x float64) float64 { return x * 0.5 * (1 + math.Erf(x/math.Sqrt2)) }
	checkUnaryValues(t, (*tensor.Tensor).GELU, ref, append([]float64{-2, -0.5, 0.25, 1, 4}, specialInputs[:4]...), 1e-15)
	// Far in the negative tail the erfc form keeps its precision, where
	// 1 + erf cancels: Φ(x) ≈ φ(x)/|x| · (1 − 1/x² + 3/x⁴) as x → −∞.
	x := -12.0
	phi := math.Exp(-x*x/2) / math.Sqrt(2*math.Pi)
	if got, want := tensor.FromSlice([]float64{x}).GELU().At(0), -phi*(1-1/(x*x)+3/(x*x*x*x)); !closeTo(got, want, 1e-3) {
		t.Errorf("GELU(%v) = %v, want ≈ %v", x, got, want)
	}
	checkTorchActivation(t, (*tensor.Tensor).GELU, []float64{-0.00404969409489031, -0.10021080190328704, -0.15426876936299344, 0.0, 0.14967658142073093, 0.841344746068543, 2.4844758366855597, 30.0}, 1e-12)
}

func TestGELUTanhGrad(t *testing.T) {
	runGradCases(t, unaryGradCases((*tensor.Tensor).GELUTanh, -3, 3))
	checkSecondUnary(t, (*tensor.Tensor).GELUTanh, -3, 3)
}

func TestGELUTanhValues(t *testing.T) {
	ref := func(x float64) float64 {
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	}
	checkUnaryValues(t, (*tensor.Tensor).GELUTanh, ref, append([]float64{-2, -0.5, 0.25, 1, 4}, specialInputs[:4]...), 1e-15)
	checkTorchActivation(t, (*tensor.Tensor).GELUTanh, []float64{-0.0036373920817729943, -0.10042842301976707, -0.15428599017485606, 0.0, 0.149675350701685, 0.8411919906082768, 2.484915733910001, 30.0}, 1e-14)
}

// TestGELUThirdDerivative differentiates the second derivative once more,
// which runs the backward rule of the fused derivative op recorded itself.
func TestGELUThirdDerivative(t *testing.T) {
	x := tensor.FromSlice([]float64{0.7}).SetRequiresGrad(true)
	d1 := tensor.Gradients(x.GELU().Sum(), []*tensor.Tensor{x}, tensor.CreateGraph())[0]
	d2 := tensor.Gradients(d1.Sum(), []*tensor.Tensor{x}, tensor.CreateGraph())[0]
	d3 := tensor.Gradients(d2.Sum(), []*tensor.Tensor{x})[0]
	// f″ = φ(x)(2 − x²), so f‴ = φ(x)(x³ − 4x).
	v := 0.7
	phi := math.Exp(-v*v/2) / math.Sqrt(2*math.Pi)
	if got, want := d2.At(0), phi*(2-v*v); !closeTo(got, want, 1e-14) {
		t.Errorf("second derivative %v, want %v", got, want)
	}
	if got, want := d3.At(0), phi*(v*v*v-4*v); !closeTo(got, want, 1e-14) {
		t.Errorf("third derivative %v, want %v", got, want)
	}
}

func TestGELUErrors(t *testing.T) {
	mustPanic(t, "tensor.GELU: not supported for dtype int64 (shapes [1])", func() { tensor.Ones(tensor.Int64, 1).GELU() })
}
