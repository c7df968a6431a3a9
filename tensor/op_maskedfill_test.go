package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestMaskedFillGrad(t *testing.T) {
	mask := tensor.FromSlice([]int64{1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0}, 3, 4)
	row := tensor.FromSlice([]float64{0, 2.5, 0, -1}, 4)
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 4)) }
	runGradCases(t, []gradCase{
		{"same shape", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MaskedFill(mask, -3) }, nil},
		{"float mask broadcast", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MaskedFill(row, 7) }, nil},
		{"input broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MaskedFill(mask, 0) }, nil},
		{"transposed", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 4, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].T().MaskedFill(mask, 1) }, nil},
		{"used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MaskedFill(mask, 2).Mul(x[0]) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 4), constIn(r, -1, 1, 3, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].MaskedFill(mask, 0)) }, nil},
	})
	runSecondCases(t, []gradCase{
		{"squared", mk, func(x []*tensor.Tensor) *tensor.Tensor { y := x[0].MaskedFill(row, 3); return y.Mul(y) }, nil},
	})
}

func TestMaskedFillValues(t *testing.T) {
	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	inf := math.Inf(-1)
	cases := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		{"int mask", x.MaskedFill(tensor.FromSlice([]int64{0, 1, 0, 1, 0, 1}, 2, 3), 0),
			tensor.FromSlice([]float32{1, 0, 3, 0, 5, 0}, 2, 3)},
		{"row mask", x.MaskedFill(tensor.FromSlice([]int64{1, 0, 0}, 3), -1),
			tensor.FromSlice([]float32{-1, 2, 3, -1, 5, 6}, 2, 3)},
		{"column mask -inf", x.MaskedFill(tensor.FromSlice([]float64{0, 0.5}, 2, 1), inf),
			tensor.FromSlice([]float32{1, 2, 3, float32(inf), float32(inf), float32(inf)}, 2, 3)},
		{"NaN counts as set", x.MaskedFill(tensor.FromSlice([]float32{float32(math.NaN()), 0, -2}, 3), 9),
			tensor.FromSlice([]float32{9, 2, 9, 9, 5, 9}, 2, 3)},
		{"result broadcast", tensor.FromSlice([]float32{1, 2}, 2).MaskedFill(tensor.FromSlice([]int64{1, 0}, 2, 1), 0),
			tensor.FromSlice([]float32{0, 0, 1, 2}, 2, 2)},
		{"transposed", x.T().MaskedFill(tensor.FromSlice([]int64{1, 0}, 2), 0),
			tensor.FromSlice([]float32{0, 4, 0, 5, 0, 6}, 3, 2)},
		{"int64 tensor", tensor.FromSlice([]int64{7, 8}).MaskedFill(tensor.FromSlice([]int64{0, 3}), -5),
			tensor.FromSlice([]int64{7, -5})},
	}
	for _, c := range cases {
		if !tensor.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if x.At(0, 1) != 2 {
		t.Error("MaskedFill modified its input")
	}
}

func TestMaskedFillNoGrad(t *testing.T) {
	x := tensor.FromSlice([]float64{1, 2}).SetRequiresGrad(true)
	m := tensor.FromSlice([]int64{1, 0}).NoGrad()
	if y := x.MaskedFill(m, 0); y.RequiresGrad() || !y.IsNoGrad() {
		t.Errorf("a NoGrad mask must stop recording: requires grad %v, NoGrad %v", y.RequiresGrad(), y.IsNoGrad())
	}
}

func TestMaskedFillErrors(t *testing.T) {
	mustPanic(t, "tensor.MaskedFill: shapes cannot be broadcast together: size 3 vs 2 at dimension 1 (shapes [2 3], [2])", func() {
		tensor.Zeros(tensor.Float32, 2, 3).MaskedFill(tensor.Zeros(tensor.Int64, 2), 0)
	})
}
