package nn_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

// standardizeRows returns each row of the n×k values v standardized
// (biased variance) then scaled by w and shifted by b, by loops.
func standardizeRows(v []float64, k int, w, b []float64, eps float64) []float64 {
	out := make([]float64, len(v))
	for s := 0; s < len(v); s += k {
		row := v[s : s+k]
		m, q := 0.0, 0.0
		for _, x := range row {
			m += x
		}
		m /= float64(k)
		for _, x := range row {
			q += (x - m) * (x - m)
		}
		q /= float64(k)
		for j, x := range row {
			out[s+j] = (x-m)/math.Sqrt(q+eps)*w[j] + b[j]
		}
	}
	return out
}

func TestLayerNorm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	l := nn.NewLayerNorm([]int{3, 4}, 1e-3, true)
	if got := names(nn.StateDict(l)); !slices.Equal(got, []string{"weight", "bias"}) {
		t.Fatalf("state dict %v", got)
	}
	nn.ToDType(l, tensor.Float64)
	nn.Uniform(r, l.Weight, 0.5, 1.5)
	nn.Uniform(r, l.Bias, -1, 1)
	x := tensor.Uniform(r, tensor.Float64, -2, 3, 2, 5, 3, 4)
	want := standardizeRows(x.Float64s(), 12, l.Weight.Float64s(), l.Bias.Float64s(), 1e-3)
	if !closeSlices(l.Forward(x).Float64s(), want, 1e-12) {
		t.Error("LayerNorm output differs from the loop reference")
	}
	// Training and evaluation mode agree (no running statistics).
	if len(nn.NamedBuffers(l)) != 0 {
		t.Error("LayerNorm has buffers")
	}
	checkModuleGrad(t, l, x.Narrow(1, 0, 2), nil)

	plain := nn.NewLayerNorm([]int{4}, 1e-5, false)
	if plain.Weight != nil || len(nn.StateDict(plain)) != 0 {
		t.Error("LayerNorm without affine has parameters")
	}
	x = tensor.Uniform(r, tensor.Float64, -2, 3, 3, 4)
	nn.ToDType(plain, tensor.Float64)
	want = standardizeRows(x.Float64s(), 4, []float64{1, 1, 1, 1}, []float64{0, 0, 0, 0}, 1e-5)
	if !closeSlices(plain.Forward(x).Float64s(), want, 1e-12) {
		t.Error("LayerNorm without affine differs from the loop reference")
	}
	checkModuleGrad(t, plain, x, nil)

	for name, f := range map[string]func(){
		"wrong trailing": func() { l.Forward(tensor.Ones(tensor.Float64, 2, 4, 3)) },
		"too few dims":   func() { l.Forward(tensor.Ones(tensor.Float64, 4)) },
		"empty shape":    func() { nn.NewLayerNorm(nil, 1e-5, true) },
		"int input":      func() { plain.Forward(tensor.Ones(tensor.Int64, 2, 4)) },
	} {
		if err := tensor.Try(f); err == nil {
			t.Errorf("%s: no panic", name)
		}
	}
}
