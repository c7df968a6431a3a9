package tensor_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestLogSumExpGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 2, 3, 4)) }
	runGradCases(t, []gradCase{
		{"all", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].LogSumExp() }, nil},
		{"axis", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].LogSumExp(1) }, nil},
		{"axes", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].LogSumExp(0, -1) }, nil},
		{"keepdim", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].LogSumExpKeepDim(2) }, nil},
		{"permuted", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(2, 0, 1).LogSumExp(0, 2) }, nil},
		{"sliced", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(1, 0, 3, 2).LogSumExp(1) }, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 3, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 4).LogSumExp(1) }, nil},
		{"used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].LogSumExpKeepDim(1).Mul(x[0]) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 3), constIn(r, -2, 2, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].LogSumExp(0)) }, nil},
		{"large inputs", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, 999, 1001, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].LogSumExp(1) }, nil},
	})
	runSecondCases(t, []gradCase{
		{"axis", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].LogSumExp(1) }, nil},
		{"axes keepdim", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].LogSumExpKeepDim(0, 2) }, nil},
		{"all times x", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].LogSumExp().Mul(x[0]) }, nil},
	})
}

func TestLogSumExpValues(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	x := tensor.Uniform(r, tensor.Float64, -3, 3, 3, 4, 5)
	// Reference: the naive formula, fine for moderate inputs.
	naive := func(vals []float64) float64 {
		s := 0.0
		for _, v := range vals {
			s += math.Exp(v)
		}
		return math.Log(s)
	}
	if got, want := x.LogSumExp().Item(), naive(x.Float64s()); math.Abs(got-want) > 1e-13 {
		t.Errorf("LogSumExp() = %v, want %v", got, want)
	}
	got := x.LogSumExp(0, 2)
	for j := 0; j < 4; j++ {
		want := naive(x.Narrow(1, j, 1).Float64s())
		if math.Abs(got.At(j)-want) > 1e-13 {
			t.Errorf("LogSumExp(0, 2)[%d] = %v, want %v", j, got.At(j), want)
		}
	}
	if k := x.LogSumExpKeepDim(1); !slices.Equal(k.Shape(), []int{3, 1, 5}) || !tensor.AllClose(k.Reshape(3, 5), x.LogSumExp(1), 0, 0) {
		t.Errorf("LogSumExpKeepDim(1) has shape %v or differs from LogSumExp(1)", k.Shape())
	}
	f32 := x.To(tensor.Float32).LogSumExp(1)
	if f32.DType() != tensor.Float32 || !tensor.AllClose(f32, x.LogSumExp(1).To(tensor.Float32), 1e-6, 1e-6) {
		t.Errorf("float32 LogSumExp(1) = %v", f32)
	}
}

// TestLogSumExpStability checks extreme and infinite inputs against
// PyTorch's behaviour.
func TestLogSumExpStability(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		x := tensor.FromSlice([]float64{1000, -1000, 1000, 1000, -1000, -1000}, 3, 2).To(dt)
		want := tensor.FromSlice([]float64{1000, 1000 + math.Log(2), -1000 + math.Log(2)}, 3).To(dt)
		if got := x.LogSumExp(1); !tensor.AllClose(got, want, 1e-7, 0) {
			t.Errorf("%v: LogSumExp of large inputs = %v, want %v", dt, got, want)
		}
	}
	x := tensor.FromSlice([]float64{-inf, -inf, inf, 0, inf, -inf, nan, 1, -inf, 0}, 5, 2)
	got := x.LogSumExp(1).Float64s()
	if !math.IsInf(got[0], -1) || !math.IsInf(got[1], 1) || !math.IsInf(got[2], 1) || !math.IsNaN(got[3]) || got[4] != 0 {
		t.Errorf("LogSumExp of [-Inf -Inf], [Inf 0], [Inf -Inf], [NaN 1], [-Inf 0] = %v, want [-Inf Inf Inf NaN 0]", got)
	}
	if got := tensor.Zeros(tensor.Float64, 2, 0).LogSumExp(1); !tensor.Equal(got, tensor.Full(tensor.Float64, math.Inf(-1), 2)) {
		t.Errorf("LogSumExp over an empty axis = %v, want [-Inf -Inf]", got)
	}
	// The gradient of a -Inf group is NaN, as in PyTorch; the others are
	// the softmax.
	y := tensor.FromSlice([]float64{-inf, -inf, 0, math.Log(3)}, 2, 2).SetRequiresGrad(true)
	y.LogSumExp(1).Sum().Backward()
	g := y.Grad().Float64s()
	if !math.IsNaN(g[0]) || !math.IsNaN(g[1]) || math.Abs(g[2]-0.25) > 1e-15 || math.Abs(g[3]-0.75) > 1e-15 {
		t.Errorf("grad = %v, want [NaN NaN 0.25 0.75]", g)
	}
}

func TestLogSumExpErrors(t *testing.T) {
	mustPanic(t, "tensor.LogSumExp: needs a floating-point tensor, got int64 (shapes [2])", func() {
		tensor.FromSlice([]int64{1, 2}).LogSumExp()
	})
	mustPanic(t, "tensor.LogSumExpKeepDim: axis 0 repeated (shapes [2 3])", func() {
		tensor.Zeros(tensor.Float32, 2, 3).LogSumExpKeepDim(0, -2)
	})
}
