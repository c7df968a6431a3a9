package tensor

import "math"

// geluOp is y = x · Φ(x), where Φ(x) = ½ · erfc(−x/√2) is the standard
// normal distribution function: dL/dx = dL/dy · (Φ(x) + x · φ(x)) with the
// density φ(x) = e^(−x²/2)/√(2π). The second derivative is
// φ(x) · (2 − x²).
type geluOp struct{ x *Tensor }

func (o *geluOp) backward(g *Tensor, _ []bool) []*Tensor {
	d := derivative("GELU", saved(g, o.x), geluDeriv, func(g, x *Tensor) *Tensor {
		x2 := x.Mul(x)
		return g.Mul(x2.MulScalar(-0.5).Exp()).Mul(x2.Neg().AddScalar(2)).MulScalar(1 / math.Sqrt(2*math.Pi))
	})
	return []*Tensor{g.Mul(d)}
}

func gelu(x float64) float64 { return 0.5 * x * math.Erfc(-x/math.Sqrt2) }

func geluDeriv(x float64) float64 {
	return 0.5*math.Erfc(-x/math.Sqrt2) + x*math.Exp(-0.5*x*x)/math.Sqrt(2*math.Pi)
}

// GELU returns the Gaussian error linear unit x · Φ(x) element-wise, with
// the exact normal distribution function Φ, as
// torch.nn.functional.gelu(x). It needs a floating-point tensor.
func (t *Tensor) GELU() *Tensor {
	out := mapUnary("GELU", t, func(v float32) float32 { return float32(gelu(float64(v))) }, gelu, nil)
	return record(out, "GELU", &geluOp{x: t}, t)
}

// The constants of the tanh approximation of GELU: √(2/π) and 0.044715.
const (
	geluC = 0.7978845608028654
	geluK = 0.044715
)

// geluTanhOp is y = ½x · (1 + tanh u) with u = c · (x + k·x³),
// c = √(2/π), k = 0.044715. With t = tanh u and u' = c · (1 + 3k·x²):
// dL/dx = dL/dy · (½(1 + t) + ½x · (1 − t²) · u'), and the second
// derivative is (1 − t²) · (c · (1 + 6k·x²) − x · t · u'²).
type geluTanhOp struct{ x *Tensor }

func (o *geluTanhOp) backward(g *Tensor, _ []bool) []*Tensor {
	d := derivative("GELUTanh", saved(g, o.x), geluTanhDeriv, func(g, x *Tensor) *Tensor {
		x2 := x.Mul(x)
		t := x.Add(x2.Mul(x).MulScalar(geluK)).MulScalar(geluC).Tanh()
		du := x2.MulScalar(3 * geluC * geluK).AddScalar(geluC)
		inner := x2.MulScalar(6 * geluC * geluK).AddScalar(geluC).Sub(x.Mul(t).Mul(du).Mul(du))
		return g.Mul(t.Mul(t).Neg().AddScalar(1)).Mul(inner)
	})
	return []*Tensor{g.Mul(d)}
}

func geluTanh(x float64) float64 {
	return 0.5 * x * (1 + math.Tanh(geluC*(x+geluK*x*x*x)))
}

func geluTanhDeriv(x float64) float64 {
	t := math.Tanh(geluC * (x + geluK*x*x*x))
	return 0.5*(1+t) + 0.5*x*(1-t*t)*geluC*(1+3*geluK*x*x)
}

// GELUTanh returns the tanh approximation of GELU,
// ½x · (1 + tanh(√(2/π) · (x + 0.044715·x³))), element-wise, as
// torch.nn.functional.gelu(x, approximate='tanh'). It needs a
// floating-point tensor.
func (t *Tensor) GELUTanh() *Tensor {
	out := mapUnary("GELUTanh", t, func(v float32) float32 { return float32(geluTanh(float64(v))) }, geluTanh, nil)
	return record(out, "GELUTanh", &geluTanhOp{x: t}, t)
}
