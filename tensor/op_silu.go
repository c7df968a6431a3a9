package tensor

// siluOp is y = x · σ(x): dL/dx = dL/dy · σ(x) · (1 + x · (1 − σ(x))), and
// the second derivative is σ(x)(1 − σ(x)) · (2 + x · (1 − 2σ(x))).
type siluOp struct{ x *Tensor }

func (o *siluOp) backward(g *Tensor, _ []bool) []*Tensor {
	d := derivative("SiLU", saved(g, o.x), siluDeriv, func(g, x *Tensor) *Tensor {
		s := x.Sigmoid()
		return g.Mul(s.Sub(s.Mul(s))).Mul(x.Mul(s.MulScalar(-2).AddScalar(1)).AddScalar(2))
	})
	return []*Tensor{g.Mul(d)}
}

func silu(x float64) float64 { return x * sigmoid64(x) }

func siluDeriv(x float64) float64 {
	s := sigmoid64(x)
	return s * (1 + x*(1-s))
}

// SiLU returns the sigmoid-weighted linear unit x · σ(x) (also called
// swish) element-wise, as torch.nn.functional.silu. It needs a
// floating-point tensor.
func (t *Tensor) SiLU() *Tensor {
	out := mapUnary("SiLU", t, func(v float32) float32 { return float32(silu(float64(v))) }, silu, nil)
	return record(out, "SiLU", &siluOp{x: t}, t)
}
