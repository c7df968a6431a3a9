package tensor

import "github.com/backprop-go/backprop/internal/kernel"

// addOp is y = a + b (broadcast): dL/da = dL/dy and dL/db = dL/dy, each
// summed down to its input's shape by the engine.
type addOp struct{}

func (addOp) backward(g *Tensor, _ []bool) []*Tensor { return []*Tensor{g, g} }

// Add returns t + u element-wise with broadcasting.
func (t *Tensor) Add(u *Tensor) *Tensor {
	if out := binaryFast("Add", t, u, kernel.Add); out != nil {
		return record(out, "Add", addOp{}, t, u)
	}
	out := mapBinary("Add", t, u,
		func(a, b float32) float32 { return a + b },
		func(a, b float64) float64 { return a + b },
		func(a, b int64) int64 { return a + b })
	return record(out, "Add", addOp{}, t, u)
}

// AddScalar returns t + s.
func (t *Tensor) AddScalar(s float64) *Tensor { return t.Add(Scalar(s, t.dtype)) }
