package kernel

import (
	"fmt"
	"math"
)

// MaxPool2x2 is the 2×2, stride-2 max-pool of one float32 plane whose rows
// are sh elements apart in x: for i < oh and j < ow it writes the largest
// of x[2i·sh + 2j], x[2i·sh + 2j + 1], x[(2i+1)·sh + 2j] and
// x[(2i+1)·sh + 2j + 1] to y[i·ow + j], and its position as
// top + 2i·width + 2j + {0, 1, width, width + 1} to idx[i·ow + j] (the flat
// index of the winner in a plane width elements wide whose first element
// has index top).
//
// The winner is the one the sequential loop over the window (row by row,
// keeping the first maximum, letting a NaN replace anything) picks: ties
// and −0 against +0 go to the earlier element, a NaN beats every number,
// and a later NaN beats an earlier one. The winner's bits are copied, so
// the sign of a zero and a NaN's payload are kept. Rows may overlap (sh
// below 2·ow, even 0). It panics if sh is negative or a slice is too
// short for the sizes given.
func MaxPool2x2(y []float32, idx []int64, x []float32, sh, oh, ow, top, width int) {
	if oh <= 0 || ow <= 0 {
		return
	}
	if sh < 0 || len(y) < oh*ow || len(idx) < oh*ow || len(x) < (2*oh-1)*sh+2*ow {
		panic(fmt.Sprintf("kernel: MaxPool2x2: slices of %d, %d and %d elements, row stride %d, too short for %d×%d outputs",
			len(y), len(idx), len(x), sh, oh, ow))
	}
	if ewPath == PathAVX512 {
		vMaxPool2x2(&y[0], &idx[0], &x[0], sh, oh, ow, top, width)
		return
	}
	maxPool2x2Go(y, idx, x, sh, oh, ow, top, width)
}

// maxPool2x2Go is MaxPool2x2 in Go, without branches on the data (they
// are mispredicted about half the time on activations): each element is
// mapped to an integer key that orders like the float values (−0 and +0
// equal) and puts a NaN above every number, a later NaN above an earlier
// one; the window's winner is the first element with the largest key,
// found by a tournament of integer comparisons that the compiler turns
// into conditional moves.
func maxPool2x2Go(y []float32, idx []int64, x []float32, sh, oh, ow, top, width int) {
	for i := 0; i < oh; i++ {
		r0 := 2 * i * sh
		r1 := r0 + sh
		row0, row1 := x[r0:r0+2*ow], x[r1:r1+2*ow]
		yr, ir := y[i*ow:i*ow+ow], idx[i*ow:i*ow+ow]
		t := top + 2*i*width
		for j := range yr {
			b0, b1 := math.Float32bits(row0[2*j]), math.Float32bits(row0[2*j+1])
			b2, b3 := math.Float32bits(row1[2*j]), math.Float32bits(row1[2*j+1])
			k0, k1, k2, k3 := poolKey(b0, 0), poolKey(b1, 1), poolKey(b2, 2), poolKey(b3, 3)
			// First row: the right element wins only with a larger key.
			ka, ba, wa := k0, b0, 0
			if k1 > ka {
				ka, ba, wa = k1, b1, 1
			}
			// Second row.
			kb, bb, wb := k2, b2, width
			if k3 > kb {
				kb, bb, wb = k3, b3, width+1
			}
			if kb > ka {
				ba, wa = bb, wb
			}
			yr[j] = math.Float32frombits(ba)
			ir[j] = int64(t + 2*j + wa)
		}
	}
}

// poolKey returns the key of maxPool2x2Go for the float32 with bits b at
// position pos (0 to 3, in the sequential loop's order) of its window:
// ±magnitude for a number, 2³² + pos for a NaN.
func poolKey(b uint32, pos int64) int64 {
	mag := int64(b & 0x7fffffff)
	k := mag
	if b>>31 != 0 {
		k = -mag
	}
	if mag > 0x7f800000 {
		k = 1<<32 + pos
	}
	return k
}
