package tensor

import "math"

// powOp is y = aᵘ (broadcast): dL/da = dL/dy · u · aᵘ⁻¹ and
// dL/du = dL/dy · y · ln a. As in PyTorch, dL/da is 0 where u = 0, and
// dL/du is 0 where a = 0 and u ≥ 0 (there ln a is replaced by ln 1, so no
// NaN reaches higher derivatives either).
type powOp struct{ a, u, y *Tensor }

func (o *powOp) backward(g *Tensor, needs []bool) []*Tensor {
	r := make([]*Tensor, 2)
	a, u := saved(g, o.a), saved(g, o.u)
	if needs[0] {
		ga := g.Mul(u).Mul(a.Pow(u.SubScalar(1)))
		if zeroExp := unaryMask("Pow", o.u, func(v float64) bool { return v == 0 }); anyNonZero(zeroExp) {
			ga = Where(zeroExp, Scalar(0, g.dtype), ga)
		}
		r[0] = ga
	}
	if needs[1] {
		base := a
		zeroBase := compareBinary("Pow", o.a, o.u, func(a, u float64) bool { return a == 0 && u >= 0 })
		if anyNonZero(zeroBase) {
			base = Where(zeroBase, Scalar(1, a.dtype), a)
		}
		r[1] = g.Mul(saved(g, o.y)).Mul(base.Log())
	}
	return r
}

// anyNonZero reports whether some element of the contiguous tensor t is
// not zero.
func anyNonZero(t *Tensor) bool {
	switch t.dtype {
	case Float32:
		for _, v := range t.st.f32 {
			if v != 0 {
				return true
			}
		}
	case Float64:
		for _, v := range t.st.f64 {
			if v != 0 {
				return true
			}
		}
	case Int64:
		for _, v := range t.st.i64 {
			if v != 0 {
				return true
			}
		}
	}
	return false
}

// Pow returns t raised to the power u element-wise with broadcasting, as
// math.Pow. It needs floating-point operands.
func (t *Tensor) Pow(u *Tensor) *Tensor {
	out := mapBinary("Pow", t, u,
		func(a, b float32) float32 { return float32(math.Pow(float64(a), float64(b))) },
		math.Pow, nil)
	return record(out, "Pow", &powOp{a: t, u: u, y: out}, t, u)
}

// powScalarOp is y = xᵖ for a constant p: dL/dx = dL/dy · p · xᵖ⁻¹, and 0
// for p = 0.
type powScalarOp struct {
	x *Tensor
	p float64
}

func (o *powScalarOp) backward(g *Tensor, _ []bool) []*Tensor {
	if o.p == 0 {
		return []*Tensor{Zeros(o.x.dtype, o.x.shape...)}
	}
	return []*Tensor{g.Mul(saved(g, o.x).PowScalar(o.p - 1)).MulScalar(o.p)}
}

// powFunc returns x ↦ xᵖ. Like PyTorch it computes the exponents 2, 3,
// 0.5, −0.5, −1 and −2 by multiplication, division and square root, and
// the others with math.Pow.
func powFunc(p float64) func(float64) float64 {
	switch p {
	case 1:
		return func(x float64) float64 { return x }
	case 2:
		return func(x float64) float64 { return x * x }
	case 3:
		return func(x float64) float64 { return x * x * x }
	case 0.5:
		return math.Sqrt
	case -0.5:
		return func(x float64) float64 { return 1 / math.Sqrt(x) }
	case -1:
		return func(x float64) float64 { return 1 / x }
	case -2:
		return func(x float64) float64 { return 1 / (x * x) }
	}
	return func(x float64) float64 { return math.Pow(x, p) }
}

// PowScalar returns t raised to the constant power p element-wise. It
// needs a floating-point tensor.
func (t *Tensor) PowScalar(p float64) *Tensor {
	f := powFunc(p)
	var f32 func(float32) float32
	switch p {
	case 1:
		f32 = func(x float32) float32 { return x }
	case 2:
		f32 = func(x float32) float32 { return x * x }
	case 3:
		f32 = func(x float32) float32 { return x * x * x }
	default:
		f32 = func(x float32) float32 { return float32(f(float64(x))) }
	}
	out := mapUnary("PowScalar", t, f32, f, nil)
	return record(out, "PowScalar", &powScalarOp{x: t, p: p}, t)
}
