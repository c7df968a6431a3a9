package nn_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

func TestEmbeddingLookup(t *testing.T) {
	e := nn.NewEmbedding(rand.New(rand.NewPCG(1, 1)), 4, 2, -1)
	e.Weight.CopyFrom(tensor.FromSlice([]float32{0, 1, 10, 11, 20, 21, 30, 31}, 4, 2))
	x := tensor.FromSlice([]int64{3, 0, 1, 3, 2, 2}, 2, 3)
	y := e.Forward(x)
	if !slices.Equal(y.Shape(), []int{2, 3, 2}) {
		t.Fatalf("shape %v, want [2 3 2]", y.Shape())
	}
	want := []float32{30, 31, 0, 1, 10, 11, 30, 31, 20, 21, 20, 21}
	if !slices.Equal(y.Float32s(), want) {
		t.Errorf("Forward = %v, want %v", y.Float32s(), want)
	}
	// The gradient of a row counts how often it was used.
	y.Sum().Backward()
	if got := e.Weight.Grad().Float32s(); !slices.Equal(got, []float32{1, 1, 1, 1, 2, 2, 2, 2}) {
		t.Errorf("weight gradient %v", got)
	}
	// A scalar index gives one vector.
	if got := e.Forward(tensor.FromSlice([]int64{2}).Reshape()); !slices.Equal(got.Shape(), []int{2}) {
		t.Errorf("0-d index: shape %v", got.Shape())
	}
	for name, f := range map[string]func(){
		"out of range": func() { e.Forward(tensor.FromSlice([]int64{4})) },
		"negative":     func() { e.Forward(tensor.FromSlice([]int64{-1})) },
		"float input":  func() { e.Forward(tensor.Zeros(tensor.Float32, 2)) },
		"bad padding":  func() { nn.NewEmbedding(rand.New(rand.NewPCG(1, 1)), 4, 2, 4) },
	} {
		if err := tensor.Try(f); err == nil {
			t.Errorf("%s: no panic", name)
		}
	}
}

func TestEmbeddingPadding(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	e := nn.NewEmbedding(r, 5, 3, 1)
	w := e.Weight.Float32s()
	if !slices.Equal(w[3:6], []float32{0, 0, 0}) {
		t.Errorf("padding row initialized to %v, want zeros", w[3:6])
	}
	// The other rows are N(0, 1) draws: not zero.
	for i, v := range w {
		if (i < 3 || i >= 6) && v == 0 {
			t.Errorf("element %d is zero", i)
		}
	}
	// A non-zero padding row is looked up as it is but gets no gradient.
	e.Weight.Detach().Narrow(0, 1, 1).CopyFrom(tensor.FromSlice([]float32{7, 8, 9}))
	x := tensor.FromSlice([]int64{1, 2, 1, 0})
	y := e.Forward(x)
	if got := y.Float32s()[:3]; !slices.Equal(got, []float32{7, 8, 9}) {
		t.Errorf("padding row looked up as %v", got)
	}
	y.Sum().Backward()
	want := []float32{1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0}
	if got := e.Weight.Grad().Float32s(); !slices.Equal(got, want) {
		t.Errorf("gradient %v, want %v", got, want)
	}
}

func TestEmbeddingGrad(t *testing.T) {
	for _, pad := range []int{-1, 0, 2} {
		r := rand.New(rand.NewPCG(3, uint64(pad+1)))
		e := nn.NewEmbedding(r, 4, 3, pad)
		x := tensor.FromSlice([]int64{0, 2, 2, 3, 1, 0}, 3, 2)
		if pad < 0 {
			checkModuleGrad(t, e, x, nil)
		} else {
			// The output depends on the padding row but, by design, its
			// gradient is zero, which a numerical check cannot confirm:
			// check the lookups of the other rows numerically, and that
			// the padding row gets a zero gradient.
			other := []int64{}
			for _, v := range x.Int64s() {
				if v != int64(pad) {
					other = append(other, v)
				}
			}
			checkModuleGrad(t, e, tensor.FromSlice(other), nil)
			nn.ZeroGrad(e)
			nn.ZeroGrad(e)
			y := e.Forward(x)
			y.Mul(y).Sum().Backward()
			g := e.Weight.Grad()
			for j := 0; j < 3; j++ {
				if v := g.At(pad, j); v != 0 {
					t.Errorf("padding %d: gradient of the padding row %v", pad, g)
				}
			}
		}
	}
}
