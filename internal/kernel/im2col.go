package kernel

import (
	"math"
	"unsafe"
)

// ConvGeom is the geometry of a two-dimensional convolution of one image
// with C channels of size H×W by a KH×KW kernel with the given strides,
// zero padding and dilations, giving OH×OW output positions.
//
// OH and OW may be smaller than the largest output the other fields allow
// (the transposed convolution uses that for its output padding), but every
// output position's window must start inside the padded image.
type ConvGeom struct {
	C, H, W int // input channels, height and width
	KH, KW  int // kernel height and width
	SH, SW  int // strides (≥ 1)
	PH, PW  int // zero padding on each side (≥ 0)
	DH, DW  int // dilations (≥ 1)
	OH, OW  int // output height and width
}

// ColRows returns the number of rows of the column matrix, C·KH·KW.
func (g *ConvGeom) ColRows() int { return g.C * g.KH * g.KW }

// ColCols returns the number of columns of the column matrix, OH·OW.
func (g *ConvGeom) ColCols() int { return g.OH * g.OW }

// validRange returns the output positions [lo, hi) among n whose input
// coordinate o·s − p + k·d lies in [0, size).
func validRange(n, s, p, kd, size int) (lo, hi int) {
	// o·s ≥ p − kd  ⇔  o ≥ ceil((p − kd) / s).
	first := p - kd
	if first > 0 {
		lo = (first + s - 1) / s
	}
	// o·s < size + p − kd  ⇔  o ≤ (size + p − kd − 1) / s.
	last := size + p - kd - 1
	if last < 0 {
		return 0, 0
	}
	hi = min(last/s+1, n)
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// Im2col writes the column matrix of the image x into col: col is a
// (C·KH·KW)×(OH·OW) row-major matrix whose row (c·KH + i)·KW + j and column
// oh·OW + ow holds the input element under kernel tap (i, j) of channel c
// for output position (oh, ow), or zero where that tap falls in the
// padding. Element (c, h, w) of the image is x[c·sc + h·sh + w·sw], so any
// strided layout can be read without a copy. col must hold at least
// ColRows()·ColCols() elements; every one of them is written.
func Im2col[T Float](g *ConvGeom, x []T, sc, sh, sw int, col []T) {
	if g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1 && g.PH == 0 && g.PW == 0 && sw == 1 && g.OH > 0 && g.OW > 0 {
		im2colShift(g, x, sc, sh, col)
		return
	}
	L := g.OH * g.OW
	row := 0
	for c := 0; c < g.C; c++ {
		xc := c * sc
		for i := 0; i < g.KH; i++ {
			hlo, hhi := validRange(g.OH, g.SH, g.PH, i*g.DH, g.H)
			for j := 0; j < g.KW; j++ {
				wlo, whi := validRange(g.OW, g.SW, g.PW, j*g.DW, g.W)
				dst := col[row*L : row*L+L]
				row++
				// The clears are guarded: a call of memclr for nothing
				// costs as much as copying a short run.
				if hlo > 0 {
					clear(dst[:hlo*g.OW])
				}
				if hhi < g.OH {
					clear(dst[hhi*g.OW:])
				}
				if wlo >= whi {
					clear(dst[hlo*g.OW : hhi*g.OW])
					continue
				}
				n := whi - wlo
				step := g.SW * sw
				// p is the input element of the first valid column of
				// output row oh, advanced by one row of windows each time.
				p := xc + (hlo*g.SH-g.PH+i*g.DH)*sh + (wlo*g.SW-g.PW+j*g.DW)*sw
				for oh := hlo; oh < hhi; oh++ {
					d := dst[oh*g.OW : oh*g.OW+g.OW]
					if wlo > 0 {
						clear(d[:wlo])
					}
					if whi < g.OW {
						clear(d[whi:])
					}
					if step == 1 {
						copy(d[wlo:whi], x[p:p+n])
					} else {
						q := p
						for ow := wlo; ow < whi; ow++ {
							d[ow] = x[q]
							q += step
						}
					}
					p += g.SH * sh
				}
			}
		}
	}
}

// im2colBlockMax is the length of a column matrix row from which
// im2colShift and col2imShift shift rows one by one instead of a kernel
// row's KW rows at once: below it the calls dominate, above it the longer
// copies were no faster (measured on LeNet-5's convolutions, rows of 64
// and 576 elements).
const im2colBlockMax = 256

// im2colShift is Im2col for unit strides and dilations, no padding and
// contiguous image rows (sw = 1), the common case of small networks, where
// the rows of the column matrix are shifts of one another:
//
//	row (c, i, j) = row (c, i−1, j) shifted by one output row (OW),
//	                the last output row read from the image;
//	row (c, 0, j) = row (c, 0, j−1) shifted by one element, the last
//	                element of every output row read from the image.
//
// Row (c, 0, 0) is copied from the image run by run. A row thus costs one
// long copy and one run, or one long copy and OH single elements, instead
// of OH short copies, whose calls dominate when output rows are short.
// The matrix is the same, element for element.
func im2colShift[T Float](g *ConvGeom, x []T, sc, sh int, col []T) {
	L := g.OH * g.OW
	ow := g.OW
	for c := 0; c < g.C; c++ {
		xc := x[c*sc:]
		first := c * g.KH * g.KW // row (c, 0, 0)
		row := col[first*L : first*L+L]
		for oh := 0; oh < g.OH; oh++ {
			copy(row[oh*ow:oh*ow+ow], xc[oh*sh:oh*sh+ow])
		}
		for j := 1; j < g.KW; j++ {
			prev := row
			row = col[(first+j)*L : (first+j)*L+L]
			copy(row[:L-1], prev[1:])
			for oh := 0; oh < g.OH; oh++ {
				row[oh*ow+ow-1] = xc[oh*sh+ow-1+j]
			}
		}
		last := (g.OH - 1) * ow // the last output row's start
		if L >= im2colBlockMax {
			for i := 1; i < g.KH; i++ {
				src := xc[(g.OH-1+i)*sh:]
				for j := 0; j < g.KW; j++ {
					r := first + i*g.KW + j
					prev := col[(r-g.KW)*L : (r-g.KW)*L+L]
					row := col[r*L : r*L+L]
					copy(row[:last], prev[ow:])
					copy(row[last:], src[j:j+ow])
				}
			}
			continue
		}
		// Short rows: rows (c, i, 0…KW−1) are contiguous, and so are rows
		// (c, i−1, 0…KW−1), so one copy shifts the whole block by one
		// output row. That puts the first output row of row (c, i−1, j+1)
		// where the last one of row (c, i, j) goes; the last output rows
		// are then read from the image over it.
		n := g.KW * L
		for i := 1; i < g.KH; i++ {
			src := xc[(g.OH-1+i)*sh:]
			r := (first + i*g.KW) * L
			blk := col[r : r+n]
			copy(blk[:n-ow], col[r-n+ow:r])
			for j := 0; j < g.KW; j++ {
				copy(blk[j*L+last:j*L+L], src[j:j+ow])
			}
		}
	}
}

// Col2im is the adjoint of Im2col: it adds every element of the column
// matrix col to the image element it was taken from, into the contiguous
// C×H×W image x. Elements that Im2col would take from the padding are
// dropped. x is accumulated into, not overwritten.
func Col2im[T Float](g *ConvGeom, col []T, x []T) {
	L := g.OH * g.OW
	hw := g.H * g.W
	row := 0
	for c := 0; c < g.C; c++ {
		xc := x[c*hw : c*hw+hw]
		for i := 0; i < g.KH; i++ {
			hlo, hhi := validRange(g.OH, g.SH, g.PH, i*g.DH, g.H)
			for j := 0; j < g.KW; j++ {
				wlo, whi := validRange(g.OW, g.SW, g.PW, j*g.DW, g.W)
				src := col[row*L : row*L+L]
				row++
				if wlo >= whi {
					continue
				}
				if g.SW == 1 && hlo < hhi && addRowsFast(xc, src, g, i, j, hlo, hhi, wlo, whi) {
					continue
				}
				for oh := hlo; oh < hhi; oh++ {
					s := src[oh*g.OW+wlo : oh*g.OW+whi]
					ih := oh*g.SH - g.PH + i*g.DH
					p := ih*g.W + wlo*g.SW - g.PW + j*g.DW
					if g.SW == 1 {
						addRun(xc[p:p+len(s)], s)
						continue
					}
					for _, v := range s {
						xc[p] += v
						p += g.SW
					}
				}
			}
		}
	}
}

// addRun adds s into d, which have equal lengths, unrolled by blocks of 8
// elements.
func addRun[T Float](d, s []T) {
	s = s[:len(d)]
	for len(d) >= 8 {
		dd, ss := (*[8]T)(d), (*[8]T)(s)
		dd[0] += ss[0]
		dd[1] += ss[1]
		dd[2] += ss[2]
		dd[3] += ss[3]
		dd[4] += ss[4]
		dd[5] += ss[5]
		dd[6] += ss[6]
		dd[7] += ss[7]
		d, s = d[8:], s[8:len(d)]
	}
	for k := range d {
		d[k] += s[k]
	}
}

// Col2imScratch is Col2im for a column matrix that is scratch: it may
// overwrite col. For unit strides and dilations without padding it adds
// the rows as the adjoint of im2colShift's shifts: each row is added into
// the row it was shifted from, as one long vector addition, before that
// row is scattered, so that the image receives long runs instead of
// KH·KW·OH short ones. The sums are associated differently from Col2im's,
// so the results may differ from it in the last bits.
func Col2imScratch[T Float](g *ConvGeom, col []T, x []T) {
	if g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1 && g.PH == 0 && g.PW == 0 && g.OH > 0 && g.OW > 0 {
		col2imShift(g, col, x)
		return
	}
	Col2im(g, col, x)
}

// col2imShift is the adjoint of im2colShift (see Col2imScratch).
func col2imShift[T Float](g *ConvGeom, col []T, x []T) {
	L := g.OH * g.OW
	ow := g.OW
	hw := g.H * g.W
	for c := 0; c < g.C; c++ {
		xc := x[c*hw : c*hw+hw]
		first := c * g.KH * g.KW
		last := (g.OH - 1) * ow
		// Rows (c, i, j), i ≥ 1, last first: the last output row goes to
		// the image, the rest is added into row (c, i−1, j).
		if L < im2colBlockMax {
			// Short rows, a kernel row's KW rows at once, the adjoint of
			// im2colShift's block copy: the last output rows go to the
			// image and are set to −0, then the whole block is added into
			// the block above one output row further, which adds the −0s
			// to the first output rows of rows (c, i−1, j+1). x + (−0) is
			// x for every x (±0 and NaN included), so the sums are
			// Col2imScratch's row-by-row ones, bit for bit.
			negZero := T(math.Copysign(0, -1))
			n := g.KW * L
			for i := g.KH - 1; i >= 1; i-- {
				dst := xc[(g.OH-1+i)*g.W:]
				r := (first + i*g.KW) * L
				blk := col[r : r+n]
				for j := 0; j < g.KW; j++ {
					s := blk[j*L+last : j*L+L]
					d := dst[j : j+len(s)]
					for k := range s {
						d[k] += s[k]
						s[k] = negZero
					}
				}
				addVec(col[r-n+ow:r], blk[:n-ow])
			}
		}
		for i := g.KH - 1; i >= 1 && L >= im2colBlockMax; i-- {
			dst := xc[(g.OH-1+i)*g.W:]
			for j := 0; j < g.KW; j++ {
				r := first + i*g.KW + j
				row := col[r*L : r*L+L]
				prev := col[(r-g.KW)*L : (r-g.KW)*L+L]
				addRun(dst[j:j+ow], row[last:])
				addVec(prev[ow:], row[:last])
			}
		}
		// Rows (c, 0, j), j ≥ 1: the last element of every output row goes
		// to the image (and is cleared), the rest is added into row
		// (c, 0, j−1) one element further.
		for j := g.KW - 1; j >= 1; j-- {
			row := col[(first+j)*L : (first+j)*L+L]
			prev := col[(first+j-1)*L : (first+j-1)*L+L]
			for oh := 0; oh < g.OH; oh++ {
				k := oh*ow + ow - 1
				xc[oh*g.W+ow-1+j] += row[k]
				row[k] = 0
			}
			addVec(prev[1:], row[:L-1])
		}
		// Row (c, 0, 0), run by run.
		row := col[first*L : first*L+L]
		for oh := 0; oh < g.OH; oh++ {
			addRun(xc[oh*g.W:oh*g.W+ow], row[oh*ow:oh*ow+ow])
		}
	}
}

// addVec adds s into d, which have equal lengths: with the vector kernel
// for float32.
func addVec[T Float](d, s []T) {
	var z T
	if unsafe.Sizeof(z) == 4 {
		d32 := castSlice[float32](d)
		Add(d32, d32, castSlice[float32](s))
		return
	}
	addRun(d, s)
}

// addRowsFast adds the rows [hlo, hhi) of the column-matrix row src
// (kernel tap (i, j), the valid columns [wlo, whi)) into the image plane
// xc with the vector kernel, for float32 on the AVX-512 path; it reports
// false, doing nothing, otherwise. The additions are addRun's, element by
// element, so the result is the same bit for bit.
func addRowsFast[T Float](xc, src []T, g *ConvGeom, i, j, hlo, hhi, wlo, whi int) bool {
	if ewPath != PathAVX512 {
		return false
	}
	x32, ok := any(xc).([]float32)
	if !ok {
		return false
	}
	s32 := any(src).([]float32)
	n := whi - wlo
	ih := hlo*g.SH - g.PH + i*g.DH
	p := ih*g.W + wlo - g.PW + j*g.DW
	rows := hhi - hlo
	// The last row's run must lie inside both slices.
	lastP, lastS := p+(rows-1)*g.SH*g.W, (hhi-1)*g.OW+wlo
	if p < 0 || lastP+n > len(x32) || lastS+n > len(s32) {
		return false
	}
	vAddRows(&x32[p], g.SH*g.W, &s32[hlo*g.OW+wlo], g.OW, rows, n/16, uint64(1)<<(n%16)-1)
	return true
}
