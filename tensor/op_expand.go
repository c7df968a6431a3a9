package tensor

// expandOp broadcasts x to a larger shape without copying. Each output
// element is a copy of one input element, so dL/dx sums dL/dy over the
// broadcast axes; the engine does that reduction, so backward passes g on.
type expandOp struct{}

func (expandOp) backward(g *Tensor, _ []bool) []*Tensor { return []*Tensor{g} }

// Expand returns a view of t broadcast to shape (NumPy rules; -1 keeps the
// size of that axis). Broadcast axes have stride 0, so the elements are
// shared, not copied.
func (t *Tensor) Expand(shape ...int) *Tensor {
	shape = append([]int{}, shape...)
	lead := len(shape) - t.Dim()
	if lead < 0 {
		panicf("Expand", [][]int{t.shape, shape}, "target has fewer dimensions than the tensor")
	}
	for i := range shape {
		if shape[i] == -1 {
			if i < lead {
				panicf("Expand", [][]int{t.shape, shape}, "-1 not allowed for a new leading dimension")
			}
			shape[i] = t.shape[i-lead]
		}
	}
	for i, d := range shape {
		if d < 0 {
			panicf("Expand", [][]int{t.shape, shape}, "invalid size %d at dimension %d", d, i)
		}
	}
	for i, d := range t.shape {
		if d != 1 && d != shape[lead+i] {
			panicf("Expand", [][]int{t.shape, shape}, "size %d at dimension %d cannot expand to %d", d, i, shape[lead+i])
		}
	}
	if sameShape(shape, t.shape) {
		return t
	}
	return record(t.view(shape, broadcastStrides(t.shape, t.strides, shape), t.offset), "Expand", expandOp{}, t)
}

// BroadcastTo is Expand without -1 placeholders, as torch.broadcast_to.
func (t *Tensor) BroadcastTo(shape ...int) *Tensor { return t.Expand(shape...) }
