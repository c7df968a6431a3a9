package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestClampGrad(t *testing.T) {
	both := func(x *tensor.Tensor) *tensor.Tensor { return x.Clamp(-0.5, 1) }
	runGradCases(t, unaryGradCases(both, -2, 2, -0.5, 1))
	checkSecondUnary(t, func(x *tensor.Tensor) *tensor.Tensor { return both(x).Mul(x) }, -2, 2, -0.5, 1)
	below := func(x *tensor.Tensor) *tensor.Tensor { return x.Clamp(math.Inf(-1), 0.3) }
	runGradCases(t, unaryGradCases(below, -2, 2, 0.3))
	above := func(x *tensor.Tensor) *tensor.Tensor { return x.Clamp(0.3, math.Inf(1)) }
	runGradCases(t, unaryGradCases(above, -2, 2, 0.3))
}

func TestClampValues(t *testing.T) {
	ref := func(x float64) float64 { return math.Min(math.Max(x, -0.5), 1) }
	checkUnaryValues(t, func(x *tensor.Tensor) *tensor.Tensor { return x.Clamp(-0.5, 1) }, ref,
		append([]float64{-2, -0.5, 0.25, 1, 3}, specialInputs...), 0)
	// lo > hi gives hi everywhere, as torch.clamp.
	if got, want := tensor.FromSlice([]float64{-1, 0.5, 3}).Clamp(2, 1), tensor.FromSlice([]float64{1, 1, 1}); !tensor.Equal(got, want) {
		t.Errorf("lo > hi: got %v, want %v", got, want)
	}
	got := tensor.FromSlice([]int64{-5, 0, 5, math.MaxInt64}).Clamp(-1, math.Inf(1))
	if want := tensor.FromSlice([]int64{-1, 0, 5, math.MaxInt64}); !tensor.Equal(got, want) {
		t.Errorf("int64: got %v, want %v", got, want)
	}
	if got, want := tensor.FromSlice([]int64{-5, 0, 5}).Clamp(math.Inf(-1), 2), tensor.FromSlice([]int64{-5, 0, 2}); !tensor.Equal(got, want) {
		t.Errorf("int64 open below: got %v, want %v", got, want)
	}
	// The bounds themselves pass the gradient (PyTorch 1.13.1:
	// clamp(x, 0, 1) at [-1 0 1 2] gives [0 1 1 0]); so do the inside,
	// not NaN.
	x := tensor.FromSlice([]float64{-1, 0, 1, 2, 0.5, math.NaN()}).SetRequiresGrad(true)
	x.Clamp(0, 1).Sum().Backward()
	if got, want := x.Grad(), tensor.FromSlice([]float64{0, 1, 1, 0, 1, 0}); !tensor.Equal(got, want) {
		t.Errorf("gradient %v, want %v", got, want)
	}
}

func TestClampErrors(t *testing.T) {
	mustPanic(t, "tensor.Clamp: bound is NaN (lo NaN, hi 1) (shapes [2])", func() {
		tensor.Ones(tensor.Float32, 2).Clamp(math.NaN(), 1)
	})
	mustPanic(t, "tensor.Clamp: bound 0.5 of an int64 tensor is not a whole number (shapes [2])", func() {
		tensor.Ones(tensor.Int64, 2).Clamp(0.5, 1)
	})
}
