package tensor

import "math"

// cosOp is y = cos x: dL/dx = −dL/dy · sin x.
type cosOp struct{ x *Tensor }

func (o *cosOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{g.Mul(saved(g, o.x).Sin()).Neg()}
}

// Cos returns the cosine element-wise (x in radians). It needs a
// floating-point tensor.
func (t *Tensor) Cos() *Tensor {
	out := mapUnary("Cos", t,
		func(v float32) float32 { return float32(math.Cos(float64(v))) },
		math.Cos, nil)
	return record(out, "Cos", &cosOp{x: t}, t)
}
