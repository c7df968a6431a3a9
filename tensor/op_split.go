package tensor

// Split splits t along axis into views of size elements each; the last one
// is smaller when size does not divide the axis (torch.split with an int
// size). An axis of length 0 gives one empty view. Each view is a Narrow of
// t, so its gradient flows back into its own stretch of t.
func (t *Tensor) Split(size, axis int) []*Tensor {
	a := t.axis("Split", axis)
	if size <= 0 {
		panicf("Split", shapesOf(t), "split size must be positive, got %d", size)
	}
	n := t.shape[a]
	if n == 0 {
		return []*Tensor{t.Narrow(a, 0, 0)}
	}
	var out []*Tensor
	for off := 0; off < n; off += size {
		out = append(out, t.Narrow(a, off, min(size, n-off)))
	}
	return out
}

// SplitSizes splits t along axis into views of the given sizes, which must
// be non-negative and add up to the length of the axis (torch.split with a
// list of sizes).
func (t *Tensor) SplitSizes(sizes []int, axis int) []*Tensor {
	a := t.axis("SplitSizes", axis)
	total := 0
	for _, s := range sizes {
		if s < 0 {
			panicf("SplitSizes", shapesOf(t), "negative size %d in %v", s, sizes)
		}
		total += s
	}
	if total != t.shape[a] {
		panicf("SplitSizes", shapesOf(t), "sizes %v add up to %d, axis %d has size %d", sizes, total, a, t.shape[a])
	}
	out := make([]*Tensor, len(sizes))
	off := 0
	for i, s := range sizes {
		out[i] = t.Narrow(a, off, s)
		off += s
	}
	return out
}

// Chunk splits t along axis into at most n views of equal size
// ⌈len/n⌉, the last one smaller, as torch.chunk: fewer than n views come
// back when the axis is too short to fill them. An axis of length 0 gives
// n empty views.
func (t *Tensor) Chunk(n, axis int) []*Tensor {
	a := t.axis("Chunk", axis)
	if n <= 0 {
		panicf("Chunk", shapesOf(t), "number of chunks must be positive, got %d", n)
	}
	l := t.shape[a]
	if l == 0 {
		out := make([]*Tensor, n)
		for i := range out {
			out[i] = t.Narrow(a, 0, 0)
		}
		return out
	}
	return t.Split((l+n-1)/n, a)
}
