package tensor

import "math"

// logSumExpOp is y = log Σ exp x over some axes: dL/dx = dL/dy · exp(x − y),
// the softmax of x over the reduced axes, broadcast back over them. x and y
// are the recorded tensors, so the rule can be differentiated again. Where
// y is −Inf (every reduced element −Inf) the gradient is NaN, as in
// PyTorch.
type logSumExpOp struct {
	x, out *Tensor
	keep   []int
}

func (o *logSumExpOp) backward(g *Tensor, _ []bool) []*Tensor {
	y := saved(g, o.out).Reshape(o.keep...)
	return []*Tensor{g.Reshape(o.keep...).Mul(saved(g, o.x).Sub(y).Exp())}
}

// LogSumExp returns log Σ exp(t) over the given axes (all axes when none
// are given), which are removed from the shape. It subtracts the maximum
// first, so that large inputs such as 1000 give finite results; as in
// PyTorch, a group whose elements are all −Inf gives −Inf, one holding +Inf
// gives +Inf, one holding NaN gives NaN, and an empty group gives −Inf. t
// must be a floating-point tensor.
func (t *Tensor) LogSumExp(axes ...int) *Tensor { return t.logSumExp("LogSumExp", axes, false) }

// LogSumExpKeepDim is LogSumExp keeping the reduced axes with size 1.
func (t *Tensor) LogSumExpKeepDim(axes ...int) *Tensor {
	return t.logSumExp("LogSumExpKeepDim", axes, true)
}

func (t *Tensor) logSumExp(op string, axes []int, keepdim bool) *Tensor {
	t.mustFloat(op)
	mask, keep := reduceAxes(op, t, axes)
	out := logSumExpKeep(op, t, keep)
	if !keepdim {
		sq := squeezeShape(keep, mask)
		out = out.view(sq, contiguousStrides(sq), 0)
	}
	return record(out, op, &logSumExpOp{x: t, out: out, keep: keep}, t)
}

// logSumExpKeep returns log Σ exp x over the reduced axes with the keep-dim
// shape keep (not recorded). The sums accumulate in float64.
func logSumExpKeep(op string, x *Tensor, keep []int) *Tensor {
	out := newLike(x.dtype, keep, true, x)
	if x.Numel() == 0 {
		out.fill(math.Inf(-1))
		return out
	}
	// Shift by the maximum, except where it is infinite: there x − max
	// would be NaN, and the unshifted sum gives the right ±Inf.
	m := extremeKeep(op, x, keep, 1)
	mv := m.Float64s()
	for i, v := range mv {
		if math.IsInf(v, 0) {
			mv[i] = 0
		}
	}
	xf := make([]float64, x.Numel())
	switch x.dtype {
	case Float32:
		unaryLoop(xf, x.st.f32, x.offset, x.shape, x.strides, func(v float32) float64 { return float64(v) })
	case Float64:
		unaryLoop(xf, x.st.f64, x.offset, x.shape, x.strides, func(v float64) float64 { return v })
	}
	acc := make([]float64, len(mv))
	ms := broadcastStrides(keep, contiguousStrides(keep), x.shape)
	xs := contiguousStrides(x.shape)
	binaryLoop(xf, xf, 0, xs, mv, 0, ms, x.shape, func(v, m float64) float64 { return math.Exp(v - m) })
	reduceInto(acc, keep, xf, 0, x.shape, xs, func(a, v float64) float64 { return a + v })
	for i, s := range acc {
		out.setFlat(i, math.Log(s)+mv[i])
	}
	return out
}
