package nn_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

func TestGroupNorm(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	cases := []struct {
		groups int
		shape  []int
		affine bool
	}{
		{2, []int{2, 4, 3, 3}, true},
		{1, []int{3, 3, 5}, true},
		{3, []int{2, 3, 4}, false},
		{2, []int{4, 6}, true},
	}
	for _, c := range cases {
		g := nn.NewGroupNorm(c.groups, c.shape[1], 1e-5, c.affine)
		nn.ToDType(g, tensor.Float64)
		ch := c.shape[1]
		w, b := slicesOf(ch, 1), slicesOf(ch, 0)
		if c.affine {
			nn.Uniform(r, g.Weight, 0.5, 1.5)
			nn.Uniform(r, g.Bias, -1, 1)
			w, b = g.Weight.Float64s(), g.Bias.Float64s()
		}
		x := tensor.Uniform(r, tensor.Float64, -2, 3, c.shape...)
		// Reference: standardize each (sample, group) block, then apply
		// the per-channel weight and bias.
		inner := x.Numel() / (c.shape[0] * ch)
		block := ch / c.groups * inner
		want := standardizeRows(x.Float64s(), block, slicesOf(block, 1), slicesOf(block, 0), 1e-5)
		for i := range want {
			k := (i / inner) % ch
			want[i] = want[i]*w[k] + b[k]
		}
		if !closeSlices(g.Forward(x).Float64s(), want, 1e-12) {
			t.Errorf("groups %d shape %v: output differs from the loop reference", c.groups, c.shape)
		}
		checkModuleGrad(t, g, x, nil)
	}
	for name, f := range map[string]func(){
		"groups do not divide": func() { nn.NewGroupNorm(4, 6, 1e-5, true) },
		"wrong channels":       func() { nn.NewGroupNorm(2, 4, 1e-5, true).Forward(tensor.Ones(tensor.Float32, 2, 6, 3)) },
		"1-d input":            func() { nn.NewGroupNorm(2, 4, 1e-5, true).Forward(tensor.Ones(tensor.Float32, 4)) },
	} {
		if err := tensor.Try(f); err == nil {
			t.Errorf("%s: no panic", name)
		}
	}
}

func slicesOf(n int, v float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}
