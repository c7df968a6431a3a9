package tensor

import "math"

// eluOp is y = x for x > 0 and α(eˣ − 1) elsewhere: dL/dx = dL/dy for
// x > 0 and dL/dy · α · eˣ elsewhere. The second derivative is 0 for x > 0
// and α · eˣ elsewhere.
type eluOp struct {
	x     *Tensor
	alpha float64
}

func (o *eluOp) backward(g *Tensor, _ []bool) []*Tensor {
	alpha := o.alpha
	fd := func(x float64) float64 {
		if x > 0 {
			return 1
		}
		return alpha * math.Exp(x)
	}
	d := derivative("ELU", saved(g, o.x), fd, func(g, x *Tensor) *Tensor {
		// eˣ of x clamped to (−∞, 0], so that no Inf arises where the
		// result is discarded.
		neg := unaryMask("ELU", x, func(v float64) bool { return !(v > 0) })
		return Where(neg, g.Mul(x.Clamp(math.Inf(-1), 0).Exp()).MulScalar(alpha), Scalar(0, g.dtype))
	})
	return []*Tensor{g.Mul(d)}
}

// ELU returns the exponential linear unit element-wise: x for x > 0 and
// α(eˣ − 1) elsewhere, as torch.nn.functional.elu(x, alpha). It needs a
// floating-point tensor.
func (t *Tensor) ELU(alpha float64) *Tensor {
	f := func(x float64) float64 {
		if x > 0 {
			return x
		}
		return alpha * math.Expm1(x)
	}
	out := mapUnary("ELU", t, func(v float32) float32 { return float32(f(float64(v))) }, f, nil)
	return record(out, "ELU", &eluOp{x: t, alpha: alpha}, t)
}
