package tensor

import "math"

// absOp is y = |x|: dL/dx = dL/dy · sign(x), with sign(0) = 0 as in
// PyTorch (sign(NaN) is 0 too).
type absOp struct{ x *Tensor }

func (o *absOp) backward(g *Tensor, _ []bool) []*Tensor {
	sign := mapUnary("Abs", o.x,
		func(v float32) float32 { return float32(sign64(float64(v))) },
		sign64, nil)
	return []*Tensor{g.Mul(sign)}
}

// sign64 returns −1, 0 or 1 according to the sign of x, and 0 for NaN.
func sign64(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// Abs returns |x| element-wise. It supports every dtype; for Int64 the
// absolute value of the most negative number overflows to itself.
func (t *Tensor) Abs() *Tensor {
	out := mapUnary("Abs", t,
		func(v float32) float32 { return float32(math.Abs(float64(v))) },
		math.Abs,
		func(v int64) int64 {
			if v < 0 {
				return -v
			}
			return v
		})
	return record(out, "Abs", &absOp{x: t}, t)
}
