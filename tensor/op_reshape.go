package tensor

// reshapeOp is Reshape, Squeeze, Unsqueeze and Flatten: the elements are
// unchanged, only the shape differs, so dL/dx = reshape(dL/dy, x.shape).
type reshapeOp struct{ in []int }

func (o *reshapeOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{g.Reshape(o.in...)}
}

// Reshape returns a tensor with the same elements as t in row-major order
// and the given shape. One dimension may be -1 and is then inferred. The
// result is a view of t when the strides allow it (always for contiguous
// tensors), otherwise a copy.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	shape = inferShape("Reshape", t, shape)
	if sameShape(shape, t.shape) {
		return t
	}
	var out *Tensor
	if st := viewStrides(t.shape, t.strides, shape); st != nil {
		out = t.view(shape, st, t.offset)
	} else {
		c := t.Contiguous().Detach()
		out = c.view(shape, contiguousStrides(shape), c.offset)
		out.noGrad = t.noGrad
	}
	return record(out, "Reshape", &reshapeOp{in: t.Shape()}, t)
}

// inferShape resolves a -1 in shape and checks the element count.
func inferShape(op string, t *Tensor, shape []int) []int {
	shape = append([]int{}, shape...)
	infer := -1
	n := 1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panicf(op, [][]int{t.shape, shape}, "invalid dimension %d", d)
		default:
			n *= d
		}
	}
	total := t.Numel()
	if infer >= 0 {
		if n == 0 || total%n != 0 {
			panicf(op, [][]int{t.shape, shape}, "cannot infer the -1 dimension for %d elements", total)
		}
		shape[infer] = total / n
	} else if n != total {
		panicf(op, [][]int{t.shape, shape}, "shape needs %d elements, tensor has %d", n, total)
	}
	return shape
}

// viewStrides returns strides that view (shape, strides) as newShape without
// copying, or nil if none exist (PyTorch's computeStride).
func viewStrides(shape, strides, newShape []int) []int {
	if numel(shape) == 0 || len(shape) == 0 {
		return contiguousStrides(newShape)
	}
	ns := make([]int, len(newShape))
	viewD := len(newShape) - 1
	chunkBase := strides[len(strides)-1]
	tensorNumel, viewNumel := 1, 1
	for d := len(shape) - 1; d >= 0; d-- {
		tensorNumel *= shape[d]
		if d == 0 || (shape[d-1] != 1 && strides[d-1] != tensorNumel*chunkBase) {
			for viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1) {
				ns[viewD] = viewNumel * chunkBase
				viewNumel *= newShape[viewD]
				viewD--
			}
			if viewNumel != tensorNumel {
				return nil
			}
			if d > 0 {
				chunkBase = strides[d-1]
				tensorNumel, viewNumel = 1, 1
			}
		}
	}
	if viewD != -1 {
		return nil
	}
	return ns
}

// Flatten reshapes the axes start..end (inclusive, negative counting from
// the end) into one.
func (t *Tensor) Flatten(start, end int) *Tensor {
	if t.Dim() == 0 {
		return t.Reshape(1)
	}
	s, e := t.axis("Flatten", start), t.axis("Flatten", end)
	if s > e {
		panicf("Flatten", shapesOf(t), "start axis %d after end axis %d", start, end)
	}
	shape := append([]int{}, t.shape[:s]...)
	shape = append(shape, numel(t.shape[s:e+1]))
	shape = append(shape, t.shape[e+1:]...)
	return t.Reshape(shape...)
}

// Squeeze removes the given axes, which must have size 1; without axes it
// removes every axis of size 1.
func (t *Tensor) Squeeze(axes ...int) *Tensor {
	drop := make([]bool, t.Dim())
	if len(axes) == 0 {
		for i, d := range t.shape {
			drop[i] = d == 1
		}
	}
	for _, a := range axes {
		a = t.axis("Squeeze", a)
		if t.shape[a] != 1 {
			panicf("Squeeze", shapesOf(t), "axis %d has size %d, not 1", a, t.shape[a])
		}
		drop[a] = true
	}
	var shape, strides []int
	for i := range t.shape {
		if !drop[i] {
			shape = append(shape, t.shape[i])
			strides = append(strides, t.strides[i])
		}
	}
	if len(shape) == len(t.shape) {
		return t
	}
	return record(t.view(shape, strides, t.offset), "Squeeze", &reshapeOp{in: t.Shape()}, t)
}

// Unsqueeze inserts an axis of size 1 at position axis (in the result;
// negative counts from the end of the result).
func (t *Tensor) Unsqueeze(axis int) *Tensor {
	a := normAxis("Unsqueeze", axis, t.Dim()+1, t.shape)
	shape := append(append(append([]int{}, t.shape[:a]...), 1), t.shape[a:]...)
	st := 1
	if a < t.Dim() {
		st = t.strides[a] * t.shape[a]
	}
	strides := append(append(append([]int{}, t.strides[:a]...), st), t.strides[a:]...)
	return record(t.view(shape, strides, t.offset), "Unsqueeze", &reshapeOp{in: t.Shape()}, t)
}
