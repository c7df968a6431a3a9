package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/tensor"
)

// This file holds the tests of Where and the helpers shared by the tests of
// the element-wise operations.

// kinkGap is how far the inputs of gradient checks stay from the points
// where an operation is not differentiable.
const kinkGap = 1e-3

// avoidKinks redraws, from [lo, hi), every element of the contiguous Float64
// tensor x that lies within kinkGap of one of kinks, and returns x.
func avoidKinks(r *rand.Rand, x *tensor.Tensor, lo, hi float64, kinks []float64) *tensor.Tensor {
	raw := x.RawFloat64()
	for i := range raw {
		for nearKink(raw[i], kinks) {
			raw[i] = lo + (hi-lo)*r.Float64()
		}
	}
	return x
}

func nearKink(v float64, kinks []float64) bool {
	for _, k := range kinks {
		if math.Abs(v-k) < kinkGap {
			return true
		}
	}
	return false
}

// unaryGradCases returns the gradient checks of the unary operation f for
// inputs drawn from [lo, hi), kept away from kinks: a plain input, a 0-d
// input, an input used twice, transposed and sliced inputs, and an input
// that needs no gradient.
func unaryGradCases(f func(*tensor.Tensor) *tensor.Tensor, lo, hi float64, kinks ...float64) []gradCase {
	x := func(r *rand.Rand, shape ...int) *tensor.Tensor {
		return avoidKinks(r, in(r, lo, hi, shape...), lo, hi, kinks)
	}
	c := func(r *rand.Rand, shape ...int) *tensor.Tensor {
		return avoidKinks(r, constIn(r, lo, hi, shape...), lo, hi, kinks)
	}
	return []gradCase{
		{"plain", func(r *rand.Rand) []*tensor.Tensor { return inputs(x(r, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return f(x[0]) }, nil},
		{"0-d", func(r *rand.Rand) []*tensor.Tensor { return inputs(x(r)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return f(x[0]) }, nil},
		{"used twice", func(r *rand.Rand) []*tensor.Tensor { return inputs(x(r, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return f(x[0]).Mul(x[0]) }, nil},
		{"transposed", func(r *rand.Rand) []*tensor.Tensor { return inputs(x(r, 3, 2)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return f(x[0].T()) }, nil},
		{"sliced", func(r *rand.Rand) []*tensor.Tensor { return inputs(x(r, 4, 5)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return f(x[0].Slice(0, 0, 4, 2).Slice(1, 1, 5, 2)) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(x(r, 2, 3), c(r, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return f(x[1]).Mul(f(x[0])) }, nil},
	}
}

// binaryGradCases returns the gradient checks of the binary operation f
// for inputs drawn from [lo, hi) and [ulo, uhi): equal shapes, broadcast
// shapes, one input used in both operands (x and x + 0.25, drawn from the
// intersection of the ranges) and once more, a permuted and a sliced input,
// and an operand that needs no gradient on either side.
func binaryGradCases(f func(a, b *tensor.Tensor) *tensor.Tensor, lo, hi, ulo, uhi float64) []gradCase {
	return []gradCase{
		{"same", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, lo, hi, 2, 3), in(r, ulo, uhi, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return f(x[0], x[1]) }, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, lo, hi, 2, 1, 3), in(r, ulo, uhi, 4, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return f(x[0], x[1]) }, nil},
		{"broadcast 0-d", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, lo, hi), in(r, ulo, uhi, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return f(x[0], x[1]) }, nil},
		{"used twice", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, max(lo, ulo), min(hi, uhi)-0.25, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return f(x[0], x[0].AddScalar(0.25)).Mul(x[0]) }, nil},
		{"permuted", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, lo, hi, 3, 2), in(r, ulo, uhi, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return f(x[0].T(), x[1]) }, nil},
		{"sliced", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, lo, hi, 2, 3), in(r, ulo, uhi, 4, 5)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return f(x[0], x[1].Slice(0, 0, 4, 2).Slice(1, 1, 4, 1)) }, nil},
		{"no grad first", func(r *rand.Rand) []*tensor.Tensor { return inputs(constIn(r, lo, hi, 3), in(r, ulo, uhi, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return f(x[0], x[1]) }, nil},
		{"no grad second", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, lo, hi, 2, 3), constIn(r, ulo, uhi, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return f(x[0], x[1]) }, nil},
	}
}

// checkSecondUnary checks the second derivatives of f at an input of shape
// [2, 3] drawn from [lo, hi) away from kinks.
func checkSecondUnary(t *testing.T, f func(*tensor.Tensor) *tensor.Tensor, lo, hi float64, kinks ...float64) {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	x := avoidKinks(r, in(r, lo, hi, 2, 3), lo, hi, kinks)
	if err := gradcheck.CheckSecond(func(x []*tensor.Tensor) *tensor.Tensor { return f(x[0]) }, inputs(x), nil); err != nil {
		t.Fatal(err)
	}
}

// closeTo reports whether got matches want within the relative tolerance
// tol; NaN matches only NaN and an infinity only itself.
func closeTo(got, want, tol float64) bool {
	switch {
	case math.IsNaN(want):
		return math.IsNaN(got)
	case math.IsInf(want, 0):
		return got == want
	}
	return math.Abs(got-want) <= tol*math.Abs(want)
}

// checkUnaryValues compares f applied to xs, in Float64 and in Float32,
// with ref: within tol64 in Float64, and within a few float32 rounding
// errors of ref at the float32-rounded inputs in Float32.
func checkUnaryValues(t *testing.T, f func(*tensor.Tensor) *tensor.Tensor, ref func(float64) float64, xs []float64, tol64 float64) {
	t.Helper()
	got64 := f(tensor.FromSlice(xs)).Float64s()
	xs32 := make([]float32, len(xs))
	for i, v := range xs {
		xs32[i] = float32(v)
	}
	y32 := f(tensor.FromSlice(xs32))
	if y32.DType() != tensor.Float32 {
		t.Fatalf("float32 input gave dtype %v", y32.DType())
	}
	got32 := y32.Float32s()
	for i, v := range xs {
		if want := ref(v); !closeTo(got64[i], want, tol64) {
			t.Errorf("float64 f(%v) = %v, want %v", v, got64[i], want)
		}
		want32 := float64(float32(ref(float64(xs32[i]))))
		if !closeTo(float64(got32[i]), want32, 4e-7) {
			t.Errorf("float32 f(%v) = %v, want %v", xs32[i], got32[i], want32)
		}
	}
}

// specialInputs are inputs that every unary test runs through, besides its own.
var specialInputs = []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN()}

// checkNotRecorded checks that a plain backward pass through f leaves a
// gradient that is not itself part of a graph.
func checkNotRecorded(t *testing.T, f func(*tensor.Tensor) *tensor.Tensor, lo, hi float64) {
	t.Helper()
	r := rand.New(rand.NewPCG(5, 6))
	x := in(r, lo, hi, 3)
	f(x).Sum().Backward()
	if g := x.Grad(); g == nil || g.RequiresGrad() || !g.IsLeaf() {
		t.Fatalf("gradient %v after a plain backward pass: want one outside any graph", g)
	}
}

func TestWhereGrad(t *testing.T) {
	where := func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Where(x[2].GtScalar(0), x[0], x[1]) }
	runGradCases(t, []gradCase{
		{"same", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, 2, 3), in(r, -1, 1, 2, 3), constIn(r, -1, 1, 2, 3))
		}, where, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, 2, 1), in(r, -1, 1), constIn(r, -1, 1, 3))
		}, where, nil},
		{"permuted", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, 3, 2), in(r, -1, 1, 2, 3), constIn(r, -1, 1, 2, 3))
		}, func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Where(x[2].GtScalar(0), x[0].T(), x[1]) }, nil},
		{"used twice", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 4), constIn(r, -1, 1, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Where(x[1], x[0], x[0].MulScalar(3)).Mul(x[0]) }, nil},
		{"no grad value", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, 2, 3), constIn(r, -1, 1, 3), constIn(r, -1, 1, 2, 3))
		}, where, nil},
	})
}

func TestWhereSecond(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	cond := tensor.FromSlice([]int64{1, 0, 1})
	f := func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Where(cond, x[0].Mul(x[0]), x[1].Exp()) }
	if err := gradcheck.CheckSecond(f, inputs(in(r, -1, 1, 2, 3), in(r, -1, 1, 3)), nil); err != nil {
		t.Fatal(err)
	}
}

func TestWhereValues(t *testing.T) {
	a := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := tensor.FromSlice([]float32{-1}, 1)
	for _, c := range []struct {
		name string
		cond *tensor.Tensor
	}{
		{"int64", tensor.FromSlice([]int64{1, 0, 7}, 3)},
		{"float32", tensor.FromSlice([]float32{0.5, 0, -1}, 3)},
		{"float64 NaN", tensor.FromSlice([]float64{math.NaN(), 0, math.Inf(-1)}, 3)},
	} {
		want := tensor.FromSlice([]float32{1, -1, 3, 4, -1, 6}, 2, 3)
		if got := tensor.Where(c.cond, a, b); !tensor.Equal(got, want) {
			t.Errorf("%s condition: got %v, want %v", c.name, got, want)
		}
	}
	// A condition with more dimensions than the values, Int64 values, a
	// transposed value.
	cond := tensor.FromSlice([]int64{1, 0, 0, 1}, 2, 2, 1)
	ai := tensor.FromSlice([]int64{1, 2, 3, 4}, 2, 2).T() // [[1 3] [2 4]]
	bi := tensor.FromSlice([]int64{0}, 1)
	want := tensor.FromSlice([]int64{1, 3, 0, 0, 0, 0, 2, 4}, 2, 2, 2)
	if got := tensor.Where(cond, ai, bi); !tensor.Equal(got, want) {
		t.Errorf("int64 broadcast: got %v, want %v", got, want)
	}
	if got := tensor.Where(tensor.FromSlice([]int64{0}), tensor.Zeros(tensor.Float64), tensor.Full(tensor.Float64, 2)); got.Dim() != 1 || got.At(0) != 2 {
		t.Errorf("0-d values: got %v, want [2]", got)
	}
}

func TestWhereErrors(t *testing.T) {
	mustPanic(t, "tensor.Where: dtypes of the values differ: float32 and int64 (shapes [2], [2], [2])", func() {
		tensor.Where(tensor.Ones(tensor.Int64, 2), tensor.Zeros(tensor.Float32, 2), tensor.Zeros(tensor.Int64, 2))
	})
	mustPanic(t, "tensor.Where: shapes cannot be broadcast together: size 3 vs 2 at dimension 0 (shapes [3], [2], [])", func() {
		tensor.Where(tensor.Ones(tensor.Int64, 3), tensor.Zeros(tensor.Float32, 2), tensor.Zeros(tensor.Float32))
	})
}
