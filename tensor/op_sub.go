package tensor

// subOp is y = a − b (broadcast): dL/da = dL/dy and dL/db = −dL/dy, each
// summed down to its input's shape by the engine.
type subOp struct{}

func (subOp) backward(g *Tensor, needs []bool) []*Tensor {
	r := []*Tensor{g, nil}
	if needs[1] {
		r[1] = g.Neg()
	}
	return r
}

// Sub returns t − u element-wise with broadcasting. It supports every
// dtype.
func (t *Tensor) Sub(u *Tensor) *Tensor {
	out := mapBinary("Sub", t, u,
		func(a, b float32) float32 { return a - b },
		func(a, b float64) float64 { return a - b },
		func(a, b int64) int64 { return a - b })
	return record(out, "Sub", subOp{}, t, u)
}

// SubScalar returns t − s. For an Int64 tensor s is truncated to an
// integer.
func (t *Tensor) SubScalar(s float64) *Tensor { return t.Sub(Scalar(s, t.dtype)) }
