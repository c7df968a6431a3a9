package tensor

import (
	"math"

	"github.com/backprop-go/backprop/internal/kernel"
)

// tanhOp is y = tanh x: dL/dx = dL/dy · (1 − y²), computed as
// dL/dy − (dL/dy · y) · y.
type tanhOp struct{ y *Tensor }

func (o *tanhOp) backward(g *Tensor, _ []bool) []*Tensor {
	y := saved(g, o.y)
	return []*Tensor{g.Sub(g.Mul(y).Mul(y))}
}

// Tanh returns the hyperbolic tangent element-wise. It needs a
// floating-point tensor.
func (t *Tensor) Tanh() *Tensor {
	out := unaryFast("Tanh", t, kernel.Tanh)
	if out == nil {
		out = mapUnary("Tanh", t,
			func(v float32) float32 { return float32(math.Tanh(float64(v))) },
			math.Tanh, nil)
	}
	return record(out, "Tanh", &tanhOp{y: out}, t)
}
