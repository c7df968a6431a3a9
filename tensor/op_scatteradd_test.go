package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestScatterAddGrad(t *testing.T) {
	idx0 := tensor.FromSlice([]int64{2, 0, 2, 1, 2, 2, 0, 0}, 2, 4) // repeats: accumulation
	idx1 := tensor.FromSlice([]int64{3, 3, 0, 1, 2, 0}, 3, 2)
	sa := func(axis int, idx *tensor.Tensor) func(x []*tensor.Tensor) *tensor.Tensor {
		return func(x []*tensor.Tensor) *tensor.Tensor { return x[0].ScatterAdd(axis, idx, x[1]) }
	}
	runGradCases(t, []gradCase{
		{"axis 0", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 4), in(r, -1, 1, 2, 4)) }, sa(0, idx0), nil},
		{"axis 1", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 4), in(r, -1, 1, 3, 2)) }, sa(1, idx1), nil},
		{"source larger than index", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 4), in(r, -1, 1, 4, 3)) },
			sa(1, idx1), nil},
		{"transposed", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 4, 3), in(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].T().ScatterAdd(1, idx1, x[1].T()) }, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 1, 4), in(r, -1, 1, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor {
				return x[0].Expand(3, 4).ScatterAdd(0, idx0, x[1].Expand(2, 4))
			}, nil},
		{"used twice", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].ScatterAdd(0, idx0, x[0].Narrow(0, 1, 2)) }, nil},
		{"no grad self", func(r *rand.Rand) []*tensor.Tensor { return inputs(constIn(r, -1, 1, 3, 4), in(r, -1, 1, 2, 4)) }, sa(0, idx0), nil},
		{"no grad source", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 4), constIn(r, -1, 1, 2, 4)) }, sa(0, idx0), nil},
	})
	runSecondCases(t, []gradCase{
		{"squared", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 4), in(r, -1, 1, 4, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { y := x[0].ScatterAdd(1, idx1, x[1]); return y.Mul(y) }, nil},
	})
}

func TestScatterAddValues(t *testing.T) {
	self := tensor.FromSlice([]float64{1, 1, 1, 1, 1, 1}, 2, 3)
	cases := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		// Row 0 gets src[0][0] + src[0][1] at column 2 and src[0][2] at 0.
		{"axis 1", self.ScatterAdd(1, tensor.FromSlice([]int64{2, 2, 0, 1, 1, 1}, 2, 3), tensor.FromSlice([]float64{10, 20, 30, 40, 50, 60}, 2, 3)),
			tensor.FromSlice([]float64{31, 1, 31, 1, 151, 1}, 2, 3)},
		{"axis 0", self.ScatterAdd(0, tensor.FromSlice([]int64{1, 0, 1}, 1, 3), tensor.FromSlice([]float64{10, 20, 30}, 1, 3)),
			tensor.FromSlice([]float64{1, 21, 1, 11, 1, 31}, 2, 3)},
		// Only the elements of src that index covers are used.
		{"source larger", self.ScatterAdd(0, tensor.FromSlice([]int64{1}, 1, 1), tensor.FromSlice([]float64{5, 6, 7, 8}, 2, 2)),
			tensor.FromSlice([]float64{1, 1, 1, 6, 1, 1}, 2, 3)},
		{"int64", tensor.Zeros(tensor.Int64, 3).ScatterAdd(0, tensor.FromSlice([]int64{0, 2, 0, 0}), tensor.FromSlice([]int64{1, 2, 3, 4})),
			tensor.FromSlice([]int64{8, 0, 2})},
		{"float32 transposed", tensor.Zeros(tensor.Float32, 3, 2).T().ScatterAdd(1, tensor.FromSlice([]int64{2, 2}, 1, 2), tensor.FromSlice([]float32{1, 2}, 1, 2)),
			tensor.FromSlice([]float32{0, 0, 3, 0, 0, 0}, 2, 3)},
	}
	for _, c := range cases {
		if !tensor.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if self.At(0, 0) != 1 {
		t.Error("ScatterAdd modified its input")
	}
	// The gradient of src is g gathered at index, zero beyond index.
	src := tensor.FromSlice([]float64{5, 6, 7, 8}, 2, 2).SetRequiresGrad(true)
	g := tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	self.ScatterAdd(1, tensor.FromSlice([]int64{2}, 1, 1), src).Backward(tensor.WithGrad(g))
	if want := tensor.FromSlice([]float64{3, 0, 0, 0}, 2, 2); !tensor.Equal(src.Grad(), want) {
		t.Errorf("source grad %v, want %v", src.Grad(), want)
	}
}

func TestScatterAddErrors(t *testing.T) {
	x := tensor.Zeros(tensor.Float32, 2, 3)
	mustPanic(t, "tensor.ScatterAdd: index 2 out of range for axis 0 of size 2 (shapes [2 3], [1 2], [2 3])", func() {
		x.ScatterAdd(0, tensor.FromSlice([]int64{0, 2}, 1, 2), x)
	})
	mustPanic(t, "tensor.ScatterAdd: index has size 3 at dimension 0, larger than the source's 2 (shapes [3 3], [3 1], [2 3])", func() {
		tensor.Zeros(tensor.Float32, 3, 3).ScatterAdd(1, tensor.Zeros(tensor.Int64, 3, 1), x)
	})
	mustPanic(t, "tensor.ScatterAdd: dtypes differ: float32 and float64 (shapes [2 3], [1 1], [1 1])", func() {
		x.ScatterAdd(0, tensor.Zeros(tensor.Int64, 1, 1), tensor.Zeros(tensor.Float64, 1, 1))
	})
	mustPanic(t, "tensor.ScatterAdd: source has 1 dimensions, tensor has 2 (shapes [2 3], [1 1], [3])", func() {
		x.ScatterAdd(0, tensor.Zeros(tensor.Int64, 1, 1), tensor.Zeros(tensor.Float32, 3))
	})
}
