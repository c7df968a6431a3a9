package tensor

// sumOp is y = Σ x over some axes: every input element contributes with
// weight 1, so dL/dx is dL/dy broadcast back over the summed axes.
type sumOp struct {
	in, keep []int
}

func (o *sumOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{g.Reshape(o.keep...).Expand(o.in...)}
}

// Sum returns the sum of t over the given axes (all axes when none are
// given), which are removed from the shape.
func (t *Tensor) Sum(axes ...int) *Tensor { return t.sum("Sum", axes, false) }

// SumKeepDim is Sum keeping the reduced axes with size 1.
func (t *Tensor) SumKeepDim(axes ...int) *Tensor { return t.sum("SumKeepDim", axes, true) }

func (t *Tensor) sum(op string, axes []int, keepdim bool) *Tensor {
	mask, keep := reduceAxes(op, t, axes)
	out := sumKeep(t, keep)
	if !keepdim {
		sq := squeezeShape(keep, mask)
		out = out.view(sq, contiguousStrides(sq), 0)
	}
	return record(out, op, &sumOp{in: t.Shape(), keep: keep}, t)
}
