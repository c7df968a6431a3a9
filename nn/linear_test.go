package nn_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

func TestLinearForward(t *testing.T) {
	l := nn.NewLinear(rand.New(rand.NewPCG(1, 1)), 3, 2, true)
	l.Weight.CopyFrom(tensor.FromSlice([]float32{1, 2, 3, -1, 0, 1}, 2, 3))
	l.Bias.CopyFrom(tensor.FromSlice([]float32{0.5, -0.5}))
	x := tensor.FromSlice([]float32{1, 1, 1, 2, 0, -1}, 2, 3)
	// Row 1: [1+2+3, -1+0+1] + b; row 2: [2-3, -2-1] + b.
	want := []float32{6.5, -0.5, -0.5, -3.5}
	if got := l.Forward(x).Float32s(); !slices.Equal(got, want) {
		t.Errorf("Forward = %v, want %v", got, want)
	}
	// Leading batch axes are kept.
	y := l.Forward(x.Reshape(1, 2, 3))
	if !slices.Equal(y.Shape(), []int{1, 2, 2}) || !slices.Equal(y.Float32s(), want) {
		t.Errorf("Forward of [1 2 3] = %v", y)
	}
	l.Bias = nil
	if got := l.Forward(x).Float32s(); !slices.Equal(got, []float32{6, 0, -1, -3}) {
		t.Errorf("Forward without bias = %v", got)
	}
	if err := tensor.Try(func() { l.Forward(tensor.Zeros(tensor.Float32, 2, 4)) }); err == nil {
		t.Error("wrong input size did not panic")
	}
}

func TestLinearGrad(t *testing.T) {
	cases := []struct {
		name  string
		bias  bool
		shape []int
	}{
		{"bias", true, []int{4, 3}},
		{"no bias", false, []int{4, 3}},
		{"batched", true, []int{2, 3, 3}},
		{"vector", true, []int{3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(2, 3))
			l := nn.NewLinear(r, 3, 5, c.bias)
			checkModuleGrad(t, l, tensor.Uniform(r, tensor.Float64, -1, 1, c.shape...), nil)
		})
	}
}
