package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/internal/kernel"
)

// TestConvWeightGradWindowed checks the float32 weight gradient computed
// from the input itself (wgradWindowed: kernel.DotAcc over the output
// rows) against the same gradient in float64 on the GEMM path, for
// LeNet-5's first layer and other shapes that take the windowed path,
// including an input read through strides, and checks that on a path
// without DotAcc's vector kernel the column-matrix route gives the same
// values within rounding.
func TestConvWeightGradWindowed(t *testing.T) {
	cases := []struct {
		n, c, h, w, o, kh, kw int
		strided               bool // x is a narrowed view: rows and samples farther apart than its shape says
	}{
		{64, 1, 28, 28, 6, 5, 5, false},
		{3, 2, 20, 21, 4, 3, 4, false},
		{9, 1, 18, 33, 7, 2, 3, true},
		{1, 3, 16, 16, 10, 1, 1, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(c.n)))
			x := Randn(r, Float32, c.n, c.c, c.h, c.w+3)
			if c.strided {
				x = x.Narrow(3, 2, c.w)
			} else {
				x = x.Narrow(3, 0, c.w).Contiguous()
			}
			w := Randn(r, Float32, c.o, c.c, c.kh, c.kw)
			b := Randn(r, Float32, c.o)
			wy := Randn(r, Float32, c.n, c.o, c.h-c.kh+1, c.w-c.kw+1)
			grad := func(dt DType) []float64 {
				xv := x.To(dt).Detach().SetRequiresGrad(true)
				wv := w.To(dt).Detach().SetRequiresGrad(true)
				bv := b.To(dt).Detach().SetRequiresGrad(true)
				if dt == Float32 && c.strided {
					xv = x.Detach().SetRequiresGrad(true) // keep the strides
				}
				Conv2d(xv, wv, bv, Conv2dOptions{}).Mul(wy.To(dt)).Sum().Backward()
				return wv.Grad().To(Float64).Float64s()
			}
			if kernel.DotAccFast() {
				a := convArgs{op: "Conv2d", nd: 2, stride: []int{0, 0}, pad: []int{0, 0}, dil: []int{0, 0}}
				s, _ := a.prepare(x, w, b)
				if !s.wgradWindowed(x) {
					t.Fatal("the case does not take the windowed path")
				}
			}
			want := grad(Float64)
			check := func(name string, got []float64) {
				t.Helper()
				// Each element sums n·oh·ow products of O(1) values.
				tol := 1e-6 * float64(c.n*c.h*c.w)
				for i := range want {
					if math.Abs(got[i]-want[i]) > tol {
						t.Fatalf("%s: dw[%d] = %v, want %v (tolerance %g)", name, i, got[i], want[i], tol)
					}
				}
			}
			check(kernel.CurrentPath().String(), grad(Float32))
			for _, p := range kernel.Paths() {
				if p == kernel.PathAVX512 {
					continue
				}
				restore := kernel.SetPath(p)
				check(p.String(), grad(Float32))
				restore()
			}
		})
	}
}
