package tensor

// concatOp joins tensors along an axis; each input's gradient is its own
// stretch of dL/dy along that axis.
type concatOp struct {
	axis  int
	sizes []int
}

func (o *concatOp) backward(g *Tensor, needs []bool) []*Tensor {
	r := make([]*Tensor, len(o.sizes))
	off := 0
	for i, n := range o.sizes {
		if needs[i] {
			r[i] = g.Narrow(o.axis, off, n)
		}
		off += n
	}
	return r
}

// Concat joins ts along axis. All tensors must have the same dtype and the
// same shape except along axis.
func Concat(ts []*Tensor, axis int) *Tensor {
	if len(ts) == 0 {
		panicf("Concat", nil, "no tensors to concatenate")
	}
	first := ts[0]
	a := first.axis("Concat", axis)
	shape := first.Shape()
	sizes := make([]int, len(ts))
	total := 0
	for i, t := range ts {
		if t.dtype != first.dtype {
			panicf("Concat", shapesOf(ts...), "dtypes differ: %v and %v", first.dtype, t.dtype)
		}
		if t.Dim() != first.Dim() {
			panicf("Concat", shapesOf(ts...), "tensor %d has %d dimensions, want %d", i, t.Dim(), first.Dim())
		}
		for d := range shape {
			if d != a && t.shape[d] != shape[d] {
				panicf("Concat", shapesOf(ts...), "tensor %d has size %d at dimension %d, want %d", i, t.shape[d], d, shape[d])
			}
		}
		sizes[i] = t.shape[a]
		total += t.shape[a]
	}
	shape[a] = total
	out := newLike(first.dtype, shape, true, ts...)
	od := out.Detach()
	off := 0
	for i, t := range ts {
		od.Narrow(a, off, sizes[i]).CopyFrom(t)
		off += sizes[i]
	}
	return record(out, "Concat", &concatOp{axis: a, sizes: sizes}, ts...)
}
