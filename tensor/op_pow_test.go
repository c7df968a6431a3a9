package tensor_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/tensor"
)

func TestPowGrad(t *testing.T) {
	runGradCases(t, binaryGradCases((*tensor.Tensor).Pow, 0.5, 2, -2, 2))
	runGradCases(t, []gradCase{
		{"negative base, integer exponent", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, -0.5, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Pow(tensor.FromSlice([]float64{2, 3, -1})) }, nil},
	})
}

func TestPowSecond(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	f := func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Pow(x[1]) }
	if err := gradcheck.CheckSecond(f, inputs(in(r, 0.5, 2, 2, 3), in(r, -2, 2, 3)), nil); err != nil {
		t.Fatal(err)
	}
}

// TestPowZeroBase pins the gradients at a zero base against PyTorch 1.13.1:
// a = [0 0 0 2], u = [2 0 -1 0.5] gives y = [0 1 +Inf √2],
// dy/da = [0 0 -Inf 0.35355339] and dy/du = [0 0 -Inf √2·ln 2].
func TestPowZeroBase(t *testing.T) {
	a := tensor.FromSlice([]float64{0, 0, 0, 2}).SetRequiresGrad(true)
	u := tensor.FromSlice([]float64{2, 0, -1, 0.5}).SetRequiresGrad(true)
	y := a.Pow(u)
	y.Sum().Backward()
	checks := []struct {
		name      string
		got, want []float64
	}{
		{"y", y.Detach().Float64s(), []float64{0, 1, math.Inf(1), math.Sqrt2}},
		{"dy/da", a.Grad().Float64s(), []float64{0, 0, math.Inf(-1), 0.5 / math.Sqrt2}},
		{"dy/du", u.Grad().Float64s(), []float64{0, 0, math.Inf(-1), math.Sqrt2 * math.Ln2}},
	}
	for _, c := range checks {
		for i := range c.want {
			if !closeTo(c.got[i], c.want[i], 1e-15) {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				break
			}
		}
	}
}

func TestPowValues(t *testing.T) {
	a := tensor.FromSlice([]float64{2, 9, -2, 0, -8, 4})
	u := tensor.FromSlice([]float64{10, 0.5, 3, -1, 1.0 / 3, math.Inf(-1)})
	got := a.Pow(u).Float64s()
	for i, ai := range a.Float64s() {
		if want := math.Pow(ai, u.At(i)); !closeTo(got[i], want, 0) {
			t.Errorf("%v ^ %v = %v, want %v", ai, u.At(i), got[i], want)
		}
	}
	got32 := tensor.FromSlice([]float32{2, 9}).Pow(tensor.FromSlice([]float32{3})).Float32s()
	if got32[0] != 8 || got32[1] != 729 {
		t.Errorf("float32 [2 9]^3 = %v, want [8 729]", got32)
	}
}

func TestPowErrors(t *testing.T) {
	mustPanic(t, "tensor.Pow: not supported for dtype int64 (shapes [2], [])", func() {
		tensor.Ones(tensor.Int64, 2).Pow(tensor.Ones(tensor.Int64))
	})
	mustPanic(t, "tensor.PowScalar: not supported for dtype int64 (shapes [2])", func() {
		tensor.Ones(tensor.Int64, 2).PowScalar(2)
	})
}

func TestPowScalarGrad(t *testing.T) {
	for _, p := range []float64{2, 3, 0.5, -0.5, -1, -2, 1.7, 1, 0} {
		t.Run(fmt.Sprint(p), func(t *testing.T) {
			f := func(x *tensor.Tensor) *tensor.Tensor { return x.PowScalar(p) }
			runGradCases(t, unaryGradCases(f, 0.5, 2))
			if p != 0 && p != 1 {
				checkSecondUnary(t, f, 0.5, 2)
			}
			if p == math.Trunc(p) {
				runGradCases(t, unaryGradCases(f, -2, -0.5))
			}
		})
	}
}

func TestPowScalarValues(t *testing.T) {
	xs := append([]float64{-2, -0.5, 0.3, 1, 3, 1e200}, specialInputs...)
	for _, p := range []float64{2, 3, -1, -2, 1.7, 1, 0, -3.5} {
		checkUnaryValues(t, func(x *tensor.Tensor) *tensor.Tensor { return x.PowScalar(p) },
			func(x float64) float64 { return math.Pow(x, p) }, xs, 1e-15)
	}
	// The exponents ±0.5 use the square root, as in PyTorch: (−∞)^0.5 is
	// NaN, not +Inf as math.Pow has it.
	checkUnaryValues(t, func(x *tensor.Tensor) *tensor.Tensor { return x.PowScalar(0.5) }, math.Sqrt, xs, 0)
	checkUnaryValues(t, func(x *tensor.Tensor) *tensor.Tensor { return x.PowScalar(-0.5) },
		func(x float64) float64 { return 1 / math.Sqrt(x) }, xs, 0)
}
