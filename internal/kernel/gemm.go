package kernel

import (
	"fmt"
	"unsafe"

	"github.com/backprop-go/backprop/internal/parallel"
)

// Float is the element type of the floating-point kernels.
type Float interface{ ~float32 | ~float64 }

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where
// op(X) is X or its transpose. op(A) is m×k, op(B) is k×n, C is m×n; lda,
// ldb and ldc are the row strides of A, B and C as stored. With beta == 0,
// C is overwritten without being read (NaNs in C do not propagate); with
// alpha == 0 or k == 0, A and B are not read. Elements of C outside the
// m×n window are never written.
//
// Gemm packs the operands into cache-sized panels when that pays (Goto's
// method) and runs register-blocked micro-kernels of the current Path on
// them; small and thin products read A and B in place. Large products are
// split over parallel.Workers() goroutines. It panics if a slice is too
// short or a stride too small for the sizes given.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	var z T
	if unsafe.Sizeof(z) == 4 {
		gemm(gemm32, transA, transB, m, n, k, float32(alpha), castSlice[float32](a), lda,
			castSlice[float32](b), ldb, float32(beta), castSlice[float32](c), ldc)
		return
	}
	gemm(gemm64, transA, transB, m, n, k, float64(alpha), castSlice[float64](a), lda,
		castSlice[float64](b), ldb, float64(beta), castSlice[float64](c), ldc)
}

// castSlice reinterprets a slice of a type whose underlying type is U as a
// []U.
func castSlice[U, T Float](s []T) []U {
	return unsafe.Slice((*U)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// gemmKernel is an assembly micro-kernel (see _gen/gemm.go): it writes
// C[0:mr, 0:n] = alpha·A·B (+ beta·C when load ≠ 0) for A's element (r, p)
// at a + r·ars + p·aks, B's element (p, j) at b + (j/w)·bps + p·bks + j%w
// and C's (r, j) at c + r·ldc + j, where w is the kernel's panel width
// (nv vectors) and mr is fixed by the function.
type gemmKernel[T float32 | float64] func(k int, a *T, ars, aks int, b *T, bks, bps int, c *T, ldc, n int, alpha, beta T, load int)

// gemmImpl is one implementation of the GEMM micro-kernels with its
// blocking parameters.
type gemmImpl[T float32 | float64] struct {
	path  Path
	lanes int    // elements per vector: a tile is nv·lanes columns wide, nv ∈ {1, 2}
	maxMR [2]int // rows of a full tile with one and with two column vectors
	// maskedB tells that the kernels read partial B panels with masks, so
	// an unpadded B may be read in place.
	maskedB bool
	// tile runs the micro-kernel over an mr×n block of C in panels of nv
	// vectors (B's panels bps elements apart; the last may be narrower);
	// modeK tells that A's rows are adjacent (ars == 1).
	tile       func(modeK bool, nv, mr, k int, a []T, ars, aks int, b []T, bks, bps int, c []T, ldc, n int, alpha, beta T, load bool)
	kc, nc, mc int // cache blocks: kc×nc of B (L2), mc×kc of A (L3)
	// packBT, when set, transposes packBTRows rows of a transposed B into
	// a packed panel: dst[p·wp + j] = src[j·lds + p], j < packBTRows,
	// p < k with k a multiple of packBTRows.
	packBT     func(dst, src *T, lds, k, wp int)
	packBTRows int
}

// The implementations in use, installed by usePath.
var (
	gemm32 *gemmImpl[float32]
	gemm64 *gemmImpl[float64]
)

// asmTile returns a tile function that calls kernels from table tab.
func asmTile[T float32 | float64](tab *[2][2][]gemmKernel[T]) func(modeK bool, nv, mr, k int, a []T, ars, aks int, b []T, bks, bps int, c []T, ldc, n int, alpha, beta T, load bool) {
	return func(modeK bool, nv, mr, k int, a []T, ars, aks int, b []T, bks, bps int, c []T, ldc, n int, alpha, beta T, load bool) {
		mode, ld := 0, 0
		if modeK {
			mode = 1
		}
		if load {
			ld = 1
		}
		tab[mode][nv-1][mr](k, &a[0], ars, aks, &b[0], bks, bps, &c[0], ldc, n, alpha, beta, ld)
	}
}

// Pure-Go tile sizes.
const (
	goMR    = 4
	goLanes = 8
)

// goImpl returns the pure-Go implementation.
func goImpl[T float32 | float64]() *gemmImpl[T] {
	var z T
	esize := int(unsafe.Sizeof(z))
	return &gemmImpl[T]{
		path:    PathPureGo,
		lanes:   goLanes,
		maxMR:   [2]int{goMR, goMR},
		maskedB: true,
		tile: func(_ bool, nv, mr, k int, a []T, ars, aks int, b []T, bks, bps int, c []T, ldc, n int, alpha, beta T, load bool) {
			w := nv * goLanes
			for j := 0; j < n; j += w {
				tileGo(mr, k, a, ars, aks, b[j/w*bps:], bks, c[j:], ldc, min(w, n-j), alpha, beta, load)
			}
		},
		kc: 1024 / esize * 4, nc: 512, mc: 256,
	}
}

// tileGo is the pure-Go micro-kernel: C[0:mr, 0:n] = alpha·A·B (+ beta·C)
// in 4×4 blocks whose sixteen sums stay in registers.
func tileGo[T float32 | float64](mr, k int, a []T, ars, aks int, b []T, bks int, c []T, ldc, n int, alpha, beta T, load bool) {
	var acc [4][4]T
	for i0 := 0; i0 < mr; i0 += 4 {
		h := min(4, mr-i0)
		for j0 := 0; j0 < n; j0 += 4 {
			w := min(4, n-j0)
			if h == 4 && w == 4 {
				acc = block4x4(k, a[i0*ars:], ars, aks, b[j0:], bks)
			} else {
				acc = [4][4]T{}
				for p := 0; p < k; p++ {
					brow := b[p*bks+j0 : p*bks+j0+w]
					for r := 0; r < h; r++ {
						av := a[(i0+r)*ars+p*aks]
						for j, bv := range brow {
							acc[r][j] += av * bv
						}
					}
				}
			}
			for r := 0; r < h; r++ {
				crow := c[(i0+r)*ldc+j0 : (i0+r)*ldc+j0+w]
				for j := range crow {
					if load {
						crow[j] = alpha*acc[r][j] + beta*crow[j]
					} else {
						crow[j] = alpha * acc[r][j]
					}
				}
			}
		}
	}
}

// block4x4 returns the 4×4 product of rows 0…3 of A (k columns) and
// columns 0…3 of B.
func block4x4[T float32 | float64](k int, a []T, ars, aks int, b []T, bks int) [4][4]T {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 T
	a0, a1, a2, a3 := 0, ars, 2*ars, 3*ars
	for p := 0; p < k; p++ {
		bp := b[p*bks : p*bks+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		v := a[a0]
		c00 += v * b0
		c01 += v * b1
		c02 += v * b2
		c03 += v * b3
		v = a[a1]
		c10 += v * b0
		c11 += v * b1
		c12 += v * b2
		c13 += v * b3
		v = a[a2]
		c20 += v * b0
		c21 += v * b1
		c22 += v * b2
		c23 += v * b3
		v = a[a3]
		c30 += v * b0
		c31 += v * b1
		c32 += v * b2
		c33 += v * b3
		a0 += aks
		a1 += aks
		a2 += aks
		a3 += aks
	}
	return [4][4]T{{c00, c01, c02, c03}, {c10, c11, c12, c13}, {c20, c21, c22, c23}, {c30, c31, c32, c33}}
}

// gemmCheck panics unless the slices and strides fit the sizes.
func gemmCheck[T any](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernel: Gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	need := func(name string, rows, cols int, s []T, ld int) {
		if ld < max(1, cols) {
			panic(fmt.Sprintf("kernel: Gemm: ld%s = %d < %d columns", name, ld, cols))
		}
		if rows > 0 && cols > 0 && len(s) < (rows-1)*ld+cols {
			panic(fmt.Sprintf("kernel: Gemm: len(%s) = %d < %d for %d×%d with stride %d", name, len(s), (rows-1)*ld+cols, rows, cols, ld))
		}
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	need("a", ar, ac, a, lda)
	need("b", br, bc, b, ldb)
	need("c", m, n, c, ldc)
}

// Work thresholds, in multiply-adds.
const (
	gemmParallelMin = 1 << 20 // below this a product runs on the caller only: handing half to a worker costs more than it saves
)

func gemm[T float32 | float64](im *gemmImpl[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	gemmCheck(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleRows(m, n, beta, c, ldc)
		return
	}
	w := parallel.Workers()
	if w == 1 || m*n*k < gemmParallelMin {
		gemmSerial(im, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	// Split C along its longer side into a few parts per worker, in whole
	// tiles, and run them independently; workers claim parts one at a
	// time, so a processor busy elsewhere does fewer.
	nr := 2 * im.lanes
	mr := im.maxMR[1]
	if n <= im.lanes {
		mr = im.maxMR[0]
	}
	if n >= m && n >= 2*nr {
		parts := max(w, min(2*w, n/(4*nr)))
		per := roundUp((n+parts-1)/parts, nr)
		parallel.ForEach((n+per-1)/per, func(p int) {
			j0 := p * per
			j1 := min(j0+per, n)
			bo := j0
			if transB {
				bo = j0 * ldb
			}
			gemmSerial(im, transA, transB, m, j1-j0, k, alpha, a, lda, b[bo:], ldb, beta, c[j0:], ldc)
		})
		return
	}
	parts := max(w, min(2*w, m/(4*mr)))
	per := roundUp((m+parts-1)/parts, mr)
	parallel.ForEach((m+per-1)/per, func(p int) {
		i0 := p * per
		i1 := min(i0+per, m)
		ao := i0 * lda
		if transA {
			ao = i0
		}
		gemmSerial(im, transA, transB, i1-i0, n, k, alpha, a[ao:], lda, b, ldb, beta, c[i0*ldc:], ldc)
	})
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// evenSplit returns the size, a multiple of q, of the blocks of at most
// about max that split n most evenly.
func evenSplit(n, max, q int) int {
	blocks := (n + max - 1) / max
	return roundUp((n+blocks-1)/blocks, q)
}

// scaleRows sets C = beta·C, or C = 0 without reading C when beta == 0.
func scaleRows[T float32 | float64](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// Roles of packing buffers; each has its own pools so that a small
// buffer of one role never displaces a big one of another.
const (
	bufA = iota
	bufB
	bufEdge
)

// bufFree holds free packing buffers by element size (4 or 8 bytes) and
// role. Unlike a sync.Pool it is not emptied by the garbage collector, so
// a steady stream of products allocates no buffers (and takes no page
// faults) after the first ones.
var bufFree = func() (f [2][3]chan any) {
	for i := range f {
		for j := range f[i] {
			f[i][j] = make(chan any, 8)
		}
	}
	return f
}()

func getBuf[T float32 | float64](role, n int) *[]T {
	var z T
	select {
	case v := <-bufFree[unsafe.Sizeof(z)/8][role]:
		b := v.(*[]T)
		if cap(*b) >= n {
			*b = (*b)[:n]
			return b
		}
	default:
	}
	b := make([]T, n)
	return &b
}

func putBuf[T float32 | float64](role int, b *[]T) {
	var z T
	select {
	case bufFree[unsafe.Sizeof(z)/8][role] <- b:
	default:
	}
}

// gemmSerial computes C = alpha·op(A)·op(B) + beta·C on the calling
// goroutine (k ≥ 1, alpha ≠ 0, m, n ≥ 1).
//
// The loops follow BLIS with the roles of A and B swapped (the kernels
// broadcast A and load vectors of B): for each kc-deep slice, an mc×kc
// block of A (packed or read in place) is multiplied by kc×nc blocks of B
// (packed into panels nr wide, or read in place); the micro-kernel keeps an
// mr×kc sliver of A in L1 while it streams B's panels from L2.
func gemmSerial[T float32 | float64](im *gemmImpl[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	lanes := im.lanes
	nvMax := 2
	if n <= lanes {
		nvMax = 1
	}
	nr := nvMax * lanes
	mrA := im.maxMR[nvMax-1]
	// Blocks of nearly equal size: no thin last block.
	kc, nc, mc := k, roundUp(n, nr), roundUp(m, mrA)
	if k > im.kc {
		kc = evenSplit(k, im.kc, 1)
	}
	if n > im.nc {
		nc = evenSplit(n, im.nc, nr)
	}
	if m > im.mc {
		mc = evenSplit(m, im.mc, mrA)
	}

	// Reading the operands in place is fastest unless a stride aliases in
	// the caches (a multiple of 4 KiB: the rows of a sliver then compete
	// for one set) or B is much bigger than L2. A transposed A with such a
	// stride is packed into k-major slivers; B is packed into panels when
	// transposed (the kernels need its rows contiguous) and when aliasing
	// or large, if enough row slivers reuse the panels.
	esize := int(unsafe.Sizeof(alpha))
	aliased := func(ld int) bool { return ld*esize%4096 == 0 }
	packA := transA && aliased(lda) && n > 4*nr && m > mrA
	packB := transB || m > 4*mrA && (aliased(ldb) || k*n*esize > 4<<20)

	var ap, bp, ep *[]T
	if packA {
		ap = getBuf[T](bufA, roundUp(mc, mrA)*kc)
		defer putBuf(bufA, ap)
	}
	var scratch []T // rows of a narrow transposed panel, see packBPanel
	if packB {
		panels := kc * roundUp(nc, nr)
		extra := 0
		if transB && im.packBT != nil {
			extra = im.packBTRows * kc
		}
		bp = getBuf[T](bufB, panels+extra)
		defer putBuf(bufB, bp)
		scratch = (*bp)[panels:]
	} else if !im.maskedB && n%lanes != 0 {
		ep = getBuf[T](bufEdge, kc*nr)
		defer putBuf(bufEdge, ep)
	}

	for pc := 0; pc < k; pc += kc {
		kcb := min(kc, k-pc)
		betaB, load := beta, beta != 0
		if pc > 0 {
			betaB, load = 1, true
		}
		for ic := 0; ic < m; ic += mc {
			mcb := min(mc, m-ic)
			// Row slivers of nearly equal height: 64 rows are six slivers
			// of 10 or 11 rows rather than five of 12 and one of 4. The
			// first extra slivers have one row more than base.
			np := (mcb + mrA - 1) / mrA
			base, extra := mcb/np, mcb%np
			if packA {
				for ip, ir := 0, 0; ip < np; ip++ {
					mr := base + b2i(ip < extra)
					packAPanel(a, lda, ic+ir, pc, mr, kcb, (*ap)[ir*kcb:])
					ir += mr
				}
			}
			for jc := 0; jc < n; jc += nc {
				ncb := min(nc, n-jc)
				full := ncb / nr * nr // columns in full-width panels
				if packB {
					for jr := 0; jr < ncb; jr += nr {
						w := min(nr, ncb-jr)
						packBPanel(im, transB, b, ldb, pc, jc+jr, kcb, w, roundUp(w, lanes), (*bp)[jr*kcb:], scratch)
					}
				} else if ep != nil && full < ncb {
					w := ncb - full
					packBPanel(im, false, b, ldb, pc, jc+full, kcb, w, roundUp(w, lanes), *ep, nil)
				}
				for ip, ir := 0, 0; ip < np; ip, ir = ip+1, ir+base+b2i(ip < extra) {
					mr := base + b2i(ip < extra)
					var as []T
					ars, aks, modeK := 1, mr, true
					switch {
					case packA:
						as = (*ap)[ir*kcb:]
					case transA:
						as, aks = a[pc*lda+ic+ir:], lda
					default:
						as, ars, aks, modeK = a[(ic+ir)*lda+pc:], lda, 1, false
					}
					cs := c[(ic+ir)*ldc+jc:]
					// The full-width panels in one call, then the narrower rest.
					if full > 0 {
						var bs []T
						bks, bps := ldb, nr
						if packB {
							bs, bks, bps = *bp, nr, nr*kcb
						} else {
							bs = b[pc*ldb+jc:]
						}
						im.tile(modeK, nvMax, mr, kcb, as, ars, aks, bs, bks, bps, cs, ldc, full, alpha, betaB, load)
					}
					if w := ncb - full; w > 0 {
						var bs []T
						bks := roundUp(w, lanes)
						switch {
						case packB:
							bs = (*bp)[full*kcb:]
						case ep != nil:
							bs = *ep
						default:
							bs, bks = b[pc*ldb+jc+full:], ldb
						}
						nv := (w + lanes - 1) / lanes
						im.tile(modeK, nv, mr, kcb, as, ars, aks, bs, bks, 0, cs[full:], ldc, w, alpha, betaB, load)
					}
				}
			}
		}
	}
}

// b2i is 1 for true and 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// packAPanel packs rows [i0, i0+mr) and columns [p0, p0+kc) of op(A) =
// Aᵀ into dst so that element (r, p) is at dst[p·mr + r].
func packAPanel[T float32 | float64](a []T, lda, i0, p0, mr, kc int, dst []T) {
	dst = dst[:kc*mr]
	for p := 0; p < kc; p++ {
		copy(dst[p*mr:p*mr+mr], a[(p0+p)*lda+i0:])
	}
}

// packBPanel packs rows [p0, p0+kc) and columns [j0, j0+w) of op(B) into
// dst so that element (p, j) is at dst[p·wp + j], zero-padding columns
// [w, wp). With trans and an assembly transpose, scratch of
// im.packBTRows·kc elements (or nil, which disables this) lets a rest of
// fewer than im.packBTRows rows be transposed in assembly too.
func packBPanel[T float32 | float64](im *gemmImpl[T], trans bool, b []T, ldb, p0, j0, kc, w, wp int, dst, scratch []T) {
	dst = dst[:kc*wp]
	if !trans {
		for p := 0; p < kc; p++ {
			row := dst[p*wp : p*wp+wp]
			copy(row, b[(p0+p)*ldb+j0:(p0+p)*ldb+j0+w])
			clear(row[w:])
		}
		return
	}
	j, kb, pad := 0, 0, w // columns [pad, wp) are zeroed at the end
	if im.packBT != nil {
		// Whole L×L blocks in assembly; the scalar loops below do the
		// remaining rows and the last kc%L columns.
		l := im.packBTRows
		kb = kc / l * l
		for ; j+l <= w && kb > 0; j += l {
			im.packBT(&dst[j], &b[(j0+j)*ldb+p0], ldb, kb, wp)
		}
		if r := w - j; r > 0 && kb > 0 && j+l <= wp && len(scratch) >= l*kb {
			// Fewer than L rows remain but the panel has room for L
			// columns: copy them into L rows of scratch, the rest zero,
			// and transpose those (the zero rows become padding).
			s := scratch[:l*kb]
			for jj := 0; jj < r; jj++ {
				copy(s[jj*kb:jj*kb+kb], b[(j0+j+jj)*ldb+p0:])
			}
			clear(s[r*kb:])
			im.packBT(&dst[j], &s[0], kb, kb, wp)
			j, pad = w, j+l
		}
	}
	if pad < wp {
		for p := 0; p < kb; p++ {
			clear(dst[p*wp+pad : p*wp+wp])
		}
	}
	if w < wp {
		for p := kb; p < kc; p++ {
			clear(dst[p*wp+w : p*wp+wp])
		}
	}
	for jj := 0; jj < w; jj++ {
		from := 0
		if jj < j {
			from = kb
		}
		src := b[(j0+jj)*ldb+p0 : (j0+jj)*ldb+p0+kc]
		for p := from; p < kc; p++ {
			dst[p*wp+jj] = src[p]
		}
	}
}
