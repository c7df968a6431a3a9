package tensor

import "math"

// softplusOp is y = ln(1 + e^(βx))/β where βx ≤ threshold and y = x
// above: dL/dx = dL/dy · σ(βx) below the threshold and dL/dy above it. The
// second derivative is β · σ(βx)(1 − σ(βx)) below and 0 above.
type softplusOp struct {
	x               *Tensor
	beta, threshold float64
}

func (o *softplusOp) backward(g *Tensor, _ []bool) []*Tensor {
	beta, thr := o.beta, o.threshold
	fd := func(x float64) float64 {
		if x*beta > thr {
			return 1
		}
		return sigmoid64(x * beta)
	}
	d := derivative("Softplus", saved(g, o.x), fd, func(g, x *Tensor) *Tensor {
		below := unaryMask("Softplus", x, func(v float64) bool { return !(v*beta > thr) })
		s := x.MulScalar(beta).Sigmoid()
		return Where(below, g.Mul(s.Sub(s.Mul(s))).MulScalar(beta), Scalar(0, g.dtype))
	})
	return []*Tensor{g.Mul(d)}
}

// Softplus returns ln(1 + e^(βx))/β element-wise, and x itself where
// βx > threshold, as torch.nn.functional.softplus(x, beta, threshold)
// (PyTorch's defaults are β = 1 and threshold = 20). It needs a
// floating-point tensor.
func (t *Tensor) Softplus(beta, threshold float64) *Tensor {
	f := func(x float64) float64 {
		if x*beta > threshold {
			return x
		}
		return math.Log1p(math.Exp(x*beta)) / beta
	}
	out := mapUnary("Softplus", t, func(v float32) float32 { return float32(f(float64(v))) }, f, nil)
	return record(out, "Softplus", &softplusOp{x: t, beta: beta, threshold: threshold}, t)
}
