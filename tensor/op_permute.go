package tensor

// permuteOp reorders axes: y = x.permute(p), so dL/dx = (dL/dy).permute(p⁻¹).
type permuteOp struct{ inv []int }

func (o *permuteOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{g.Permute(o.inv...)}
}

// Permute returns a view of t with its axes reordered: axis i of the result
// is axis axes[i] of t.
func (t *Tensor) Permute(axes ...int) *Tensor {
	if len(axes) != t.Dim() {
		panicf("Permute", shapesOf(t), "got %d axes for %d dimensions", len(axes), t.Dim())
	}
	seen := make([]bool, t.Dim())
	shape := make([]int, t.Dim())
	strides := make([]int, t.Dim())
	inv := make([]int, t.Dim())
	for i, a := range axes {
		a = t.axis("Permute", a)
		if seen[a] {
			panicf("Permute", shapesOf(t), "axis %d repeated in %v", a, axes)
		}
		seen[a] = true
		shape[i], strides[i] = t.shape[a], t.strides[a]
		inv[a] = i
	}
	return record(t.view(shape, strides, t.offset), "Permute", &permuteOp{inv: inv}, t)
}

// Transpose returns a view of t with axes a and b swapped.
func (t *Tensor) Transpose(a, b int) *Tensor {
	a, b = t.axis("Transpose", a), t.axis("Transpose", b)
	p := make([]int, t.Dim())
	for i := range p {
		p[i] = i
	}
	p[a], p[b] = b, a
	return t.Permute(p...)
}

// T returns t with its last two axes swapped (the matrix transpose, batched
// for more dimensions). A tensor with fewer than two dimensions is returned
// unchanged.
func (t *Tensor) T() *Tensor {
	if t.Dim() < 2 {
		return t
	}
	return t.Transpose(-2, -1)
}
