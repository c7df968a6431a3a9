package tensor

// Stack joins tensors of one shape along a new axis inserted at position
// axis of the result (negative counts from the end of the result), as
// torch.stack. It is Concat of the tensors each unsqueezed at axis, so each
// input's gradient is its own slice of dL/dy along the new axis.
func Stack(ts []*Tensor, axis int) *Tensor {
	if len(ts) == 0 {
		panicf("Stack", nil, "no tensors to stack")
	}
	first := ts[0]
	a := normAxis("Stack", axis, first.Dim()+1, first.shape)
	for i, t := range ts {
		if t.dtype != first.dtype {
			panicf("Stack", shapesOf(ts...), "dtypes differ: %v and %v", first.dtype, t.dtype)
		}
		if !sameShape(t.shape, first.shape) {
			panicf("Stack", shapesOf(ts...), "tensor %d has shape %v, want %v", i, shapeString(t.shape), shapeString(first.shape))
		}
	}
	us := make([]*Tensor, len(ts))
	for i, t := range ts {
		us[i] = t.Unsqueeze(a)
	}
	return Concat(us, a)
}
