package tensor

// gatherOp is y[…i…] = x[…index[…i…]…] along one axis (torch.gather). Each
// output element is one input element, so dL/dx adds dL/dy into zeros at
// the gathered positions: a ScatterAdd, whose own derivative with respect
// to its source is this Gather again.
type gatherOp struct {
	axis  int
	in    []int
	index *Tensor
}

func (o *gatherOp) backward(g *Tensor, needs []bool) []*Tensor {
	r := make([]*Tensor, 2)
	if needs[0] {
		r[0] = Zeros(g.dtype, o.in...).ScatterAdd(o.axis, o.index, g)
	}
	return r
}

// Gather returns the elements of t picked along axis by the Int64 tensor
// index, as torch.gather: index has t's number of dimensions and at most
// t's size along every other axis, and the result has index's shape with
//
//	out[i][j][k] = t[index[i][j][k]][j][k]  // axis 0
//	out[i][j][k] = t[i][index[i][j][k]][k]  // axis 1
//
// An index outside [0, size) of the axis is an error. The gradient adds
// into the picked elements, so repeated indices accumulate.
func (t *Tensor) Gather(axis int, index *Tensor) *Tensor {
	if t.Dim() == 0 {
		scalarAxis("Gather", t, axis)
		return t.Reshape(1).Gather(0, index.Reshape(1)).Reshape()
	}
	a := t.axis("Gather", axis)
	checkIndexShape("Gather", t, index, a, nil)
	return gather("Gather", t, a, index, shapesOf(t, index))
}

// gather is the forward of Gather and IndexSelect, with index already
// checked to fit t (except its values) and broadcast to the output shape.
// shapes are the operands' shapes for error messages.
func gather(op string, t *Tensor, a int, index *Tensor, shapes [][]int) *Tensor {
	checkIndexValues(op, t, index, a, shapes)
	out := newLike(t.dtype, index.shape, true, t, index)
	xst := append([]int{}, t.strides...)
	xst[a] = 0
	offs := []int{index.offset, t.offset, 0}
	strides := [][]int{index.strides, xst, out.strides}
	s := t.strides[a]
	idx := index.st.i64
	switch t.dtype {
	case Float32:
		x, y := t.st.f32, out.st.f32
		walk(index.shape, offs, strides, func(p []int) { y[p[2]] = x[p[1]+int(idx[p[0]])*s] })
	case Float64:
		x, y := t.st.f64, out.st.f64
		walk(index.shape, offs, strides, func(p []int) { y[p[2]] = x[p[1]+int(idx[p[0]])*s] })
	case Int64:
		x, y := t.st.i64, out.st.i64
		walk(index.shape, offs, strides, func(p []int) { y[p[2]] = x[p[1]+int(idx[p[0]])*s] })
	}
	return record(out, op, &gatherOp{axis: a, in: t.Shape(), index: index.Detach()}, t, index)
}

// checkIndexShape checks that index is an Int64 tensor with t's number of
// dimensions, no larger than t along every axis but a, and no larger than
// src (when given) along every axis.
func checkIndexShape(op string, t, index *Tensor, a int, src *Tensor) {
	shapes := shapesOf(t, index)
	if src != nil {
		shapes = shapesOf(t, index, src)
	}
	if index.dtype != Int64 {
		panicf(op, shapes, "index must have dtype int64, not %v", index.dtype)
	}
	if index.Dim() != t.Dim() {
		panicf(op, shapes, "index has %d dimensions, tensor has %d", index.Dim(), t.Dim())
	}
	for d, n := range index.shape {
		if d != a && n > t.shape[d] {
			panicf(op, shapes, "index has size %d at dimension %d, larger than the tensor's %d", n, d, t.shape[d])
		}
		if src != nil && n > src.shape[d] {
			panicf(op, shapes, "index has size %d at dimension %d, larger than the source's %d", n, d, src.shape[d])
		}
	}
}

// checkIndexValues panics if an element of index is outside [0, size) of
// axis a of t; shapes are the operands' shapes for the message.
func checkIndexValues(op string, t, index *Tensor, a int, shapes [][]int) {
	n := int64(t.shape[a])
	walk(index.shape, []int{index.offset}, [][]int{index.strides}, func(p []int) {
		if v := index.st.i64[p[0]]; v < 0 || v >= n {
			panicf(op, shapes, "index %d out of range for axis %d of size %d", v, a, n)
		}
	})
}
