package nn_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

func TestDropoutStatistics(t *testing.T) {
	const n = 200000
	for _, p := range []float64{0.1, 0.5, 0.8} {
		for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
			d := nn.NewDropout(p, rand.New(rand.NewPCG(42, uint64(p*10))))
			x := tensor.Ones(dt, n).SetRequiresGrad(true)
			y := d.Forward(x)
			kept, sum := 0, 0.0
			scale := 1 / (1 - p)
			for _, v := range y.Float64s() {
				switch {
				case v == 0:
				case math.Abs(v-scale) < 1e-6:
					kept++
				default:
					t.Fatalf("p=%v: element %v is neither 0 nor 1/(1-p) = %v", p, v, scale)
				}
				sum += v
			}
			// Binomial: the standard deviation of the kept fraction is
			// √(p(1−p)/n) < 0.0012; allow 5 of them.
			if frac := float64(kept) / n; math.Abs(frac-(1-p)) > 0.006 {
				t.Errorf("p=%v %v: kept fraction %v, want %v", p, dt, frac, 1-p)
			}
			if mean := sum / n; math.Abs(mean-1) > 0.006*scale {
				t.Errorf("p=%v %v: mean %v, want 1 (inverted scaling)", p, dt, mean)
			}
			// The gradient is the mask: dy/dx = y/x = y for x = 1.
			y.Sum().Backward()
			if !slices.Equal(x.Grad().Float64s(), y.Float64s()) {
				t.Errorf("p=%v %v: gradient is not the scaled mask", p, dt)
			}
		}
	}
}

func TestDropoutDeterminism(t *testing.T) {
	x := tensor.Uniform(rand.New(rand.NewPCG(1, 1)), tensor.Float32, 1, 2, 8, 16)
	run := func(seed uint64) []*tensor.Tensor {
		d := nn.NewDropout(0.3, rand.New(rand.NewPCG(seed, 7)))
		return []*tensor.Tensor{d.Forward(x), d.Forward(x)}
	}
	a, b, c := run(5), run(5), run(6)
	for i := range a {
		if !tensor.Equal(a[i], b[i]) {
			t.Errorf("call %d: the same seed gave different masks", i)
		}
		if tensor.Equal(a[i], c[i]) {
			t.Errorf("call %d: different seeds gave the same mask", i)
		}
	}
	if tensor.Equal(a[0], a[1]) {
		t.Error("two calls drew the same mask")
	}
}

func TestDropoutModes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	x := tensor.Uniform(r, tensor.Float32, 1, 2, 4, 5).SetRequiresGrad(true)
	d := nn.NewDropout(0.5, r)
	if !d.Training() {
		t.Fatal("a new Dropout is not in training mode")
	}
	nn.SetTraining(d, false)
	if y := d.Forward(x); y != x {
		t.Error("evaluation mode is not the identity")
	}
	nn.SetTraining(d, true)
	if y := nn.NewDropout(0, r).Forward(x); !tensor.Equal(y, x) {
		t.Error("p = 0 changed the input")
	}
	y := nn.NewDropout(1, r).Forward(x)
	if !tensor.Equal(y, tensor.Zeros(tensor.Float32, 4, 5)) {
		t.Errorf("p = 1 gave %v, want zeros", y)
	}
	y.Sum().Backward()
	if !tensor.Equal(x.Grad(), tensor.Zeros(tensor.Float32, 4, 5)) {
		t.Errorf("p = 1: gradient %v, want zeros", x.Grad())
	}
	for _, p := range []float64{-0.1, 1.5, math.NaN()} {
		if err := tensor.Try(func() { nn.NewDropout(p, r) }); err == nil {
			t.Errorf("p = %v did not panic", p)
		}
	}
	if err := tensor.Try(func() { nn.NewDropout(0.5, r).Forward(tensor.Zeros(tensor.Int64, 2)) }); err == nil {
		t.Error("an Int64 input did not panic")
	}
	if len(nn.StateDict(d)) != 0 {
		t.Error("Dropout has state")
	}
}

func TestDropoutGrad(t *testing.T) {
	// With a freshly seeded source per call the mask is the same on every
	// evaluation, so the numerical check applies.
	for _, p := range []float64{0.3, 0.7} {
		f := func(xs []*tensor.Tensor) *tensor.Tensor {
			return nn.NewDropout(p, rand.New(rand.NewPCG(9, 9))).Forward(xs[0])
		}
		x := tensor.Uniform(rand.New(rand.NewPCG(1, 2)), tensor.Float64, -1, 1, 4, 6).SetRequiresGrad(true)
		if err := gradcheck.Check(f, []*tensor.Tensor{x}, nil); err != nil {
			t.Errorf("p=%v: %v", p, err)
		}
	}
}
