package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestStackGrad(t *testing.T) {
	three := func(r *rand.Rand) []*tensor.Tensor {
		return inputs(in(r, -1, 1, 2, 3), in(r, -1, 1, 2, 3), in(r, -1, 1, 2, 3))
	}
	runGradCases(t, []gradCase{
		{"axis 0", three, func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Stack(x, 0) }, nil},
		{"axis 1", three, func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Stack(x, 1) }, nil},
		{"last axis", three, func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Stack(x, -1) }, nil},
		{"used twice", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor {
				return tensor.Stack([]*tensor.Tensor{x[0], x[0].Mul(x[0]), x[0]}, 0)
			}, nil},
		{"transposed", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 2), in(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Stack([]*tensor.Tensor{x[0].T(), x[1]}, 1) }, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 1, 3), in(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor {
				return tensor.Stack([]*tensor.Tensor{x[0].Expand(2, 3), x[1]}, 2)
			}, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(constIn(r, -1, 1, 4), in(r, -1, 1, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Stack(x, 0) }, nil},
	})
}

func TestStackValues(t *testing.T) {
	a := tensor.FromSlice([]float32{1, 2, 3, 4}, 2, 2)
	b := tensor.FromSlice([]float32{5, 6, 7, 8}, 2, 2)
	cases := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		{"axis 0", tensor.Stack([]*tensor.Tensor{a, b}, 0), tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2)},
		{"axis 1", tensor.Stack([]*tensor.Tensor{a, b}, 1), tensor.FromSlice([]float32{1, 2, 5, 6, 3, 4, 7, 8}, 2, 2, 2)},
		{"axis 2", tensor.Stack([]*tensor.Tensor{a, b}, 2), tensor.FromSlice([]float32{1, 5, 2, 6, 3, 7, 4, 8}, 2, 2, 2)},
		{"axis -1", tensor.Stack([]*tensor.Tensor{a, b}, -1), tensor.FromSlice([]float32{1, 5, 2, 6, 3, 7, 4, 8}, 2, 2, 2)},
		{"axis -3", tensor.Stack([]*tensor.Tensor{a, b}, -3), tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2)},
		{"one tensor", tensor.Stack([]*tensor.Tensor{a}, 0), tensor.FromSlice([]float32{1, 2, 3, 4}, 1, 2, 2)},
		{"transposed", tensor.Stack([]*tensor.Tensor{a.T(), b}, 0), tensor.FromSlice([]float32{1, 3, 2, 4, 5, 6, 7, 8}, 2, 2, 2)},
		{"scalars", tensor.Stack([]*tensor.Tensor{tensor.Scalar(3, tensor.Int64), tensor.Scalar(-1, tensor.Int64)}, 0),
			tensor.FromSlice([]int64{3, -1}, 2)},
	}
	for _, c := range cases {
		if !tensor.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestStackErrors(t *testing.T) {
	a := tensor.Zeros(tensor.Float32, 2, 3)
	mustPanic(t, "tensor.Stack: no tensors to stack", func() { tensor.Stack(nil, 0) })
	mustPanic(t, "tensor.Stack: tensor 1 has shape [3 2], want [2 3] (shapes [2 3], [3 2])", func() {
		tensor.Stack([]*tensor.Tensor{a, tensor.Zeros(tensor.Float32, 3, 2)}, 0)
	})
	mustPanic(t, "tensor.Stack: dtypes differ: float32 and float64 (shapes [2 3], [2 3])", func() {
		tensor.Stack([]*tensor.Tensor{a, tensor.Zeros(tensor.Float64, 2, 3)}, 0)
	})
	mustPanic(t, "tensor.Stack: axis 3 out of range for 3 dimensions (shapes [2 3])", func() {
		tensor.Stack([]*tensor.Tensor{a, a}, 3)
	})
}
