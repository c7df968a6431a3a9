package tensor

import (
	"math/rand/v2"
	"testing"
)

// TestSumContig checks the merged-run sum against the general strided
// reduction for random shapes and reduced axes, including more runs than
// sumContig merges.
func TestSumContig(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for trial := 0; trial < 300; trial++ {
		nd := r.IntN(10)
		shape := make([]int, nd)
		keep := make([]int, nd)
		for i := range shape {
			shape[i] = 1 + r.IntN(3)
			if r.IntN(5) == 0 {
				shape[i] = r.IntN(2) // sizes 0 and 1 too
			}
			keep[i] = shape[i]
			if r.IntN(2) == 0 {
				keep[i] = 1
			}
		}
		n := numel(shape)
		x := make([]int64, n)
		for i := range x {
			x[i] = r.Int64N(1000) - 500
		}
		got := make([]int64, numel(keep))
		want := make([]int64, numel(keep))
		sumContig(got, x, shape, keep)
		reduceInto(want, keep, x, 0, shape, contiguousStrides(shape), func(a, v int64) int64 { return a + v })
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("shape %v keep %v: element %d = %d, want %d", shape, keep, i, got[i], want[i])
			}
		}
	}
}
