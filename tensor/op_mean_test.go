package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestMeanGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3, 4)) }
	runGradCases(t, []gradCase{
		{"all", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mean() }, nil},
		{"axis", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mean(1) }, nil},
		{"axes", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mean(0, -1) }, nil},
		{"keepdim", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MeanKeepDim(2) }, nil},
		{"permuted", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(2, 0, 1).Mean(1) }, nil},
		{"sliced", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(2, 0, 4, 2).Mean(0, 2) }, nil},
		{"used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MeanKeepDim(1).Mul(x[0]) }, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 4).Mean(0) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3), constIn(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].Mean(0)) }, nil},
	})
	runSecondCases(t, []gradCase{
		{"squared mean", mk, func(x []*tensor.Tensor) *tensor.Tensor { m := x[0].Mean(1); return m.Mul(m) }, nil},
		{"mean times x", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MeanKeepDim(0, 2).Mul(x[0]) }, nil},
	})
}

func TestMeanValues(t *testing.T) {
	x := tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	cases := []struct {
		name string
		got  *tensor.Tensor
		want *tensor.Tensor
	}{
		{"axis 0", x.Mean(0), tensor.FromSlice([]float64{2.5, 3.5, 4.5}, 3)},
		{"axis -1", x.Mean(-1), tensor.FromSlice([]float64{2, 5}, 2)},
		{"keepdim", x.MeanKeepDim(1), tensor.FromSlice([]float64{2, 5}, 2, 1)},
		{"all", x.Mean(), tensor.Scalar(3.5, tensor.Float64)},
		{"all keepdim", x.MeanKeepDim(), tensor.FromSlice([]float64{3.5}, 1, 1)},
		{"transposed", x.T().Mean(1), tensor.FromSlice([]float64{2.5, 3.5, 4.5}, 3)},
		{"float32", tensor.FromSlice([]float32{1, 2, 4, 8}, 2, 2).Mean(0), tensor.FromSlice([]float32{2.5, 5}, 2)},
	}
	for _, c := range cases {
		if !tensor.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	// Float32 accumulates in float64: the mean of many copies of 0.1 plus
	// one large value stays accurate.
	n := 1 << 20
	v := make([]float32, n)
	for i := range v {
		v[i] = 0.1
	}
	if got := tensor.FromSlice(v).Mean().Item(); math.Abs(got-0.1) > 1e-7 {
		t.Errorf("float32 mean of %d × 0.1 = %v", n, got)
	}
	if got := tensor.Zeros(tensor.Float64, 2, 0).Mean(1); !math.IsNaN(got.At(0)) {
		t.Errorf("mean over zero elements = %v, want NaN", got)
	}
}

func TestMeanErrors(t *testing.T) {
	mustPanic(t, "tensor.Mean: needs a floating-point tensor, got int64 (shapes [2])", func() {
		tensor.FromSlice([]int64{1, 2}).Mean()
	})
	mustPanic(t, "tensor.Mean: axis 2 out of range for 2 dimensions (shapes [2 3])", func() {
		tensor.Zeros(tensor.Float32, 2, 3).Mean(2)
	})
	mustPanic(t, "tensor.MeanKeepDim: axis 1 repeated (shapes [2 3])", func() {
		tensor.Zeros(tensor.Float32, 2, 3).MeanKeepDim(1, -1)
	})
}
