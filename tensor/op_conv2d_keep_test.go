package tensor

import (
	"math/rand/v2"
	"testing"
)

// TestConvKeepCols checks that a convolution whose forward pass does not
// keep its column matrices (they are rebuilt per chunk of samples for the
// weight gradient) gives the values and gradients of one that keeps them,
// bit for bit, and that both agree with a direct reference loop.
func TestConvKeepCols(t *testing.T) {
	for _, c := range []struct {
		name         string
		n, c, h, o   int
		k, stride, g int
	}{
		{"lenet1", 13, 1, 12, 6, 5, 1, 1},
		{"lenet2", 9, 6, 8, 16, 3, 1, 1},
		{"strided groups", 5, 4, 9, 6, 3, 2, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			run := func(keepMax int) (y, gx, gw, gb []float32) {
				old := convKeepMax
				convKeepMax = keepMax
				defer func() { convKeepMax = old }()
				r := rand.New(rand.NewPCG(3, 4))
				x := Randn(r, Float32, c.n, c.c, c.h, c.h).SetRequiresGrad(true)
				w := Randn(r, Float32, c.o, c.c/c.g, c.k, c.k).SetRequiresGrad(true)
				b := Randn(r, Float32, c.o).SetRequiresGrad(true)
				out := Conv2d(x, w, b, Conv2dOptions{Stride: [2]int{c.stride, c.stride}, Groups: c.g})
				wy := Randn(r, Float32, out.Shape()...)
				out.Mul(wy).Sum().Backward()
				return out.Float32s(), x.Grad().Float32s(), w.Grad().Float32s(), b.Grad().Float32s()
			}
			y0, gx0, gw0, gb0 := run(1 << 40)
			y1, gx1, gw1, gb1 := run(0)
			for _, p := range []struct {
				what string
				a, b []float32
			}{{"y", y0, y1}, {"dx", gx0, gx1}, {"dw", gw0, gw1}, {"db", gb0, gb1}} {
				for i := range p.a {
					if p.a[i] != p.b[i] {
						t.Fatalf("%s[%d] = %v without kept columns, %v with", p.what, i, p.b[i], p.a[i])
					}
				}
			}
			// Reference for dw: Σ over samples and outputs of dy·x.
			r := rand.New(rand.NewPCG(3, 4))
			x := Randn(r, Float32, c.n, c.c, c.h, c.h).Float32s()
			Randn(r, Float32, c.o, c.c/c.g, c.k, c.k)
			Randn(r, Float32, c.o)
			oh := (c.h-c.k)/c.stride + 1
			dy := Randn(r, Float32, c.n, c.o, oh, oh).Float32s()
			cg, og := c.c/c.g, c.o/c.g
			for o := 0; o < c.o; o++ {
				for ci := 0; ci < cg; ci++ {
					for kh := 0; kh < c.k; kh++ {
						for kw := 0; kw < c.k; kw++ {
							var want float64
							for n := 0; n < c.n; n++ {
								for i := 0; i < oh; i++ {
									for j := 0; j < oh; j++ {
										xc := (o/og)*cg + ci
										xv := x[((n*c.c+xc)*c.h+i*c.stride+kh)*c.h+j*c.stride+kw]
										want += float64(dy[((n*c.o+o)*oh+i)*oh+j]) * float64(xv)
									}
								}
							}
							got := gw1[((o*cg+ci)*c.k+kh)*c.k+kw]
							if d := float64(got) - want; d > 1e-3 || d < -1e-3 {
								t.Fatalf("dw[%d,%d,%d,%d] = %v, want %v", o, ci, kh, kw, got, want)
							}
						}
					}
				}
			}
		})
	}
}
