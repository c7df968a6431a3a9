package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// dotRef is DotAcc's sum for element (i, j) in float64, with the sum of
// the absolute products for the error bound.
func dotRef(i, j, rows, p int, a []float32, lda, ra int, b []float32, ldb, rb int) (s, abs float64) {
	for r := 0; r < rows; r++ {
		for q := 0; q < p; q++ {
			v := float64(a[i*lda+r*ra+q]) * float64(b[j*ldb+r*rb+q])
			s += v
			abs += math.Abs(v)
		}
	}
	return s, abs
}

func TestDotAcc(t *testing.T) {
	type shape struct{ m, n, rows, p, lda, ra, ldb, rb, ldc int }
	var cases []shape
	// Every tile and edge combination, tails of the 16-lane vectors, and
	// the shapes of a LeNet-5 weight gradient: per kernel row of conv1
	// (6 filters, 5 taps, 24 output rows of 24, image rows of 28, ldb 1)
	// and a column-matrix product (rows 1, K 576).
	for _, m := range []int{1, 2, 3, 4, 5, 6, 9} {
		for _, n := range []int{1, 2, 4, 5, 6, 7, 11} {
			for _, p := range []int{1, 7, 15, 16, 17, 24, 40} {
				cases = append(cases, shape{m, n, 1, p, p + 3, 0, p + 1, 0, n + 2})
			}
		}
	}
	cases = append(cases,
		shape{6, 5, 24, 24, 576, 24, 1, 28, 25},
		shape{16, 5, 8, 8, 64, 8, 1, 12, 150},
		shape{6, 25, 1, 576, 576, 0, 576, 0, 25},
		shape{3, 4, 5, 33, 200, 40, 7, 35, 9},
		shape{4, 5, 3, 16, 0, 16, 0, 16, 5}, // zero strides: repeated rows
	)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, path := range Paths() {
		restore := SetPath(path)
		for _, s := range cases {
			name := fmt.Sprintf("%v/%+v", path, s)
			la := (s.m-1)*s.lda + (s.rows-1)*s.ra + s.p
			lb := (s.n-1)*s.ldb + (s.rows-1)*s.rb + s.p
			a, b := make([]float32, la), make([]float32, lb)
			for i := range a {
				a[i] = float32(rng.NormFloat64())
			}
			for i := range b {
				b[i] = float32(rng.NormFloat64())
			}
			const off = 3
			cbuf := make([]float32, off+(s.m-1)*s.ldc+s.n+5)
			for i := range cbuf {
				cbuf[i] = ewGuard
			}
			c := cbuf[off : off+(s.m-1)*s.ldc+s.n]
			c0 := make([]float32, len(c))
			for i := 0; i < s.m; i++ {
				for j := 0; j < s.n; j++ {
					c[i*s.ldc+j] = float32(rng.NormFloat64())
					c0[i*s.ldc+j] = c[i*s.ldc+j]
				}
			}
			DotAcc(s.m, s.n, s.rows, s.p, a, s.lda, s.ra, b, s.ldb, s.rb, c, s.ldc)
			for k, v := range cbuf {
				in := k >= off && k < off+len(c) && (k-off)%s.ldc < s.n
				if s.ldc < s.n {
					in = k >= off && k < off+len(c)
				}
				if !in && math.Float32bits(v) != math.Float32bits(ewGuard) {
					t.Fatalf("%s: element %d outside the block changed to %v", name, k-off, v)
				}
			}
			for i := 0; i < s.m; i++ {
				for j := 0; j < s.n; j++ {
					want, abs := dotRef(i, j, s.rows, s.p, a, s.lda, s.ra, b, s.ldb, s.rb)
					want += float64(c0[i*s.ldc+j])
					got := float64(c[i*s.ldc+j])
					// float32 sums of rows·p products: error below
					// (terms)·2⁻²⁴ of the sum of magnitudes.
					tol := float64(s.rows*s.p+2) * 0x1p-24 * (abs + math.Abs(float64(c0[i*s.ldc+j])))
					if math.Abs(got-want) > tol {
						t.Fatalf("%s: c[%d,%d] = %v, want %v (tolerance %g)", name, i, j, got, want, tol)
					}
				}
			}
		}
		restore()
	}
}

// TestDotAccSpecials checks that NaN and infinities reach the sums on
// every path, in the vector body and in the masked tail, and that the
// lanes a tail does not cover are not read into the sum.
func TestDotAccSpecials(t *testing.T) {
	for _, path := range Paths() {
		restore := SetPath(path)
		for _, p := range []int{5, 16, 21} {
			for _, pos := range []int{0, p - 1} {
				for _, v := range []float32{float32(math.NaN()), float32(math.Inf(1))} {
					// The operands are followed by a NaN the kernel must
					// not read.
					a := make([]float32, p+1)
					b := make([]float32, p+1)
					for i := 0; i < p; i++ {
						a[i], b[i] = 1, 2
					}
					a[p], b[p] = float32(math.NaN()), float32(math.NaN())
					c := []float32{0}
					DotAcc(1, 1, 1, p, a[:p], 0, 0, b[:p], 0, 0, c, 1)
					if c[0] != float32(2*p) {
						t.Fatalf("%v p=%d: plain sum %v, want %v", path, p, c[0], 2*p)
					}
					a[pos] = v
					c[0] = 0
					DotAcc(1, 1, 1, p, a[:p], 0, 0, b[:p], 0, 0, c, 1)
					if !(math.IsNaN(float64(c[0])) && math.IsNaN(float64(v)) || math.IsInf(float64(c[0]), 1) && math.IsInf(float64(v), 1)) {
						t.Fatalf("%v p=%d pos=%d: %v in a gives %v", path, p, pos, v, c[0])
					}
				}
			}
		}
		restore()
	}
}

func TestDotAccPanics(t *testing.T) {
	s := make([]float32, 100)
	for name, f := range map[string]func(){
		"negative": func() { DotAcc(-1, 1, 1, 1, s, 1, 1, s, 1, 1, s, 1) },
		"short a":  func() { DotAcc(2, 1, 1, 60, s, 50, 0, s, 1, 1, s, 1) },
		"short b":  func() { DotAcc(1, 2, 2, 10, s, 1, 1, s, 1, 95, s, 1) },
		"short c":  func() { DotAcc(2, 3, 1, 1, s, 1, 1, s, 1, 1, s[:4], 2) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.HasPrefix(fmt.Sprint(r), "kernel: DotAcc: ") {
					t.Fatalf("panic %v, want a DotAcc message", r)
				}
			}()
			f()
		})
	}
	// Empty sizes are no-ops, even with short slices.
	DotAcc(0, 5, 5, 5, nil, 1, 1, nil, 1, 1, nil, 1)
}

// BenchmarkDotAcc times the weight gradient of LeNet-5's first
// convolution for one 28×28 image (6 filters of 5×5, 24×24 outputs): with
// DotAcc over the image itself (windowed, no column matrix), with DotAcc
// over the 25×576 column matrix, and with the transposed GEMM the
// column-matrix route uses (dwᵀ = col·dyᵀ).
//
//	go test ./internal/kernel -run '^$' -bench DotAcc -cpu 1
func BenchmarkDotAcc(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	fill := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
		return s
	}
	dy, x, col, dw := fill(6*576), fill(28*28), fill(25*576), make([]float32, 150)
	flops := 2 * 6 * 25 * 576.0
	report := func(b *testing.B) {
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
	b.Run("windowed", func(b *testing.B) {
		for b.Loop() {
			for kh := 0; kh < 5; kh++ {
				DotAcc(6, 5, 24, 24, dy, 576, 24, x[kh*28:], 1, 28, dw[kh*5:], 25)
			}
		}
		report(b)
	})
	b.Run("cols", func(b *testing.B) {
		for b.Loop() {
			DotAcc(6, 25, 1, 576, dy, 576, 0, col, 576, 0, dw, 25)
		}
		report(b)
	})
	b.Run("gemm", func(b *testing.B) {
		for b.Loop() {
			Gemm(false, true, 25, 6, 576, 1, col, 576, dy, 576, 1, dw, 6)
		}
		report(b)
	})
}
