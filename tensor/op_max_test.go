package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestMaxMinGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3, 4)) }
	runGradCases(t, []gradCase{
		{"max all", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Max() }, nil},
		{"max axis", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Max(1) }, nil},
		{"max axes keepdim", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MaxKeepDim(0, -1) }, nil},
		{"min axis", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Min(2) }, nil},
		{"min keepdim", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MinKeepDim(1) }, nil},
		{"permuted", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(2, 0, 1).Max(0) }, nil},
		{"sliced", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(1, 0, 3, 2).Min(2) }, nil},
		{"used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MaxKeepDim(2).Mul(x[0]) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3), constIn(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].Max(0)) }, nil},
	})
}

// TestMaxTies checks that the gradient is split evenly among tied extremes,
// as torch.amax and torch.amin do, including ties created by broadcasting.
func TestMaxTies(t *testing.T) {
	x := tensor.FromSlice([]float64{3, 1, 3, 3, 2, 5, 0, 5}, 2, 4).SetRequiresGrad(true)
	x.Max(1).Sum().Backward()
	want := tensor.FromSlice([]float64{1.0 / 3, 0, 1.0 / 3, 1.0 / 3, 0, 0.5, 0, 0.5}, 2, 4)
	if !tensor.AllClose(x.Grad(), want, 1e-15, 0) {
		t.Errorf("Max ties: grad %v, want %v", x.Grad(), want)
	}
	x.ZeroGrad()
	x.Min().Backward()
	want = tensor.FromSlice([]float64{0, 0, 0, 0, 0, 0, 1, 0}, 2, 4)
	if !tensor.Equal(x.Grad(), want) {
		t.Errorf("Min all: grad %v, want %v", x.Grad(), want)
	}
	// An expanded input: all four copies tie, the gradient of the one
	// element is the sum of their shares.
	y := tensor.FromSlice([]float64{2, 7}, 2, 1).SetRequiresGrad(true)
	y.Expand(2, 4).Max(1).Sum().Backward()
	if want := tensor.FromSlice([]float64{1, 1}, 2, 1); !tensor.AllClose(y.Grad(), want, 1e-15, 0) {
		t.Errorf("expanded ties: grad %v, want %v", y.Grad(), want)
	}
}

func TestMaxMinValues(t *testing.T) {
	nan := math.NaN()
	x := tensor.FromSlice([]float32{1, 9, -3, 4, 0, 7}, 2, 3)
	cases := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		{"max axis 0", x.Max(0), tensor.FromSlice([]float32{4, 9, 7}, 3)},
		{"max axis 1", x.Max(1), tensor.FromSlice([]float32{9, 7}, 2)},
		{"max keepdim", x.MaxKeepDim(1), tensor.FromSlice([]float32{9, 7}, 2, 1)},
		{"min axis -1", x.Min(-1), tensor.FromSlice([]float32{-3, 0}, 2)},
		{"min keepdim all", x.MinKeepDim(), tensor.FromSlice([]float32{-3}, 1, 1)},
		{"max all", x.Max(), tensor.Scalar(9, tensor.Float32)},
		{"max transposed", x.T().Max(1), tensor.FromSlice([]float32{4, 9, 7}, 3)},
		{"int64", tensor.FromSlice([]int64{5, -2, 8, 1}, 2, 2).Min(0), tensor.FromSlice([]int64{5, -2}, 2)},
		{"float64 -inf", tensor.FromSlice([]float64{math.Inf(-1), math.Inf(-1)}).Max(), tensor.Scalar(math.Inf(-1), tensor.Float64)},
	}
	for _, c := range cases {
		if !tensor.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	m := tensor.FromSlice([]float64{1, nan, 3, 2, 1, 0}, 2, 3).Max(1)
	if got := m.Float64s(); !math.IsNaN(got[0]) || got[1] != 2 {
		t.Errorf("NaN must propagate: Max = %v, want [NaN 2]", got)
	}
	// The gradient of a NaN maximum goes to the NaN element.
	xn := tensor.FromSlice([]float64{1, nan, 3}).SetRequiresGrad(true)
	xn.Max().Backward()
	if got := xn.Grad().Float64s(); got[0] != 0 || got[1] != 1 || got[2] != 0 {
		t.Errorf("grad of NaN max = %v, want [0 1 0]", got)
	}
}

func TestMaxErrors(t *testing.T) {
	mustPanic(t, "tensor.Max: reduction over axis 1 of size 0 (shapes [2 0])", func() {
		tensor.Zeros(tensor.Float32, 2, 0).Max(1)
	})
	mustPanic(t, "tensor.MinKeepDim: axis -3 out of range for 2 dimensions (shapes [2 3])", func() {
		tensor.Zeros(tensor.Float32, 2, 3).MinKeepDim(-3)
	})
	// Reducing a non-empty axis of a tensor that is empty elsewhere is fine.
	if got := tensor.Zeros(tensor.Float32, 0, 3).Max(1); !tensor.Equal(got, tensor.Zeros(tensor.Float32, 0)) {
		t.Errorf("Max over a non-empty axis of an empty tensor = %v", got)
	}
}
