package tensor

import (
	"math"

	"github.com/backprop-go/backprop/internal/kernel"
)

// logOp is y = ln x: dL/dx = dL/dy / x.
type logOp struct{ x *Tensor }

func (o *logOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{g.Div(saved(g, o.x))}
}

// Log returns the natural logarithm element-wise: Log(0) is −Inf and the
// logarithm of a negative number is NaN. It needs a floating-point tensor.
func (t *Tensor) Log() *Tensor {
	out := unaryFast("Log", t, kernel.Log)
	if out == nil {
		out = mapUnary("Log", t,
			func(v float32) float32 { return float32(math.Log(float64(v))) },
			math.Log, nil)
	}
	return record(out, "Log", &logOp{x: t}, t)
}
