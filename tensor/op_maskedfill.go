package tensor

// maskedFillOp is y = mask ? value : x (mask broadcast). The filled
// elements do not depend on x, so dL/dx is dL/dy with zeros where mask is
// set: the same fill applied to dL/dy. The mask gets no gradient.
type maskedFillOp struct{ mask *Tensor }

func (o *maskedFillOp) backward(g *Tensor, needs []bool) []*Tensor {
	r := make([]*Tensor, 2)
	if needs[0] {
		r[0] = g.MaskedFill(o.mask, 0)
	}
	return r
}

// MaskedFill returns a copy of t with value wherever mask is non-zero, as
// torch.Tensor.masked_fill. mask may have any dtype and broadcasts with t;
// the result has the broadcast shape.
func (t *Tensor) MaskedFill(mask *Tensor, value float64) *Tensor {
	shape := broadcastShapes("MaskedFill", t.shape, mask.shape)
	out := newLike(t.dtype, shape, true, t, mask)
	out.CopyFrom(t)
	ms := broadcastStrides(mask.shape, mask.strides, shape)
	set := func(p int) {}
	switch t.dtype {
	case Float32:
		v := float32(value)
		set = func(p int) { out.st.f32[p] = v }
	case Float64:
		set = func(p int) { out.st.f64[p] = value }
	case Int64:
		v := int64(value)
		set = func(p int) { out.st.i64[p] = v }
	}
	offs, strides := []int{mask.offset, 0}, [][]int{ms, out.strides}
	switch mask.dtype {
	case Float32:
		walk(shape, offs, strides, func(p []int) {
			if mask.st.f32[p[0]] != 0 {
				set(p[1])
			}
		})
	case Float64:
		walk(shape, offs, strides, func(p []int) {
			if mask.st.f64[p[0]] != 0 {
				set(p[1])
			}
		})
	case Int64:
		walk(shape, offs, strides, func(p []int) {
			if mask.st.i64[p[0]] != 0 {
				set(p[1])
			}
		})
	}
	return record(out, "MaskedFill", &maskedFillOp{mask: mask.Detach()}, t, mask)
}
