package tensor

import "github.com/backprop-go/backprop/internal/kernel"

// This file holds the strided loops that element-wise operations are built
// on. They visit the elements of (up to two) strided operands in row-major
// order of the output, with the innermost dimension as a tight loop.

type number interface {
	~float32 | ~float64 | ~int64
}

type float interface {
	~float32 | ~float64
}

// elems returns the storage slice of t for element type T.
func elems[T number](t *Tensor) []T {
	var z T
	switch any(z).(type) {
	case float32:
		return any(t.st.f32).([]T)
	case float64:
		return any(t.st.f64).([]T)
	default:
		return any(t.st.i64).([]T)
	}
}

// unaryLoop writes f of each element of the strided view (x, xoff, xst) with
// the given shape into out, contiguously.
func unaryLoop[T, U number](out []U, x []T, xoff int, shape, xst []int, f func(T) U) {
	total := numel(shape)
	if total == 0 {
		return
	}
	nd := len(shape)
	if nd == 0 {
		out[0] = f(x[xoff])
		return
	}
	if isContig(shape, xst) {
		xs := x[xoff : xoff+total]
		out = out[:total]
		for i, v := range xs {
			out[i] = f(v)
		}
		return
	}
	n, s := shape[nd-1], xst[nd-1]
	idx := make([]int, nd)
	off, o := xoff, 0
	for {
		os := out[o : o+n]
		if s == 1 {
			for i, v := range x[off : off+n] {
				os[i] = f(v)
			}
		} else {
			p := off
			for i := range os {
				os[i] = f(x[p])
				p += s
			}
		}
		o += n
		k := nd - 2
		for ; k >= 0; k-- {
			idx[k]++
			off += xst[k]
			if idx[k] < shape[k] {
				break
			}
			off -= xst[k] * shape[k]
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

// binaryLoop writes f(a, b) for the strided views a and b (already
// broadcast to shape, with zero strides on broadcast axes) into out,
// contiguously.
func binaryLoop[T, U number](out []U, a []T, aoff int, ast []int, b []T, boff int, bst []int, shape []int, f func(T, T) U) {
	total := numel(shape)
	if total == 0 {
		return
	}
	nd := len(shape)
	if nd == 0 {
		out[0] = f(a[aoff], b[boff])
		return
	}
	if isContig(shape, ast) && isContig(shape, bst) {
		as := a[aoff : aoff+total]
		bs := b[boff : boff+total]
		out = out[:total]
		for i := range out {
			out[i] = f(as[i], bs[i])
		}
		return
	}
	n, sa, sb := shape[nd-1], ast[nd-1], bst[nd-1]
	idx := make([]int, nd)
	oa, ob, o := aoff, boff, 0
	for {
		os := out[o : o+n]
		switch {
		case sa == 1 && sb == 1:
			as, bs := a[oa:oa+n], b[ob:ob+n]
			for i := range os {
				os[i] = f(as[i], bs[i])
			}
		case sa == 1 && sb == 0:
			bv := b[ob]
			for i, v := range a[oa : oa+n] {
				os[i] = f(v, bv)
			}
		case sa == 0 && sb == 1:
			av := a[oa]
			for i, v := range b[ob : ob+n] {
				os[i] = f(av, v)
			}
		default:
			pa, pb := oa, ob
			for i := range os {
				os[i] = f(a[pa], b[pb])
				pa += sa
				pb += sb
			}
		}
		o += n
		k := nd - 2
		for ; k >= 0; k-- {
			idx[k]++
			oa += ast[k]
			ob += bst[k]
			if idx[k] < shape[k] {
				break
			}
			oa -= ast[k] * shape[k]
			ob -= bst[k] * shape[k]
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

// isContig reports whether strides describe a row-major layout of shape.
func isContig(shape, strides []int) bool {
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] != 1 && strides[i] != s {
			return false
		}
		s *= shape[i]
	}
	return true
}

// broadcastShapes returns the NumPy broadcast of shapes a and b, or panics
// with an *Error for op.
func broadcastShapes(op string, a, b []int) []int {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db:
			out[i] = da
		case da == 1:
			out[i] = db
		case db == 1:
			out[i] = da
		default:
			panicf(op, [][]int{a, b}, "shapes cannot be broadcast together: size %d vs %d at dimension %d", da, db, i)
		}
	}
	return out
}

// broadcastStrides returns the strides that view (shape, strides) as the
// larger shape out, with zero strides along broadcast axes. shape must
// broadcast to out.
func broadcastStrides(shape, strides, out []int) []int {
	bs := make([]int, len(out))
	lead := len(out) - len(shape)
	for i := range shape {
		if shape[i] == out[lead+i] {
			bs[lead+i] = strides[i]
		}
	}
	return bs
}

// mapUnary returns a new contiguous tensor of dtype dt holding f applied to
// each element of x. Exactly the function matching x's dtype is used; a nil
// function means the dtype is not supported by op.
func mapUnary(op string, x *Tensor, f32 func(float32) float32, f64 func(float64) float64, i64 func(int64) int64) *Tensor {
	x.live(op)
	out := newLike(x.dtype, x.shape, false, x)
	switch {
	case x.dtype == Float32 && f32 != nil:
		unaryLoop(out.st.f32, x.st.f32, x.offset, x.shape, x.strides, f32)
	case x.dtype == Float64 && f64 != nil:
		unaryLoop(out.st.f64, x.st.f64, x.offset, x.shape, x.strides, f64)
	case x.dtype == Int64 && i64 != nil:
		unaryLoop(out.st.i64, x.st.i64, x.offset, x.shape, x.strides, i64)
	default:
		panicf(op, shapesOf(x), "not supported for dtype %v", x.dtype)
	}
	return out
}

// mapBinary returns a new contiguous tensor holding f(a, b) element-wise
// with broadcasting. a and b must have the same dtype.
func mapBinary(op string, a, b *Tensor, f32 func(a, b float32) float32, f64 func(a, b float64) float64, i64 func(a, b int64) int64) *Tensor {
	a.live(op)
	b.live(op)
	if a.dtype != b.dtype {
		panicf(op, shapesOf(a, b), "dtypes differ: %v and %v", a.dtype, b.dtype)
	}
	shape := broadcastShapes(op, a.shape, b.shape)
	ast := broadcastStrides(a.shape, a.strides, shape)
	bst := broadcastStrides(b.shape, b.strides, shape)
	out := newLike(a.dtype, shape, false, a, b)
	switch {
	case a.dtype == Float32 && f32 != nil:
		binaryLoop(out.st.f32, a.st.f32, a.offset, ast, b.st.f32, b.offset, bst, shape, f32)
	case a.dtype == Float64 && f64 != nil:
		binaryLoop(out.st.f64, a.st.f64, a.offset, ast, b.st.f64, b.offset, bst, shape, f64)
	case a.dtype == Int64 && i64 != nil:
		binaryLoop(out.st.i64, a.st.i64, a.offset, ast, b.st.i64, b.offset, bst, shape, i64)
	default:
		panicf(op, shapesOf(a, b), "not supported for dtype %v", a.dtype)
	}
	return out
}

// compareBinary returns an Int64 tensor of 0/1 holding f(a, b) element-wise
// with broadcasting.
func compareBinary(op string, a, b *Tensor, f func(a, b float64) bool) *Tensor {
	a.live(op)
	b.live(op)
	if a.dtype != b.dtype {
		panicf(op, shapesOf(a, b), "dtypes differ: %v and %v", a.dtype, b.dtype)
	}
	shape := broadcastShapes(op, a.shape, b.shape)
	ast := broadcastStrides(a.shape, a.strides, shape)
	bst := broadcastStrides(b.shape, b.strides, shape)
	out := newLike(Int64, shape, false, a, b)
	b2i := func(v bool) int64 {
		if v {
			return 1
		}
		return 0
	}
	switch a.dtype {
	case Float32:
		binaryLoop(out.st.i64, a.st.f32, a.offset, ast, b.st.f32, b.offset, bst, shape, func(x, y float32) int64 { return b2i(f(float64(x), float64(y))) })
	case Float64:
		binaryLoop(out.st.i64, a.st.f64, a.offset, ast, b.st.f64, b.offset, bst, shape, func(x, y float64) int64 { return b2i(f(x, y)) })
	case Int64:
		binaryLoop(out.st.i64, a.st.i64, a.offset, ast, b.st.i64, b.offset, bst, shape, func(x, y int64) int64 {
			switch {
			case x < y:
				return b2i(f(0, 1))
			case x > y:
				return b2i(f(1, 0))
			}
			return b2i(f(0, 0))
		})
	}
	return out
}

// addTo sets dst[i] += src[i] for every i; src must be at least as long.
func addTo[T float](dst, src []T) {
	src = src[:len(dst)]
	if d, ok := any(dst).([]float32); ok {
		kernel.Axpy(1, any(src).([]float32), d)
		return
	}
	for i := range dst {
		dst[i] += src[i]
	}
}

// binaryFast computes the element-wise op of the Float32 tensors a and b
// with the vector kernel f when both are contiguous with one shape, and
// returns nil otherwise.
func binaryFast(op string, a, b *Tensor, f func(dst, a, b []float32)) *Tensor {
	if a.dtype != Float32 || b.dtype != Float32 || !sameShape(a.shape, b.shape) || !a.IsContiguous() || !b.IsContiguous() {
		return nil
	}
	a.live(op)
	b.live(op)
	out := newLike(Float32, a.shape, false, a, b)
	n := out.Numel()
	f(out.st.f32[:n], a.st.f32[a.offset:a.offset+n], b.st.f32[b.offset:b.offset+n])
	return out
}

// unaryFast returns f applied to the contiguous Float32 tensor x by a
// vector kernel, in a new tensor, or nil when x is not contiguous Float32
// (the caller then takes its general path).
func unaryFast(op string, x *Tensor, f func(dst, x []float32)) *Tensor {
	if x.dtype != Float32 || !x.IsContiguous() {
		return nil
	}
	x.live(op)
	out := newLike(Float32, x.shape, false, x)
	n := out.Numel()
	f(out.st.f32[:n], x.st.f32[x.offset:x.offset+n])
	return out
}

// parallelGrain is the number of elements below which element-wise loops
// run on the caller's goroutine alone: smaller loops finish in less time
// than waking another worker takes.
const parallelGrain = 1 << 15

// broadcastAll returns the NumPy broadcast of all shapes, or panics with an
// *Error for op that lists every shape.
func broadcastAll(op string, shapes ...[]int) []int {
	n := 0
	for _, s := range shapes {
		n = max(n, len(s))
	}
	out := make([]int, n)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		lead := n - len(s)
		for j, d := range s {
			switch o := out[lead+j]; {
			case o == d || d == 1:
			case o == 1:
				out[lead+j] = d
			default:
				panicf(op, shapes, "shapes cannot be broadcast together: size %d vs %d at dimension %d", o, d, lead+j)
			}
		}
	}
	return out
}

// unaryMask returns a tensor of x's dtype and shape holding 1 where pred
// holds for x's element and 0 elsewhere. It is not recorded.
func unaryMask(op string, x *Tensor, pred func(float64) bool) *Tensor {
	return mapUnary(op, x,
		func(v float32) float32 {
			if pred(float64(v)) {
				return 1
			}
			return 0
		},
		func(v float64) float64 {
			if pred(v) {
				return 1
			}
			return 0
		}, nil)
}

// walk visits the elements of shape in row-major order. For each it calls f
// with the storage offsets of that element in every operand k, whose
// layout is the base offset offs[k] with strides[k]. f must not keep p.
func walk(shape []int, offs []int, strides [][]int, f func(p []int)) {
	if numel(shape) == 0 {
		return
	}
	p := append([]int{}, offs...)
	nd := len(shape)
	idx := make([]int, nd)
	for {
		f(p)
		k := nd - 1
		for ; k >= 0; k-- {
			idx[k]++
			for j := range p {
				p[j] += strides[j][k]
			}
			if idx[k] < shape[k] {
				break
			}
			for j := range p {
				p[j] -= strides[j][k] * shape[k]
			}
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}
