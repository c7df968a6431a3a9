package tensor

import "math"

// The comparisons are not differentiable: they return Int64 tensors of 0
// and 1, which never record anything. A NaN compares unequal to
// everything, itself included, as in IEEE 754 and PyTorch.

// Eq returns 1 where t = u and 0 elsewhere, with broadcasting, as an Int64
// tensor. t and u must have the same dtype.
func (t *Tensor) Eq(u *Tensor) *Tensor {
	return compared(compareBinary("Eq", t, u, func(a, b float64) bool { return a == b }), t, u)
}

// Ne returns 1 where t ≠ u and 0 elsewhere, with broadcasting, as an Int64
// tensor.
func (t *Tensor) Ne(u *Tensor) *Tensor {
	return compared(compareBinary("Ne", t, u, func(a, b float64) bool { return a != b }), t, u)
}

// Lt returns 1 where t < u and 0 elsewhere, with broadcasting, as an Int64
// tensor.
func (t *Tensor) Lt(u *Tensor) *Tensor {
	return compared(compareBinary("Lt", t, u, func(a, b float64) bool { return a < b }), t, u)
}

// Le returns 1 where t ≤ u and 0 elsewhere, with broadcasting, as an Int64
// tensor.
func (t *Tensor) Le(u *Tensor) *Tensor {
	return compared(compareBinary("Le", t, u, func(a, b float64) bool { return a <= b }), t, u)
}

// Gt returns 1 where t > u and 0 elsewhere, with broadcasting, as an Int64
// tensor.
func (t *Tensor) Gt(u *Tensor) *Tensor {
	return compared(compareBinary("Gt", t, u, func(a, b float64) bool { return a > b }), t, u)
}

// Ge returns 1 where t ≥ u and 0 elsewhere, with broadcasting, as an Int64
// tensor.
func (t *Tensor) Ge(u *Tensor) *Tensor {
	return compared(compareBinary("Ge", t, u, func(a, b float64) bool { return a >= b }), t, u)
}

// EqScalar returns 1 where t = s and 0 elsewhere, as an Int64 tensor. The
// comparison is exact for every dtype: an Int64 element never equals a
// fractional s.
func (t *Tensor) EqScalar(s float64) *Tensor {
	return compareScalar(t, s, func(a, b float64) bool { return a == b })
}

// NeScalar returns 1 where t ≠ s and 0 elsewhere, as an Int64 tensor.
func (t *Tensor) NeScalar(s float64) *Tensor {
	return compareScalar(t, s, func(a, b float64) bool { return a != b })
}

// LtScalar returns 1 where t < s and 0 elsewhere, as an Int64 tensor.
func (t *Tensor) LtScalar(s float64) *Tensor {
	return compareScalar(t, s, func(a, b float64) bool { return a < b })
}

// LeScalar returns 1 where t ≤ s and 0 elsewhere, as an Int64 tensor.
func (t *Tensor) LeScalar(s float64) *Tensor {
	return compareScalar(t, s, func(a, b float64) bool { return a <= b })
}

// GtScalar returns 1 where t > s and 0 elsewhere, as an Int64 tensor.
func (t *Tensor) GtScalar(s float64) *Tensor {
	return compareScalar(t, s, func(a, b float64) bool { return a > b })
}

// GeScalar returns 1 where t ≥ s and 0 elsewhere, as an Int64 tensor.
func (t *Tensor) GeScalar(s float64) *Tensor {
	return compareScalar(t, s, func(a, b float64) bool { return a >= b })
}

// compared marks the comparison result out NoGrad when an operand is, like
// every other operation.
func compared(out, t, u *Tensor) *Tensor {
	out.noGrad = anyNoGrad(t, u)
	return out
}

// compareScalar returns the Int64 tensor holding f(x, s) for each element x
// of t. Float32 elements are compared in float64. Int64 elements are
// compared with s exactly, without rounding either to the other's type.
func compareScalar(t *Tensor, s float64, f func(a, b float64) bool) *Tensor {
	out := newLike(Int64, t.shape, true, t)
	b2i := func(v bool) int64 {
		if v {
			return 1
		}
		return 0
	}
	switch t.dtype {
	case Float32:
		unaryLoop(out.st.i64, t.st.f32, t.offset, t.shape, t.strides, func(v float32) int64 { return b2i(f(float64(v), s)) })
	case Float64:
		unaryLoop(out.st.i64, t.st.f64, t.offset, t.shape, t.strides, func(v float64) int64 { return b2i(f(v, s)) })
	case Int64:
		var cmp func(v int64) int64
		if s == math.Trunc(s) && s >= -(1<<63) && s < 1<<63 {
			is := int64(s)
			below, equal, above := b2i(f(0, 1)), b2i(f(0, 0)), b2i(f(1, 0))
			cmp = func(v int64) int64 {
				switch {
				case v < is:
					return below
				case v > is:
					return above
				}
				return equal
			}
		} else {
			// s is NaN, infinite, beyond the int64 range or fractional: no
			// element equals it, and the elements up to lim are below it.
			below, above := b2i(f(0, 1)), b2i(f(1, 0))
			var lim int64
			switch {
			case math.IsNaN(s):
				below = b2i(f(0, s))
				above = below
			case s > 0 && math.Abs(s) >= 1<<63:
				lim = math.MaxInt64
			case s < 0 && math.Abs(s) > 1<<63:
				below = above
			default:
				lim = int64(math.Floor(s))
			}
			cmp = func(v int64) int64 {
				if v <= lim {
					return below
				}
				return above
			}
		}
		unaryLoop(out.st.i64, t.st.i64, t.offset, t.shape, t.strides, cmp)
	}
	out.noGrad = t.noGrad
	return out
}
