package tensor

// reluOp is y = max(x, 0): dL/dx = dL/dy where x > 0 and 0 elsewhere. As in
// PyTorch the gradient passes where x is NaN.
type reluOp struct{ x *Tensor }

func (o *reluOp) backward(g *Tensor, _ []bool) []*Tensor {
	pass := unaryMask("ReLU", o.x, func(v float64) bool { return !(v <= 0) })
	return []*Tensor{Where(pass, g, Scalar(0, g.dtype))}
}

// ReLU returns max(x, 0) element-wise; NaN stays NaN. It supports every
// dtype.
func (t *Tensor) ReLU() *Tensor {
	out := mapUnary("ReLU", t,
		func(v float32) float32 {
			if v <= 0 {
				return 0
			}
			return v
		},
		func(v float64) float64 {
			if v <= 0 {
				return 0
			}
			return v
		},
		func(v int64) int64 { return max(v, 0) })
	return record(out, "ReLU", &reluOp{x: t}, t)
}
