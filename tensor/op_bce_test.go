package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestBinaryCrossEntropyGrad(t *testing.T) {
	bce := func(x []*tensor.Tensor) *tensor.Tensor { return tensor.BinaryCrossEntropy(x[0], x[1]) }
	runGradCases(t, []gradCase{
		{"same", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, 0.05, 0.95, 2, 3), in(r, 0, 1, 2, 3)) }, bce, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, 0.05, 0.95, 2, 1, 3), in(r, 0, 1, 4, 1)) }, bce, nil},
		{"used twice", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, 0.05, 0.95, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.BinaryCrossEntropy(x[0], x[0]) }, nil},
		{"transposed", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, 0.05, 0.95, 3, 2), in(r, 0, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.BinaryCrossEntropy(x[0].T(), x[1]) }, nil},
		{"no grad target", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, 0.05, 0.95, 2, 3), constIn(r, 0, 1, 2, 3)) }, bce, nil},
		{"no grad probability", func(r *rand.Rand) []*tensor.Tensor { return inputs(constIn(r, 0.05, 0.95, 2, 3), in(r, 0, 1, 2, 3)) }, bce, nil},
	})
	runSecondCases(t, []gradCase{
		{"same", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, 0.1, 0.9, 2, 3), in(r, 0, 1, 2, 3)) }, bce, nil},
	})
}

func TestBinaryCrossEntropyValues(t *testing.T) {
	p := tensor.FromSlice([]float64{0.25, 0.5, 0, 1, 1, 0}).SetRequiresGrad(true)
	tg := tensor.FromSlice([]float64{1, 0.5, 1, 0, 1, 0}).SetRequiresGrad(true)
	y := tensor.BinaryCrossEntropy(p, tg)
	// −ln ¼; ln 2; clamped logarithms give 100; p = t gives 0.
	want := []float64{math.Log(4), math.Log(2), 100, 100, 0, 0}
	for i, v := range y.Float64s() {
		if !closeTo(v, want[i], 1e-14) {
			t.Errorf("element %d: %v, want %v", i, v, want[i])
		}
	}
	y.Sum().Backward()
	// (p − t)/max(p(1 − p), ε): saturated probabilities still get a
	// gradient, as in PyTorch, whose ε is 1e-12 rounded to float32: it
	// gives ∓1000000003995.8029 for p = 0, t = 1 and p = 1, t = 0.
	wantP := []float64{-0.75 / 0.1875, 0, -1000000003995.8029, 1000000003995.8029, 0, 0}
	for i, v := range p.Grad().Float64s() {
		if !closeTo(v, wantP[i], 1e-12) {
			t.Errorf("dp %d: %v, want %v", i, v, wantP[i])
		}
	}
	// ln(1 − p) − ln p.
	if g := tg.Grad().At(0); !closeTo(g, math.Log(3), 1e-14) {
		t.Errorf("dt 0: %v, want ln 3", g)
	}
	f32 := tensor.BinaryCrossEntropy(tensor.FromSlice([]float32{0.25}), tensor.FromSlice([]float32{1}))
	if v := f32.At(0); !closeTo(v, math.Log(4), 1e-6) || f32.DType() != tensor.Float32 {
		t.Errorf("float32: %v (%v), want ln 4", v, f32.DType())
	}
}

func TestBinaryCrossEntropyErrors(t *testing.T) {
	mustPanic(t, "tensor.BinaryCrossEntropy: probability 1.5 outside [0, 1] (shapes [2], [2])", func() {
		tensor.BinaryCrossEntropy(tensor.FromSlice([]float64{0.5, 1.5}), tensor.FromSlice([]float64{0, 1}))
	})
	mustPanic(t, "tensor.BinaryCrossEntropy: probability NaN outside [0, 1] (shapes [1], [1])", func() {
		tensor.BinaryCrossEntropy(tensor.FromSlice([]float64{math.NaN()}), tensor.FromSlice([]float64{0}))
	})
	mustPanic(t, "tensor.BinaryCrossEntropy: needs floating-point tensors of one dtype, got float64 and float32 (shapes [1], [1])", func() {
		tensor.BinaryCrossEntropy(tensor.FromSlice([]float64{0.5}), tensor.FromSlice([]float32{0}))
	})
	mustPanic(t, "tensor.BinaryCrossEntropy: shapes cannot be broadcast together: size 2 vs 3 at dimension 0 (shapes [2], [3])", func() {
		tensor.BinaryCrossEntropy(tensor.Zeros(tensor.Float64, 2), tensor.Zeros(tensor.Float64, 3))
	})
}
