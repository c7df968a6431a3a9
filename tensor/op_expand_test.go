package tensor_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestExpandGrad(t *testing.T) {
	runGradCases(t, []gradCase{
		{"expand axis", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 4) }, nil},
		{"new leading axes", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(2, 4, 3) }, nil},
		{"-1 keeps size", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 1, 3, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(2, -1, 2) }, nil},
		{"BroadcastTo", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 1, 2)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].BroadcastTo(3, 3, 2) }, nil},
		{"transposed", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 1, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].T().Expand(3, 5) }, nil},
		{"sliced", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 4, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(0, 0, 4, 2).Expand(2, 3) }, nil},
		{"expand twice", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(1, 2).Expand(3, 2) }, nil},
		{"used twice", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 3).Mul(x[0].Expand(3, 3).T()) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3), constIn(r, -1, 1, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].Expand(2, 3)) }, nil},
	})
	runSecondCases(t, []gradCase{
		{"squared", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { y := x[0].Expand(2, 3, 4); return y.Mul(y) }, nil},
	})
}

func TestExpandValues(t *testing.T) {
	col := tensor.FromSlice([]float32{1, 2, 3}, 3, 1)
	e := col.Expand(3, 4)
	want := tensor.FromSlice([]float32{1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, 3, 4)
	if !tensor.Equal(e, want) {
		t.Errorf("Expand(3, 4) = %v, want %v", e, want)
	}
	// Broadcast axes have stride 0: the elements are shared, not copied.
	if !slices.Equal(e.Strides(), []int{1, 0}) {
		t.Errorf("Expand strides %v, want [1 0]", e.Strides())
	}
	col.Set(7, 1, 0)
	if e.At(1, 3) != 7 {
		t.Error("Expand is not a view")
	}
	cases := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		{"leading axes", tensor.FromSlice([]int64{1, 2}).Expand(2, 2), tensor.FromSlice([]int64{1, 2, 1, 2}, 2, 2)},
		{"-1", tensor.FromSlice([]int64{1, 2}, 2, 1).Expand(-1, 3), tensor.FromSlice([]int64{1, 1, 1, 2, 2, 2}, 2, 3)},
		{"scalar", tensor.Scalar(5, tensor.Float64).Expand(2, 1), tensor.FromSlice([]float64{5, 5}, 2, 1)},
		{"to zero size", tensor.FromSlice([]float64{5}, 1).Expand(0), tensor.Zeros(tensor.Float64, 0)},
		{"same shape", col.Expand(3, 1), col},
		{"BroadcastTo", tensor.FromSlice([]int64{4}, 1, 1).BroadcastTo(2, 1, 2), tensor.FromSlice([]int64{4, 4, 4, 4}, 2, 1, 2)},
	}
	for _, c := range cases {
		if !tensor.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if col.Expand(3, 1) != col {
		t.Error("Expand to the same shape must return the tensor itself")
	}
	// The gradient of an expanded element is the sum over its copies.
	x := tensor.FromSlice([]float64{1, 2}, 2, 1).SetRequiresGrad(true)
	x.Expand(2, 3).Backward(tensor.WithGrad(tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)))
	if want := tensor.FromSlice([]float64{6, 15}, 2, 1); !tensor.Equal(x.Grad(), want) {
		t.Errorf("grad %v, want %v", x.Grad(), want)
	}
}

func TestExpandErrors(t *testing.T) {
	x := tensor.Zeros(tensor.Float32, 2, 1)
	mustPanic(t, "tensor.Expand: size 2 at dimension 0 cannot expand to 3 (shapes [2 1], [3 4])", func() { x.Expand(3, 4) })
	mustPanic(t, "tensor.Expand: target has fewer dimensions than the tensor (shapes [2 1], [2])", func() { x.Expand(2) })
	mustPanic(t, "tensor.Expand: -1 not allowed for a new leading dimension (shapes [2 1], [-1 2 1])", func() { x.Expand(-1, 2, 1) })
}
