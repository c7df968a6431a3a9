package tensor_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// The conversions of To are checked value by value in TestTo
// (tensor_test.go); this file covers Contiguous, Clone and the gradient of
// To.

func TestCopyGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 4)) }
	runGradCases(t, []gradCase{
		{"clone", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Clone() }, nil},
		{"contiguous of contiguous", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Contiguous() }, nil},
		{"contiguous of transposed", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].T().Contiguous() }, nil},
		{"clone of sliced", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(1, 0, 4, 3).Clone() }, nil},
		{"contiguous of broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 4).Contiguous() }, nil},
		{"used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Clone().Mul(x[0]) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 4), constIn(r, -1, 1, 4, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].T().Contiguous()) }, nil},
		{"to float64 is identity", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].To(tensor.Float64) }, nil},
	})
	runSecondCases(t, []gradCase{
		{"clone squared", mk, func(x []*tensor.Tensor) *tensor.Tensor { y := x[0].T().Clone(); return y.Mul(y) }, nil},
	})
}

func TestContiguousClone(t *testing.T) {
	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if x.Contiguous() != x {
		t.Error("Contiguous of a contiguous tensor must return it")
	}
	c := x.T().Contiguous()
	if !c.IsContiguous() || !tensor.Equal(c, tensor.FromSlice([]float32{1, 4, 2, 5, 3, 6}, 3, 2)) {
		t.Errorf("Contiguous of the transpose = %v (contiguous %v)", c, c.IsContiguous())
	}
	e := tensor.FromSlice([]int64{7, 8}, 2, 1).Expand(2, 3).Contiguous()
	if !e.IsContiguous() || !tensor.Equal(e, tensor.FromSlice([]int64{7, 7, 7, 8, 8, 8}, 2, 3)) {
		t.Errorf("Contiguous of an expanded tensor = %v", e)
	}
	// Clone copies even a contiguous tensor: writes do not show through.
	cl := x.Clone()
	if !tensor.Equal(cl, x) {
		t.Fatalf("Clone = %v, want %v", cl, x)
	}
	x.Set(100, 0, 0)
	if cl.At(0, 0) != 1 {
		t.Error("Clone shares storage with its source")
	}
	sl := tensor.Arange(tensor.Float64, 0, 10, 1).Slice(0, 1, 10, 4).Clone()
	if !sl.IsContiguous() || !tensor.Equal(sl, tensor.FromSlice([]float64{1, 5, 9})) {
		t.Errorf("Clone of a strided slice = %v", sl)
	}
	// Gradients flow through Clone and Contiguous unchanged, and through
	// To back into the source dtype.
	w := tensor.FromSlice([]float32{1, 2, 3, 4}, 2, 2).SetRequiresGrad(true)
	w.T().Contiguous().Clone().To(tensor.Float64).Mul(tensor.FromSlice([]float64{1, 2, 3, 4}, 2, 2)).Sum().Backward()
	if want := tensor.FromSlice([]float32{1, 3, 2, 4}, 2, 2); !tensor.Equal(w.Grad(), want) {
		t.Errorf("grad through T, Contiguous, Clone, To = %v, want %v", w.Grad(), want)
	}
	// With CreateGraph the cast is recorded in the backward pass too.
	v := tensor.FromSlice([]float32{3}).SetRequiresGrad(true)
	y := v.To(tensor.Float64)
	g := tensor.Gradients(y.Mul(y).Sum(), []*tensor.Tensor{v}, tensor.CreateGraph())[0]
	if g.DType() != tensor.Float32 || g.Item() != 6 || !g.RequiresGrad() {
		t.Fatalf("d(x²)/dx through To = %v (dtype %v, requires grad %v), want 6", g, g.DType(), g.RequiresGrad())
	}
	if g2 := tensor.Gradients(g.Sum(), []*tensor.Tensor{v})[0]; g2.Item() != 2 {
		t.Errorf("second derivative through To = %v, want 2", g2)
	}
}

func TestCopyErrors(t *testing.T) {
	err := tensor.Try(func() { tensor.Zeros(tensor.Float32, 2).To(tensor.DType(9)) })
	if err == nil || !strings.Contains(err.Error(), "invalid dtype DType(9)") {
		t.Errorf("To an invalid dtype: error %v", err)
	}
}
