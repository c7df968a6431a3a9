package tensor

import "math"

// sinOp is y = sin x: dL/dx = dL/dy · cos x.
type sinOp struct{ x *Tensor }

func (o *sinOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{g.Mul(saved(g, o.x).Cos())}
}

// Sin returns the sine element-wise (x in radians). It needs a
// floating-point tensor.
func (t *Tensor) Sin() *Tensor {
	out := mapUnary("Sin", t,
		func(v float32) float32 { return float32(math.Sin(float64(v))) },
		math.Sin, nil)
	return record(out, "Sin", &sinOp{x: t}, t)
}
