package tensor

// whereOp is y = cond ? a : b (all three broadcast): dL/da is dL/dy where
// cond holds and 0 elsewhere, dL/db the other way round. cond gets no
// gradient.
type whereOp struct{ cond *Tensor }

func (o *whereOp) backward(g *Tensor, needs []bool) []*Tensor {
	r := make([]*Tensor, 2)
	zero := Scalar(0, g.dtype)
	if needs[0] {
		r[0] = Where(o.cond, g, zero)
	}
	if needs[1] {
		r[1] = Where(o.cond, zero, g)
	}
	return r
}

// Where returns a tensor holding a's element where cond's is non-zero and
// b's elsewhere, as torch.where. cond may have any dtype (a NaN counts as
// true); a and b must have the same dtype. The three operands broadcast
// together. The gradient flows to a where cond holds and to b elsewhere.
func Where(cond, a, b *Tensor) *Tensor {
	if a.dtype != b.dtype {
		panicf("Where", shapesOf(cond, a, b), "dtypes of the values differ: %v and %v", a.dtype, b.dtype)
	}
	shape := broadcastAll("Where", cond.shape, a.shape, b.shape)
	cst := broadcastStrides(cond.shape, cond.strides, shape)
	ast := broadcastStrides(a.shape, a.strides, shape)
	bst := broadcastStrides(b.shape, b.strides, shape)
	out := newLike(a.dtype, shape, false, cond, a, b)
	switch a.dtype {
	case Float32:
		whereByCond(out.st.f32, cond, cst, a.st.f32, a.offset, ast, b.st.f32, b.offset, bst, shape)
	case Float64:
		whereByCond(out.st.f64, cond, cst, a.st.f64, a.offset, ast, b.st.f64, b.offset, bst, shape)
	case Int64:
		whereByCond(out.st.i64, cond, cst, a.st.i64, a.offset, ast, b.st.i64, b.offset, bst, shape)
	}
	return record(out, "Where", &whereOp{cond: cond.Detach()}, a, b)
}

// whereByCond dispatches whereLoop on the dtype of cond.
func whereByCond[T number](out []T, cond *Tensor, cst []int, a []T, aoff int, ast []int, b []T, boff int, bst []int, shape []int) {
	switch cond.dtype {
	case Float32:
		whereLoop(out, cond.st.f32, cond.offset, cst, a, aoff, ast, b, boff, bst, shape)
	case Float64:
		whereLoop(out, cond.st.f64, cond.offset, cst, a, aoff, ast, b, boff, bst, shape)
	case Int64:
		whereLoop(out, cond.st.i64, cond.offset, cst, a, aoff, ast, b, boff, bst, shape)
	}
}

// whereLoop writes c ? a : b for the strided views c, a and b (already
// broadcast to shape) into out, contiguously.
func whereLoop[C, T number](out []T, c []C, coff int, cst []int, a []T, aoff int, ast []int, b []T, boff int, bst []int, shape []int) {
	total := numel(shape)
	if total == 0 {
		return
	}
	nd := len(shape)
	if nd == 0 {
		if c[coff] != 0 {
			out[0] = a[aoff]
		} else {
			out[0] = b[boff]
		}
		return
	}
	n, sc, sa, sb := shape[nd-1], cst[nd-1], ast[nd-1], bst[nd-1]
	idx := make([]int, nd)
	oc, oa, ob, o := coff, aoff, boff, 0
	for {
		os := out[o : o+n]
		pc, pa, pb := oc, oa, ob
		for i := range os {
			if c[pc] != 0 {
				os[i] = a[pa]
			} else {
				os[i] = b[pb]
			}
			pc += sc
			pa += sa
			pb += sb
		}
		o += n
		k := nd - 2
		for ; k >= 0; k-- {
			idx[k]++
			oc += cst[k]
			oa += ast[k]
			ob += bst[k]
			if idx[k] < shape[k] {
				break
			}
			oc -= cst[k] * shape[k]
			oa -= ast[k] * shape[k]
			ob -= bst[k] * shape[k]
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}
