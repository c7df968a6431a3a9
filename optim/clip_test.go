package optim_test

import (
	"math"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

func withGrad(g *tensor.Tensor) *tensor.Tensor {
	p := tensor.Zeros(g.DType(), g.Shape()...).SetRequiresGrad(true)
	p.SetGrad(g)
	return p
}

func TestClipGradNorm(t *testing.T) {
	// Gradients [3] and [[4]] (transposed view) have 2-norm 5, 1-norm 7 and
	// max-norm 4.
	mk := func() []*tensor.Tensor {
		return []*tensor.Tensor{
			withGrad(tensor.FromSlice([]float32{3}, 1)),
			withGrad(tensor.FromSlice([]float32{0, 4}, 2, 1).T()),
			tensor.Zeros(tensor.Float32, 2).SetRequiresGrad(true), // no gradient
		}
	}
	cases := []struct {
		name           string
		max, normType  float64
		total          float64
		wantA, wantB   float64 // the two non-zero gradient elements after clipping
		clipped        bool
		gradsUnchanged bool
	}{
		{"2-norm", 1, 2, 5, 3 / (5 + 1e-6), 4 / (5 + 1e-6), true, false},
		{"1-norm", 3.5, 1, 7, 3 * 3.5 / (7 + 1e-6), 4 * 3.5 / (7 + 1e-6), true, false},
		{"inf-norm", 2, math.Inf(1), 4, 3 * 2 / (4 + 1e-6), 4 * 2 / (4 + 1e-6), true, false},
		{"3-norm", 1, 3, math.Cbrt(91), 3 / (math.Cbrt(91) + 1e-6), 4 / (math.Cbrt(91) + 1e-6), true, false},
		{"below the limit", 6, 2, 5, 3, 4, false, true},
	}
	for _, c := range cases {
		ps := mk()
		total := optim.ClipGradNorm(ps, c.max, c.normType)
		if math.Abs(total-c.total) > 1e-12 {
			t.Errorf("%s: total %v, want %v", c.name, total, c.total)
		}
		a, b := ps[0].Grad().At(0), ps[1].Grad().At(0, 1)
		if math.Abs(a-c.wantA) > 1e-6 || math.Abs(b-c.wantB) > 1e-6 {
			t.Errorf("%s: gradients %v, %v, want %v, %v", c.name, a, b, c.wantA, c.wantB)
		}
		if ps[1].Grad().At(0, 0) != 0 || ps[2].Grad() != nil {
			t.Errorf("%s: zero or missing gradients changed", c.name)
		}
	}
	if got := optim.ClipGradNorm([]*tensor.Tensor{tensor.Zeros(tensor.Float64, 2).SetRequiresGrad(true)}, 1, 2); got != 0 {
		t.Errorf("no gradients: total %v, want 0", got)
	}
	nan := []*tensor.Tensor{withGrad(tensor.FromSlice([]float64{math.NaN(), 1}, 2))}
	if got := optim.ClipGradNorm(nan, 1, 2); !math.IsNaN(got) || !math.IsNaN(nan[0].Grad().At(1)) {
		t.Errorf("NaN gradient: total %v, gradient %v; want NaN for both, as PyTorch", got, nan[0].Grad())
	}
	mustPanicWith(t, "ClipGradNorm: norm type must be positive or +Inf, got 0", func() { optim.ClipGradNorm(nan, 1, 0) })
}

func TestClipGradValue(t *testing.T) {
	p := withGrad(tensor.FromSlice([]float64{-3, -0.5, 0.25, 2, math.NaN(), 1}, 2, 3).T())
	q := withGrad(tensor.FromSlice([]float32{5, -5}, 2))
	optim.ClipGradValue([]*tensor.Tensor{p, q, tensor.Zeros(tensor.Float32, 1).SetRequiresGrad(true)}, 1)
	got := p.Grad().Float64s() // transposed order
	want := []float64{-1, 1, -0.5, math.NaN(), 0.25, 1}
	for i := range want {
		if got[i] != want[i] && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Errorf("gradient %v, want %v", got, want)
			break
		}
	}
	if got := q.Grad().Float32s(); !slices.Equal(got, []float32{1, -1}) {
		t.Errorf("float32 gradient %v, want [1 -1]", got)
	}
	mustPanicWith(t, "ClipGradValue: clip value must be non-negative", func() { optim.ClipGradValue(nil, -1) })
}
