package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/tensor"
)

func TestDivGrad(t *testing.T) {
	runGradCases(t, binaryGradCases((*tensor.Tensor).Div, -1, 1, 0.5, 2))
	runGradCases(t, []gradCase{
		{"negative divisor", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3), in(r, -2, -0.5, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Div(x[1]) }, nil},
		{"scalar", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].DivScalar(-0.75) }, nil},
	})
}

func TestDivSecond(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	f := func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Div(x[1]) }
	if err := gradcheck.CheckSecond(f, inputs(in(r, -1, 1, 2, 3), in(r, 0.5, 2, 3)), nil); err != nil {
		t.Fatal(err)
	}
}

func TestDivValues(t *testing.T) {
	a := tensor.FromSlice([]float64{1, -3, 0, 1, 7}, 5)
	b := tensor.FromSlice([]float64{2, 0, 0, math.Inf(1), 7}, 5)
	want := []float64{0.5, math.Inf(-1), math.NaN(), 0, 1}
	got := a.Div(b).Float64s()
	for i := range want {
		if !closeTo(got[i], want[i], 0) {
			t.Errorf("%v / %v = %v, want %v", a.At(i), b.At(i), got[i], want[i])
		}
	}
	// Division is exact IEEE division, not multiplication by a reciprocal.
	if got := tensor.FromSlice([]float32{1}).DivScalar(3).At(0); float32(got) != float32(1)/3 {
		t.Errorf("float32 1/3 = %v, want %v", got, float32(1)/3)
	}
	x := tensor.FromSlice([]float32{1, 2, 3, 4}, 2, 2)
	if got, want := x.Div(tensor.FromSlice([]float32{2, 4}, 2, 1)), tensor.FromSlice([]float32{0.5, 1, 0.75, 1}, 2, 2); !tensor.Equal(got, want) {
		t.Errorf("broadcast: got %v, want %v", got, want)
	}
}

func TestDivErrors(t *testing.T) {
	mustPanic(t, "tensor.Div: not supported for dtype int64 (shapes [2], [2])", func() {
		tensor.Ones(tensor.Int64, 2).Div(tensor.Ones(tensor.Int64, 2))
	})
}
