package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestSoftmaxGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 2, 3, 4)) }
	sm := func(axis int) func(x []*tensor.Tensor) *tensor.Tensor {
		return func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Softmax(axis) }
	}
	runGradCases(t, []gradCase{
		{"last axis", mk, sm(-1), nil},
		{"axis 0", mk, sm(0), nil},
		{"middle axis", mk, sm(1), nil},
		{"permuted", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(2, 0, 1).Softmax(2) }, nil},
		{"sliced", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(2, 1, 4, 2).Softmax(2) }, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 3, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 4).Softmax(0) }, nil},
		{"used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Softmax(1).Mul(x[0]) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 3, 4), constIn(r, -2, 2, 3, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].Softmax(1)) }, nil},
		{"large inputs", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, 999, 1001, 2, 3)) }, sm(1), nil},
	})
	runSecondCases(t, []gradCase{
		{"last axis", mk, sm(-1), nil},
		{"axis 0 permuted", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(1, 0, 2).Softmax(0) }, nil},
		{"times input", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Softmax(2).Mul(x[0]) }, nil},
	})
}

// softmaxRef is the textbook softmax along the last axis of a row-major
// [rows, n] slice, for moderate inputs.
func softmaxRef(x []float64, n int, log bool) []float64 {
	out := make([]float64, len(x))
	for r := 0; r < len(x)/n; r++ {
		s := 0.0
		for i := 0; i < n; i++ {
			s += math.Exp(x[r*n+i])
		}
		for i := 0; i < n; i++ {
			if log {
				out[r*n+i] = x[r*n+i] - math.Log(s)
			} else {
				out[r*n+i] = math.Exp(x[r*n+i]) / s
			}
		}
	}
	return out
}

func TestSoftmaxValues(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	x := tensor.Uniform(r, tensor.Float64, -3, 3, 4, 5, 6)
	for axis := 0; axis < 3; axis++ {
		// Move axis last, compute the reference on contiguous rows, move
		// it back.
		perm := []int{0, 1, 2}
		perm[axis], perm[2] = perm[2], perm[axis]
		xp := x.Permute(perm...).Contiguous()
		n := xp.Size(2)
		want := tensor.FromSlice(softmaxRef(xp.Float64s(), n, false), xp.Shape()...).Permute(perm...)
		if got := x.Softmax(axis); !tensor.AllClose(got, want, 1e-12, 1e-15) {
			t.Errorf("Softmax(%d) differs from the reference", axis)
		}
		wantLog := tensor.FromSlice(softmaxRef(xp.Float64s(), n, true), xp.Shape()...).Permute(perm...)
		if got := x.LogSoftmax(axis); !tensor.AllClose(got, wantLog, 1e-12, 1e-12) {
			t.Errorf("LogSoftmax(%d) differs from the reference", axis)
		}
		// Float32 agrees to float32 precision.
		if got := x.To(tensor.Float32).Softmax(axis); got.DType() != tensor.Float32 || !tensor.AllClose(got, want.To(tensor.Float32), 1e-5, 1e-7) {
			t.Errorf("float32 Softmax(%d) differs from the reference", axis)
		}
	}
	// Values from PyTorch 1.13.1: torch.softmax([[1, 2, 3], [-1, 0, 5]], 1).
	got := tensor.FromSlice([]float64{1, 2, 3, -1, 0, 5}, 2, 3).Softmax(1)
	want := tensor.FromSlice([]float64{0.09003057317038045, 0.2447284710547976, 0.6652409557748218,
		0.0024561149044509535, 0.006676412513376451, 0.9908674725821726}, 2, 3)
	if !tensor.AllClose(got, want, 1e-14, 0) {
		t.Errorf("Softmax = %v, want %v", got, want)
	}
	// Each line sums to one.
	if s := x.Softmax(1).Sum(1); !tensor.AllClose(s, tensor.Ones(tensor.Float64, 4, 6), 1e-14, 0) {
		t.Errorf("softmax lines sum to %v", s)
	}
	if got := tensor.Scalar(3, tensor.Float32).Softmax(0); !tensor.Equal(got, tensor.Scalar(1, tensor.Float32)) {
		t.Errorf("Softmax of a scalar = %v, want 1", got)
	}
}

// TestSoftmaxStability checks extreme inputs, which a softmax without the
// max subtraction turns into Inf/Inf = NaN.
func TestSoftmaxStability(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		x := tensor.FromSlice([]float64{1000, -1000, 1000, 1000, -1000, -1000, 500, 0}, 4, 2).To(dt)
		sm := x.Softmax(1)
		want := tensor.FromSlice([]float64{1, 0, 0.5, 0.5, 0.5, 0.5, 1, math.Exp(-500)}, 4, 2).To(dt)
		if !tensor.AllClose(sm, want, 1e-6, 0) {
			t.Errorf("%v: Softmax of large inputs = %v, want %v", dt, sm, want)
		}
		ls := x.LogSoftmax(1)
		l2 := math.Log(2)
		wantLog := tensor.FromSlice([]float64{0, -2000, -l2, -l2, -l2, -l2, 0, -500}, 4, 2).To(dt)
		if !tensor.AllClose(ls, wantLog, 1e-6, 0) {
			t.Errorf("%v: LogSoftmax of large inputs = %v, want %v", dt, ls, wantLog)
		}
	}
	// As in PyTorch: a line with only -Inf, with +Inf or with NaN gives
	// NaN; -Inf next to finite values gives probability 0 (log -Inf).
	x := tensor.FromSlice([]float64{-inf, -inf, inf, 0, nan, 1, -inf, 0}, 4, 2)
	sm, ls := x.Softmax(1).Float64s(), x.LogSoftmax(1).Float64s()
	for i := 0; i < 6; i++ {
		if !math.IsNaN(sm[i]) || !math.IsNaN(ls[i]) {
			t.Errorf("element %d: Softmax %v, LogSoftmax %v, want NaN", i, sm[i], ls[i])
		}
	}
	if sm[6] != 0 || sm[7] != 1 || !math.IsInf(ls[6], -1) || ls[7] != 0 {
		t.Errorf("[-Inf 0]: Softmax %v, LogSoftmax %v, want [0 1] and [-Inf 0]", sm[6:], ls[6:])
	}
	// The gradient stays finite for large inputs.
	y := tensor.FromSlice([]float64{1000, -1000, 0}).SetRequiresGrad(true)
	y.Softmax(0).Mul(tensor.FromSlice([]float64{1, 2, 3})).Sum().Backward()
	for _, g := range y.Grad().Float64s() {
		if math.IsNaN(g) || math.IsInf(g, 0) {
			t.Fatalf("Softmax gradient at large inputs: %v", y.Grad())
		}
	}
}

func TestSoftmaxErrors(t *testing.T) {
	mustPanic(t, "tensor.Softmax: needs a floating-point tensor, got int64 (shapes [2])", func() {
		tensor.FromSlice([]int64{1, 2}).Softmax(0)
	})
	mustPanic(t, "tensor.Softmax: axis 2 out of range for 2 dimensions (shapes [2 3])", func() {
		tensor.Zeros(tensor.Float32, 2, 3).Softmax(2)
	})
	mustPanic(t, "tensor.Softmax: axis 1 out of range for 0 dimensions (shapes [])", func() {
		tensor.Scalar(1, tensor.Float32).Softmax(1)
	})
}
