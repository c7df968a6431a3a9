package tensor

// OneHot returns the one-hot encoding of the Int64 class indices: an Int64
// tensor of shape indices.Shape() + [numClasses] holding 1 at the position
// of each index and 0 elsewhere, as torch.nn.functional.one_hot. With
// numClasses -1 the number of classes is one more than the largest index.
// An index outside [0, numClasses) is an error. It is not differentiable.
func OneHot(indices *Tensor, numClasses int) *Tensor {
	if indices.dtype != Int64 {
		panicf("OneHot", shapesOf(indices), "indices must have dtype int64, not %v", indices.dtype)
	}
	idx := indices.Int64s()
	if numClasses == -1 {
		if len(idx) == 0 {
			panicf("OneHot", shapesOf(indices), "cannot infer the number of classes from an empty tensor")
		}
		m := idx[0]
		for _, v := range idx {
			m = max(m, v)
		}
		numClasses = int(m) + 1
	}
	if numClasses < 0 {
		panicf("OneHot", shapesOf(indices), "number of classes must be non-negative or -1, got %d", numClasses)
	}
	shape := append(indices.Shape(), numClasses)
	out := newLike(Int64, shape, true, indices)
	for i, v := range idx {
		if v < 0 || v >= int64(numClasses) {
			panicf("OneHot", shapesOf(indices), "index %d out of range for %d classes", v, numClasses)
		}
		out.st.i64[i*numClasses+int(v)] = 1
	}
	out.noGrad = indices.noGrad
	return out
}
