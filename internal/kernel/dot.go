package kernel

import "fmt"

// DotAcc adds to the m×n block of c whose element (i, j) is c[i·ldc + j]
// the sums, over r < rows, of the dot products of the p-element segments
// a[i·lda + r·ra : … + p] and b[j·ldb + r·rb : … + p]:
//
//	c[i·ldc+j] += Σ_{r<rows} Σ_{q<p} a[i·lda + r·ra + q] · b[j·ldb + r·rb + q]
//
// With rows = 1 it is C += A·Bᵀ for row-major A and B with a long inner
// dimension (K = p) and few rows, where a GEMM micro-kernel would leave
// most of its vector lanes empty. With rows > 1 it reads its operands as
// 2-D windows: the weight gradient of a convolution, dw[o][kh][kw] =
// Σ dy[o][oh][ow]·x[oh+kh][ow+kw], is DotAcc over the rows oh of dy and of
// the image shifted by (kh, kw), with ldb = 1 (overlapping rows of b).
//
// Strides are in elements and may make rows overlap. The order of the
// floating-point sums is fixed for a path and does not depend on c. It
// panics if a size or stride is negative or a slice is too short for the
// sizes given.
func DotAcc(m, n, rows, p int, a []float32, lda, ra int, b []float32, ldb, rb int, c []float32, ldc int) {
	if m < 0 || n < 0 || rows < 0 || p < 0 || lda < 0 || ra < 0 || ldb < 0 || rb < 0 || ldc < 0 {
		panic(fmt.Sprintf("kernel: DotAcc: negative size or stride (m %d, n %d, rows %d, p %d, lda %d, ra %d, ldb %d, rb %d, ldc %d)",
			m, n, rows, p, lda, ra, ldb, rb, ldc))
	}
	if m == 0 || n == 0 || rows == 0 || p == 0 {
		return
	}
	if last := (m-1)*lda + (rows-1)*ra + p; len(a) < last {
		panic(fmt.Sprintf("kernel: DotAcc: a has %d elements, the sizes reach %d", len(a), last))
	}
	if last := (n-1)*ldb + (rows-1)*rb + p; len(b) < last {
		panic(fmt.Sprintf("kernel: DotAcc: b has %d elements, the sizes reach %d", len(b), last))
	}
	if last := (m-1)*ldc + n; len(c) < last {
		panic(fmt.Sprintf("kernel: DotAcc: c has %d elements, the sizes reach %d", len(c), last))
	}
	if ewPath == PathAVX512 {
		dotAccAsm(m, n, rows, p, a, lda, ra, b, ldb, rb, c, ldc)
		return
	}
	dotAccGo(m, n, rows, p, a, lda, ra, b, ldb, rb, c, ldc)
}

// DotAccFast reports whether DotAcc runs a vector kernel on this path. On
// the others it is a plain loop, slower than Gemm for the same products.
func DotAccFast() bool { return ewPath == PathAVX512 }

// dotAccGo is DotAcc in Go: each element's sum in float32, in the order of
// the loops.
func dotAccGo(m, n, rows, p int, a []float32, lda, ra int, b []float32, ldb, rb int, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for r := 0; r < rows; r++ {
				ar := a[i*lda+r*ra:][:p]
				br := b[j*ldb+r*rb:][:p]
				for q, v := range ar {
					s += v * br[q]
				}
			}
			c[i*ldc+j] += s
		}
	}
}

// dotKernel is an assembly kernel of DotAcc for a fixed tile (see
// _gen/dot.go): chunks full 16-element vectors per row segment, then a
// tail of the lanes set in mask.
type dotKernel func(a, b, c *float32, lda, ldb, ldc, rows, ra, rb, chunks int, mask uint64)

// dotTileMR and dotTileNR are the largest tile of the assembly kernels.
const (
	dotTileMR = 4
	dotTileNR = 5
)

// dotAccTiles runs DotAcc with the kernels of tab, tile by tile. The
// slices have been checked.
func dotAccTiles(tab *[dotTileMR + 1][dotTileNR + 1]dotKernel, m, n, rows, p int, a []float32, lda, ra int, b []float32, ldb, rb int, c []float32, ldc int) {
	chunks, tail := p/16, p%16
	mask := uint64(1)<<tail - 1
	for i := 0; i < m; i += dotTileMR {
		mr := min(dotTileMR, m-i)
		for j := 0; j < n; j += dotTileNR {
			nr := min(dotTileNR, n-j)
			tab[mr][nr](&a[i*lda], &b[j*ldb], &c[i*ldc+j], lda, ldb, ldc, rows, ra, rb, chunks, mask)
		}
	}
}
