package kernel

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
				clear(dst[:hlo*g.OW])
				clear(dst[hhi*g.OW:])
				for oh := hlo; oh < hhi; oh++ {
					d := dst[oh*g.OW : oh*g.OW+g.OW]
					clear(d[:wlo])
					clear(d[whi:])
					if wlo >= whi {
						continue
					}
					ih := oh*g.SH - g.PH + i*g.DH
					p := xc + ih*sh + (wlo*g.SW-g.PW+j*g.DW)*sw
					step := g.SW * sw
					if step == 1 {
						copy(d[wlo:whi], x[p:p+whi-wlo])
						continue
					}
					for ow := wlo; ow < whi; ow++ {
						d[ow] = x[p]
						p += step
					}
				}
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
				for oh := hlo; oh < hhi; oh++ {
					s := src[oh*g.OW+wlo : oh*g.OW+whi]
					ih := oh*g.SH - g.PH + i*g.DH
					p := ih*g.W + wlo*g.SW - g.PW + j*g.DW
					if g.SW == 1 {
						d := xc[p : p+len(s)]
						for k, v := range s {
							d[k] += v
						}
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
