package tensor

import (
	"math"

	"github.com/backprop-go/backprop/internal/kernel"
)

// sigmoidOp is y = σ(x) = 1/(1 + e⁻ˣ): dL/dx = dL/dy · y · (1 − y),
// computed as h − h · y with h = dL/dy · y.
type sigmoidOp struct{ y *Tensor }

func (o *sigmoidOp) backward(g *Tensor, _ []bool) []*Tensor {
	y := saved(g, o.y)
	h := g.Mul(y)
	return []*Tensor{h.Sub(h.Mul(y))}
}

// sigmoid64 is the logistic function, evaluated without overflow for
// either sign of x.
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Sigmoid returns the logistic function 1/(1 + e⁻ˣ) element-wise. It needs
// a floating-point tensor.
func (t *Tensor) Sigmoid() *Tensor {
	out := unaryFast("Sigmoid", t, kernel.Sigmoid)
	if out == nil {
		out = mapUnary("Sigmoid", t,
			func(v float32) float32 { return float32(sigmoid64(float64(v))) },
			sigmoid64, nil)
	}
	return record(out, "Sigmoid", &sigmoidOp{y: out}, t)
}
