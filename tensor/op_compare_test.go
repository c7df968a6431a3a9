package tensor_test

import (
	"math"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestCompareValues(t *testing.T) {
	nan := math.NaN()
	a := tensor.FromSlice([]float64{1, 2, 3, nan}, 4)
	b := tensor.FromSlice([]float64{2, 2, 2, nan}, 4)
	cases := []struct {
		name string
		f    func(a, b *tensor.Tensor) *tensor.Tensor
		want []int64
	}{
		{"Eq", (*tensor.Tensor).Eq, []int64{0, 1, 0, 0}},
		{"Ne", (*tensor.Tensor).Ne, []int64{1, 0, 1, 1}},
		{"Lt", (*tensor.Tensor).Lt, []int64{1, 0, 0, 0}},
		{"Le", (*tensor.Tensor).Le, []int64{1, 1, 0, 0}},
		{"Gt", (*tensor.Tensor).Gt, []int64{0, 0, 1, 0}},
		{"Ge", (*tensor.Tensor).Ge, []int64{0, 1, 1, 0}},
	}
	for _, c := range cases {
		if got := c.f(a, b); !tensor.Equal(got, tensor.FromSlice(c.want)) {
			t.Errorf("%s float64: got %v, want %v", c.name, got, c.want)
		}
		// The same without the NaN pair, in float32 and int64.
		want3 := tensor.FromSlice(c.want[:3])
		if got := c.f(tensor.FromSlice([]float32{1, 2, 3}), tensor.FromSlice([]float32{2, 2, 2})); !tensor.Equal(got, want3) {
			t.Errorf("%s float32: got %v, want %v", c.name, got, want3)
		}
		if got := c.f(tensor.FromSlice([]int64{1, 2, 3}), tensor.FromSlice([]int64{2})); !tensor.Equal(got, want3) {
			t.Errorf("%s int64 broadcast: got %v, want %v", c.name, got, want3)
		}
	}
	// Broadcasting to a larger shape, with a transposed operand.
	m := tensor.FromSlice([]float64{1, 2, 3, 4}, 2, 2).T() // [[1 3] [2 4]]
	got := m.Gt(tensor.FromSlice([]float64{1.5, 3.5}, 2, 1))
	if want := tensor.FromSlice([]int64{0, 1, 0, 1}, 2, 2); !tensor.Equal(got, want) {
		t.Errorf("broadcast Gt: got %v, want %v", got, want)
	}
}

func TestCompareScalarValues(t *testing.T) {
	big := int64(1) << 60
	ints := tensor.FromSlice([]int64{1, 2, 3, big + 1, -big})
	floats := tensor.FromSlice([]float32{1, 2, 3, math.MaxFloat32, float32(math.Inf(-1))})
	cases := []struct {
		name string
		f    func(*tensor.Tensor, float64) *tensor.Tensor
		s    float64
		ints []int64 // on ints
		flts []int64 // on floats
	}{
		{"Eq", (*tensor.Tensor).EqScalar, 2, []int64{0, 1, 0, 0, 0}, []int64{0, 1, 0, 0, 0}},
		{"Ne", (*tensor.Tensor).NeScalar, 2, []int64{1, 0, 1, 1, 1}, []int64{1, 0, 1, 1, 1}},
		{"Lt", (*tensor.Tensor).LtScalar, 2.5, []int64{1, 1, 0, 0, 1}, []int64{1, 1, 0, 0, 1}},
		{"Le", (*tensor.Tensor).LeScalar, 2, []int64{1, 1, 0, 0, 1}, []int64{1, 1, 0, 0, 1}},
		{"Gt", (*tensor.Tensor).GtScalar, 2.5, []int64{0, 0, 1, 1, 0}, []int64{0, 0, 1, 1, 0}},
		{"Ge", (*tensor.Tensor).GeScalar, -0.5, []int64{1, 1, 1, 1, 0}, []int64{1, 1, 1, 1, 0}},
		{"Eq fractional", (*tensor.Tensor).EqScalar, 2.5, []int64{0, 0, 0, 0, 0}, []int64{0, 0, 0, 0, 0}},
		{"Le fractional", (*tensor.Tensor).LeScalar, 2.5, []int64{1, 1, 0, 0, 1}, []int64{1, 1, 0, 0, 1}},
		{"Le negative fractional", (*tensor.Tensor).LeScalar, -0.5, []int64{0, 0, 0, 0, 1}, []int64{0, 0, 0, 0, 1}},
		// 2⁶⁰ + 1 is not a float64; rounding it would make it equal to s.
		{"Gt near 2^60", (*tensor.Tensor).GtScalar, float64(big), []int64{0, 0, 0, 1, 0}, []int64{0, 0, 0, 1, 0}},
		{"Lt +Inf", (*tensor.Tensor).LtScalar, math.Inf(1), []int64{1, 1, 1, 1, 1}, []int64{1, 1, 1, 1, 1}},
		{"Gt -Inf", (*tensor.Tensor).GtScalar, math.Inf(-1), []int64{1, 1, 1, 1, 1}, []int64{1, 1, 1, 1, 0}},
		{"Lt 1e300", (*tensor.Tensor).LtScalar, 1e300, []int64{1, 1, 1, 1, 1}, []int64{1, 1, 1, 1, 1}},
		{"Ge -1e300", (*tensor.Tensor).GeScalar, -1e300, []int64{1, 1, 1, 1, 1}, []int64{1, 1, 1, 1, 0}},
		{"Eq NaN", (*tensor.Tensor).EqScalar, math.NaN(), []int64{0, 0, 0, 0, 0}, []int64{0, 0, 0, 0, 0}},
		{"Ne NaN", (*tensor.Tensor).NeScalar, math.NaN(), []int64{1, 1, 1, 1, 1}, []int64{1, 1, 1, 1, 1}},
		{"Le NaN", (*tensor.Tensor).LeScalar, math.NaN(), []int64{0, 0, 0, 0, 0}, []int64{0, 0, 0, 0, 0}},
	}
	for _, c := range cases {
		if got := c.f(ints, c.s); !tensor.Equal(got, tensor.FromSlice(c.ints)) {
			t.Errorf("%s(%v) on int64 %v: got %v, want %v", c.name, c.s, ints, got, c.ints)
		}
		if got := c.f(floats, c.s); !tensor.Equal(got, tensor.FromSlice(c.flts)) {
			t.Errorf("%s(%v) on float32 %v: got %v, want %v", c.name, c.s, floats, got, c.flts)
		}
	}
	// Around a negative fractional s: −1 < −0.5 < 0.
	if got, want := tensor.FromSlice([]int64{-1, 0}).LeScalar(-0.5), tensor.FromSlice([]int64{1, 0}); !tensor.Equal(got, want) {
		t.Errorf("[-1 0] ≤ -0.5: got %v, want %v", got, want)
	}
	if got, want := tensor.FromSlice([]int64{-1, 0}).GtScalar(-0.5), tensor.FromSlice([]int64{0, 1}); !tensor.Equal(got, want) {
		t.Errorf("[-1 0] > -0.5: got %v, want %v", got, want)
	}
	// A strided view.
	got := tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3).T().GtScalar(2.5)
	if want := tensor.FromSlice([]int64{0, 1, 0, 1, 1, 1}, 3, 2); !tensor.Equal(got, want) {
		t.Errorf("transposed GtScalar: got %v, want %v", got, want)
	}
}

func TestCompareNotRecorded(t *testing.T) {
	x := tensor.FromSlice([]float64{1, 2}).SetRequiresGrad(true)
	if y := x.Gt(x.MulScalar(0.5)); y.RequiresGrad() || y.DType() != tensor.Int64 {
		t.Errorf("Gt of recorded tensors: requires grad %v, dtype %v", y.RequiresGrad(), y.DType())
	}
	if y := x.NoGrad().LtScalar(1); !y.IsNoGrad() {
		t.Error("LtScalar of a NoGrad tensor is not NoGrad")
	}
}

func TestCompareErrors(t *testing.T) {
	mustPanic(t, "tensor.Lt: dtypes differ: float32 and int64 (shapes [2], [2])", func() {
		tensor.Zeros(tensor.Float32, 2).Lt(tensor.Zeros(tensor.Int64, 2))
	})
	mustPanic(t, "tensor.Eq: shapes cannot be broadcast together: size 2 vs 3 at dimension 0 (shapes [2], [3])", func() {
		tensor.Zeros(tensor.Float32, 2).Eq(tensor.Zeros(tensor.Float32, 3))
	})
}
