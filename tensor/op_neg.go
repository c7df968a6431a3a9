package tensor

// negOp is y = −x: dL/dx = −dL/dy.
type negOp struct{}

func (negOp) backward(g *Tensor, _ []bool) []*Tensor { return []*Tensor{g.Neg()} }

// Neg returns −t element-wise. It supports every dtype.
func (t *Tensor) Neg() *Tensor {
	out := mapUnary("Neg", t,
		func(v float32) float32 { return -v },
		func(v float64) float64 { return -v },
		func(v int64) int64 { return -v })
	return record(out, "Neg", negOp{}, t)
}
