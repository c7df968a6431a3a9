package tensor

import "math"

// sqrtOp is y = √x: dL/dx = dL/dy / (2y).
type sqrtOp struct{ y *Tensor }

func (o *sqrtOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{g.Div(saved(g, o.y)).MulScalar(0.5)}
}

// Sqrt returns the square root element-wise (NaN for negative elements).
// It needs a floating-point tensor.
func (t *Tensor) Sqrt() *Tensor {
	out := mapUnary("Sqrt", t,
		func(v float32) float32 { return float32(math.Sqrt(float64(v))) },
		math.Sqrt, nil)
	return record(out, "Sqrt", &sqrtOp{y: out}, t)
}
