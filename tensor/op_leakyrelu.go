package tensor

// leakyReLUOp is y = x for x > 0 and slope · x elsewhere: dL/dx = dL/dy
// where x > 0 and slope · dL/dy elsewhere.
type leakyReLUOp struct {
	x     *Tensor
	slope float64
}

func (o *leakyReLUOp) backward(g *Tensor, _ []bool) []*Tensor {
	s := o.slope
	coef := mapUnary("LeakyReLU", o.x,
		func(v float32) float32 {
			if v > 0 {
				return 1
			}
			return float32(s)
		},
		func(v float64) float64 {
			if v > 0 {
				return 1
			}
			return s
		}, nil)
	return []*Tensor{g.Mul(coef)}
}

// LeakyReLU returns x where x > 0 and slope · x elsewhere, element-wise, as
// torch.nn.functional.leaky_relu(x, slope). It needs a floating-point
// tensor.
func (t *Tensor) LeakyReLU(slope float64) *Tensor {
	s32 := float32(slope)
	out := mapUnary("LeakyReLU", t,
		func(v float32) float32 {
			if v > 0 {
				return v
			}
			return v * s32
		},
		func(v float64) float64 {
			if v > 0 {
				return v
			}
			return v * slope
		}, nil)
	return record(out, "LeakyReLU", &leakyReLUOp{x: t, slope: slope}, t)
}
