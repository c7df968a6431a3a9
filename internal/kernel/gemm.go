package kernel

import (
	"sync"

	"github.com/backprop-go/backprop/internal/parallel"
)

// Float is the element type of the floating-point kernels.
type Float interface{ ~float32 | ~float64 }

// Block sizes of the pure-Go GEMM: a kc×nc panel of B and an mc×kc block of
// A are packed so the inner loops stream through contiguous memory.
const (
	gemmKC = 256
	gemmNC = 512
	gemmMC = 64
)

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where
// op(X) is X or its transpose. op(A) is m×k, op(B) is k×n, C is m×n; lda,
// ldb and ldc are the row strides of A, B and C as stored. With beta == 0,
// C is overwritten without being read (NaNs in C do not propagate).
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	scaleC(m, n, beta, c, ldc)
	if k == 0 || alpha == 0 {
		return
	}
	work := m * n * k
	rowsPer := m
	if work >= 1<<18 && m >= 2*4 {
		rowsPer = (m + parallel.Workers() - 1) / parallel.Workers()
		rowsPer = (rowsPer + 3) &^ 3
	}
	parallel.For(m, rowsPer, func(lo, hi int) {
		gemmRows(transA, transB, lo, hi, n, k, alpha, a, lda, b, ldb, c, ldc)
	})
}

func scaleC[T Float](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
		} else {
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

var pools sync.Map // reflect-free pools of packing buffers, one per element type

func getBuf[T Float](n int) *[]T {
	var z T
	p, _ := pools.LoadOrStore(any(z), &sync.Pool{})
	pool := p.(*sync.Pool)
	if v := pool.Get(); v != nil {
		b := v.(*[]T)
		if cap(*b) >= n {
			*b = (*b)[:n]
			return b
		}
	}
	b := make([]T, n)
	return &b
}

func putBuf[T Float](b *[]T) {
	var z T
	p, _ := pools.Load(any(z))
	p.(*sync.Pool).Put(b)
}

// gemmRows computes rows [lo, hi) of C += alpha·op(A)·op(B).
func gemmRows[T Float](transA, transB bool, lo, hi, n, k int, alpha T, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	bp := getBuf[T](gemmKC * gemmNC)
	ap := getBuf[T](gemmMC * gemmKC)
	defer putBuf(bp)
	defer putBuf(ap)
	for pc := 0; pc < k; pc += gemmKC {
		kc := min(gemmKC, k-pc)
		for jc := 0; jc < n; jc += gemmNC {
			nc := min(gemmNC, n-jc)
			packB(transB, b, ldb, pc, jc, kc, nc, *bp)
			for ic := lo; ic < hi; ic += gemmMC {
				mc := min(gemmMC, hi-ic)
				packA(transA, a, lda, ic, pc, mc, kc, alpha, *ap)
				macro(mc, nc, kc, *ap, *bp, c[ic*ldc+jc:], ldc)
			}
		}
	}
}

// packB copies the kc×nc block of op(B) at (pc, jc) into dst, row-major.
func packB[T Float](trans bool, b []T, ldb, pc, jc, kc, nc int, dst []T) {
	for p := 0; p < kc; p++ {
		row := dst[p*nc : p*nc+nc]
		if !trans {
			copy(row, b[(pc+p)*ldb+jc:])
		} else {
			for j := range row {
				row[j] = b[(jc+j)*ldb+pc+p]
			}
		}
	}
}

// packA copies alpha times the mc×kc block of op(A) at (ic, pc) into dst,
// row-major.
func packA[T Float](trans bool, a []T, lda, ic, pc, mc, kc int, alpha T, dst []T) {
	for i := 0; i < mc; i++ {
		row := dst[i*kc : i*kc+kc]
		if !trans {
			src := a[(ic+i)*lda+pc:]
			for p := range row {
				row[p] = alpha * src[p]
			}
		} else {
			for p := range row {
				row[p] = alpha * a[(pc+p)*lda+ic+i]
			}
		}
	}
}

// macro computes C[0:mc, 0:nc] += Ap·Bp for packed Ap (mc×kc) and Bp
// (kc×nc), four rows of C at a time so each row of Bp is loaded once for
// four multiply-adds.
func macro[T Float](mc, nc, kc int, ap, bp []T, c []T, ldc int) {
	i := 0
	for ; i+4 <= mc; i += 4 {
		c0 := c[i*ldc : i*ldc+nc]
		c1 := c[(i+1)*ldc : (i+1)*ldc+nc]
		c2 := c[(i+2)*ldc : (i+2)*ldc+nc]
		c3 := c[(i+3)*ldc : (i+3)*ldc+nc]
		a0 := ap[i*kc : i*kc+kc]
		a1 := ap[(i+1)*kc : (i+1)*kc+kc]
		a2 := ap[(i+2)*kc : (i+2)*kc+kc]
		a3 := ap[(i+3)*kc : (i+3)*kc+kc]
		for p := 0; p < kc; p++ {
			brow := bp[p*nc : p*nc+nc]
			v0, v1, v2, v3 := a0[p], a1[p], a2[p], a3[p]
			c0 := c0[:len(brow)]
			c1 := c1[:len(brow)]
			c2 := c2[:len(brow)]
			c3 := c3[:len(brow)]
			for j, bv := range brow {
				c0[j] += v0 * bv
				c1[j] += v1 * bv
				c2[j] += v2 * bv
				c3[j] += v3 * bv
			}
		}
	}
	for ; i < mc; i++ {
		ci := c[i*ldc : i*ldc+nc]
		ai := ap[i*kc : i*kc+kc]
		for p := 0; p < kc; p++ {
			brow := bp[p*nc : p*nc+nc]
			v := ai[p]
			ci := ci[:len(brow)]
			for j, bv := range brow {
				ci[j] += v * bv
			}
		}
	}
}
