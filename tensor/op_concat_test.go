package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestConcatGrad(t *testing.T) {
	cat := func(axis int) func(x []*tensor.Tensor) *tensor.Tensor {
		return func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Concat(x, axis) }
	}
	runGradCases(t, []gradCase{
		{"axis 0", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, 2, 3), in(r, -1, 1, 1, 3), in(r, -1, 1, 3, 3))
		}, cat(0), nil},
		{"axis 1", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3), in(r, -1, 1, 2, 1)) }, cat(1), nil},
		{"axis -1 of 3-D", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 2, 1), in(r, -1, 1, 2, 2, 3)) }, cat(-1), nil},
		{"one tensor", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3)) }, cat(1), nil},
		{"empty part", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 0), in(r, -1, 1, 2, 3)) }, cat(1), nil},
		{"transposed", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 2), in(r, -1, 1, 2, 2)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Concat([]*tensor.Tensor{x[0].T(), x[1]}, 1) }, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 1, 3), in(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor {
				return tensor.Concat([]*tensor.Tensor{x[0].Expand(4, 3), x[1]}, 0)
			}, nil},
		{"used twice", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor {
				return tensor.Concat([]*tensor.Tensor{x[0], x[0].Mul(x[0]), x[0]}, 0)
			}, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(constIn(r, -1, 1, 2, 3), in(r, -1, 1, 2, 3)) }, cat(0), nil},
	})
	runSecondCases(t, []gradCase{
		{"squared", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3), in(r, -1, 1, 2, 2)) },
			func(x []*tensor.Tensor) *tensor.Tensor { y := tensor.Concat(x, 1); return y.Mul(y) }, nil},
	})
}

func TestConcatValues(t *testing.T) {
	a := tensor.FromSlice([]float32{1, 2, 3, 4}, 2, 2)
	b := tensor.FromSlice([]float32{5, 6}, 2, 1)
	c := tensor.FromSlice([]float32{7, 8}, 1, 2)
	cases := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		{"axis 1", tensor.Concat([]*tensor.Tensor{a, b}, 1), tensor.FromSlice([]float32{1, 2, 5, 3, 4, 6}, 2, 3)},
		{"axis 0", tensor.Concat([]*tensor.Tensor{a, c, a}, 0), tensor.FromSlice([]float32{1, 2, 3, 4, 7, 8, 1, 2, 3, 4}, 5, 2)},
		{"axis -1", tensor.Concat([]*tensor.Tensor{b, a}, -1), tensor.FromSlice([]float32{5, 1, 2, 6, 3, 4}, 2, 3)},
		{"transposed", tensor.Concat([]*tensor.Tensor{a.T(), b}, 1), tensor.FromSlice([]float32{1, 3, 5, 2, 4, 6}, 2, 3)},
		{"empty part", tensor.Concat([]*tensor.Tensor{tensor.Zeros(tensor.Float32, 0, 2), c}, 0), c},
		{"int64", tensor.Concat([]*tensor.Tensor{tensor.FromSlice([]int64{1}), tensor.FromSlice([]int64{2, 3})}, 0), tensor.FromSlice([]int64{1, 2, 3})},
	}
	for _, cs := range cases {
		if !tensor.Equal(cs.got, cs.want) {
			t.Errorf("%s: got %v, want %v", cs.name, cs.got, cs.want)
		}
	}
	// The result owns its storage.
	one := tensor.Concat([]*tensor.Tensor{a}, 0)
	a.Set(-1, 0, 0)
	if one.At(0, 0) != 1 {
		t.Error("Concat of one tensor shares storage with it")
	}
	// Each input's gradient is its stretch of the output gradient.
	x := tensor.FromSlice([]float64{1, 2}, 1, 2).SetRequiresGrad(true)
	y := tensor.FromSlice([]float64{3, 4, 5, 6}, 2, 2).SetRequiresGrad(true)
	tensor.Concat([]*tensor.Tensor{y, x}, 0).Backward(tensor.WithGrad(tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 3, 2)))
	if !tensor.Equal(y.Grad(), tensor.FromSlice([]float64{1, 2, 3, 4}, 2, 2)) || !tensor.Equal(x.Grad(), tensor.FromSlice([]float64{5, 6}, 1, 2)) {
		t.Errorf("grads %v and %v", y.Grad(), x.Grad())
	}
}

func TestConcatErrors(t *testing.T) {
	a := tensor.Zeros(tensor.Float32, 2, 3)
	mustPanic(t, "tensor.Concat: no tensors to concatenate", func() { tensor.Concat(nil, 0) })
	mustPanic(t, "tensor.Concat: tensor 1 has size 4 at dimension 1, want 3 (shapes [2 3], [2 4])", func() {
		tensor.Concat([]*tensor.Tensor{a, tensor.Zeros(tensor.Float32, 2, 4)}, 0)
	})
	mustPanic(t, "tensor.Concat: tensor 1 has 1 dimensions, want 2 (shapes [2 3], [3])", func() {
		tensor.Concat([]*tensor.Tensor{a, tensor.Zeros(tensor.Float32, 3)}, 0)
	})
	mustPanic(t, "tensor.Concat: dtypes differ: float32 and int64 (shapes [2 3], [2 3])", func() {
		tensor.Concat([]*tensor.Tensor{a, tensor.Zeros(tensor.Int64, 2, 3)}, 0)
	})
	mustPanic(t, "tensor.Concat: axis 2 out of range for 2 dimensions (shapes [2 3])", func() {
		tensor.Concat([]*tensor.Tensor{a, a}, 2)
	})
}
