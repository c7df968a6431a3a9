package tensor

// minimumOp is y = min(a, b) element-wise (broadcast): dL/da = dL/dy · wa
// and dL/db = dL/dy · wb, where wa = 1, wb = 0 where a < b, the other way
// round where a > b, and wa = wb = ½ at ties, as in PyTorch. Where a or b
// is NaN (and so is y) both get the whole gradient.
type minimumOp struct{ a, b *Tensor }

func (o *minimumOp) backward(g *Tensor, needs []bool) []*Tensor {
	return extremeGrads("Minimum", g, o.a, o.b, needs, false)
}

// Minimum returns the element-wise minimum of t and u with broadcasting, as
// torch.minimum: NaN propagates. At ties the gradient is split evenly. It
// supports every dtype.
func (t *Tensor) Minimum(u *Tensor) *Tensor {
	out := mapBinary("Minimum", t, u,
		func(a, b float32) float32 {
			if a < b || a != a {
				return a
			}
			return b
		},
		func(a, b float64) float64 {
			if a < b || a != a {
				return a
			}
			return b
		},
		func(a, b int64) int64 { return min(a, b) })
	return record(out, "Minimum", &minimumOp{a: t, b: u}, t, u)
}
