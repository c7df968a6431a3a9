package tensor

// padOp is constant padding (and cropping, for negative pads). Each output
// element is either the constant or one input element, so dL/dx is dL/dy
// with the padding cut off and the cropped parts restored as zeros: the
// padding of dL/dy by the negated pads, which is also how backward writes
// it.
type padOp struct{ inv []int }

func (o *padOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{g.Pad(o.inv, 0)}
}

// Pad returns t padded with the constant value, as
// torch.nn.functional.pad in constant mode. pads holds (before, after)
// pairs starting from the last axis: {1, 2} pads the last axis with one
// element in front and two behind, {1, 2, 0, 3} also pads the axis before
// it with three elements behind. Negative pads crop. The result must not
// have a negative size.
func (t *Tensor) Pad(pads []int, value float64) *Tensor {
	nd := t.Dim()
	if len(pads)%2 != 0 {
		panicf("Pad", shapesOf(t), "pads %v must come in (before, after) pairs", pads)
	}
	if len(pads)/2 > nd {
		panicf("Pad", shapesOf(t), "%d pairs of pads for %d dimensions", len(pads)/2, nd)
	}
	lo, hi := make([]int, nd), make([]int, nd)
	for i := 0; i < len(pads)/2; i++ {
		lo[nd-1-i], hi[nd-1-i] = pads[2*i], pads[2*i+1]
	}
	shape := t.Shape()
	for d := range shape {
		shape[d] += lo[d] + hi[d]
		if shape[d] < 0 {
			panicf("Pad", shapesOf(t), "pads %v give dimension %d the negative size %d", pads, d, shape[d])
		}
	}
	out := Full(t.dtype, value, shape...)
	src, dst := t.Detach(), out.Detach()
	copyAny := true
	for d := range shape {
		n := t.shape[d] - max(-lo[d], 0) - max(-hi[d], 0)
		if n <= 0 {
			copyAny = false
			break
		}
		src = src.Narrow(d, max(-lo[d], 0), n)
		dst = dst.Narrow(d, max(lo[d], 0), n)
	}
	if copyAny {
		dst.CopyFrom(src)
	}
	inv := make([]int, len(pads))
	for i, p := range pads {
		inv[i] = -p
	}
	return record(out, "Pad", &padOp{inv: inv}, t)
}
