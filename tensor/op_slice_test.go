package tensor_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestSliceGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 5, 6)) }
	sl := func(axis, start, end, step int) func(x []*tensor.Tensor) *tensor.Tensor {
		return func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(axis, start, end, step) }
	}
	runGradCases(t, []gradCase{
		{"range", mk, sl(0, 1, 4, 1), nil},
		{"step", mk, sl(1, 0, 6, 2), nil},
		{"step not dividing", mk, sl(1, 1, 6, 3), nil},
		{"negative bounds", mk, sl(-1, -4, -1, 2), nil},
		{"clamped", mk, sl(0, -10, 10, 3), nil},
		{"empty", mk, sl(0, 3, 3, 1), nil},
		{"twice", mk, func(x []*tensor.Tensor) *tensor.Tensor {
			return x[0].Slice(1, 1, 6, 2).Slice(1, 1, 3, 1).Slice(0, 0, 5, 2)
		}, nil},
		{"narrow", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Narrow(1, 2, 3) }, nil},
		{"narrow negative start", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Narrow(0, -2, 2) }, nil},
		{"transposed", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].T().Slice(0, 1, 5, 2) }, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 1, 6)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(4, 6).Slice(1, 0, 6, 4) }, nil},
		{"used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(1, 0, 3, 1).Mul(x[0].Slice(1, 3, 6, 1)) }, nil},
		{"overlapping slices", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Narrow(0, 0, 3).Add(x[0].Narrow(0, 1, 3)) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 6), constIn(r, -1, 1, 5, 6)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].Slice(0, 1, 5, 2)) }, nil},
	})
	runSecondCases(t, []gradCase{
		{"squared", mk, func(x []*tensor.Tensor) *tensor.Tensor { y := x[0].Slice(1, 1, 6, 2); return y.Mul(y) }, nil},
	})
}

func TestSliceValues(t *testing.T) {
	x := tensor.Arange(tensor.Float64, 0, 10, 1)
	// Python's x[start:end:step] for the same bounds.
	cases := []struct {
		start, end, step int
		want             []float64
	}{
		{0, 10, 1, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{2, 5, 1, []float64{2, 3, 4}},
		{0, 10, 3, []float64{0, 3, 6, 9}},
		{1, 10, 3, []float64{1, 4, 7}},
		{-3, 10, 1, []float64{7, 8, 9}},
		{-7, -2, 2, []float64{3, 5, 7}},
		{-100, 3, 1, []float64{0, 1, 2}},
		{8, 100, 1, []float64{8, 9}},
		{5, 2, 1, []float64{}},
		{10, 12, 1, []float64{}},
		{4, 4, 2, []float64{}},
	}
	for _, c := range cases {
		got := x.Slice(0, c.start, c.end, c.step)
		if !tensor.Equal(got, tensor.FromSlice(c.want)) {
			t.Errorf("x[%d:%d:%d] = %v, want %v", c.start, c.end, c.step, got, c.want)
		}
	}
	m := tensor.Arange(tensor.Float32, 0, 12, 1).Reshape(3, 4)
	more := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		{"columns with step", m.Slice(1, 1, 4, 2), tensor.FromSlice([]float32{1, 3, 5, 7, 9, 11}, 3, 2)},
		{"rows negative", m.Slice(-2, -1, 3, 1), tensor.FromSlice([]float32{8, 9, 10, 11}, 1, 4)},
		{"narrow", m.Narrow(1, 1, 2), tensor.FromSlice([]float32{1, 2, 5, 6, 9, 10}, 3, 2)},
		{"narrow negative start", m.Narrow(0, -1, 1), tensor.FromSlice([]float32{8, 9, 10, 11}, 1, 4)},
		{"narrow empty", m.Narrow(0, 3, 0), tensor.Zeros(tensor.Float32, 0, 4)},
		{"transposed", m.T().Slice(0, 0, 4, 3), tensor.FromSlice([]float32{0, 4, 8, 3, 7, 11}, 2, 3)},
		{"slice of slice", m.Slice(1, 0, 4, 2).Slice(0, 0, 3, 2), tensor.FromSlice([]float32{0, 2, 8, 10}, 2, 2)},
	}
	for _, c := range more {
		if !tensor.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	// A slice is a view with the step folded into its stride.
	s := m.Slice(1, 1, 4, 2)
	if !slices.Equal(s.Strides(), []int{4, 2}) {
		t.Errorf("strides %v, want [4 2]", s.Strides())
	}
	m.Set(-5, 2, 3)
	if s.At(2, 1) != -5 {
		t.Error("Slice is not a view")
	}
	// The gradient is g at the sliced positions and zero elsewhere.
	w := tensor.Arange(tensor.Float64, 0, 6, 1).SetRequiresGrad(true)
	w.Slice(0, 1, 6, 2).Backward(tensor.WithGrad(tensor.FromSlice([]float64{10, 20, 30})))
	if want := tensor.FromSlice([]float64{0, 10, 0, 20, 0, 30}); !tensor.Equal(w.Grad(), want) {
		t.Errorf("grad %v, want %v", w.Grad(), want)
	}
}

func TestSliceErrors(t *testing.T) {
	x := tensor.Zeros(tensor.Float32, 3, 4)
	mustPanic(t, "tensor.Slice: step must be positive, got 0 (shapes [3 4])", func() { x.Slice(0, 0, 3, 0) })
	mustPanic(t, "tensor.Slice: step must be positive, got -1 (shapes [3 4])", func() { x.Slice(0, 3, 0, -1) })
	mustPanic(t, "tensor.Slice: axis 2 out of range for 2 dimensions (shapes [3 4])", func() { x.Slice(2, 0, 1, 1) })
	mustPanic(t, "tensor.Narrow: range [2, 5) out of bounds for size 4 (shapes [3 4])", func() { x.Narrow(1, 2, 3) })
	mustPanic(t, "tensor.Narrow: range [1, 0) out of bounds for size 3 (shapes [3 4])", func() { x.Narrow(0, 1, -1) })
	mustPanic(t, "tensor.Narrow: range [-2, -1) out of bounds for size 3 (shapes [3 4])", func() { x.Narrow(0, -5, 1) })
}
