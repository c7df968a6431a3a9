package tensor

import (
	"math"

	"github.com/backprop-go/backprop/internal/kernel"
	"github.com/backprop-go/backprop/internal/parallel"
)

// linearOp is y = x·wᵀ + b over the last axis of x, optionally followed by
// ReLU. With G = dL/dy (zeroed where the ReLU output is ≤ 0, when fused),
// flattened to a matrix over the leading axes of x: dL/dx = G·w,
// dL/dw = Gᵀ·x and dL/db = Σ G over the rows. A plain backward pass
// computes them with GEMMs that read the transposed operands in place and
// may add dL/dw and dL/db straight into the Grad of leaf parameters; with
// CreateGraph the same formulas are written with recorded tensor
// operations, so they can be differentiated again.
type linearOp struct {
	x, w, b *Tensor
	y       *Tensor // the output, kept for the ReLU mask
	relu    bool
}

func (o *linearOp) backward(g *Tensor, needs []bool) []*Tensor {
	return o.grads(g, needs, false, nil)
}

func (o *linearOp) backwardDirect(g *Tensor, needs []bool, into *GradSet) []*Tensor {
	return o.grads(g, needs, true, into)
}

func (o *linearOp) grads(g *Tensor, needs []bool, direct bool, into *GradSet) []*Tensor {
	r := make([]*Tensor, 3)
	out, in := o.w.shape[0], o.w.shape[1]
	recorded := !g.noGrad && (g.requiresGrad || o.x.requiresGrad || o.w.requiresGrad || (o.b != nil && o.b.requiresGrad))
	if recorded {
		x, w := saved(g, o.x), saved(g, o.w)
		if o.relu {
			g = g.Mul(reluMask(o.y))
		}
		g2 := g.Reshape(-1, out)
		if needs[0] {
			r[0] = g.MatMul(w)
		}
		if needs[1] {
			r[1] = g2.T().MatMul(x.Reshape(-1, in))
		}
		if needs[2] {
			r[2] = g2.Sum(0)
		}
		return r
	}
	if o.relu {
		g = reluBackwardRaw(g, o.y)
	}
	G, X, W := asMatrix(g), asMatrix(o.x), asMatrix(o.w)
	m := G.rows
	if needs[0] {
		dx := newLike(g.dtype, o.x.shape, false, g)
		dx.noGrad = g.noGrad
		// dX (m×in) = G (m×out) · W (out×in).
		gemmT(G.trans, W.trans, m, in, out, G, W, 0, dx, 0, in)
		r[0] = dx
	}
	if needs[1] {
		// dW (out×in) = Gᵀ (out×m) · X (m×in).
		if d, beta := directGrad(o.w, direct, into); d != nil {
			gemmT(!G.trans, X.trans, out, in, m, G, X, beta, d, d.offset, in)
		} else {
			dw := newLike(g.dtype, o.w.shape, false, g)
			dw.noGrad = g.noGrad
			gemmT(!G.trans, X.trans, out, in, m, G, X, 0, dw, 0, in)
			r[1] = dw
		}
	}
	if needs[2] {
		if d, beta := directGrad(o.b, direct, into); d != nil {
			columnSums(G, d, beta != 0)
		} else {
			db := newLike(g.dtype, o.b.shape, false, g)
			db.noGrad = g.noGrad
			columnSums(G, db, false)
			r[2] = db
		}
	}
	return r
}

// directGrad returns the gradient storage of the leaf p that a plain
// backward pass may write p's gradient into (direct is true), creating it
// when p has none, and the GEMM beta that adds to it (1) or overwrites a
// new one (0); with into (AccumulateInto) it is p's gradient in into,
// added to. It returns nil when the gradient must go through the engine:
// p is not a leaf, or its Grad is part of a graph or not contiguous, or p
// is not in into (the engine then reports it).
func directGrad(p *Tensor, direct bool, into *GradSet) (*Tensor, float64) {
	if !direct || p == nil || p.fn != nil || !p.requiresGrad {
		return nil, 0
	}
	if into != nil {
		if g := into.Grad(p); g != nil {
			return g, 1
		}
		return nil, 0
	}
	g := p.grad
	if g == nil {
		g = newTensor(nil, p.dtype, p.shape, false)
		p.grad = g
		return g, 0
	}
	if g.requiresGrad || g.fn != nil || g.dtype != p.dtype || !g.IsContiguous() || !sameShape(g.shape, p.shape) || g.st.freed {
		return nil, 0
	}
	if p.gradZero {
		// Zeroed lazily (ZeroGradInPlace): overwrite the stale values.
		p.gradZero = false
		return g, 0
	}
	return g, 1
}

// Linear returns x·wᵀ + b, the affine map of torch.nn.functional.linear,
// computed by one matrix product and one pass adding the bias. x
// has shape [..., in], w [out, in] and b [out] (or nil for no bias); the
// result has shape [..., out]. All three must have the same floating-point
// dtype. Its backward pass uses one matrix product per gradient, reads the
// transposed operands in place, and adds the gradients of leaf weights and
// biases directly into their Grad.
func Linear(x, w, b *Tensor) *Tensor { return linear("Linear", x, w, b, false) }

// LinearReLU returns max(x·wᵀ + b, 0), Linear fused with ReLU: the ReLU is
// applied in the pass that adds the bias, and its mask as the backward pass
// reads the output gradient.
func LinearReLU(x, w, b *Tensor) *Tensor { return linear("LinearReLU", x, w, b, true) }

func linear(op string, x, w, b *Tensor, relu bool) *Tensor {
	shapes := func() [][]int {
		if b == nil {
			return shapesOf(x, w)
		}
		return shapesOf(x, w, b)
	}
	switch {
	case !x.dtype.IsFloat():
		panicf(op, shapes(), "not supported for dtype %v", x.dtype)
	case w.dtype != x.dtype || (b != nil && b.dtype != x.dtype):
		panicf(op, shapes(), "dtypes differ")
	case w.Dim() != 2:
		panicf(op, shapes(), "weight must be 2-D [out, in]")
	case x.Dim() == 0 || x.shape[x.Dim()-1] != w.shape[1]:
		panicf(op, shapes(), "input's last dimension must be %d, the weight's in-features", w.shape[1])
	case b != nil && (b.Dim() != 1 || b.shape[0] != w.shape[0]):
		panicf(op, shapes(), "bias must have shape [%d]", w.shape[0])
	}
	x.live(op)
	w.live(op)
	out, in := w.shape[0], w.shape[1]
	var buf [maxInline]int
	yshape := buf[:0]
	yshape = append(yshape, x.shape...)
	yshape[len(yshape)-1] = out
	y := newLike(x.dtype, yshape, false, x, w, b)
	X, W := asMatrix(x), asMatrix(w)
	gemmT(X.trans, !W.trans, X.rows, out, in, X, W, 0, y, 0, out)
	if b != nil {
		b.live(op)
	}
	if b != nil || relu {
		switch y.dtype {
		case Float32:
			biasReLU(y.st.f32, X.rows, out, b, elemsOr[float32](b), relu)
		case Float64:
			biasReLU(y.st.f64, X.rows, out, b, elemsOr[float64](b), relu)
		}
	}
	o := &linearOp{x: x, w: w, b: b, relu: relu}
	if relu {
		o.y = y
	}
	return record(y, op, o, x, w, b)
}

// elemsOr returns the storage of t, or nil for a nil t.
func elemsOr[T number](t *Tensor) []T {
	if t == nil {
		return nil
	}
	return elems[T](t)
}

// biasReLU adds the bias b (storage bs; nil for none) to every row of the
// contiguous m×n matrix y and, with relu, sets its negative elements to
// zero (NaN and −0 stay, as with ReLU).
func biasReLU[T float](y []T, m, n int, b *Tensor, bs []T, relu bool) {
	var bias []T
	if b != nil {
		if b.strides[0] == 1 {
			bias = bs[b.offset : b.offset+n]
		} else {
			bias = make([]T, n)
			for j := range bias {
				bias[j] = bs[b.offset+j*b.strides[0]]
			}
		}
	}
	if m*n < parallelGrain {
		biasReLURows(y, n, bias, relu, 0, m)
		return
	}
	parallel.For(m, max(1, parallelGrain/max(n, 1)), func(lo, hi int) { biasReLURows(y, n, bias, relu, lo, hi) })
}

// biasReLURows is biasReLU for rows lo to hi.
func biasReLURows[T float](y []T, n int, bias []T, relu bool, lo, hi int) {
	if y32, ok := any(y).([]float32); ok {
		biasReLURows32(y32, n, any(bias).([]float32), relu, lo, hi)
		return
	}
	for i := lo; i < hi; i++ {
		row := y[i*n : i*n+n]
		if bias != nil {
			bias := bias[:len(row)]
			for j := range row {
				row[j] += bias[j]
			}
		}
		if relu {
			reluRange(row, row)
		}
	}
}

// biasReLURows32 is biasReLURows for float32, with the vector kernels:
// row by row, so that each call stays on its goroutine.
func biasReLURows32(y []float32, n int, bias []float32, relu bool, lo, hi int) {
	for i := lo; i < hi; i++ {
		row := y[i*n : i*n+n]
		if bias != nil {
			kernel.Add(row, row, bias[:n])
		}
		if relu {
			kernel.ReLU(row, row)
		}
	}
}

// reluBackwardRaw returns g where y > 0 (or NaN) and 0 elsewhere, as a new
// contiguous tensor with g's NoGrad flag, not recorded. y is contiguous
// with g's shape.
func reluBackwardRaw(g, y *Tensor) *Tensor {
	gc := g
	if !g.IsContiguous() {
		gc = newLike(g.dtype, g.shape, false, g)
		gc.copyFrom(g)
	}
	r := newLike(g.dtype, g.shape, false, g)
	r.noGrad = g.noGrad
	n := r.Numel()
	switch g.dtype {
	case Float32:
		reluMaskLoop(r.st.f32[:n], gc.st.f32[gc.offset:gc.offset+n], y.st.f32[y.offset:y.offset+n])
	case Float64:
		reluMaskLoop(r.st.f64[:n], gc.st.f64[gc.offset:gc.offset+n], y.st.f64[y.offset:y.offset+n])
	}
	return r
}

// reluMaskLoop sets out[i] = g[i] where y[i] > 0 or is NaN, else 0: with
// the vector kernel for float32 (which splits long slices over the
// workers itself), with a branch-free loop over several goroutines for
// float64.
func reluMaskLoop[T float](out, g, y []T) {
	if o, ok := any(out).([]float32); ok {
		kernel.ReLUBackward(o, any(g).([]float32)[:len(o)], any(y).([]float32)[:len(o)])
		return
	}
	o, g64, y64 := any(out).([]float64), any(g).([]float64), any(y).([]float64)
	if len(o) < parallelGrain {
		reluMask64(o, g64, y64)
		return
	}
	parallel.For(len(o), parallelGrain, func(lo, hi int) { reluMask64(o[lo:hi], g64[lo:hi], y64[lo:hi]) })
}

// reluMask64 sets out[i] = g[i] where y[i] > 0 or is NaN, else 0. It
// selects on the bits, which the compiler turns into a conditional move:
// signs of y at random would mispredict half the branches.
func reluMask64(out, g, y []float64) {
	g, y = g[:len(out)], y[:len(out)]
	for i := range out {
		v := math.Float64bits(g[i])
		if y[i] <= 0 {
			v = 0
		}
		out[i] = math.Float64frombits(v)
	}
}

// reluMask returns a constant tensor (not recorded, requiring no gradient)
// of y's dtype and shape holding 1 where y > 0 (or NaN) and 0 elsewhere.
func reluMask(y *Tensor) *Tensor {
	return unaryMask("LinearReLU", y.Detach(), func(v float64) bool { return !(v <= 0) })
}

// matrix describes a tensor [..., cols] as a rows×cols matrix that GEMM
// can read in place: row-major with leading dimension ld, or column-major
// (trans) with leading dimension ld, starting at off in t's storage.
type matrix struct {
	t          *Tensor
	rows, cols int
	off, ld    int
	trans      bool
}

// asMatrix returns t ([..., cols], or [cols] as one row) as a matrix,
// copying it into contiguous storage (in t's arena, not recorded) when its
// strides do not allow reading it in place.
func asMatrix(t *Tensor) matrix {
	nd := t.Dim()
	cols := t.shape[nd-1]
	rows := numel(t.shape[:nd-1])
	rs, cs, ok := 0, 0, true
	switch nd {
	case 1:
		rs, cs = max(cols, 1), t.strides[0]
	case 2:
		rs, cs = t.strides[0], t.strides[1]
	default:
		var st [2]int
		if s := viewStrides(t.shape, t.strides, []int{rows, cols}); s != nil {
			st = [2]int{s[0], s[1]}
		} else {
			ok = false
		}
		rs, cs = st[0], st[1]
	}
	var trans bool
	var ld int
	if ok {
		trans, ld, ok = matLayout(rows, cols, rs, cs)
	}
	if !ok {
		c := newLike(t.dtype, t.shape, false, t)
		c.copyFrom(t)
		return matrix{t: c, rows: rows, cols: cols, off: 0, ld: max(cols, 1)}
	}
	return matrix{t: t, rows: rows, cols: cols, off: t.offset, ld: ld, trans: trans}
}

// gemmT computes c = a'·b' + beta·c into the contiguous storage of c from
// offset coff with leading dimension ldc, where a' is a or aᵀ (ta) of size
// m×k and b' is b or bᵀ (tb) of size k×n.
func gemmT(ta, tb bool, m, n, k int, a, b matrix, beta float64, c *Tensor, coff, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	lda, ldb := max(a.ld, 1), max(b.ld, 1)
	switch c.dtype {
	case Float32:
		kernel.Gemm(ta, tb, m, n, k, 1, a.t.st.f32[a.off:], lda, b.t.st.f32[b.off:], ldb, float32(beta), c.st.f32[coff:], max(ldc, 1))
	case Float64:
		kernel.Gemm(ta, tb, m, n, k, 1, a.t.st.f64[a.off:], lda, b.t.st.f64[b.off:], ldb, beta, c.st.f64[coff:], max(ldc, 1))
	}
}

// columnSums writes (or, with add, adds) the sums over the rows of the
// matrix g into the contiguous vector d of g.cols elements.
func columnSums(g matrix, d *Tensor, add bool) {
	switch d.dtype {
	case Float32:
		colSums(g, g.t.st.f32, d.st.f32[d.offset:d.offset+g.cols], add)
	case Float64:
		colSums(g, g.t.st.f64, d.st.f64[d.offset:d.offset+g.cols], add)
	}
}

func colSums[T float](g matrix, s []T, d []T, add bool) {
	if !add {
		clear(d)
	}
	if g.trans {
		// Column j is contiguous at off + j·ld.
		for j := range d {
			col := s[g.off+j*g.ld : g.off+j*g.ld+g.rows]
			var acc T
			for _, v := range col {
				acc += v
			}
			d[j] += acc
		}
		return
	}
	for i := 0; i < g.rows; i++ {
		row := s[g.off+i*g.ld : g.off+i*g.ld+len(d)]
		for j, v := range row {
			d[j] += v
		}
	}
}
