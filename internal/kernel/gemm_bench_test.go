package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// gemmShape is one benchmarked product: op(A) is m×k, op(B) is k×n.
type gemmShape struct {
	name           string
	m, n, k        int
	transA, transB bool
}

// gemmBenchShapes are the square sizes and the shapes of training: an MLP
// layer 784→256 at batch 64 forward (A·B), its weight gradient (Aᵀ·B) and
// input gradient (A·Bᵀ), a 10-class head and a thin 4096×32·32×16 product.
func gemmBenchShapes() []gemmShape {
	var s []gemmShape
	for _, n := range []int{64, 128, 256, 512, 1024, 2048} {
		s = append(s, gemmShape{name: fmt.Sprintf("square/%d", n), m: n, n: n, k: n})
	}
	return append(s,
		gemmShape{name: "train/64x784x256", m: 64, n: 256, k: 784},
		gemmShape{name: "train/T784x64x256", m: 784, n: 256, k: 64, transA: true},
		gemmShape{name: "train/64x256x784T", m: 64, n: 784, k: 256, transB: true},
		gemmShape{name: "train/64x128x10", m: 64, n: 10, k: 128},
		gemmShape{name: "train/256x128x10", m: 256, n: 10, k: 128},
		gemmShape{name: "train/4096x32x16", m: 4096, n: 16, k: 32},
		gemmShape{name: "square/512TN", m: 512, n: 512, k: 512, transA: true},
		gemmShape{name: "square/512NT", m: 512, n: 512, k: 512, transB: true},
		gemmShape{name: "square/512TT", m: 512, n: 512, k: 512, transA: true, transB: true},
	)
}

// BenchmarkSgemm reports float32 GEMM throughput in GFLOP/s on the default
// path; run with -cpu 1,2 for one and two threads.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range gemmBenchShapes() {
		b.Run(s.name, func(b *testing.B) { benchGemm[float32](b, s) })
	}
}

// BenchmarkDgemm reports float64 GEMM throughput for the square sizes.
func BenchmarkDgemm(b *testing.B) {
	for _, s := range gemmBenchShapes()[:5] {
		b.Run(s.name, func(b *testing.B) { benchGemm[float64](b, s) })
	}
}

// BenchmarkSgemmPaths compares the paths at one size.
func BenchmarkSgemmPaths(b *testing.B) {
	for _, p := range Paths() {
		b.Run(p.String(), func(b *testing.B) {
			restore := SetPath(p)
			defer restore()
			benchGemm[float32](b, gemmShape{m: 256, n: 256, k: 256})
		})
	}
}

func benchGemm[T float32 | float64](b *testing.B, s gemmShape) {
	rng := rand.New(rand.NewPCG(1, 1))
	mat := func(n int) []T {
		x := make([]T, n)
		for i := range x {
			x[i] = T(rng.Float64() - 0.5)
		}
		return x
	}
	a, bb, c := mat(s.m*s.k), mat(s.k*s.n), mat(s.m*s.n)
	lda, ldb := s.k, s.n
	if s.transA {
		lda = s.m
	}
	if s.transB {
		ldb = s.k
	}
	b.ResetTimer()
	for range b.N {
		Gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
	}
	b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
