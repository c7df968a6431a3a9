package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestMatMulGrad(t *testing.T) {
	mm := func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MatMul(x[1]) }
	cases := []struct {
		name   string
		sa, sb []int
	}{
		{"dot", []int{4}, []int{4}},
		{"vec-mat", []int{3}, []int{3, 2}},
		{"mat-vec", []int{2, 3}, []int{3}},
		{"mat-mat", []int{2, 3}, []int{3, 4}},
		{"batched", []int{2, 2, 3}, []int{2, 3, 4}},
		{"broadcast batch", []int{2, 1, 2, 3}, []int{3, 3, 2}},
		{"batched-vec", []int{2, 2, 3}, []int{3}},
		{"vec-batched", []int{3}, []int{2, 3, 2}},
	}
	var gc []gradCase
	for _, c := range cases {
		gc = append(gc, gradCase{c.name, func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, c.sa...), in(r, -1, 1, c.sb...))
		}, mm, nil})
	}
	gc = append(gc,
		gradCase{"transposed operands", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 2), in(r, -1, 1, 4, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].T().MatMul(x[1].T()) }, nil},
		gradCase{"strided operand", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 4, 6), in(r, -1, 1, 3, 2)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(1, 0, 6, 2).MatMul(x[1]) }, nil},
		gradCase{"used twice", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MatMul(x[0]) }, nil},
		gradCase{"no grad weight", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3), constIn(r, -1, 1, 3, 2)) },
			mm, nil},
	)
	runGradCases(t, gc)
}

func TestMatMulValues(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {17, 33, 9}, {70, 300, 130}, {5, 0, 4}} {
		m, k, n := sz[0], sz[1], sz[2]
		a := tensor.Randn(r, tensor.Float64, m, k)
		b := tensor.Randn(r, tensor.Float64, k, n)
		got := a.MatMul(b)
		want := make([]float64, m*n)
		av, bv := a.Float64s(), b.Float64s()
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				for p := 0; p < k; p++ {
					want[i*n+j] += av[i*k+p] * bv[p*n+j]
				}
			}
		}
		if !tensor.AllClose(got, tensor.FromSlice(want, m, n), 1e-12, 1e-12) {
			t.Fatalf("%v: matmul differs from the reference loop", sz)
		}
		// Transposed storage must give the same product.
		got2 := a.T().Contiguous().T().MatMul(b.T().Contiguous().T())
		if !tensor.AllClose(got2, got, 1e-12, 1e-12) {
			t.Fatalf("%v: transposed operands give a different product", sz)
		}
	}
}

func TestMatMulErrors(t *testing.T) {
	mustPanic(t, "tensor.MatMul: inner sizes differ: 3 columns vs 4 rows (shapes [2 3], [4 5])", func() {
		tensor.Zeros(tensor.Float32, 2, 3).MatMul(tensor.Zeros(tensor.Float32, 4, 5))
	})
}
