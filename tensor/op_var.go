package tensor

import "math"

// varOp is y = Σ (x − x̄)² / (n − c) over some axes, x̄ being the mean over
// them, n the number of elements reduced and c the correction. Since
// Σ (x − x̄) = 0, dL/dx = dL/dy · 2 (x − x̄) / (n − c), broadcast back
// over the reduced axes. x̄ is recomputed from the recorded input, so the
// rule can be differentiated again.
type varOp struct {
	x          *Tensor
	axes, keep []int
	dof        float64 // max(0, n − c)
}

func (o *varOp) backward(g *Tensor, _ []bool) []*Tensor {
	x := saved(g, o.x)
	d := x.Sub(x.MeanKeepDim(o.axes...))
	return []*Tensor{g.Reshape(o.keep...).MulScalar(2 / o.dof).Mul(d)}
}

// stdOp is y = √var(x): dL/dx = dL/dy · (x − x̄) / ((n − c) · y), and 0
// where y is 0 (as in PyTorch), broadcast back over the reduced axes.
type stdOp struct {
	x, out     *Tensor
	axes, keep []int
	dof        float64 // max(0, n − c)
}

func (o *stdOp) backward(g *Tensor, _ []bool) []*Tensor {
	x := saved(g, o.x)
	y := saved(g, o.out).Reshape(o.keep...)
	zero := compareBinary("Std", y, Scalar(0, y.dtype), func(a, b float64) bool { return a == b })
	d := x.Sub(x.MeanKeepDim(o.axes...))
	return []*Tensor{g.Reshape(o.keep...).Div(y).MaskedFill(zero, 0).MulScalar(1 / o.dof).Mul(d)}
}

// Var returns the variance of t over the given axes (all axes when none
// are given), which are removed from the shape: Σ (t − mean)² / (n −
// correction) for n elements per group, as torch.var with correction (1 is
// the unbiased estimate, 0 the population variance). When n − correction
// is not positive the result is Inf or NaN, as in PyTorch. t must be a
// floating-point tensor; sums accumulate in float64.
func (t *Tensor) Var(correction int, axes ...int) *Tensor {
	return t.variance("Var", correction, axes, false, false)
}

// VarKeepDim is Var keeping the reduced axes with size 1.
func (t *Tensor) VarKeepDim(correction int, axes ...int) *Tensor {
	return t.variance("VarKeepDim", correction, axes, true, false)
}

// Std returns the standard deviation of t over the given axes, the square
// root of Var with the same arguments, as torch.std with correction. Where
// it is 0 its gradient is taken to be 0.
func (t *Tensor) Std(correction int, axes ...int) *Tensor {
	return t.variance("Std", correction, axes, false, true)
}

// StdKeepDim is Std keeping the reduced axes with size 1.
func (t *Tensor) StdKeepDim(correction int, axes ...int) *Tensor {
	return t.variance("StdKeepDim", correction, axes, true, true)
}

func (t *Tensor) variance(op string, correction int, axes []int, keepdim, std bool) *Tensor {
	t.mustFloat(op)
	mask, keep := reduceAxes(op, t, axes)
	var red []int
	for i, m := range mask {
		if m {
			red = append(red, i)
		}
	}
	n := reducedCount(t.shape, keep)
	dof := math.Max(0, float64(n-correction))
	v := varianceKeep(t, keep, n)
	out := newLike(t.dtype, keep, true, t)
	for i, s := range v {
		s /= dof
		if std {
			s = math.Sqrt(s)
		}
		out.setFlat(i, s)
	}
	if !keepdim {
		sq := squeezeShape(keep, mask)
		out = out.view(sq, contiguousStrides(sq), 0)
	}
	if std {
		return record(out, op, &stdOp{x: t, out: out, axes: red, keep: keep, dof: dof}, t)
	}
	return record(out, op, &varOp{x: t, axes: red, keep: keep, dof: dof}, t)
}

// varianceKeep returns, in float64 and row-major order of the keep-dim
// shape keep, the sums of squared deviations from the mean of the
// floating-point tensor x over the reduced axes, each of which folds n
// elements (not recorded). It makes two passes, mean first, which keeps
// the sums accurate when the mean is large compared with the spread.
func varianceKeep(x *Tensor, keep []int, n int) []float64 {
	mean := meanKeep(x, keep, n)
	d := make([]float64, x.Numel())
	switch x.dtype {
	case Float32:
		unaryLoop(d, x.st.f32, x.offset, x.shape, x.strides, func(v float32) float64 { return float64(v) })
	case Float64:
		unaryLoop(d, x.st.f64, x.offset, x.shape, x.strides, func(v float64) float64 { return v })
	}
	xs := contiguousStrides(x.shape)
	ms := broadcastStrides(keep, contiguousStrides(keep), x.shape)
	binaryLoop(d, d, 0, xs, mean, 0, ms, x.shape, func(v, m float64) float64 { return (v - m) * (v - m) })
	acc := make([]float64, len(mean))
	reduceInto(acc, keep, d, 0, x.shape, xs, func(a, v float64) float64 { return a + v })
	return acc
}
