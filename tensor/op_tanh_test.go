package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestTanhGrad(t *testing.T) {
	runGradCases(t, unaryGradCases((*tensor.Tensor).Tanh, -3, 3))
	checkSecondUnary(t, (*tensor.Tensor).Tanh, -3, 3)
	checkNotRecorded(t, (*tensor.Tensor).Tanh, -3, 3)
}

func TestTanhValues(t *testing.T) {
	checkUnaryValues(t, (*tensor.Tensor).Tanh, math.Tanh, append([]float64{-3, -0.5, 1e-9, 1, 20, -400}, specialInputs...), 0)
}

// TestTanhFloat32Grad runs a backward pass in float32 against the
// derivative 1 − tanh² evaluated in float64.
func TestTanhFloat32Grad(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	x := tensor.Uniform(r, tensor.Float32, -3, 3, 4, 5).SetRequiresGrad(true)
	x.Tanh().Sum().Backward()
	g := x.Grad()
	if g.DType() != tensor.Float32 {
		t.Fatalf("gradient dtype %v, want float32", g.DType())
	}
	xs, gs := x.Float32s(), g.Float32s()
	for i, v := range xs {
		th := math.Tanh(float64(v))
		if want := 1 - th*th; math.Abs(float64(gs[i])-want) > 1e-6 {
			t.Errorf("gradient at %v = %v, want %v", v, gs[i], want)
		}
	}
}
