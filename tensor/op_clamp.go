package tensor

import "math"

// clampOp is y = min(max(x, lo), hi): dL/dx = dL/dy where lo ≤ x ≤ hi and
// 0 elsewhere (so the bounds themselves pass the gradient, as in PyTorch).
type clampOp struct {
	x      *Tensor
	lo, hi float64
}

func (o *clampOp) backward(g *Tensor, _ []bool) []*Tensor {
	lo, hi := o.lo, o.hi
	inside := unaryMask("Clamp", o.x, func(v float64) bool { return v >= lo && v <= hi })
	return []*Tensor{Where(inside, g, Scalar(0, g.dtype))}
}

// Clamp returns min(max(x, lo), hi) element-wise, as torch.clamp: with
// lo > hi every element becomes hi, and NaN stays NaN. Pass math.Inf(-1) or
// math.Inf(1) to leave a side open. It supports every dtype; for Int64 the
// finite bounds must be whole numbers. A NaN bound panics.
func (t *Tensor) Clamp(lo, hi float64) *Tensor {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		panicf("Clamp", shapesOf(t), "bound is NaN (lo %v, hi %v)", lo, hi)
	}
	var i64 func(int64) int64
	if t.dtype == Int64 {
		ilo, ihi := clampBound("Clamp", t, lo), clampBound("Clamp", t, hi)
		i64 = func(v int64) int64 { return min(max(v, ilo), ihi) }
	}
	lo32, hi32 := float32(lo), float32(hi)
	out := mapUnary("Clamp", t,
		func(v float32) float32 {
			if v < lo32 {
				v = lo32
			}
			if v > hi32 {
				v = hi32
			}
			return v
		},
		func(v float64) float64 {
			if v < lo {
				v = lo
			}
			if v > hi {
				v = hi
			}
			return v
		}, i64)
	return record(out, "Clamp", &clampOp{x: t, lo: lo, hi: hi}, t)
}

// clampBound converts the bound b of an Int64 clamp to an integer; an
// infinite bound becomes the extreme int64 of its sign.
func clampBound(op string, t *Tensor, b float64) int64 {
	switch {
	case math.IsInf(b, -1) || b <= math.MinInt64:
		return math.MinInt64
	case math.IsInf(b, 1) || b >= math.MaxInt64:
		return math.MaxInt64
	case b != math.Trunc(b):
		panicf(op, shapesOf(t), "bound %v of an int64 tensor is not a whole number", b)
	}
	return int64(b)
}
