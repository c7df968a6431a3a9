package tensor

// flatIndex returns the storage index of the element at idx, checking it.
func (t *Tensor) flatIndex(op string, idx []int) int {
	t.live(op)
	if len(idx) != len(t.shape) {
		panicf(op, shapesOf(t), "got %d indices for %d dimensions", len(idx), len(t.shape))
	}
	p := t.offset
	for i, v := range idx {
		if v < 0 {
			v += t.shape[i]
		}
		if v < 0 || v >= t.shape[i] {
			panicf(op, shapesOf(t), "index %d out of range for dimension %d of size %d", idx[i], i, t.shape[i])
		}
		p += v * t.strides[i]
	}
	return p
}

// At returns the element at the given indices (negative ones count from the
// end) as a float64.
func (t *Tensor) At(idx ...int) float64 {
	p := t.flatIndex("At", idx)
	switch t.dtype {
	case Float32:
		return float64(t.st.f32[p])
	case Float64:
		return t.st.f64[p]
	default:
		return float64(t.st.i64[p])
	}
}

// Set stores v at the given indices. It modifies t in place and is not
// recorded: do not use it on tensors that are part of a graph.
func (t *Tensor) Set(v float64, idx ...int) {
	p := t.flatIndex("Set", idx)
	switch t.dtype {
	case Float32:
		t.st.f32[p] = float32(v)
	case Float64:
		t.st.f64[p] = v
	default:
		t.st.i64[p] = int64(v)
	}
}

// Item returns the only element of a one-element tensor.
func (t *Tensor) Item() float64 {
	if t.Numel() != 1 {
		panicf("Item", shapesOf(t), "tensor has %d elements, not 1", t.Numel())
	}
	return t.At(make([]int, len(t.shape))...)
}

// Float32s returns the elements of a Float32 tensor in row-major order, as a
// new slice.
func (t *Tensor) Float32s() []float32 {
	t.live("Float32s")
	t.mustDType("Float32s", Float32)
	out := make([]float32, t.Numel())
	unaryLoop(out, t.st.f32, t.offset, t.shape, t.strides, func(v float32) float32 { return v })
	return out
}

// Float64s returns the elements of t converted to float64 in row-major
// order, as a new slice. It accepts every dtype.
func (t *Tensor) Float64s() []float64 {
	t.live("Float64s")
	out := make([]float64, t.Numel())
	switch t.dtype {
	case Float32:
		unaryLoop(out, t.st.f32, t.offset, t.shape, t.strides, func(v float32) float64 { return float64(v) })
	case Float64:
		unaryLoop(out, t.st.f64, t.offset, t.shape, t.strides, func(v float64) float64 { return v })
	case Int64:
		unaryLoop(out, t.st.i64, t.offset, t.shape, t.strides, func(v int64) float64 { return float64(v) })
	}
	return out
}

// Int64s returns the elements of an Int64 tensor in row-major order, as a
// new slice.
func (t *Tensor) Int64s() []int64 {
	t.live("Int64s")
	t.mustDType("Int64s", Int64)
	out := make([]int64, t.Numel())
	unaryLoop(out, t.st.i64, t.offset, t.shape, t.strides, func(v int64) int64 { return v })
	return out
}

func (t *Tensor) mustDType(op string, dt DType) {
	if t.dtype != dt {
		panicf(op, shapesOf(t), "tensor has dtype %v, want %v", t.dtype, dt)
	}
}

func (t *Tensor) mustFloat(op string) {
	if !t.dtype.IsFloat() {
		panicf(op, shapesOf(t), "needs a floating-point tensor, got %v", t.dtype)
	}
}

// RawFloat32 returns the storage of a contiguous Float32 tensor as a slice
// of length Numel, without copying: writes through it change the tensor.
// It is meant for optimizers, data loaders and kernels that update tensors
// in place; such writes are not recorded.
func (t *Tensor) RawFloat32() []float32 {
	t.mustRaw("RawFloat32", Float32)
	return t.st.f32[t.offset : t.offset+t.Numel()]
}

// RawFloat64 is RawFloat32 for Float64 tensors.
func (t *Tensor) RawFloat64() []float64 {
	t.mustRaw("RawFloat64", Float64)
	return t.st.f64[t.offset : t.offset+t.Numel()]
}

// RawInt64 is RawFloat32 for Int64 tensors.
func (t *Tensor) RawInt64() []int64 {
	t.mustRaw("RawInt64", Int64)
	return t.st.i64[t.offset : t.offset+t.Numel()]
}

func (t *Tensor) mustRaw(op string, dt DType) {
	t.live(op)
	t.mustDType(op, dt)
	if !t.IsContiguous() {
		panicf(op, shapesOf(t), "tensor is not contiguous; call Contiguous first")
	}
}

// CopyFrom copies the elements of src into t in place, broadcasting src to
// t's shape. The dtypes must match. It is not recorded.
func (t *Tensor) CopyFrom(src *Tensor) {
	t.live("CopyFrom")
	src.live("CopyFrom")
	if src.dtype != t.dtype {
		panicf("CopyFrom", shapesOf(t, src), "dtypes differ: %v and %v", t.dtype, src.dtype)
	}
	shape := broadcastShapes("CopyFrom", t.shape, src.shape)
	if !sameShape(shape, t.shape) {
		panicf("CopyFrom", shapesOf(t, src), "source does not broadcast to the destination's shape")
	}
	if src.st == t.st {
		src = src.Clone()
	}
	sst := broadcastStrides(src.shape, src.strides, shape)
	switch t.dtype {
	case Float32:
		stridedAssign(t.st.f32, t.offset, t.strides, src.st.f32, src.offset, sst, shape, func(_, s float32) float32 { return s })
	case Float64:
		stridedAssign(t.st.f64, t.offset, t.strides, src.st.f64, src.offset, sst, shape, func(_, s float64) float64 { return s })
	case Int64:
		stridedAssign(t.st.i64, t.offset, t.strides, src.st.i64, src.offset, sst, shape, func(_, s int64) int64 { return s })
	}
}

// copyFrom copies the elements of g (same shape and dtype, any layout) into
// t in place, without recording.
func (t *Tensor) copyFrom(g *Tensor) {
	if t.IsContiguous() && g.IsContiguous() {
		n := t.Numel()
		switch t.dtype {
		case Float32:
			copy(t.st.f32[t.offset:t.offset+n], g.st.f32[g.offset:g.offset+n])
		case Float64:
			copy(t.st.f64[t.offset:t.offset+n], g.st.f64[g.offset:g.offset+n])
		case Int64:
			copy(t.st.i64[t.offset:t.offset+n], g.st.i64[g.offset:g.offset+n])
		}
		return
	}
	gst := broadcastStrides(g.shape, g.strides, t.shape)
	switch t.dtype {
	case Float32:
		stridedAssign(t.st.f32, t.offset, t.strides, g.st.f32, g.offset, gst, t.shape, func(_, s float32) float32 { return s })
	case Float64:
		stridedAssign(t.st.f64, t.offset, t.strides, g.st.f64, g.offset, gst, t.shape, func(_, s float64) float64 { return s })
	case Int64:
		stridedAssign(t.st.i64, t.offset, t.strides, g.st.i64, g.offset, gst, t.shape, func(_, s int64) int64 { return s })
	}
}

// addInPlace adds g (same shape and dtype) to t in place.
func (t *Tensor) addInPlace(g *Tensor) {
	if t.IsContiguous() && g.IsContiguous() && sameShape(t.shape, g.shape) {
		n := t.Numel()
		switch t.dtype {
		case Float32:
			addTo(t.st.f32[t.offset:t.offset+n], g.st.f32[g.offset:g.offset+n])
			return
		case Float64:
			addTo(t.st.f64[t.offset:t.offset+n], g.st.f64[g.offset:g.offset+n])
			return
		}
	}
	gst := broadcastStrides(g.shape, g.strides, t.shape)
	switch t.dtype {
	case Float32:
		stridedAssign(t.st.f32, t.offset, t.strides, g.st.f32, g.offset, gst, t.shape, func(d, s float32) float32 { return d + s })
	case Float64:
		stridedAssign(t.st.f64, t.offset, t.strides, g.st.f64, g.offset, gst, t.shape, func(d, s float64) float64 { return d + s })
	case Int64:
		stridedAssign(t.st.i64, t.offset, t.strides, g.st.i64, g.offset, gst, t.shape, func(d, s int64) int64 { return d + s })
	}
}

// stridedAssign sets dst[i] = f(dst[i], src[i]) over two strided views of
// the given shape.
func stridedAssign[T number](dst []T, doff int, dst_ []int, src []T, soff int, sst []int, shape []int, f func(d, s T) T) {
	total := numel(shape)
	if total == 0 {
		return
	}
	nd := len(shape)
	if nd == 0 {
		dst[doff] = f(dst[doff], src[soff])
		return
	}
	idx := make([]int, nd)
	n, ds, ss := shape[nd-1], dst_[nd-1], sst[nd-1]
	for {
		pd, ps := doff, soff
		for i := 0; i < n; i++ {
			dst[pd] = f(dst[pd], src[ps])
			pd += ds
			ps += ss
		}
		k := nd - 2
		for ; k >= 0; k-- {
			idx[k]++
			doff += dst_[k]
			soff += sst[k]
			if idx[k] < shape[k] {
				break
			}
			doff -= dst_[k] * shape[k]
			soff -= sst[k] * shape[k]
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}
