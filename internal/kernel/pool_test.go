package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// maxPool2x2Ref is the sequential loop MaxPool2x2 must agree with: per
// window, row by row, keep the first maximum and let a NaN replace
// anything.
func maxPool2x2Ref(y []float32, idx []int64, x []float32, sh, oh, ow, top, width int) {
	for i := 0; i < oh; i++ {
		for j := 0; j < ow; j++ {
			best, bi := float32(math.Inf(-1)), -1
			for dh := 0; dh < 2; dh++ {
				for dw := 0; dw < 2; dw++ {
					v := x[(2*i+dh)*sh+2*j+dw]
					if bi < 0 || v > best || v != v {
						best, bi = v, (2*i+dh)*width+2*j+dw
					}
				}
			}
			y[i*ow+j], idx[i*ow+j] = best, int64(top+bi)
		}
	}
}

// TestMaxPool2x2 runs every path against the reference on planes of many
// widths (whole vectors and masked rests), row strides (with a gap,
// without, overlapping) and values full of ties, signed zeros,
// infinities and NaNs with distinct payloads, checking the
// outputs bit for bit, the indices, and that nothing past the outputs is
// written. x is exactly as long as the windows need.
func TestMaxPool2x2(t *testing.T) {
	negNaN := math.Float32frombits(0xffc00001)
	vals := []float32{float32(math.NaN()), negNaN, float32(math.Copysign(0, -1)), 0, 1, -1, 2,
		float32(math.Inf(-1)), float32(math.Inf(1)), 0.5}
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, ow := range []int{1, 3, 4, 7, 8, 12, 15, 16, 17, 24, 31, 32, 33, 40} {
			for _, oh := range []int{1, 2, 5} {
				for trial := range 4 {
					// Rows with and without a gap, overlapping, all the same.
					sh := []int{2 * ow, 2*ow + 1, ow, 0}[trial]
					x := make([]float32, (2*oh-1)*sh+2*ow)
					for i := range x {
						if trial%2 == 0 {
							x[i] = vals[rng.IntN(len(vals))]
						} else {
							x[i] = vals[2+rng.IntN(len(vals)-2)] // no NaN
						}
					}
					const top, width = 7, 50
					n := oh * ow
					y, idx := make([]float32, n+3), make([]int64, n+3)
					wy, widx := make([]float32, n), make([]int64, n)
					for i := n; i < n+3; i++ {
						y[i], idx[i] = -7, -7
					}
					MaxPool2x2(y, idx, x, sh, oh, ow, top, width)
					maxPool2x2Ref(wy, widx, x, sh, oh, ow, top, width)
					for i := 0; i < n; i++ {
						if math.Float32bits(y[i]) != math.Float32bits(wy[i]) || idx[i] != widx[i] {
							t.Fatalf("ow=%d oh=%d trial %d: output %d = %v at %d, want %v at %d",
								ow, oh, trial, i, y[i], idx[i], wy[i], widx[i])
						}
					}
					for i := n; i < n+3; i++ {
						if y[i] != -7 || idx[i] != -7 {
							t.Fatalf("ow=%d oh=%d trial %d: wrote past the outputs", ow, oh, trial)
						}
					}
				}
			}
		}
	})
}

// TestMaxPool2x2Panics checks that short slices are refused.
func TestMaxPool2x2Panics(t *testing.T) {
	for _, c := range []struct {
		name          string
		ny, ni, nx, s int
	}{
		{"short y", 3, 4, 16, 4},
		{"short idx", 4, 3, 16, 4},
		{"short x", 4, 4, 15, 4},
		{"negative stride", 4, 4, 16, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			MaxPool2x2(make([]float32, c.ny), make([]int64, c.ni), make([]float32, c.nx), c.s, 2, 2, 0, 4)
		})
	}
}
