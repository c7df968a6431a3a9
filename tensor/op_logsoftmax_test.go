package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// LogSoftmax values and stability are checked together with Softmax in
// op_softmax_test.go.

func TestLogSoftmaxGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 2, 3, 4)) }
	ls := func(axis int) func(x []*tensor.Tensor) *tensor.Tensor {
		return func(x []*tensor.Tensor) *tensor.Tensor { return x[0].LogSoftmax(axis) }
	}
	runGradCases(t, []gradCase{
		{"last axis", mk, ls(-1), nil},
		{"axis 0", mk, ls(0), nil},
		{"middle axis", mk, ls(1), nil},
		{"permuted", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(2, 0, 1).LogSoftmax(2) }, nil},
		{"sliced", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(2, 0, 4, 3).LogSoftmax(1) }, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 3, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 4).LogSoftmax(0) }, nil},
		{"used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].LogSoftmax(1).Mul(x[0]) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 3, 4), constIn(r, -2, 2, 3, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].LogSoftmax(1)) }, nil},
		{"large inputs", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1000, 1000, 2, 3)) }, ls(1), nil},
	})
	runSecondCases(t, []gradCase{
		{"last axis", mk, ls(-1), nil},
		{"axis 1 transposed", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Transpose(1, 2).LogSoftmax(1) }, nil},
		{"times input", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].LogSoftmax(0).Mul(x[0]) }, nil},
	})
}

// TestLogSoftmaxGradValues pins the gradient of Σ w·logsoftmax(x) =
// w − softmax(x)·Σw on a hand-checked example.
func TestLogSoftmaxGradValues(t *testing.T) {
	x := tensor.FromSlice([]float64{0, math.Log(3)}).SetRequiresGrad(true) // softmax = [1/4, 3/4]
	x.LogSoftmax(0).Mul(tensor.FromSlice([]float64{1, 3})).Sum().Backward()
	want := tensor.FromSlice([]float64{1 - 4.0/4, 3 - 4*3.0/4})
	if !tensor.AllClose(x.Grad(), want, 1e-14, 1e-15) {
		t.Errorf("grad %v, want %v", x.Grad(), want)
	}
	if got := tensor.Scalar(3, tensor.Float64).LogSoftmax(-1); !tensor.Equal(got, tensor.Scalar(0, tensor.Float64)) {
		t.Errorf("LogSoftmax of a scalar = %v, want 0", got)
	}
}

func TestLogSoftmaxErrors(t *testing.T) {
	mustPanic(t, "tensor.LogSoftmax: needs a floating-point tensor, got int64 (shapes [2])", func() {
		tensor.FromSlice([]int64{1, 2}).LogSoftmax(0)
	})
	mustPanic(t, "tensor.LogSoftmax: axis -3 out of range for 2 dimensions (shapes [2 3])", func() {
		tensor.Zeros(tensor.Float64, 2, 3).LogSoftmax(-3)
	})
}
