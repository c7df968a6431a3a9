package tensor

import "github.com/backprop-go/backprop/internal/kernel"

// matmulOp is Y = A·B over the last two axes, batched over the leading axes
// with broadcasting. dL/dA = dL/dY·Bᵀ and dL/dB = Aᵀ·dL/dY; the engine sums
// them over broadcast batch axes.
type matmulOp struct{ a, b *Tensor }

func (o *matmulOp) backward(g *Tensor, needs []bool) []*Tensor {
	r := make([]*Tensor, 2)
	if needs[0] {
		r[0] = g.MatMul(o.b.T())
	}
	if needs[1] {
		r[1] = o.a.T().MatMul(g)
	}
	return r
}

// MatMul returns the matrix product of t and u with torch.matmul's rules:
// two 1-D tensors give their dot product (0-D); a 1-D first operand is a
// row vector and a 1-D second operand a column vector, and the added axis
// is removed from the result; tensors with more than two dimensions are
// stacks of matrices whose leading (batch) axes broadcast.
func (t *Tensor) MatMul(u *Tensor) *Tensor {
	t.live("MatMul")
	u.live("MatMul")
	switch {
	case t.Dim() == 0 || u.Dim() == 0:
		panicf("MatMul", shapesOf(t, u), "both operands need at least one dimension")
	case t.Dim() == 1 && u.Dim() == 1:
		return t.Unsqueeze(0).MatMul(u.Unsqueeze(1)).Reshape()
	case t.Dim() == 1:
		return t.Unsqueeze(0).MatMul(u).Squeeze(-2)
	case u.Dim() == 1:
		return t.MatMul(u.Unsqueeze(1)).Squeeze(-1)
	}
	return matmulND(t, u)
}

// matLayout returns how a strided matrix of rows×cols with strides (rs, cs)
// can be passed to GEMM: trans is false for row-major (ld = rs), true for
// column-major (ld = cs). ok is false when neither fits.
func matLayout(rows, cols, rs, cs int) (trans bool, ld int, ok bool) {
	if (cs == 1 || cols == 1) && (rs >= max(1, cols) || rows == 1) {
		return false, max(rs, cols, 1), true
	}
	if (rs == 1 || rows == 1) && (cs >= max(1, rows) || cols == 1) {
		return true, max(cs, rows, 1), true
	}
	return false, 0, false
}

func matmulND(a, b *Tensor) *Tensor {
	if a.dtype != b.dtype {
		panicf("MatMul", shapesOf(a, b), "dtypes differ: %v and %v", a.dtype, b.dtype)
	}
	if !a.dtype.IsFloat() {
		panicf("MatMul", shapesOf(a, b), "not supported for dtype %v", a.dtype)
	}
	na, nb := a.Dim(), b.Dim()
	m, k := a.shape[na-2], a.shape[na-1]
	k2, n := b.shape[nb-2], b.shape[nb-1]
	if k != k2 {
		panicf("MatMul", shapesOf(a, b), "inner sizes differ: %d columns vs %d rows", k, k2)
	}
	batch := broadcastShapes("MatMul", a.shape[:na-2], b.shape[:nb-2])
	ta, lda, okA := matLayout(m, k, a.strides[na-2], a.strides[na-1])
	tb, ldb, okB := matLayout(k, n, b.strides[nb-2], b.strides[nb-1])
	ac, bc := a, b
	if !okA {
		ac = a.Detach().Contiguous()
		ta, lda = false, max(k, 1)
	}
	if !okB {
		bc = b.Detach().Contiguous()
		tb, ldb = false, max(n, 1)
	}
	outShape := append(append([]int{}, batch...), m, n)
	out := newLike(a.dtype, outShape, false, a, b)
	abst := broadcastStrides(ac.shape[:na-2], ac.strides[:na-2], batch)
	bbst := broadcastStrides(bc.shape[:nb-2], bc.strides[:nb-2], batch)
	nbatch := numel(batch)
	idx := make([]int, len(batch))
	for bi := 0; bi < nbatch; bi++ {
		oa, ob := ac.offset, bc.offset
		for d := range idx {
			oa += idx[d] * abst[d]
			ob += idx[d] * bbst[d]
		}
		oc := bi * m * n
		switch a.dtype {
		case Float32:
			kernel.Gemm(ta, tb, m, n, k, 1, ac.st.f32[oa:], lda, bc.st.f32[ob:], ldb, 0, out.st.f32[oc:], max(n, 1))
		case Float64:
			kernel.Gemm(ta, tb, m, n, k, 1, ac.st.f64[oa:], lda, bc.st.f64[ob:], ldb, 0, out.st.f64[oc:], max(n, 1))
		}
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < batch[d] {
				break
			}
			idx[d] = 0
		}
	}
	return record(out, "MatMul", &matmulOp{a: a, b: b}, a, b)
}
