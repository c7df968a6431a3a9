package tensor

// extremeOp is y = max (or min) of x over some axes, as torch.amax and
// torch.amin. The derivative is split evenly among the elements that attain
// the extreme: dL/dx = dL/dy · [x = y] / #{x = y}, broadcast back over the
// reduced axes. A NaN extreme counts as attained by the NaN elements.
type extremeOp struct {
	x, out *Tensor // the input and the keep-dim result (not recorded)
	keep   []int
}

func (o *extremeOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{g.Reshape(o.keep...).Mul(tieWeights(o.x, o.out, o.keep))}
}

// tieWeights returns a tensor of x's shape and dtype holding, at each
// element equal to the extreme y of its reduction group, 1 divided by the
// number of such elements in the group, and 0 elsewhere (not recorded).
func tieWeights(x, y *Tensor, keep []int) *Tensor {
	hit := compareBinary("Max", x, y, func(a, b float64) bool { return a == b || (a != a && b != b) })
	count := sumKeep(hit, keep)
	w := newLike(x.dtype, x.shape, true, x, y)
	switch x.dtype {
	case Float32:
		binaryLoop(w.st.f32, hit.st.i64, 0, hit.strides, count.st.i64, 0, broadcastStrides(keep, count.strides, x.shape), x.shape,
			func(h, c int64) float32 { return float32(h) / float32(c) })
	case Float64:
		binaryLoop(w.st.f64, hit.st.i64, 0, hit.strides, count.st.i64, 0, broadcastStrides(keep, count.strides, x.shape), x.shape,
			func(h, c int64) float64 { return float64(h) / float64(c) })
	}
	return w
}

// Max returns the largest element of t over the given axes (all axes when
// none are given), which are removed from the shape, as torch.amax. NaN
// propagates. The gradient is split evenly among tied maxima.
func (t *Tensor) Max(axes ...int) *Tensor { return t.extreme("Max", axes, false, 1) }

// MaxKeepDim is Max keeping the reduced axes with size 1.
func (t *Tensor) MaxKeepDim(axes ...int) *Tensor { return t.extreme("MaxKeepDim", axes, true, 1) }

// Min returns the smallest element of t over the given axes (all axes when
// none are given), which are removed from the shape, as torch.amin. NaN
// propagates. The gradient is split evenly among tied minima.
func (t *Tensor) Min(axes ...int) *Tensor { return t.extreme("Min", axes, false, -1) }

// MinKeepDim is Min keeping the reduced axes with size 1.
func (t *Tensor) MinKeepDim(axes ...int) *Tensor { return t.extreme("MinKeepDim", axes, true, -1) }

func (t *Tensor) extreme(op string, axes []int, keepdim bool, sign int) *Tensor {
	mask, keep := reduceAxes(op, t, axes)
	for i, m := range mask {
		if m && t.shape[i] == 0 {
			panicf(op, shapesOf(t), "reduction over axis %d of size 0", i)
		}
	}
	var kout *Tensor
	if numel(keep) == 0 {
		kout = newLike(t.dtype, keep, true, t)
	} else {
		kout = extremeKeep(op, t, keep, sign)
	}
	out := kout
	if !keepdim {
		sq := squeezeShape(keep, mask)
		out = kout.view(sq, contiguousStrides(sq), 0)
	}
	return record(out, op, &extremeOp{x: t.Detach(), out: kout, keep: keep}, t)
}
