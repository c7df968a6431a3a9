package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestArgMaxValues(t *testing.T) {
	nan := math.NaN()
	x := tensor.FromSlice([]float64{1, 9, -3, 9, 4, 0, 7, 7}, 2, 4)
	cases := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		{"argmax axis 1 (first of ties)", x.ArgMax(1), tensor.FromSlice([]int64{1, 2}, 2)},
		{"argmax axis 0", x.ArgMax(0), tensor.FromSlice([]int64{1, 0, 1, 0}, 4)},
		{"argmin axis -1", x.ArgMin(-1), tensor.FromSlice([]int64{2, 1}, 2)},
		{"argmax keepdim", x.ArgMaxKeepDim(1), tensor.FromSlice([]int64{1, 2}, 2, 1)},
		{"argmin keepdim", x.ArgMinKeepDim(0), tensor.FromSlice([]int64{0, 1, 0, 1}, 1, 4)},
		{"transposed", x.T().ArgMax(0), tensor.FromSlice([]int64{1, 2}, 2)},
		{"float32", tensor.FromSlice([]float32{0.5, -1, 2}).ArgMin(0), tensor.Scalar(1, tensor.Int64)},
		{"int64", tensor.FromSlice([]int64{3, 8, 8, -1}, 2, 2).ArgMax(1), tensor.FromSlice([]int64{1, 0}, 2)},
		{"NaN is the max", tensor.FromSlice([]float64{1, nan, 3, nan}).ArgMax(0), tensor.Scalar(1, tensor.Int64)},
		{"NaN is the min", tensor.FromSlice([]float64{1, 3, nan, -5}).ArgMin(0), tensor.Scalar(2, tensor.Int64)},
		{"scalar", tensor.Scalar(4, tensor.Float32).ArgMax(0), tensor.Scalar(0, tensor.Int64)},
	}
	for _, c := range cases {
		if !tensor.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

// TestArgMaxReference compares ArgMax and ArgMin of a random strided 3-D
// tensor with a reference loop, for every axis.
func TestArgMaxReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	base := tensor.Randn(r, tensor.Float64, 4, 5, 6)
	x := base.Permute(2, 0, 1).Slice(1, 0, 4, 2) // shape [6 2 5], strided
	shape := x.Shape()
	for axis := 0; axis < 3; axis++ {
		for _, sign := range []int{1, -1} {
			var got *tensor.Tensor
			if sign > 0 {
				got = x.ArgMaxKeepDim(axis)
			} else {
				got = x.ArgMinKeepDim(axis)
			}
			keep := append([]int{}, shape...)
			keep[axis] = 1
			for i := 0; i < keep[0]; i++ {
				for j := 0; j < keep[1]; j++ {
					for k := 0; k < keep[2]; k++ {
						idx := []int{i, j, k}
						best, bv := 0, x.At(idx...)
						for m := 1; m < shape[axis]; m++ {
							idx[axis] = m
							if v := x.At(idx...); (sign > 0 && v > bv) || (sign < 0 && v < bv) {
								best, bv = m, v
							}
						}
						if g := got.At(i, j, k); g != float64(best) {
							t.Fatalf("axis %d sign %d at %v: got %v, want %d", axis, sign, []int{i, j, k}, g, best)
						}
					}
				}
			}
		}
	}
}

func TestArgMaxNotRecorded(t *testing.T) {
	x := tensor.FromSlice([]float64{1, 2}).SetRequiresGrad(true)
	if a := x.ArgMax(0); a.RequiresGrad() || a.DType() != tensor.Int64 {
		t.Errorf("ArgMax: requires grad %v, dtype %v", a.RequiresGrad(), a.DType())
	}
	if a := x.NoGrad().ArgMin(0); !a.IsNoGrad() {
		t.Error("ArgMin of a NoGrad tensor is not NoGrad")
	}
}

func TestArgMaxErrors(t *testing.T) {
	mustPanic(t, "tensor.ArgMax: reduction over axis 0 of size 0 (shapes [0 3])", func() {
		tensor.Zeros(tensor.Float32, 0, 3).ArgMax(0)
	})
	mustPanic(t, "tensor.ArgMin: axis 2 out of range for 2 dimensions (shapes [2 3])", func() {
		tensor.Zeros(tensor.Float32, 2, 3).ArgMin(2)
	})
}
