package tensor

// scatterAddOp is y = x with src added at the positions index names along
// one axis (torch.scatter_add, out of place). x passes through unchanged,
// so dL/dx = dL/dy; each used src element lands in one output element, so
// dL/dsrc = dL/dy gathered at index (zero for elements of src beyond
// index's shape).
type scatterAddOp struct {
	axis  int
	index *Tensor
	src   []int
}

func (o *scatterAddOp) backward(g *Tensor, needs []bool) []*Tensor {
	r := make([]*Tensor, 3)
	if needs[0] {
		r[0] = g
	}
	if needs[2] {
		gs := g.Gather(o.axis, o.index)
		if !sameShape(gs.shape, o.src) {
			pads := make([]int, 2*len(o.src))
			for d := range o.src {
				pads[2*(len(o.src)-1-d)+1] = o.src[d] - gs.shape[d]
			}
			gs = gs.Pad(pads, 0)
		}
		r[2] = gs
	}
	return r
}

// ScatterAdd returns a copy of t to which the elements of src are added at
// the positions the Int64 tensor index names along axis, as
// torch.Tensor.scatter_add (not in place):
//
//	out[index[i][j][k]][j][k] += src[i][j][k]  // axis 0
//	out[i][index[i][j][k]][k] += src[i][j][k]  // axis 1
//
// index has t's number of dimensions, is no larger than src along any axis
// and no larger than t along every axis but axis; only the elements of src
// that index covers are used. Repeated indices accumulate. An index
// outside [0, size) of the axis is an error.
func (t *Tensor) ScatterAdd(axis int, index, src *Tensor) *Tensor {
	if t.Dim() == 0 {
		scalarAxis("ScatterAdd", t, axis)
		return t.Reshape(1).ScatterAdd(0, index.Reshape(1), src.Reshape(1)).Reshape()
	}
	a := t.axis("ScatterAdd", axis)
	if src.dtype != t.dtype {
		panicf("ScatterAdd", shapesOf(t, index, src), "dtypes differ: %v and %v", t.dtype, src.dtype)
	}
	if src.Dim() != t.Dim() {
		panicf("ScatterAdd", shapesOf(t, index, src), "source has %d dimensions, tensor has %d", src.Dim(), t.Dim())
	}
	checkIndexShape("ScatterAdd", t, index, a, src)
	checkIndexValues("ScatterAdd", t, index, a, shapesOf(t, index, src))
	out := newLike(t.dtype, t.shape, true, t, index, src)
	out.CopyFrom(t)
	ost := append([]int{}, out.strides...)
	ost[a] = 0
	offs := []int{index.offset, src.offset, 0}
	strides := [][]int{index.strides, src.strides, ost}
	s := out.strides[a]
	idx := index.st.i64
	switch t.dtype {
	case Float32:
		x, y := src.st.f32, out.st.f32
		walk(index.shape, offs, strides, func(p []int) { y[p[2]+int(idx[p[0]])*s] += x[p[1]] })
	case Float64:
		x, y := src.st.f64, out.st.f64
		walk(index.shape, offs, strides, func(p []int) { y[p[2]+int(idx[p[0]])*s] += x[p[1]] })
	case Int64:
		x, y := src.st.i64, out.st.i64
		walk(index.shape, offs, strides, func(p []int) { y[p[2]+int(idx[p[0]])*s] += x[p[1]] })
	}
	return record(out, "ScatterAdd", &scatterAddOp{axis: a, index: index.Detach(), src: src.Shape()}, t, index, src)
}
