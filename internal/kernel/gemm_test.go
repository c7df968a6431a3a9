package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// forEachPath runs f once per kernel path this machine can run.
func forEachPath(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, p := range Paths() {
		t.Run(p.String(), func(t *testing.T) {
			restore := SetPath(p)
			defer restore()
			f(t)
		})
	}
}

// gemmCase is one GEMM problem of the conformance suite.
type gemmCase struct {
	m, n, k        int
	transA, transB bool
	alpha, beta    float64
	// padA, padB, padC are added to the leading dimensions; offA, offB,
	// offC are the offsets at which the matrices start in their buffers.
	padA, padB, padC int
	offA, offB, offC int
	// special fills A and B with some NaN and ±Inf; nanC fills C with NaN.
	special, nanC bool
}

func (c gemmCase) String() string {
	s := fmt.Sprintf("m=%d,n=%d,k=%d,tA=%v,tB=%v,alpha=%g,beta=%g", c.m, c.n, c.k, c.transA, c.transB, c.alpha, c.beta)
	if c.padA|c.padB|c.padC != 0 {
		s += fmt.Sprintf(",pad=%d/%d/%d", c.padA, c.padB, c.padC)
	}
	if c.offA|c.offB|c.offC != 0 {
		s += fmt.Sprintf(",off=%d/%d/%d", c.offA, c.offB, c.offC)
	}
	if c.special {
		s += ",special"
	}
	if c.nanC {
		s += ",nanC"
	}
	return s
}

// guard is the value around and outside every matrix; it must survive.
const guard = -7.25e5

// refGemm is the reference: a plain triple loop in float64 that also
// returns, per element of C, the sum of the magnitudes of its terms (for
// the error bound). alpha == 0 means A and B are not read; beta == 0 means
// C is not read.
func refGemm[T float32 | float64](c gemmCase, a []T, lda int, b []T, ldb int, cc []T, ldc int) (want, mag []float64) {
	want = make([]float64, c.m*c.n)
	mag = make([]float64, c.m*c.n)
	for i := 0; i < c.m; i++ {
		for j := 0; j < c.n; j++ {
			var s, sm float64
			if c.alpha != 0 {
				for p := 0; p < c.k; p++ {
					var av, bv T
					if c.transA {
						av = a[p*lda+i]
					} else {
						av = a[i*lda+p]
					}
					if c.transB {
						bv = b[j*ldb+p]
					} else {
						bv = b[p*ldb+j]
					}
					s += float64(av) * float64(bv)
					sm += math.Abs(float64(av) * float64(bv))
				}
			}
			s *= c.alpha
			sm *= math.Abs(c.alpha)
			if c.beta != 0 {
				cv := float64(cc[i*ldc+j])
				s += c.beta * cv
				sm += math.Abs(c.beta * cv)
			}
			want[i*c.n+j], mag[i*c.n+j] = s, sm
		}
	}
	return want, mag
}

// fillMatrix makes a buffer holding a rows×cols matrix with stride ld at
// offset off, guard values everywhere else.
func fillMatrix[T float32 | float64](rng *rand.Rand, rows, cols, ld, off int, special bool) []T {
	buf := make([]T, off+max(0, rows-1)*ld+cols+5)
	for i := range buf {
		buf[i] = guard
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			v := T(rng.Float64()*2 - 1)
			if special {
				switch rng.IntN(40) {
				case 0:
					v = T(math.NaN())
				case 1:
					v = T(math.Inf(1))
				case 2:
					v = T(math.Inf(-1))
				}
			}
			buf[off+i*ld+j] = v
		}
	}
	return buf
}

// runGemmCase runs one case through Gemm and checks it against refGemm.
func runGemmCase[T float32 | float64](t *testing.T, rng *rand.Rand, c gemmCase) {
	t.Helper()
	ar, ac := c.m, c.k
	if c.transA {
		ar, ac = c.k, c.m
	}
	br, bc := c.k, c.n
	if c.transB {
		br, bc = c.n, c.k
	}
	lda, ldb, ldc := max(1, ac)+c.padA, max(1, bc)+c.padB, max(1, c.n)+c.padC
	abuf := fillMatrix[T](rng, ar, ac, lda, c.offA, c.special)
	bbuf := fillMatrix[T](rng, br, bc, ldb, c.offB, c.special)
	cbuf := fillMatrix[T](rng, c.m, c.n, ldc, c.offC, false)
	if c.nanC {
		for i := 0; i < c.m; i++ {
			for j := 0; j < c.n; j++ {
				cbuf[c.offC+i*ldc+j] = T(math.NaN())
			}
		}
	}
	a, b, cc := abuf[c.offA:], bbuf[c.offB:], cbuf[c.offC:]
	want, mag := refGemm(c, a, lda, b, ldb, cc, ldc)
	before := append([]T(nil), cbuf...)

	Gemm(c.transA, c.transB, c.m, c.n, c.k, T(c.alpha), a, lda, b, ldb, T(c.beta), cc, ldc)

	var z T
	eps := 0x1p-52
	if unsafe.Sizeof(z) == 4 {
		eps = 0x1p-23
	}
	inside := func(idx int) (int, int, bool) {
		idx -= c.offC
		if idx < 0 || c.m == 0 || c.n == 0 {
			return 0, 0, false
		}
		i, j := idx/ldc, idx%ldc
		return i, j, i < c.m && j < c.n
	}
	bad := 0
	for idx, got := range cbuf {
		i, j, in := inside(idx)
		if !in {
			if math.Float64bits(float64(got)) != math.Float64bits(float64(before[idx])) {
				t.Fatalf("%v: element %d outside C changed from %v to %v", c, idx-c.offC, before[idx], got)
			}
			continue
		}
		w, g := want[i*c.n+j], float64(got)
		var ok bool
		switch {
		case math.IsNaN(w):
			ok = math.IsNaN(g)
		case math.IsInf(w, 0):
			ok = g == w
		default:
			// The summation order differs from the reference's; the error
			// of a sum of k+1 rounded products is bounded by (k+2)·eps·Σ|terms|.
			tol := float64(c.k+3) * eps * mag[i*c.n+j]
			ok = math.Abs(g-w) <= tol && !math.IsNaN(g)
		}
		if !ok {
			bad++
			if bad <= 3 {
				t.Errorf("%v: C[%d,%d] = %v, want %v", c, i, j, g, w)
			}
		}
	}
	if bad > 3 {
		t.Fatalf("%v: %d wrong elements", c, bad)
	}
}

// gemmCases returns the conformance table: size sweeps through the tile
// and block edges of every path, each transpose combination, alpha and
// beta values, strides wider than the rows, unaligned offsets, NaN and
// Inf in the inputs and NaN in a C that beta == 0 must ignore.
func gemmCases() []gemmCase {
	var cs []gemmCase
	tr := [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}}
	add := func(m, n, k int, alpha, beta float64) {
		for _, t := range tr {
			cs = append(cs, gemmCase{m: m, n: n, k: k, transA: t[0], transB: t[1], alpha: alpha, beta: beta})
		}
	}
	// Degenerate sizes.
	for _, s := range [][3]int{{0, 0, 0}, {0, 3, 2}, {3, 0, 2}, {3, 4, 0}, {1, 1, 1}, {2, 1, 3}, {1, 2, 3}} {
		add(s[0], s[1], s[2], 1, 0)
		add(s[0], s[1], s[2], 0.5, 2)
	}
	// Sweeps over each dimension through the tile edges (4, 6, 12 rows; 8,
	// 16, 32 columns) with the others odd.
	for _, m := range []int{1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 23, 24, 25, 37} {
		add(m, 19, 9, 1, 0)
	}
	for _, m := range []int{1, 5, 9, 19, 23, 24, 25, 47, 49} {
		add(m, 10, 9, 1, 0) // thin tiles of up to 24 rows
	}
	for _, n := range []int{1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 97} {
		add(13, n, 7, 1, 0)
	}
	for _, k := range []int{1, 2, 3, 4, 5, 8, 17, 64, 129} {
		add(7, 35, k, 1, 0)
	}
	// Alpha and beta.
	for _, ab := range [][2]float64{{1, 1}, {-1.5, 0}, {0.5, -2}, {0, 0}, {0, 3}, {2, 1}} {
		add(14, 20, 6, ab[0], ab[1])
	}
	// Bigger products: several row and column panels, parallel splits,
	// packing, k and n blocks.
	add(64, 64, 64, 1, 0)
	add(100, 130, 70, 1, 1)
	add(129, 67, 200, -1, 0.5)
	add(37, 800, 33, 1, 0)
	add(50, 260, 400, 1, 0)
	add(300, 20, 17, 1, 0)
	add(300, 20, 800, 1, 0.5) // split over the workers by rows
	// Strides and offsets.
	for i, off := range [][3]int{{1, 3, 5}, {7, 2, 1}, {3, 3, 3}} {
		for _, t := range tr {
			cs = append(cs, gemmCase{m: 17, n: 41, k: 13, transA: t[0], transB: t[1], alpha: 1, beta: 0.5,
				padA: 3 * i, padB: 5 + i, padC: 2 + i, offA: off[0], offB: off[1], offC: off[2]})
		}
	}
	// Strides that alias in the cache and long transposed strides (packing
	// paths).
	for _, t := range tr {
		// Leading dimensions of 1024 elements: op(A) is 60×30, op(B) 30×200.
		padA, padB := 1024-30, 1024-200
		if t[0] {
			padA = 1024 - 60
		}
		if t[1] {
			padB = 1024 - 30
		}
		cs = append(cs, gemmCase{m: 60, n: 200, k: 30, transA: t[0], transB: t[1], alpha: 1, padA: padA, padB: padB, offC: 1, padC: 1})
		cs = append(cs, gemmCase{m: 60, n: 200, k: 30, transA: t[0], transB: t[1], alpha: 1, padA: 70})
	}
	// NaN and Inf in A and B; NaN in C with beta == 0.
	for _, t := range tr {
		cs = append(cs, gemmCase{m: 19, n: 37, k: 11, transA: t[0], transB: t[1], alpha: 1, beta: 1, special: true})
		cs = append(cs, gemmCase{m: 19, n: 37, k: 11, transA: t[0], transB: t[1], alpha: 2, beta: 0, nanC: true})
		cs = append(cs, gemmCase{m: 19, n: 37, k: 11, transA: t[0], transB: t[1], alpha: 0, beta: 0, nanC: true, special: true})
	}
	return cs
}

func testGemm[T float32 | float64](t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for _, c := range gemmCases() {
			runGemmCase[T](t, rng, c)
		}
	})
}

func TestGemmFloat32(t *testing.T) { testGemm[float32](t) }
func TestGemmFloat64(t *testing.T) { testGemm[float64](t) }

// TestGemmNamedType checks that types whose underlying type is float32 or
// float64 reach the same kernels.
func TestGemmNamedType(t *testing.T) {
	type f32 float32
	a := []f32{1, 2, 3, 4, 5, 6}    // 2×3
	b := []f32{7, 8, 9, 10, 11, 12} // 3×2
	c := []f32{1, 1, 1, 1}
	Gemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 1, c, 2)
	// [1 2 3; 4 5 6]·[7 8; 9 10; 11 12] = [58 64; 139 154], plus 1.
	want := []f32{59, 65, 140, 155}
	for i := range want {
		if c[i] != want[i] {
			t.Fatalf("C = %v, want %v", c, want)
		}
	}
}

func TestGemmPanics(t *testing.T) {
	cases := []struct {
		name string
		f    func()
	}{
		{"short A", func() {
			Gemm(false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		}},
		{"short B", func() {
			Gemm(false, true, 2, 3, 2, 1, make([]float32, 4), 2, make([]float32, 5), 2, 0, make([]float32, 6), 3)
		}},
		{"short C", func() {
			Gemm(false, false, 2, 2, 2, 1, make([]float64, 4), 2, make([]float64, 4), 2, 0, make([]float64, 3), 2)
		}},
		{"small lda", func() {
			Gemm(false, false, 2, 2, 3, 1, make([]float32, 9), 2, make([]float32, 9), 2, 0, make([]float32, 4), 2)
		}},
		{"negative", func() { Gemm(false, false, -1, 2, 3, 1, []float32{}, 3, []float32{}, 2, 0, []float32{}, 2) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			c.f()
		})
	}
}

func TestPaths(t *testing.T) {
	ps := Paths()
	if ps[0] != PathPureGo {
		t.Fatalf("Paths() = %v, want purego first", ps)
	}
	if CurrentPath() != ps[len(ps)-1] {
		t.Fatalf("CurrentPath() = %v, want the fastest of %v", CurrentPath(), ps)
	}
	restore := SetPath(PathPureGo)
	if CurrentPath() != PathPureGo {
		t.Fatalf("after SetPath(purego), CurrentPath() = %v", CurrentPath())
	}
	restore()
	if CurrentPath() != ps[len(ps)-1] {
		t.Fatalf("restore left %v", CurrentPath())
	}
	if !pathAvailable(PathAVX512) {
		defer func() {
			if recover() == nil {
				t.Fatal("SetPath of an unavailable path did not panic")
			}
		}()
		SetPath(PathAVX512)
	}
}

// FuzzGemm compares every path with the reference on random shapes,
// transposes, strides, offsets and scalars.
func FuzzGemm(f *testing.F) {
	f.Add(uint8(5), uint8(7), uint8(3), uint8(0), uint8(1), uint8(2), int8(1), int8(0), uint64(1))
	f.Add(uint8(33), uint8(65), uint8(17), uint8(3), uint8(0), uint8(0), int8(-2), int8(1), uint64(2))
	f.Add(uint8(13), uint8(31), uint8(129), uint8(1), uint8(4), uint8(9), int8(3), int8(-1), uint64(3))
	f.Fuzz(func(t *testing.T, m, n, k, flags, pad, off uint8, alpha, beta int8, seed uint64) {
		c := gemmCase{
			m: int(m % 80), n: int(n), k: int(k % 150),
			transA: flags&1 != 0, transB: flags&2 != 0, special: flags&4 != 0, nanC: flags&8 != 0 && beta == 0,
			alpha: float64(alpha) / 4, beta: float64(beta) / 4,
			padA: int(pad % 7), padB: int(pad / 7 % 7), padC: int(pad / 49 % 5),
			offA: int(off % 5), offB: int(off / 5 % 5), offC: int(off / 25 % 5),
		}
		for _, p := range Paths() {
			restore := SetPath(p)
			rng := rand.New(rand.NewPCG(seed, 7))
			runGemmCase[float32](t, rng, c)
			rng = rand.New(rand.NewPCG(seed, 7))
			runGemmCase[float64](t, rng, c)
			restore()
		}
	})
}

// TestPackBPanel checks the packing of transposed B panels (assembly
// transposes on the vector paths) against the definition.
func TestPackBPanel(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		im := gemm32
		rng := rand.New(rand.NewPCG(11, 12))
		// Panels padded to 8 and to 16 columns: narrow rests of rows are
		// transposed through scratch when the padding leaves room.
		for _, round := range []int{8, 16} {
			for _, w := range []int{1, 6, 7, 8, 9, 16, 17, 22, 24, 32} {
				for _, kc := range []int{1, 8, 15, 16, 17, 40, 64, 581} {
					packBPanelCase(t, rng, im, w, kc, roundUp(w, round))
				}
			}
		}
	})
}

// packBPanelCase packs a transposed panel w columns wide, kc deep and
// padded to wp columns, and checks it and the padding against the
// definition.
func packBPanelCase(t *testing.T, rng *rand.Rand, im *gemmImpl[float32], w, kc, wp int) {
	t.Helper()
	const ldb, p0, j0 = 600, 3, 2
	b := make([]float32, (j0+w)*ldb)
	for i := range b {
		b[i] = rng.Float32()
	}
	dst := make([]float32, kc*wp+5)
	for i := range dst {
		dst[i] = -1
	}
	packBPanel(im, true, b, ldb, p0, j0, kc, w, wp, dst, make([]float32, 16*kc))
	for p := 0; p < kc; p++ {
		for j := 0; j < wp; j++ {
			want := float32(0)
			if j < w {
				want = b[(j0+j)*ldb+p0+p]
			}
			if got := dst[p*wp+j]; got != want {
				t.Fatalf("w=%d kc=%d wp=%d: dst[%d,%d] = %v, want %v", w, kc, wp, p, j, got, want)
			}
		}
	}
	for _, v := range dst[kc*wp:] {
		if v != -1 {
			t.Fatalf("w=%d kc=%d wp=%d: wrote past the panel", w, kc, wp)
		}
	}
}
