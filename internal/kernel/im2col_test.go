package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// refIm2col is the plain reference loop for Im2col.
func refIm2col(g *ConvGeom, x []float64, sc, sh, sw int) []float64 {
	L := g.OH * g.OW
	col := make([]float64, g.ColRows()*L)
	for c := 0; c < g.C; c++ {
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				row := (c*g.KH+i)*g.KW + j
				for oh := 0; oh < g.OH; oh++ {
					for ow := 0; ow < g.OW; ow++ {
						ih := oh*g.SH - g.PH + i*g.DH
						iw := ow*g.SW - g.PW + j*g.DW
						if ih >= 0 && ih < g.H && iw >= 0 && iw < g.W {
							col[row*L+oh*g.OW+ow] = x[c*sc+ih*sh+iw*sw]
						}
					}
				}
			}
		}
	}
	return col
}

// geoms returns convolution geometries covering strides, padding,
// dilation, degenerate kernels and outputs smaller than the maximum.
func geoms() []ConvGeom {
	mk := func(c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, trimH, trimW int) ConvGeom {
		oh := (h+2*ph-dh*(kh-1)-1)/sh + 1 - trimH
		ow := (w+2*pw-dw*(kw-1)-1)/sw + 1 - trimW
		return ConvGeom{C: c, H: h, W: w, KH: kh, KW: kw, SH: sh, SW: sw, PH: ph, PW: pw, DH: dh, DW: dw, OH: oh, OW: ow}
	}
	return []ConvGeom{
		mk(1, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0),
		mk(2, 5, 6, 3, 3, 1, 1, 0, 0, 1, 1, 0, 0),
		mk(3, 5, 6, 3, 2, 1, 1, 1, 1, 1, 1, 0, 0),
		mk(2, 7, 8, 3, 3, 2, 3, 1, 2, 1, 1, 0, 0),
		mk(2, 9, 7, 3, 2, 1, 2, 2, 1, 2, 3, 0, 0),
		mk(1, 4, 4, 2, 2, 3, 3, 3, 3, 1, 1, 0, 0),   // windows entirely in the padding
		mk(2, 6, 6, 3, 3, 1, 1, 4, 4, 1, 1, 0, 0),   // padding wider than the kernel
		mk(2, 8, 9, 2, 3, 2, 2, 1, 0, 3, 1, 1, 1),   // trimmed output
		mk(1, 1, 10, 1, 4, 1, 3, 0, 2, 1, 2, 0, 0),  // one row (conv1d)
		mk(3, 12, 12, 5, 5, 1, 1, 0, 0, 1, 1, 0, 0), // LeNet-5's second convolution (3 channels)
		mk(2, 8, 9, 3, 2, 1, 1, 0, 0, 1, 1, 2, 3),   // unit strides, trimmed output
		mk(2, 6, 7, 1, 4, 1, 1, 0, 0, 1, 1, 0, 0),   // one kernel row
		mk(2, 7, 6, 4, 1, 1, 1, 0, 0, 1, 1, 0, 0),   // one kernel column
		mk(1, 1, 10, 1, 4, 1, 1, 0, 0, 1, 1, 0, 0),  // one row, unit stride
	}
}

func TestIm2col(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, g := range geoms() {
		for _, layout := range []string{"contiguous", "channels-last", "strided", "row gaps"} {
			t.Run(fmt.Sprintf("%+v/%s", g, layout), func(t *testing.T) {
				var sc, sh, sw, n int
				switch layout {
				case "contiguous":
					sc, sh, sw, n = g.H*g.W, g.W, 1, g.C*g.H*g.W
				case "channels-last":
					sc, sh, sw, n = 1, g.W*g.C, g.C, g.C*g.H*g.W
				case "strided":
					sc, sh, sw, n = 2*g.H*g.W*3, 3*g.W*2, 2, 6*g.C*g.H*g.W
				case "row gaps": // contiguous rows, padded
					sc, sh, sw, n = g.H*(g.W+3)+1, g.W+3, 1, g.C*(g.H*(g.W+3)+1)
				}
				x := make([]float64, n)
				for i := range x {
					x[i] = r.Float64()
				}
				want := refIm2col(&g, x, sc, sh, sw)
				guard := 5
				col := make([]float64, len(want)+guard)
				for i := range col {
					col[i] = math.NaN()
				}
				Im2col(&g, x, sc, sh, sw, col)
				for i, v := range want {
					if col[i] != v {
						t.Fatalf("col[%d] = %v, want %v", i, col[i], v)
					}
				}
				for i := len(want); i < len(col); i++ {
					if !math.IsNaN(col[i]) {
						t.Fatalf("Im2col wrote past the column matrix at %d", i)
					}
				}
				// float32 takes the same path.
				x32 := make([]float32, len(x))
				for i, v := range x {
					x32[i] = float32(v)
				}
				col32 := make([]float32, len(want))
				Im2col(&g, x32, sc, sh, sw, col32)
				for i, v := range want {
					if col32[i] != float32(v) {
						t.Fatalf("float32 col[%d] = %v, want %v", i, col32[i], v)
					}
				}
			})
		}
	}
}

func TestCol2im(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, g := range geoms() {
		t.Run(fmt.Sprintf("%+v", g), func(t *testing.T) {
			n := g.C * g.H * g.W
			col := make([]float64, g.ColRows()*g.ColCols())
			for i := range col {
				col[i] = r.Float64()
			}
			// Reference: scatter through the reference Im2col's index map.
			// Im2col of the image holding index+1 at every element tells
			// which element each column entry comes from.
			idx := make([]float64, n)
			for i := range idx {
				idx[i] = float64(i + 1)
			}
			src := refIm2col(&g, idx, g.H*g.W, g.W, 1)
			base := make([]float64, n)
			for i := range base {
				base[i] = r.Float64()
			}
			want := append([]float64(nil), base...)
			for k, s := range src {
				if s != 0 {
					want[int(s)-1] += col[k]
				}
			}
			guard := 4
			for _, scratch := range []bool{false, true} {
				x := make([]float64, n+guard)
				copy(x, base)
				for i := n; i < len(x); i++ {
					x[i] = math.NaN()
				}
				if scratch {
					Col2imScratch(&g, slices.Clone(col), x[:n])
				} else {
					Col2im(&g, col, x[:n])
				}
				for i, v := range want {
					if math.Abs(x[i]-v) > 1e-12 {
						t.Fatalf("scratch %v: x[%d] = %v, want %v", scratch, i, x[i], v)
					}
				}
				for i := n; i < len(x); i++ {
					if !math.IsNaN(x[i]) {
						t.Fatalf("scratch %v: wrote past the image at %d", scratch, i)
					}
				}
				// float32 (the vector kernels in Col2imScratch).
				x32 := make([]float32, n)
				for i, v := range base {
					x32[i] = float32(v)
				}
				col32 := make([]float32, len(col))
				for i, v := range col {
					col32[i] = float32(v)
				}
				if scratch {
					Col2imScratch(&g, col32, x32)
				} else {
					Col2im(&g, col32, x32)
				}
				for i, v := range want {
					if math.Abs(float64(x32[i])-v) > 1e-5*max(1, math.Abs(v)) {
						t.Fatalf("scratch %v: float32 x[%d] = %v, want %v", scratch, i, x32[i], v)
					}
				}
			}
		})
	}
}

func TestIm2colAllocs(t *testing.T) {
	g := geoms()[4]
	x := make([]float32, g.C*g.H*g.W)
	col := make([]float32, g.ColRows()*g.ColCols())
	allocs := testing.AllocsPerRun(10, func() {
		Im2col(&g, x, g.H*g.W, g.W, 1, col)
		Col2im(&g, col, x)
	})
	if allocs != 0 {
		t.Fatalf("Im2col and Col2im allocate %v times per call", allocs)
	}
}

// refCol2imShiftRows is col2imShift as it was before the block-wise adds
// of short rows: every row of the column matrix is handled on its own.
func refCol2imShiftRows(g *ConvGeom, col []float32, x []float32) {
	L := g.OH * g.OW
	ow := g.OW
	hw := g.H * g.W
	for c := 0; c < g.C; c++ {
		xc := x[c*hw : c*hw+hw]
		first := c * g.KH * g.KW
		last := (g.OH - 1) * ow
		for i := g.KH - 1; i >= 1; i-- {
			dst := xc[(g.OH-1+i)*g.W:]
			for j := 0; j < g.KW; j++ {
				r := first + i*g.KW + j
				row := col[r*L : r*L+L]
				prev := col[(r-g.KW)*L : (r-g.KW)*L+L]
				for k, v := range row[last:] {
					dst[j+k] += v
				}
				for k, v := range row[:last] {
					prev[ow+k] += v
				}
			}
		}
		for j := g.KW - 1; j >= 1; j-- {
			row := col[(first+j)*L : (first+j)*L+L]
			prev := col[(first+j-1)*L : (first+j-1)*L+L]
			for oh := 0; oh < g.OH; oh++ {
				k := oh*ow + ow - 1
				xc[oh*g.W+ow-1+j] += row[k]
				row[k] = 0
			}
			for k, v := range row[:L-1] {
				prev[1+k] += v
			}
		}
		row := col[first*L : first*L+L]
		for oh := 0; oh < g.OH; oh++ {
			for k, v := range row[oh*ow : oh*ow+ow] {
				xc[oh*g.W+k] += v
			}
		}
	}
}

// TestCol2imScratchBitwise checks that Col2imScratch with unit strides
// (short rows added a kernel row at a time, long rows one by one) gives
// the row-by-row sums bit for bit, with signed zeros and NaNs in the
// column matrix and the image.
func TestCol2imScratchBitwise(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), 1e-40}
	mk := func(c, h, w, k int) ConvGeom {
		return ConvGeom{C: c, H: h, W: w, KH: k, KW: k, SH: 1, SW: 1, DH: 1, DW: 1, OH: h - k + 1, OW: w - k + 1}
	}
	for _, g := range []ConvGeom{mk(6, 12, 12, 5), mk(1, 28, 28, 5), mk(2, 5, 7, 3), mk(3, 4, 4, 4), mk(2, 3, 9, 1), mk(1, 24, 24, 3)} {
		t.Run(fmt.Sprintf("%+v", g), func(t *testing.T) {
			fill := func(s []float32) {
				for i := range s {
					if r.IntN(4) == 0 {
						s[i] = specials[r.IntN(len(specials))]
					} else {
						s[i] = float32(r.NormFloat64())
					}
				}
			}
			// All −0: every sum is −0, which a +0 anywhere would turn to +0.
			negZeros := func(s []float32) {
				for i := range s {
					s[i] = float32(math.Copysign(0, -1))
				}
			}
			for _, f := range []func([]float32){fill, negZeros} {
				col := make([]float32, g.ColRows()*g.ColCols())
				x := make([]float32, g.C*g.H*g.W)
				f(col)
				f(x)
				want := slices.Clone(x)
				refCol2imShiftRows(&g, slices.Clone(col), want)
				Col2imScratch(&g, col, x)
				for i := range want {
					if math.Float32bits(x[i]) != math.Float32bits(want[i]) {
						t.Fatalf("x[%d] = %v (%#x), want %v (%#x)", i, x[i], math.Float32bits(x[i]), want[i], math.Float32bits(want[i]))
					}
				}
			}
		})
	}
}

// TestCol2imVectorBitwise checks that float32 Col2im gives the same bits
// on every path (the AVX-512 path adds whole column runs with a vector
// kernel, masked at the ends; the others add element by element in the
// same order), and that no path writes past the image, for the geometries
// of geoms and wide padded ones whose runs span several vectors.
func TestCol2imVectorBitwise(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	gs := append(geoms(),
		ConvGeom{C: 3, H: 32, W: 32, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1, DH: 1, DW: 1, OH: 32, OW: 32},
		ConvGeom{C: 2, H: 21, W: 37, KH: 3, KW: 5, SH: 2, SW: 1, PH: 1, PW: 2, DH: 1, DW: 1, OH: 11, OW: 37},
		ConvGeom{C: 1, H: 5, W: 17, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, OH: 5, OW: 17},
	)
	const guard = 5
	for _, g := range gs {
		n := g.C * g.H * g.W
		col := make([]float32, g.ColRows()*g.ColCols())
		for i := range col {
			col[i] = float32(r.NormFloat64())
		}
		base := make([]float32, n)
		for i := range base {
			base[i] = float32(r.NormFloat64())
		}
		var results [][]float32
		for _, path := range Paths() {
			restore := SetPath(path)
			x := make([]float32, n+guard)
			copy(x, base)
			for i := n; i < len(x); i++ {
				x[i] = ewGuard
			}
			Col2im(&g, col, x[:n])
			for i := n; i < len(x); i++ {
				if x[i] != ewGuard {
					t.Fatalf("%v %+v: wrote past the image at %d", path, g, i)
				}
			}
			results = append(results, x[:n])
			restore()
		}
		for p := 1; p < len(results); p++ {
			for i := range results[0] {
				if math.Float32bits(results[p][i]) != math.Float32bits(results[0][i]) {
					t.Fatalf("%+v: path %v gives %v at %d, purego %v", g, Paths()[p], results[p][i], i, results[0][i])
				}
			}
		}
	}
}
