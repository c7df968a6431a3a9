package tensor

// maximumOp is y = max(a, b) element-wise (broadcast): dL/da = dL/dy · wa
// and dL/db = dL/dy · wb, where wa = 1, wb = 0 where a > b, the other way
// round where a < b, and wa = wb = ½ at ties, as in PyTorch. Where a or b
// is NaN (and so is y) both get the whole gradient, as in PyTorch too.
type maximumOp struct{ a, b *Tensor }

func (o *maximumOp) backward(g *Tensor, needs []bool) []*Tensor {
	return extremeGrads("Maximum", g, o.a, o.b, needs, true)
}

// extremeGrads returns the gradients of Maximum(a, b) (maximum set) or
// Minimum(a, b): the weight of an operand is 1 where it is the strict
// maximum (minimum), ½ at ties, 0 where the other one wins, and 1 where
// either is NaN.
func extremeGrads(op string, g, a, b *Tensor, needs []bool, maximum bool) []*Tensor {
	weight := func(x, y float64) float64 {
		if !maximum {
			x, y = y, x
		}
		switch {
		case x > y:
			return 1
		case x == y:
			return 0.5
		case x < y:
			return 0
		}
		return 1 // NaN
	}
	r := make([]*Tensor, 2)
	for i, pair := range [2][2]*Tensor{{a, b}, {b, a}} {
		if !needs[i] {
			continue
		}
		w := mapBinary(op, pair[0], pair[1],
			func(x, y float32) float32 { return float32(weight(float64(x), float64(y))) },
			weight, nil)
		r[i] = g.Mul(w)
	}
	return r
}

// Maximum returns the element-wise maximum of t and u with broadcasting, as
// torch.maximum: NaN propagates. At ties the gradient is split evenly. It
// supports every dtype.
func (t *Tensor) Maximum(u *Tensor) *Tensor {
	out := mapBinary("Maximum", t, u,
		func(a, b float32) float32 {
			if a > b || a != a {
				return a
			}
			return b
		},
		func(a, b float64) float64 {
			if a > b || a != a {
				return a
			}
			return b
		},
		func(a, b int64) int64 { return max(a, b) })
	return record(out, "Maximum", &maximumOp{a: t, b: u}, t, u)
}
