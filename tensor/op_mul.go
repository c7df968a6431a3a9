package tensor

import "github.com/backprop-go/backprop/internal/kernel"

// mulOp is y = a · b (broadcast): dL/da = dL/dy · b and dL/db = dL/dy · a.
type mulOp struct{ a, b *Tensor }

func (o *mulOp) backward(g *Tensor, needs []bool) []*Tensor {
	r := make([]*Tensor, 2)
	if needs[0] {
		r[0] = g.Mul(o.b)
	}
	if needs[1] {
		r[1] = g.Mul(o.a)
	}
	return r
}

// Mul returns t · u element-wise with broadcasting.
func (t *Tensor) Mul(u *Tensor) *Tensor {
	if out := binaryFast("Mul", t, u, kernel.Mul); out != nil {
		return record(out, "Mul", &mulOp{a: t, b: u}, t, u)
	}
	out := mapBinary("Mul", t, u,
		func(a, b float32) float32 { return a * b },
		func(a, b float64) float64 { return a * b },
		func(a, b int64) int64 { return a * b })
	return record(out, "Mul", &mulOp{a: t, b: u}, t, u)
}

// MulScalar returns t · s.
func (t *Tensor) MulScalar(s float64) *Tensor { return t.Mul(Scalar(s, t.dtype)) }
