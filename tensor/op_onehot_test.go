package tensor_test

import (
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestOneHotValues(t *testing.T) {
	cases := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		{"1-D", tensor.OneHot(tensor.FromSlice([]int64{0, 2, 1}), 3),
			tensor.FromSlice([]int64{1, 0, 0, 0, 0, 1, 0, 1, 0}, 3, 3)},
		{"more classes", tensor.OneHot(tensor.FromSlice([]int64{1}), 4), tensor.FromSlice([]int64{0, 1, 0, 0}, 1, 4)},
		{"inferred", tensor.OneHot(tensor.FromSlice([]int64{3, 0}), -1),
			tensor.FromSlice([]int64{0, 0, 0, 1, 1, 0, 0, 0}, 2, 4)},
		{"2-D", tensor.OneHot(tensor.FromSlice([]int64{1, 0, 0, 1}, 2, 2), 2),
			tensor.FromSlice([]int64{0, 1, 1, 0, 1, 0, 0, 1}, 2, 2, 2)},
		{"transposed", tensor.OneHot(tensor.FromSlice([]int64{1, 0, 0, 0}, 2, 2).T(), 2),
			tensor.FromSlice([]int64{0, 1, 1, 0, 1, 0, 1, 0}, 2, 2, 2)},
		{"scalar", tensor.OneHot(tensor.Scalar(2, tensor.Int64), 3), tensor.FromSlice([]int64{0, 0, 1}, 3)},
		{"empty", tensor.OneHot(tensor.Zeros(tensor.Int64, 0), 5), tensor.Zeros(tensor.Int64, 0, 5)},
	}
	for _, c := range cases {
		if !tensor.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if h := tensor.OneHot(tensor.FromSlice([]int64{1}).NoGrad(), 2); !h.IsNoGrad() {
		t.Error("OneHot of NoGrad indices is not NoGrad")
	}
}

func TestOneHotErrors(t *testing.T) {
	mustPanic(t, "tensor.OneHot: index 3 out of range for 3 classes (shapes [2])", func() {
		tensor.OneHot(tensor.FromSlice([]int64{0, 3}), 3)
	})
	mustPanic(t, "tensor.OneHot: index -1 out of range for 3 classes (shapes [2])", func() {
		tensor.OneHot(tensor.FromSlice([]int64{-1, 0}), 3)
	})
	mustPanic(t, "tensor.OneHot: indices must have dtype int64, not float32 (shapes [2])", func() {
		tensor.OneHot(tensor.Zeros(tensor.Float32, 2), 3)
	})
	mustPanic(t, "tensor.OneHot: cannot infer the number of classes from an empty tensor (shapes [0])", func() {
		tensor.OneHot(tensor.Zeros(tensor.Int64, 0), -1)
	})
	mustPanic(t, "tensor.OneHot: number of classes must be non-negative or -1, got -2 (shapes [1])", func() {
		tensor.OneHot(tensor.Zeros(tensor.Int64, 1), -2)
	})
}
