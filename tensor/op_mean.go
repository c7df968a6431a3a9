package tensor

// meanOp is y = Σ x / n over some axes, n being the number of elements
// reduced into each output: dL/dx = dL/dy / n, broadcast back over the
// reduced axes.
type meanOp struct {
	in, keep []int
	scale    float64 // 1/n
}

func (o *meanOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{g.Reshape(o.keep...).MulScalar(o.scale).Expand(o.in...)}
}

// Mean returns the arithmetic mean of t over the given axes (all axes when
// none are given), which are removed from the shape. t must be a
// floating-point tensor; Float32 sums accumulate in float64. The mean over
// zero elements is NaN.
func (t *Tensor) Mean(axes ...int) *Tensor { return t.mean("Mean", axes, false) }

// MeanKeepDim is Mean keeping the reduced axes with size 1.
func (t *Tensor) MeanKeepDim(axes ...int) *Tensor { return t.mean("MeanKeepDim", axes, true) }

func (t *Tensor) mean(op string, axes []int, keepdim bool) *Tensor {
	t.mustFloat(op)
	mask, keep := reduceAxes(op, t, axes)
	n := reducedCount(t.shape, keep)
	out := newLike(t.dtype, keep, true, t)
	mean := meanKeep(t, keep, n)
	switch t.dtype {
	case Float32:
		for i, v := range mean {
			out.st.f32[i] = float32(v)
		}
	case Float64:
		copy(out.st.f64, mean)
	}
	if !keepdim {
		sq := squeezeShape(keep, mask)
		out = out.view(sq, contiguousStrides(sq), 0)
	}
	return record(out, op, &meanOp{in: t.Shape(), keep: keep, scale: 1 / float64(n)}, t)
}
