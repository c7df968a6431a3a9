package tensor_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestPermuteGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3, 4)) }
	runGradCases(t, []gradCase{
		{"permute", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(2, 0, 1) }, nil},
		{"negative axes", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(-1, -3, -2) }, nil},
		{"identity", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(0, 1, 2) }, nil},
		{"twice", mk, func(x []*tensor.Tensor) *tensor.Tensor {
			return x[0].Permute(1, 2, 0).Permute(2, 0, 1).Permute(0, 2, 1)
		}, nil},
		{"transpose", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Transpose(0, 2) }, nil},
		{"T", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].T() }, nil},
		{"sliced", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(2, 1, 4, 2).Permute(2, 1, 0) }, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 4).T() }, nil},
		{"used twice", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].T().Mul(x[0]) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 2), constIn(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].T()) }, nil},
	})
}

func TestPermuteValues(t *testing.T) {
	x := tensor.Arange(tensor.Float64, 0, 24, 1).Reshape(2, 3, 4)
	// Reference: y[i][j][k] = x[k][i][j] for Permute(1, 2, 0).
	p := x.Permute(1, 2, 0)
	if !slices.Equal(p.Shape(), []int{3, 4, 2}) {
		t.Fatalf("Permute shape %v", p.Shape())
	}
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			for k := 0; k < 2; k++ {
				if p.At(i, j, k) != x.At(k, i, j) {
					t.Fatalf("Permute(1, 2, 0) at %v = %v, want %v", []int{i, j, k}, p.At(i, j, k), x.At(k, i, j))
				}
			}
		}
	}
	if !slices.Equal(p.Strides(), []int{4, 1, 12}) || p.IsContiguous() {
		t.Errorf("Permute strides %v (contiguous %v), want [4 1 12]", p.Strides(), p.IsContiguous())
	}
	m := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	cases := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		{"T", m.T(), tensor.FromSlice([]float32{1, 4, 2, 5, 3, 6}, 3, 2)},
		{"T twice", m.T().T(), m},
		{"Transpose", m.Transpose(0, 1), tensor.FromSlice([]float32{1, 4, 2, 5, 3, 6}, 3, 2)},
		{"Transpose negative", m.Transpose(-1, -2), tensor.FromSlice([]float32{1, 4, 2, 5, 3, 6}, 3, 2)},
		{"Transpose same axis", m.Transpose(1, 1), m},
		{"T batched", x.T().Narrow(0, 1, 1).Narrow(1, 0, 1), tensor.FromSlice([]float64{12, 16, 20}, 1, 1, 3)},
		{"T of 1-D", tensor.FromSlice([]int64{1, 2}).T(), tensor.FromSlice([]int64{1, 2})},
		{"Permute of 0-d", tensor.Scalar(3, tensor.Float32).Permute(), tensor.Scalar(3, tensor.Float32)},
	}
	for _, c := range cases {
		if !tensor.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	// A permutation is a view: writes show through.
	tr := m.T()
	m.Set(10, 1, 0)
	if tr.At(0, 1) != 10 {
		t.Error("T is not a view")
	}
}

func TestPermuteErrors(t *testing.T) {
	x := tensor.Zeros(tensor.Float32, 2, 3, 4)
	mustPanic(t, "tensor.Permute: got 2 axes for 3 dimensions (shapes [2 3 4])", func() { x.Permute(1, 0) })
	mustPanic(t, "tensor.Permute: axis 1 repeated in [1 -2 0] (shapes [2 3 4])", func() { x.Permute(1, -2, 0) })
	mustPanic(t, "tensor.Permute: axis 3 out of range for 3 dimensions (shapes [2 3 4])", func() { x.Permute(0, 1, 3) })
	mustPanic(t, "tensor.Transpose: axis -4 out of range for 3 dimensions (shapes [2 3 4])", func() { x.Transpose(-4, 0) })
}
