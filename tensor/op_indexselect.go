package tensor

// IndexSelect returns the slices of t at the positions listed by the 1-D
// Int64 tensor index along axis, in that order, as torch.index_select: the
// result has t's shape with the axis's size replaced by the length of
// index. An index outside [0, size) of the axis is an error. The gradient
// adds dL/dy back into the selected slices, so repeated indices
// accumulate.
//
// It is a Gather with index broadcast over the other axes (a view, not a
// copy), so its derivative is the same ScatterAdd.
func (t *Tensor) IndexSelect(axis int, index *Tensor) *Tensor {
	if t.Dim() == 0 {
		scalarAxis("IndexSelect", t, axis)
		return t.Reshape(1).IndexSelect(0, index).Reshape(index.shape...)
	}
	a := t.axis("IndexSelect", axis)
	if index.dtype != Int64 {
		panicf("IndexSelect", shapesOf(t, index), "index must have dtype int64, not %v", index.dtype)
	}
	if index.Dim() > 1 {
		panicf("IndexSelect", shapesOf(t, index), "index must have at most one dimension, has %d", index.Dim())
	}
	n := index.Numel()
	shape := t.Shape()
	shape[a] = n
	ist := make([]int, t.Dim())
	if index.Dim() == 1 {
		ist[a] = index.strides[0]
	}
	return gather("IndexSelect", t, a, index.view(shape, ist, index.offset), shapesOf(t, index))
}
