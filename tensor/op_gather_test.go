package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestGatherGrad(t *testing.T) {
	// Repeated indices along each axis, so the gradient must accumulate.
	idx0 := tensor.FromSlice([]int64{2, 0, 2, 1, 2, 2, 0, 0}, 2, 4)
	idx1 := tensor.FromSlice([]int64{3, 3, 0, 1, 2, 0}, 3, 2)
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 4)) }
	runGradCases(t, []gradCase{
		{"axis 0", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Gather(0, idx0) }, nil},
		{"axis 1", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Gather(1, idx1) }, nil},
		{"axis -1 smaller index", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Gather(-1, idx1.Narrow(0, 1, 2)) }, nil},
		{"transposed input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 4, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].T().Gather(1, idx1) }, nil},
		{"strided index", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Gather(0, idx0.T()) }, nil},
		{"broadcast input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 1, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 4).Gather(0, idx0) }, nil},
		{"used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Gather(1, idx1).Mul(x[0].Narrow(1, 0, 2)) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 2), constIn(r, -1, 1, 3, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].Gather(1, idx1)) }, nil},
	})
	runSecondCases(t, []gradCase{
		{"squared", mk, func(x []*tensor.Tensor) *tensor.Tensor { y := x[0].Gather(0, idx0); return y.Mul(y) }, nil},
		{"times input", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Gather(1, idx1).Mul(x[0].Narrow(1, 1, 2)) }, nil},
	})
}

func TestGatherValues(t *testing.T) {
	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	cases := []struct {
		name      string
		got, want *tensor.Tensor
	}{
		// torch.gather(x, 1, [[2, 0], [1, 1]]) = [[3, 1], [5, 5]].
		{"axis 1", x.Gather(1, tensor.FromSlice([]int64{2, 0, 1, 1}, 2, 2)), tensor.FromSlice([]float32{3, 1, 5, 5}, 2, 2)},
		// torch.gather(x, 0, [[1, 0, 1]]) = [[4, 2, 6]].
		{"axis 0", x.Gather(0, tensor.FromSlice([]int64{1, 0, 1}, 1, 3)), tensor.FromSlice([]float32{4, 2, 6}, 1, 3)},
		{"more rows than input", x.Gather(0, tensor.FromSlice([]int64{1, 0, 0, 1}, 4, 1)), tensor.FromSlice([]float32{4, 1, 1, 4}, 4, 1)},
		{"transposed", x.T().Gather(1, tensor.FromSlice([]int64{1, 0, 1}, 3, 1)), tensor.FromSlice([]float32{4, 2, 6}, 3, 1)},
		{"int64", tensor.FromSlice([]int64{7, 8, 9}).Gather(0, tensor.FromSlice([]int64{2, 2, 0})), tensor.FromSlice([]int64{9, 9, 7})},
		{"empty index", x.Gather(1, tensor.Zeros(tensor.Int64, 2, 0)), tensor.Zeros(tensor.Float32, 2, 0)},
		{"scalar", tensor.Scalar(5, tensor.Float64).Gather(0, tensor.Scalar(0, tensor.Int64)), tensor.Scalar(5, tensor.Float64)},
	}
	for _, c := range cases {
		if !tensor.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

// TestGatherReference compares a 3-D Gather along each axis with the
// defining loop, on a permuted input.
func TestGatherReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	x := tensor.Randn(r, tensor.Float64, 5, 4, 3).Permute(1, 2, 0) // [4 3 5]
	xs := x.Shape()
	for axis := 0; axis < 3; axis++ {
		is := []int{3, 2, 4}
		idx := tensor.RandInt(r, 0, int64(xs[axis]), is...)
		got := x.Gather(axis, idx)
		for i := 0; i < is[0]; i++ {
			for j := 0; j < is[1]; j++ {
				for k := 0; k < is[2]; k++ {
					src := []int{i, j, k}
					src[axis] = int(idx.At(i, j, k))
					if g, w := got.At(i, j, k), x.At(src...); g != w {
						t.Fatalf("axis %d at %v: got %v, want %v", axis, []int{i, j, k}, g, w)
					}
				}
			}
		}
	}
}

func TestGatherErrors(t *testing.T) {
	x := tensor.Zeros(tensor.Float32, 2, 3)
	mustPanic(t, "tensor.Gather: index 3 out of range for axis 1 of size 3 (shapes [2 3], [2 1])", func() {
		x.Gather(1, tensor.FromSlice([]int64{0, 3}, 2, 1))
	})
	mustPanic(t, "tensor.Gather: index -1 out of range for axis 0 of size 2 (shapes [2 3], [1 1])", func() {
		x.Gather(0, tensor.FromSlice([]int64{-1}, 1, 1))
	})
	mustPanic(t, "tensor.Gather: index has 1 dimensions, tensor has 2 (shapes [2 3], [2])", func() {
		x.Gather(1, tensor.FromSlice([]int64{0, 1}))
	})
	mustPanic(t, "tensor.Gather: index has size 3 at dimension 0, larger than the tensor's 2 (shapes [2 3], [3 1])", func() {
		x.Gather(1, tensor.Zeros(tensor.Int64, 3, 1))
	})
	mustPanic(t, "tensor.Gather: index must have dtype int64, not float32 (shapes [2 3], [2 3])", func() {
		x.Gather(1, x)
	})
}
