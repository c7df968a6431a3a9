package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// joinParts combines split parts into one tensor so that every part
// contributes to the checked output, each with its own weight.
func joinParts(parts []*tensor.Tensor, axis int) *tensor.Tensor {
	scaled := make([]*tensor.Tensor, len(parts))
	for i, p := range parts {
		scaled[i] = p.MulScalar(float64(i + 1))
	}
	return tensor.Concat(scaled, axis)
}

func TestSplitGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 5, 4)) }
	runGradCases(t, []gradCase{
		{"split uneven", mk, func(x []*tensor.Tensor) *tensor.Tensor { return joinParts(x[0].Split(2, 0), 0) }, nil},
		{"split last axis", mk, func(x []*tensor.Tensor) *tensor.Tensor { return joinParts(x[0].Split(3, -1), 1) }, nil},
		{"one part used", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Split(2, 0)[1] }, nil},
		{"sizes", mk, func(x []*tensor.Tensor) *tensor.Tensor { return joinParts(x[0].SplitSizes([]int{1, 0, 3, 1}, 0), 0) }, nil},
		{"chunk", mk, func(x []*tensor.Tensor) *tensor.Tensor { return joinParts(x[0].Chunk(3, 0), 0) }, nil},
		{"transposed", mk, func(x []*tensor.Tensor) *tensor.Tensor { return joinParts(x[0].T().Chunk(2, 1), 1) }, nil},
		{"parts used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor {
			p := x[0].Split(2, 1)
			return p[0].Mul(p[1]).Add(p[0])
		}, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 1, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return joinParts(x[0].Expand(3, 4).Split(2, 0), 0) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 4), constIn(r, -1, 1, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { p := x[1].Split(2, 0); return x[0].Split(2, 0)[0].Mul(p[1]) }, nil},
	})
}

func TestSplitValues(t *testing.T) {
	x := tensor.Arange(tensor.Float64, 0, 10, 1).Reshape(5, 2)
	check := func(name string, parts []*tensor.Tensor, want [][]float64, axis int) {
		t.Helper()
		if len(parts) != len(want) {
			t.Fatalf("%s: %d parts, want %d", name, len(parts), len(want))
		}
		for i, p := range parts {
			shape := x.Shape()
			shape[axis] = len(want[i]) / (x.Numel() / x.Size(axis))
			if w := tensor.FromSlice(want[i], shape...); !tensor.Equal(p, w) {
				t.Errorf("%s part %d: got %v, want %v", name, i, p, w)
			}
		}
	}
	check("Split(2, 0)", x.Split(2, 0), [][]float64{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}, 0)
	check("Split(5, 0)", x.Split(5, 0), [][]float64{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}, 0)
	check("Split(7, 0)", x.Split(7, 0), [][]float64{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}, 0)
	check("Split(1, 1)", x.Split(1, 1), [][]float64{{0, 2, 4, 6, 8}, {1, 3, 5, 7, 9}}, 1)
	check("SplitSizes", x.SplitSizes([]int{1, 4}, 0), [][]float64{{0, 1}, {2, 3, 4, 5, 6, 7, 8, 9}}, 0)
	check("SplitSizes with 0", x.SplitSizes([]int{0, 2}, -1), [][]float64{{}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}, 1)
	// torch.chunk: 5 rows into 4 chunks gives sizes 2, 2, 1 (three chunks).
	check("Chunk(4, 0)", x.Chunk(4, 0), [][]float64{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}, 0)
	check("Chunk(2, 0)", x.Chunk(2, 0), [][]float64{{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9}}, 0)
	check("Chunk(5, 0)", x.Chunk(5, 0), [][]float64{{0, 1}, {2, 3}, {4, 5}, {6, 7}, {8, 9}}, 0)
	check("Chunk(9, 1)", x.Chunk(9, 1), [][]float64{{0, 2, 4, 6, 8}, {1, 3, 5, 7, 9}}, 1)

	// The parts are views: a write to x shows through.
	parts := x.Split(2, 0)
	x.Set(42, 3, 1)
	if got := parts[1].At(1, 1); got != 42 {
		t.Errorf("Split part is not a view of x: got %v after writing 42", got)
	}
	// An empty axis gives one empty part for Split and n for Chunk, as torch.
	e := tensor.Zeros(tensor.Float32, 0, 3)
	if p := e.Split(2, 0); len(p) != 1 || p[0].Numel() != 0 {
		t.Errorf("Split of an empty axis: %d parts", len(p))
	}
	if p := e.Chunk(3, 0); len(p) != 3 || p[2].Size(0) != 0 {
		t.Errorf("Chunk of an empty axis: %d parts", len(p))
	}
}

func TestSplitErrors(t *testing.T) {
	x := tensor.Zeros(tensor.Float32, 4, 3)
	mustPanic(t, "tensor.Split: split size must be positive, got 0 (shapes [4 3])", func() { x.Split(0, 0) })
	mustPanic(t, "tensor.Split: axis 2 out of range for 2 dimensions (shapes [4 3])", func() { x.Split(1, 2) })
	mustPanic(t, "tensor.SplitSizes: sizes [1 2] add up to 3, axis 0 has size 4 (shapes [4 3])", func() {
		x.SplitSizes([]int{1, 2}, 0)
	})
	mustPanic(t, "tensor.SplitSizes: negative size -1 in [5 -1] (shapes [4 3])", func() { x.SplitSizes([]int{5, -1}, 0) })
	mustPanic(t, "tensor.Chunk: number of chunks must be positive, got 0 (shapes [4 3])", func() { x.Chunk(0, 1) })
}
