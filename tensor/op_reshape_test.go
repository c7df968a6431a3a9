package tensor_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestReshapeGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3, 4)) }
	runGradCases(t, []gradCase{
		{"reshape", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Reshape(6, 4) }, nil},
		{"infer", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Reshape(4, -1) }, nil},
		{"to 1-D", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Reshape(-1) }, nil},
		{"permuted (copy)", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(2, 0, 1).Reshape(4, 6) }, nil},
		{"sliced", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(2, 0, 4, 2).Reshape(3, 4) }, nil},
		{"broadcast (copy)", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 4).Reshape(2, 6) }, nil},
		{"used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Reshape(2, 12).Mul(x[0].Reshape(2, -1)) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 6), constIn(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].Reshape(6)) }, nil},
		{"flatten", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Flatten(1, 2) }, nil},
		{"flatten transposed", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Transpose(0, 2).Flatten(0, -1) }, nil},
		{"squeeze", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 1, 3, 1, 2)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Squeeze() }, nil},
		{"squeeze one axis", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 1, 3, 1, 2)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Squeeze(-2) }, nil},
		{"unsqueeze", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Unsqueeze(1) }, nil},
		{"unsqueeze last, transposed", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].T().Unsqueeze(-1) }, nil},
	})
	runSecondCases(t, []gradCase{
		{"reshape squared", mk, func(x []*tensor.Tensor) *tensor.Tensor { y := x[0].T().Reshape(-1, 2); return y.Mul(y) }, nil},
	})
}

func TestReshapeValues(t *testing.T) {
	x := tensor.Arange(tensor.Float64, 0, 6, 1).Reshape(2, 3)
	cases := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		{"reshape", x.Reshape(3, 2), tensor.FromSlice([]float64{0, 1, 2, 3, 4, 5}, 3, 2)},
		{"infer first", x.Reshape(-1, 2), tensor.FromSlice([]float64{0, 1, 2, 3, 4, 5}, 3, 2)},
		{"infer last", x.Reshape(1, 2, -1), tensor.FromSlice([]float64{0, 1, 2, 3, 4, 5}, 1, 2, 3)},
		// Row-major order of the transposed view, not of the storage.
		{"transposed", x.T().Reshape(6), tensor.FromSlice([]float64{0, 3, 1, 4, 2, 5}, 6)},
		{"to scalar", tensor.FromSlice([]float64{7}, 1, 1).Reshape(), tensor.Scalar(7, tensor.Float64)},
		{"from scalar", tensor.Scalar(7, tensor.Float64).Reshape(1, -1), tensor.FromSlice([]float64{7}, 1, 1)},
		{"empty", tensor.Zeros(tensor.Float64, 0, 3).Reshape(3, 0, 2), tensor.Zeros(tensor.Float64, 3, 0, 2)},
		{"flatten all", tensor.Zeros(tensor.Float64, 2, 3, 4).Flatten(0, -1), tensor.Zeros(tensor.Float64, 24)},
		{"flatten middle", x.Reshape(1, 2, 3, 1).Flatten(1, 2), tensor.FromSlice([]float64{0, 1, 2, 3, 4, 5}, 1, 6, 1)},
		{"flatten transposed", x.T().Flatten(0, 1), tensor.FromSlice([]float64{0, 3, 1, 4, 2, 5}, 6)},
		{"flatten scalar", tensor.Scalar(2, tensor.Float64).Flatten(0, -1), tensor.FromSlice([]float64{2}, 1)},
		{"squeeze all", x.Reshape(1, 2, 1, 3, 1).Squeeze(), x},
		{"squeeze some", x.Reshape(1, 2, 1, 3).Squeeze(0, -2), x},
		{"squeeze none", x.Squeeze(), x},
		{"unsqueeze 0", x.Unsqueeze(0), tensor.FromSlice([]float64{0, 1, 2, 3, 4, 5}, 1, 2, 3)},
		{"unsqueeze middle", x.Unsqueeze(1), tensor.FromSlice([]float64{0, 1, 2, 3, 4, 5}, 2, 1, 3)},
		{"unsqueeze -1", x.Unsqueeze(-1), tensor.FromSlice([]float64{0, 1, 2, 3, 4, 5}, 2, 3, 1)},
		{"unsqueeze -3", x.Unsqueeze(-3), tensor.FromSlice([]float64{0, 1, 2, 3, 4, 5}, 1, 2, 3)},
		{"unsqueeze transposed", x.T().Unsqueeze(1), tensor.FromSlice([]float64{0, 3, 1, 4, 2, 5}, 3, 1, 2)},
		{"unsqueeze scalar", tensor.Scalar(5, tensor.Int64).Unsqueeze(0), tensor.FromSlice([]int64{5}, 1)},
		{"int64", tensor.FromSlice([]int64{1, 2, 3, 4}).Reshape(2, 2).T().Reshape(-1), tensor.FromSlice([]int64{1, 3, 2, 4})},
	}
	for _, c := range cases {
		if !tensor.Equal(c.got, c.want) {
			t.Errorf("%s: got %v (shape %v), want %v", c.name, c.got, c.got.Shape(), c.want)
		}
	}
	if x.Reshape(2, 3) != x || x.Reshape(-1, 3) != x {
		t.Error("Reshape to the same shape must return the tensor itself")
	}
}

// TestReshapeViewOrCopy checks that Reshape shares storage exactly when the
// strides allow it: a write to the source shows through a view and not
// through a copy.
func TestReshapeViewOrCopy(t *testing.T) {
	cases := []struct {
		name  string
		src   func() *tensor.Tensor // a fresh 4×6 base tensor, viewed
		shape []int
		view  bool
	}{
		{"contiguous", func() *tensor.Tensor { return tensor.Zeros(tensor.Float32, 4, 6) }, []int{2, 12}, true},
		{"contiguous to 3-D", func() *tensor.Tensor { return tensor.Zeros(tensor.Float32, 4, 6) }, []int{2, 2, 2, 3}, true},
		{"row slice splits rows", func() *tensor.Tensor { return tensor.Zeros(tensor.Float32, 4, 6).Slice(0, 0, 4, 2) }, []int{2, 2, 3}, true},
		{"row slice merges rows", func() *tensor.Tensor { return tensor.Zeros(tensor.Float32, 4, 6).Slice(0, 0, 4, 2) }, []int{12}, false},
		{"column slice", func() *tensor.Tensor { return tensor.Zeros(tensor.Float32, 4, 6).Narrow(1, 1, 4) }, []int{2, 2, 4}, true},
		{"column slice merged", func() *tensor.Tensor { return tensor.Zeros(tensor.Float32, 4, 6).Narrow(1, 1, 4) }, []int{16}, false},
		{"transposed", func() *tensor.Tensor { return tensor.Zeros(tensor.Float32, 4, 6).T() }, []int{24}, false},
		{"transposed split", func() *tensor.Tensor { return tensor.Zeros(tensor.Float32, 4, 6).T() }, []int{3, 2, 4}, true},
		{"size-1 axes moved", func() *tensor.Tensor { return tensor.Zeros(tensor.Float32, 4, 6).Reshape(4, 1, 6).Permute(1, 0, 2) }, []int{24}, true},
		{"expanded", func() *tensor.Tensor { return tensor.Zeros(tensor.Float32, 1, 6).Expand(4, 6) }, []int{24}, false},
	}
	for _, c := range cases {
		src := c.src()
		r := src.Reshape(c.shape...)
		if !slices.Equal(r.Shape(), c.shape) {
			t.Errorf("%s: shape %v, want %v", c.name, r.Shape(), c.shape)
			continue
		}
		if !tensor.Equal(r.Contiguous().Reshape(-1), src.Contiguous().Reshape(-1)) {
			t.Errorf("%s: elements differ", c.name)
		}
		// Write to the source's last element and look for it in r.
		last := make([]int, src.Dim())
		for i := range last {
			last[i] = src.Size(i) - 1
		}
		src.Set(9, last...)
		lastR := make([]int, r.Dim())
		for i := range lastR {
			lastR[i] = r.Size(i) - 1
		}
		if shared := r.At(lastR...) == 9; shared != c.view {
			t.Errorf("%s: shares storage %v, want %v", c.name, shared, c.view)
		}
	}
}

func TestReshapeErrors(t *testing.T) {
	x := tensor.Zeros(tensor.Float32, 2, 3)
	mustPanic(t, "tensor.Reshape: shape needs 4 elements, tensor has 6 (shapes [2 3], [2 2])", func() { x.Reshape(2, 2) })
	mustPanic(t, "tensor.Reshape: cannot infer the -1 dimension for 6 elements (shapes [2 3], [4 -1])", func() { x.Reshape(4, -1) })
	mustPanic(t, "tensor.Reshape: invalid dimension -1 (shapes [2 3], [-1 -1])", func() { x.Reshape(-1, -1) })
	mustPanic(t, "tensor.Reshape: invalid dimension -2 (shapes [2 3], [-2 -3])", func() { x.Reshape(-2, -3) })
	mustPanic(t, "tensor.Squeeze: axis 1 has size 3, not 1 (shapes [2 3])", func() { x.Squeeze(1) })
	mustPanic(t, "tensor.Squeeze: axis 2 out of range for 2 dimensions (shapes [2 3])", func() { x.Squeeze(2) })
	mustPanic(t, "tensor.Unsqueeze: axis 3 out of range for 3 dimensions (shapes [2 3])", func() { x.Unsqueeze(3) })
	mustPanic(t, "tensor.Unsqueeze: axis -4 out of range for 3 dimensions (shapes [2 3])", func() { x.Unsqueeze(-4) })
	mustPanic(t, "tensor.Flatten: start axis 1 after end axis 0 (shapes [2 3])", func() { x.Flatten(1, 0) })
}
