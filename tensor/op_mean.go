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

// reducedCount returns how many elements of shape fold into each element of
// the keep-dim shape keep.
func reducedCount(shape, keep []int) int {
	n := 1
	for i, d := range shape {
		if keep[i] == 1 {
			n *= d
		}
	}
	return n
}

// meanKeep returns, in float64 and row-major order of the keep-dim shape
// keep, the means of the floating-point tensor x over the reduced axes,
// each of which folds n elements (not recorded).
func meanKeep(x *Tensor, keep []int, n int) []float64 {
	acc := newLike(Float64, keep, true, x).st.f64
	switch x.dtype {
	case Float32:
		reduceInto(acc, keep, x.st.f32, x.offset, x.shape, x.strides, func(a float64, v float32) float64 { return a + float64(v) })
	case Float64:
		reduceInto(acc, keep, x.st.f64, x.offset, x.shape, x.strides, func(a, v float64) float64 { return a + v })
	}
	for i := range acc {
		acc[i] /= float64(n)
	}
	return acc
}
