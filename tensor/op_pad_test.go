package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/tensor"
)

func TestPadGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 4)) }
	pad := func(p ...int) gradcheck.Func {
		return func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Pad(p, 0.5) }
	}
	runGradCases(t, []gradCase{
		{"last axis", mk, pad(1, 2), nil},
		{"two axes", mk, pad(0, 1, 2, 0), nil},
		{"crop", mk, pad(-1, 0, 0, -2), nil},
		{"pad and crop", mk, pad(2, -3, -1, 1), nil},
		{"crop everything on one axis", mk, pad(-4, 1), nil},
		{"permuted", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].T().Pad([]int{1, 1, 1, 1}, 0) }, nil},
		{"used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor {
			return x[0].Pad([]int{1, 0}, 0).Narrow(1, 0, 4).Mul(x[0])
		}, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 1, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 4).Pad([]int{1, 0, 0, 1}, 2) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3), constIn(r, -1, 1, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor {
				return x[0].Pad([]int{1, 0}, 0).Mul(x[1].Pad([]int{-1, 0}, 0).Pad([]int{0, 1}, 1))
			}, nil},
	})
	runSecondCases(t, []gradCase{
		{"squared", mk, func(x []*tensor.Tensor) *tensor.Tensor { p := x[0].Pad([]int{1, -1, -1, 2}, 3); return p.Mul(p) }, nil},
	})
}

func TestPadValues(t *testing.T) {
	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	cases := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		{"last axis", x.Pad([]int{1, 2}, 0), tensor.FromSlice([]float32{
			0, 1, 2, 3, 0, 0,
			0, 4, 5, 6, 0, 0}, 2, 6)},
		{"first axis only", x.Pad([]int{0, 0, 1, 0}, -1), tensor.FromSlice([]float32{
			-1, -1, -1,
			1, 2, 3,
			4, 5, 6}, 3, 3)},
		{"crop", x.Pad([]int{-1, 0, 0, -1}, 9), tensor.FromSlice([]float32{2, 3}, 1, 2)},
		{"pad one side crop other", x.Pad([]int{1, -2}, 7), tensor.FromSlice([]float32{7, 1, 7, 4}, 2, 2)},
		{"no pads", x.Pad(nil, 3), x},
		{"transposed", x.T().Pad([]int{0, 1}, 0), tensor.FromSlice([]float32{
			1, 4, 0,
			2, 5, 0,
			3, 6, 0}, 3, 3)},
		{"to zero size", x.Pad([]int{-3, 0}, 1), tensor.Zeros(tensor.Float32, 2, 0)},
		{"cropped away then padded", x.Pad([]int{-3, 1}, 8), tensor.FromSlice([]float32{8, 8}, 2, 1)},
		{"int64", tensor.FromSlice([]int64{5, 6}).Pad([]int{1, 1}, 2), tensor.FromSlice([]int64{2, 5, 6, 2})},
		{"scalar", tensor.Scalar(4, tensor.Float64).Pad(nil, 0), tensor.Scalar(4, tensor.Float64)},
	}
	for _, c := range cases {
		if !tensor.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	// The result owns its storage.
	p := x.Pad(nil, 0)
	p.Set(100, 0, 0)
	if x.At(0, 0) != 1 {
		t.Error("Pad without pads shares storage with its input")
	}
	// The gradient is the padding cut off and zeros where the input was
	// cropped.
	g := tensor.FromSlice([]float64{1, 2, 3, 4}, 2, 2).SetRequiresGrad(true)
	g.Pad([]int{1, -1}, 0).Backward(tensor.WithGrad(tensor.FromSlice([]float64{10, 20, 30, 40}, 2, 2)))
	if want := tensor.FromSlice([]float64{20, 0, 40, 0}, 2, 2); !tensor.Equal(g.Grad(), want) {
		t.Errorf("grad %v, want %v", g.Grad(), want)
	}
}

func TestPadErrors(t *testing.T) {
	x := tensor.Zeros(tensor.Float32, 2, 3)
	odd := []int{1, 2}
	odd = append(odd, 3) // built at run time: staticcheck rejects an odd literal
	mustPanic(t, "tensor.Pad: pads [1 2 3] must come in (before, after) pairs (shapes [2 3])", func() { x.Pad(odd, 0) })
	mustPanic(t, "tensor.Pad: 3 pairs of pads for 2 dimensions (shapes [2 3])", func() { x.Pad([]int{0, 0, 0, 0, 1, 1}, 0) })
	mustPanic(t, "tensor.Pad: pads [-2 -2] give dimension 1 the negative size -1 (shapes [2 3])", func() { x.Pad([]int{-2, -2}, 0) })
}
