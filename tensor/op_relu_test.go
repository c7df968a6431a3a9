package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestReLUGrad(t *testing.T) {
	runGradCases(t, unaryGradCases((*tensor.Tensor).ReLU, -1, 1, 0))
	checkSecondUnary(t, func(x *tensor.Tensor) *tensor.Tensor { return x.ReLU().Mul(x.Exp()) }, -1, 1, 0)
	checkNotRecorded(t, (*tensor.Tensor).ReLU, -1, 1)
}

func TestReLUValues(t *testing.T) {
	checkUnaryValues(t, (*tensor.Tensor).ReLU, func(x float64) float64 {
		if x > 0 || math.IsNaN(x) {
			return x
		}
		return 0
	}, append([]float64{-2, 0.5, 1e-300, -1e-300}, specialInputs...), 0)
	got := tensor.FromSlice([]int64{-3, 0, 4}).ReLU()
	if want := tensor.FromSlice([]int64{0, 0, 4}); !tensor.Equal(got, want) {
		t.Errorf("int64: got %v, want %v", got, want)
	}
	// PyTorch 1.13.1 passes the gradient at NaN and blocks it at 0, in
	// both float dtypes; 37 elements run the float32 vector kernel and its
	// scalar tail.
	xs, gs, ws := make([]float64, 37), make([]float64, 37), make([]float64, 37)
	for i := range xs {
		xs[i], gs[i], ws[i] = []float64{math.NaN(), 0, -1, 2}[i%4], float64(i+1), []float64{float64(i + 1), 0, 0, float64(i + 1)}[i%4]
	}
	gs[3], ws[3] = math.Inf(1), math.Inf(1)
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		x := tensor.FromSlice(xs).To(dt).SetRequiresGrad(true)
		x.ReLU().Backward(tensor.WithGrad(tensor.FromSlice(gs).To(dt)))
		if got, want := x.Grad(), tensor.FromSlice(ws).To(dt); !tensor.Equal(got, want) {
			t.Errorf("%v: gradient %v, want %v", dt, got, want)
		}
	}
	// As in PyTorch 1.13.1, −0 passes unchanged (torch.relu keeps its sign
	// bit), for every dtype and layout, and so does NaN.
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		z := tensor.FromSlice([]float64{math.Copysign(0, -1), math.NaN(), -1}).To(dt)
		for _, v := range []*tensor.Tensor{z.ReLU(), z.Unsqueeze(1).Expand(3, 2).T().ReLU().Slice(0, 0, 1, 1).Reshape(3)} {
			got := v.Float64s()
			if !math.Signbit(got[0]) || got[0] != 0 || !math.IsNaN(got[1]) || got[2] != 0 || math.Signbit(got[2]) {
				t.Errorf("%v: ReLU(−0, NaN, −1) = %v, want [-0 NaN 0]", dt, got)
			}
		}
	}
	// An infinite output gradient does not leak NaN where ReLU blocks it.
	y := tensor.FromSlice([]float64{-1}).SetRequiresGrad(true)
	y.ReLU().Backward(tensor.WithGrad(tensor.FromSlice([]float64{math.Inf(1)})))
	if got := y.Grad().At(0); got != 0 {
		t.Errorf("blocked infinite gradient = %v, want 0", got)
	}
}
