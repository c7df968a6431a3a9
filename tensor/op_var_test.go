package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestVarStdGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3, 4)) }
	runGradCases(t, []gradCase{
		{"var all", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Var(1) }, nil},
		{"var axis", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Var(1, 1) }, nil},
		{"var axes population", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Var(0, 0, -1) }, nil},
		{"var keepdim", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].VarKeepDim(1, 2) }, nil},
		{"std all", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Std(1) }, nil},
		{"std axis", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Std(0, 2) }, nil},
		{"std keepdim", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].StdKeepDim(1, 0, 1) }, nil},
		{"permuted", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(2, 0, 1).Var(1, 0) }, nil},
		{"sliced", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(2, 0, 4, 2).Std(1, 1) }, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 4).Var(1, 0) }, nil},
		{"used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].VarKeepDim(1, 1).Mul(x[0]) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3), constIn(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].Std(1, 0)) }, nil},
	})
	runSecondCases(t, []gradCase{
		{"var axis", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Var(1, 1) }, nil},
		{"var all times x", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].VarKeepDim(0).Mul(x[0]) }, nil},
		{"std axis", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Std(1, 2) }, nil},
	})
}

// varRef is the defining two-pass loop over the rows of a row-major
// [rows, n] slice.
func varRef(x []float64, n, correction int) []float64 {
	out := make([]float64, len(x)/n)
	for r := range out {
		m := 0.0
		for _, v := range x[r*n : (r+1)*n] {
			m += v
		}
		m /= float64(n)
		for _, v := range x[r*n : (r+1)*n] {
			out[r] += (v - m) * (v - m)
		}
		out[r] /= float64(n - correction)
	}
	return out
}

func TestVarStdValues(t *testing.T) {
	// Row 0: mean 2.5, squared deviations 2.25+0.25+0.25+2.25 = 5.
	// Row 1: mean 5.25, squared deviations 10.5625+1.5625+0.5625+14.0625 = 26.75.
	x := tensor.FromSlice([]float64{1, 2, 3, 4, 2, 4, 6, 9}, 2, 4)
	cases := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		{"unbiased", x.Var(1, 1), tensor.FromSlice([]float64{5.0 / 3, 26.75 / 3}, 2)},
		{"population", x.Var(0, -1), tensor.FromSlice([]float64{5.0 / 4, 26.75 / 4}, 2)},
		{"keepdim", x.VarKeepDim(1, 1), tensor.FromSlice([]float64{5.0 / 3, 26.75 / 3}, 2, 1)},
		{"std", x.Std(1, 1), tensor.FromSlice([]float64{math.Sqrt(5.0 / 3), math.Sqrt(26.75 / 3)}, 2)},
		{"std keepdim", x.StdKeepDim(0, 1), tensor.FromSlice([]float64{math.Sqrt(1.25), math.Sqrt(26.75 / 4)}, 2, 1)},
		// Columns: (1,2), (2,4), (3,6), (4,9): unbiased variances d²/2.
		{"axis 0", x.Var(1, 0), tensor.FromSlice([]float64{0.5, 2, 4.5, 12.5}, 4)},
		{"transposed", x.T().Var(1, 0), tensor.FromSlice([]float64{5.0 / 3, 26.75 / 3}, 2)},
		{"float32", x.To(tensor.Float32).Var(1, 1), tensor.FromSlice([]float32{5.0 / 3, 26.75 / 3}, 2)},
	}
	for _, c := range cases {
		if !tensor.AllClose(c.got, c.want, 1e-6, 0) || c.got.DType() != c.want.DType() {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	// All axes against the reference loop, float64 exactly enough.
	r := rand.New(rand.NewPCG(11, 12))
	y := tensor.Randn(r, tensor.Float64, 3, 5, 7)
	for _, c := range []int{0, 1, 2} {
		want := varRef(y.Float64s(), y.Numel(), c)[0]
		if got := y.Var(c).Item(); math.Abs(got-want) > 1e-13*want {
			t.Errorf("Var(%d) of all = %v, want %v", c, got, want)
		}
		if got := y.VarKeepDim(c, 2).Float64s(); !tensor.AllClose(tensor.FromSlice(got), tensor.FromSlice(varRef(y.Float64s(), 7, c)), 1e-13, 0) {
			t.Errorf("Var(%d, 2) differs from the reference", c)
		}
	}
	// Two passes keep a small spread around a large mean exact; the
	// one-pass E[x²] − E[x]² would lose every digit here.
	big := tensor.FromSlice([]float64{1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4})
	if got := big.Var(0).Item(); got != 1.25 {
		t.Errorf("population variance around 1e9 = %v, want 1.25", got)
	}
	// n − correction ≤ 0 gives NaN (0/0) or Inf, as torch.
	one := tensor.FromSlice([]float64{3})
	if got := one.Var(1).Item(); !math.IsNaN(got) {
		t.Errorf("unbiased variance of one element = %v, want NaN", got)
	}
	if got := tensor.FromSlice([]float64{1, 2}).Var(3).Item(); !math.IsInf(got, 1) {
		t.Errorf("variance with correction above n = %v, want +Inf", got)
	}
	// A constant input has std 0 and, as in PyTorch, gradient 0 (not NaN).
	c := tensor.FromSlice([]float64{2, 2, 2}).SetRequiresGrad(true)
	c.Std(1).Backward()
	if !tensor.Equal(c.Grad(), tensor.Zeros(tensor.Float64, 3)) {
		t.Errorf("grad of std of a constant = %v, want zeros", c.Grad())
	}
	// d var / dx = 2 (x − mean) / (n − 1): for [1 2 3 4], [-1 -1/3 1/3 1].
	v := tensor.FromSlice([]float64{1, 2, 3, 4}).SetRequiresGrad(true)
	v.Var(1).Backward()
	if want := tensor.FromSlice([]float64{-1, -1.0 / 3, 1.0 / 3, 1}); !tensor.AllClose(v.Grad(), want, 1e-15, 1e-15) {
		t.Errorf("grad of var = %v, want %v", v.Grad(), want)
	}
}

func TestVarErrors(t *testing.T) {
	mustPanic(t, "tensor.Var: needs a floating-point tensor, got int64 (shapes [2])", func() {
		tensor.FromSlice([]int64{1, 2}).Var(1)
	})
	mustPanic(t, "tensor.StdKeepDim: axis 2 out of range for 2 dimensions (shapes [2 3])", func() {
		tensor.Zeros(tensor.Float32, 2, 3).StdKeepDim(1, 2)
	})
}
