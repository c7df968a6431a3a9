package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestMaximumGrad(t *testing.T) {
	runGradCases(t, binaryGradCases((*tensor.Tensor).Maximum, -1, 1, -1, 1))
	runGradCases(t, []gradCase{
		{"times an operand", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3), in(r, -1, 1, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Maximum(x[1]).Mul(x[0]) }, nil},
	})
	checkSecondUnary(t, func(x *tensor.Tensor) *tensor.Tensor {
		return x.Maximum(tensor.FromSlice([]float64{0.2, -0.3, 0.1})).Mul(x.Exp())
	}, -1, 1, 0.2, -0.3, 0.1)
}

// checkExtremeGrads runs f (Maximum or Minimum) on a and b and compares the
// result and both gradients with the wanted values.
func checkExtremeGrads(t *testing.T, f func(a, b *tensor.Tensor) *tensor.Tensor, a, b []float64, y, ga, gb []float64) {
	t.Helper()
	ta := tensor.FromSlice(a).SetRequiresGrad(true)
	tb := tensor.FromSlice(b).SetRequiresGrad(true)
	out := f(ta, tb)
	out.Sum().Backward()
	for _, c := range []struct {
		name      string
		got, want []float64
	}{{"result", out.Detach().Float64s(), y}, {"gradient of a", ta.Grad().Float64s(), ga}, {"gradient of b", tb.Grad().Float64s(), gb}} {
		for i := range c.want {
			if !closeTo(c.got[i], c.want[i], 0) {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				break
			}
		}
	}
}

func TestMaximumValues(t *testing.T) {
	nan := math.NaN()
	// PyTorch 1.13.1: ties split the gradient, a NaN gives it to both.
	checkExtremeGrads(t, (*tensor.Tensor).Maximum,
		[]float64{1, 2, nan, 3, -1}, []float64{1, 3, 1, nan, -2},
		[]float64{1, 3, nan, nan, -1}, []float64{0.5, 0, 1, 1, 1}, []float64{0.5, 1, 1, 1, 0})
	got := tensor.FromSlice([]int64{1, 5, -3}).Maximum(tensor.FromSlice([]int64{2}))
	if want := tensor.FromSlice([]int64{2, 5, 2}); !tensor.Equal(got, want) {
		t.Errorf("int64: got %v, want %v", got, want)
	}
	got = tensor.FromSlice([]float32{1, 5, -3, 2}, 2, 2).Maximum(tensor.FromSlice([]float32{2, 0}, 2, 1))
	if want := tensor.FromSlice([]float32{2, 5, 0, 2}, 2, 2); !tensor.Equal(got, want) {
		t.Errorf("float32 broadcast: got %v, want %v", got, want)
	}
}
