package kernel

import "testing"

// lenetGeoms are the convolutions of LeNet-5 on 28×28 images.
var lenetGeoms = []struct {
	name string
	g    ConvGeom
}{
	{"1x28x28_k5", ConvGeom{C: 1, H: 28, W: 28, KH: 5, KW: 5, SH: 1, SW: 1, DH: 1, DW: 1, OH: 24, OW: 24}},
	{"6x12x12_k5", ConvGeom{C: 6, H: 12, W: 12, KH: 5, KW: 5, SH: 1, SW: 1, DH: 1, DW: 1, OH: 8, OW: 8}},
	{"3x32x32_k3_pad1", ConvGeom{C: 3, H: 32, W: 32, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1, DH: 1, DW: 1, OH: 32, OW: 32}},
}

// BenchmarkIm2col times Im2col of one float32 image for LeNet-5's
// convolutions and a padded 3×3 one.
func BenchmarkIm2col(b *testing.B) {
	for _, c := range lenetGeoms {
		g := c.g
		x := make([]float32, g.C*g.H*g.W)
		for i := range x {
			x[i] = float32(i)
		}
		col := make([]float32, g.ColRows()*g.ColCols())
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				Im2col(&g, x, g.H*g.W, g.W, 1, col)
			}
		})
	}
}

// BenchmarkCol2im times Col2im and Col2imScratch (with the copy of the
// column matrix it overwrites) of one float32 image for the geometries of
// BenchmarkIm2col.
func BenchmarkCol2im(b *testing.B) {
	for _, c := range lenetGeoms {
		g := c.g
		x := make([]float32, g.C*g.H*g.W)
		col := make([]float32, g.ColRows()*g.ColCols())
		for i := range col {
			col[i] = float32(i % 7)
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				Col2im(&g, col, x)
			}
		})
		scratch := make([]float32, len(col))
		b.Run(c.name+"/scratch", func(b *testing.B) {
			for b.Loop() {
				copy(scratch, col)
				Col2imScratch(&g, scratch, x)
			}
		})
	}
}
