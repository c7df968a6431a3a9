package tensor

// copyOp is Contiguous and Clone: y = x element for element, so
// dL/dx = dL/dy.
type copyOp struct{}

func (copyOp) backward(g *Tensor, _ []bool) []*Tensor { return []*Tensor{g} }

// Contiguous returns t if it is already contiguous, otherwise a contiguous
// copy.
func (t *Tensor) Contiguous() *Tensor {
	if t.IsContiguous() {
		return t
	}
	return t.Clone()
}

// Clone returns a contiguous copy of t with storage of its own. The copy is
// recorded, so gradients flow back to t.
func (t *Tensor) Clone() *Tensor {
	out := mapUnary("Clone", t, func(v float32) float32 { return v }, func(v float64) float64 { return v }, func(v int64) int64 { return v })
	return record(out, "Clone", copyOp{}, t)
}

// castOp converts between floating-point dtypes; dL/dx is dL/dy converted
// back to x's dtype.
type castOp struct{ from DType }

func (o *castOp) backward(g *Tensor, _ []bool) []*Tensor { return []*Tensor{g.To(o.from)} }

// To returns t converted to dtype dt (t itself if it already has it).
// Conversions between float types are recorded; conversions to Int64 round
// toward zero and are not differentiable.
func (t *Tensor) To(dt DType) *Tensor {
	if dt == t.dtype {
		return t
	}
	if dt != Float32 && dt != Float64 && dt != Int64 {
		panicf("To", shapesOf(t), "invalid dtype %v", dt)
	}
	out := newLike(dt, t.shape, false, t)
	switch {
	case t.dtype == Float32 && dt == Float64:
		unaryLoop(out.st.f64, t.st.f32, t.offset, t.shape, t.strides, func(v float32) float64 { return float64(v) })
	case t.dtype == Float32 && dt == Int64:
		unaryLoop(out.st.i64, t.st.f32, t.offset, t.shape, t.strides, func(v float32) int64 { return int64(v) })
	case t.dtype == Float64 && dt == Float32:
		unaryLoop(out.st.f32, t.st.f64, t.offset, t.shape, t.strides, func(v float64) float32 { return float32(v) })
	case t.dtype == Float64 && dt == Int64:
		unaryLoop(out.st.i64, t.st.f64, t.offset, t.shape, t.strides, func(v float64) int64 { return int64(v) })
	case t.dtype == Int64 && dt == Float32:
		unaryLoop(out.st.f32, t.st.i64, t.offset, t.shape, t.strides, func(v int64) float32 { return float32(v) })
	case t.dtype == Int64 && dt == Float64:
		unaryLoop(out.st.f64, t.st.i64, t.offset, t.shape, t.strides, func(v int64) float64 { return float64(v) })
	default:
		panicf("To", shapesOf(t), "invalid dtype %v", dt)
	}
	return record(out, "To", &castOp{from: t.dtype}, t)
}
