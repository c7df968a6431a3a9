package tensor

// ArgMax returns the indices of the largest elements of t along axis, as an
// Int64 tensor with that axis removed (torch.argmax with a dim). On ties the
// first index is returned; a NaN counts as larger than any number. It is
// not differentiable.
func (t *Tensor) ArgMax(axis int) *Tensor { return t.argExtreme("ArgMax", axis, false, 1) }

// ArgMaxKeepDim is ArgMax keeping axis with size 1.
func (t *Tensor) ArgMaxKeepDim(axis int) *Tensor { return t.argExtreme("ArgMaxKeepDim", axis, true, 1) }

// ArgMin returns the indices of the smallest elements of t along axis, as an
// Int64 tensor with that axis removed (torch.argmin with a dim). On ties the
// first index is returned; a NaN counts as smaller than any number. It is
// not differentiable.
func (t *Tensor) ArgMin(axis int) *Tensor { return t.argExtreme("ArgMin", axis, false, -1) }

// ArgMinKeepDim is ArgMin keeping axis with size 1.
func (t *Tensor) ArgMinKeepDim(axis int) *Tensor {
	return t.argExtreme("ArgMinKeepDim", axis, true, -1)
}

func (t *Tensor) argExtreme(op string, axis int, keepdim bool, sign int) *Tensor {
	if t.Dim() == 0 {
		scalarAxis(op, t, axis)
		out := newLike(Int64, nil, true, t)
		out.noGrad = t.noGrad
		return out
	}
	a := t.axis(op, axis)
	if t.shape[a] == 0 {
		panicf(op, shapesOf(t), "reduction over axis %d of size 0", a)
	}
	keep := t.Shape()
	keep[a] = 1
	out := newLike(Int64, keep, true, t)
	switch t.dtype {
	case Float32:
		argLines(out.st.i64, t.st.f32, t.offset, t.shape, t.strides, a, sign)
	case Float64:
		argLines(out.st.i64, t.st.f64, t.offset, t.shape, t.strides, a, sign)
	case Int64:
		argLines(out.st.i64, t.st.i64, t.offset, t.shape, t.strides, a, sign)
	}
	if !keepdim {
		sq := append(append([]int{}, keep[:a]...), keep[a+1:]...)
		out = out.view(sq, contiguousStrides(sq), 0)
	}
	out.noGrad = t.noGrad
	return out
}

// argLines writes into out, for every line of the strided view x along
// axis, the index of its first maximum (sign > 0) or minimum (sign < 0); the
// first NaN wins over any number.
func argLines[T number](out []int64, x []T, xoff int, shape, xst []int, axis, sign int) {
	lshape := append([]int{}, shape...)
	lshape[axis] = 1
	n, s := shape[axis], xst[axis]
	walk(lshape, []int{xoff, 0}, [][]int{xst, contiguousStrides(lshape)}, func(p []int) {
		best, bv := 0, x[p[0]]
		if bv == bv {
			q := p[0]
			for i := 1; i < n; i++ {
				q += s
				v := x[q]
				if v != v || (sign > 0 && v > bv) || (sign < 0 && v < bv) {
					best, bv = i, v
					if v != v {
						break
					}
				}
			}
		}
		out[p[1]] = int64(best)
	})
}
