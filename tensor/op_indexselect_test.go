package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestIndexSelectGrad(t *testing.T) {
	idx := tensor.FromSlice([]int64{2, 0, 2, 2}) // repeats: accumulation
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 4)) }
	sel := func(axis int) func(x []*tensor.Tensor) *tensor.Tensor {
		return func(x []*tensor.Tensor) *tensor.Tensor { return x[0].IndexSelect(axis, idx) }
	}
	runGradCases(t, []gradCase{
		{"axis 0", mk, sel(0), nil},
		{"axis 1", mk, sel(1), nil},
		{"axis -1", mk, sel(-1), nil},
		{"transposed", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].T().IndexSelect(1, idx) }, nil},
		{"strided index", mk, func(x []*tensor.Tensor) *tensor.Tensor {
			return x[0].IndexSelect(1, tensor.FromSlice([]int64{3, 9, 1, 9, 0}).Slice(0, 0, 5, 2))
		}, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 1, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 4).IndexSelect(0, idx) }, nil},
		{"used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].IndexSelect(0, idx.Narrow(0, 0, 3)).Mul(x[0]) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 4, 4), constIn(r, -1, 1, 3, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].IndexSelect(0, idx)) }, nil},
	})
	runSecondCases(t, []gradCase{
		{"squared", mk, func(x []*tensor.Tensor) *tensor.Tensor { y := x[0].IndexSelect(1, idx); return y.Mul(y) }, nil},
	})
}

func TestIndexSelectValues(t *testing.T) {
	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 3, 2)
	cases := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		{"rows", x.IndexSelect(0, tensor.FromSlice([]int64{2, 0, 2})), tensor.FromSlice([]float32{5, 6, 1, 2, 5, 6}, 3, 2)},
		{"columns", x.IndexSelect(1, tensor.FromSlice([]int64{1})), tensor.FromSlice([]float32{2, 4, 6}, 3, 1)},
		{"empty index", x.IndexSelect(0, tensor.Zeros(tensor.Int64, 0)), tensor.Zeros(tensor.Float32, 0, 2)},
		{"0-d index", x.IndexSelect(0, tensor.Scalar(1, tensor.Int64)), tensor.FromSlice([]float32{3, 4}, 1, 2)},
		{"transposed", x.T().IndexSelect(1, tensor.FromSlice([]int64{0, 2})), tensor.FromSlice([]float32{1, 5, 2, 6}, 2, 2)},
		{"int64", tensor.FromSlice([]int64{4, 5, 6}).IndexSelect(0, tensor.FromSlice([]int64{1, 1})), tensor.FromSlice([]int64{5, 5})},
	}
	for _, c := range cases {
		if !tensor.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	// Each selected row's gradient accumulates over its repeats.
	w := tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 3, 2).SetRequiresGrad(true)
	w.IndexSelect(0, tensor.FromSlice([]int64{2, 0, 2})).Sum().Backward()
	if want := tensor.FromSlice([]float64{1, 1, 0, 0, 2, 2}, 3, 2); !tensor.Equal(w.Grad(), want) {
		t.Errorf("grad %v, want %v", w.Grad(), want)
	}
}

func TestIndexSelectErrors(t *testing.T) {
	x := tensor.Zeros(tensor.Float32, 3, 2)
	mustPanic(t, "tensor.IndexSelect: index 3 out of range for axis 0 of size 3 (shapes [3 2], [3])", func() {
		x.IndexSelect(0, tensor.FromSlice([]int64{0, 3, 1}))
	})
	mustPanic(t, "tensor.IndexSelect: index must have at most one dimension, has 2 (shapes [3 2], [1 1])", func() {
		x.IndexSelect(0, tensor.Zeros(tensor.Int64, 1, 1))
	})
	mustPanic(t, "tensor.IndexSelect: index must have dtype int64, not float32 (shapes [3 2], [2])", func() {
		x.IndexSelect(0, tensor.Zeros(tensor.Float32, 2))
	})
}
