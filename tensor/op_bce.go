package tensor

import "math"

// bceEps bounds p(1 − p) from below in the derivative of
// BinaryCrossEntropy. It is PyTorch's EPSILON, 1e-12 rounded to float32 as
// PyTorch stores it, so saturated gradients match PyTorch's exactly.
const bceEps = float64(float32(1e-12))

// bceOp is y = −(t·max(ln p, −100) + (1 − t)·max(ln(1 − p), −100)) (broadcast).
// As in PyTorch, dL/dp = dL/dy · (p − t) / max(p(1 − p), 10⁻¹²), the
// derivative of the unclamped logarithms bounded so that a saturated
// probability still passes a (large) gradient, and
// dL/dt = dL/dy · (ln(1 − p) − ln p). Both are written with tensor
// operations, so they can be differentiated again.
type bceOp struct{ p, t *Tensor }

func (o *bceOp) backward(g *Tensor, needs []bool) []*Tensor {
	p, t := saved(g, o.p), saved(g, o.t)
	q := p.Neg().AddScalar(1) // 1 − p
	r := make([]*Tensor, 2)
	if needs[0] {
		r[0] = g.Mul(p.Sub(t)).Div(p.Mul(q).Clamp(bceEps, math.Inf(1)))
	}
	if needs[1] {
		r[1] = g.Mul(q.Log().Sub(p.Log()))
	}
	return r
}

// BinaryCrossEntropy returns the binary cross-entropy between the
// probabilities p and the targets t element-wise (with broadcasting):
//
//	−(t·max(ln p, −100) + (1 − t)·max(ln(1 − p), −100))
//
// as torch.nn.functional.binary_cross_entropy with reduction "none": the
// logarithms are clamped at −100 so that p = 0 or 1 gives a finite loss,
// and the gradient with respect to p is (p − t) / max(p(1 − p), 10⁻¹²).
// Every element of p must lie in [0, 1]. It is the primitive behind
// loss.BCE; for probabilities computed by a sigmoid, loss.BCEWithLogits is
// more accurate.
func BinaryCrossEntropy(p, t *Tensor) *Tensor {
	const op = "BinaryCrossEntropy"
	if !p.dtype.IsFloat() || p.dtype != t.dtype {
		panicf(op, shapesOf(p, t), "needs floating-point tensors of one dtype, got %v and %v", p.dtype, t.dtype)
	}
	invalid, bad := false, 0.0
	f := func(pv, tv float64) float64 {
		if !(pv >= 0 && pv <= 1) && !invalid {
			invalid, bad = true, pv
		}
		return -(tv*max(math.Log(pv), -100) + (1-tv)*max(math.Log1p(-pv), -100))
	}
	out := mapBinary(op, p, t,
		func(a, b float32) float32 { return float32(f(float64(a), float64(b))) },
		f, nil)
	if invalid {
		panicf(op, shapesOf(p, t), "probability %v outside [0, 1]", bad)
	}
	return record(out, op, &bceOp{p: p, t: t}, p, t)
}
