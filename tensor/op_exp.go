package tensor

import (
	"math"

	"github.com/backprop-go/backprop/internal/kernel"
)

// expOp is y = eˣ: dL/dx = dL/dy · y.
type expOp struct{ y *Tensor }

func (o *expOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{g.Mul(saved(g, o.y))}
}

// Exp returns eˣ element-wise. It needs a floating-point tensor.
func (t *Tensor) Exp() *Tensor {
	out := unaryFast("Exp", t, kernel.Exp)
	if out == nil {
		out = mapUnary("Exp", t,
			func(v float32) float32 { return float32(math.Exp(float64(v))) },
			math.Exp, nil)
	}
	return record(out, "Exp", &expOp{y: out}, t)
}
