package tensor

import "math"

// rsqrtOp is y = 1/√x: dL/dx = −½ · dL/dy · y³.
type rsqrtOp struct{ y *Tensor }

func (o *rsqrtOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{g.Mul(saved(g, o.y).PowScalar(3)).MulScalar(-0.5)}
}

// Rsqrt returns 1/√x element-wise (+Inf at 0, NaN for negative elements).
// It needs a floating-point tensor.
func (t *Tensor) Rsqrt() *Tensor {
	out := mapUnary("Rsqrt", t,
		func(v float32) float32 { return float32(1 / math.Sqrt(float64(v))) },
		func(v float64) float64 { return 1 / math.Sqrt(v) }, nil)
	return record(out, "Rsqrt", &rsqrtOp{y: out}, t)
}
