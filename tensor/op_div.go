package tensor

// divOp is y = a / b (broadcast): dL/da = dL/dy / b and
// dL/db = −dL/dy · a / b² = −(dL/dy / b) · y.
type divOp struct{ b, y *Tensor }

func (o *divOp) backward(g *Tensor, needs []bool) []*Tensor {
	r := make([]*Tensor, 2)
	q := g.Div(saved(g, o.b))
	if needs[0] {
		r[0] = q
	}
	if needs[1] {
		r[1] = q.Mul(saved(g, o.y)).Neg()
	}
	return r
}

// Div returns t / u element-wise with broadcasting (IEEE division: x/0 is
// ±Inf or NaN). It needs floating-point operands.
func (t *Tensor) Div(u *Tensor) *Tensor {
	out := mapBinary("Div", t, u,
		func(a, b float32) float32 { return a / b },
		func(a, b float64) float64 { return a / b },
		nil)
	return record(out, "Div", &divOp{b: u, y: out}, t, u)
}

// DivScalar returns t / s. It needs a floating-point tensor.
func (t *Tensor) DivScalar(s float64) *Tensor { return t.Div(Scalar(s, t.dtype)) }
