package tensor

// sliceOp selects start:end:step along one axis. Each output element is one
// input element, so dL/dx is zero except on the slice, where it is dL/dy
// (sliceBackwardOp builds it).
type sliceOp struct {
	in                     []int
	axis, start, end, step int
}

func (o *sliceOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{sliceScatter(g, o.in, o.axis, o.start, o.step)}
}

// sliceBackwardOp is the adjoint of sliceOp: it places g into zeros of the
// input's shape. Its own derivative is the slice again.
type sliceBackwardOp struct{ axis, start, end, step int }

func (o *sliceBackwardOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{g.Slice(o.axis, o.start, o.end, o.step)}
}

// sliceScatter returns zeros of shape with g written at start:…:step along
// axis.
func sliceScatter(g *Tensor, shape []int, axis, start, step int) *Tensor {
	out := newLike(g.dtype, shape, true, g)
	end := start + (g.shape[axis]-1)*step + 1
	dst := out.Detach().Slice(axis, start, end, step)
	dst.CopyFrom(g)
	return record(out, "SliceBackward", &sliceBackwardOp{axis: axis, start: start, end: end, step: step}, g)
}

// Slice returns the view t[start:end:step] along axis, with Python's rules:
// negative start and end count from the end, and both are clamped to the
// axis. step must be positive.
func (t *Tensor) Slice(axis, start, end, step int) *Tensor {
	a := t.axis("Slice", axis)
	if step <= 0 {
		panicf("Slice", shapesOf(t), "step must be positive, got %d", step)
	}
	n := t.shape[a]
	clamp := func(v int) int {
		if v < 0 {
			v += n
		}
		return min(max(v, 0), n)
	}
	s, e := clamp(start), clamp(end)
	cnt := 0
	if e > s {
		cnt = (e - s + step - 1) / step
	}
	shape := t.Shape()
	strides := t.Strides()
	shape[a] = cnt
	strides[a] *= step
	off := t.offset
	if cnt > 0 {
		off += s * t.strides[a]
	}
	return record(t.view(shape, strides, off), "Slice", &sliceOp{in: t.Shape(), axis: a, start: s, end: e, step: step}, t)
}

// Narrow returns t[start:start+length] along axis, as torch.narrow.
func (t *Tensor) Narrow(axis, start, length int) *Tensor {
	a := t.axis("Narrow", axis)
	if start < 0 {
		start += t.shape[a]
	}
	if start < 0 || length < 0 || start+length > t.shape[a] {
		panicf("Narrow", shapesOf(t), "range [%d, %d) out of bounds for size %d", start, start+length, t.shape[a])
	}
	return t.Slice(a, start, start+length, 1)
}
