package tensor

import "math"

// reduceAxes normalizes axes for t (none means all) and returns a mask of
// the reduced axes and the keep-dim shape of the result.
func reduceAxes(op string, t *Tensor, axes []int) (mask []bool, keep []int) {
	t.live(op)
	mask = make([]bool, t.Dim())
	if len(axes) == 0 {
		for i := range mask {
			mask[i] = true
		}
	}
	for _, a := range axes {
		a = t.axis(op, a)
		if mask[a] && len(axes) > 0 {
			panicf(op, shapesOf(t), "axis %d repeated", a)
		}
		mask[a] = true
	}
	keep = t.Shape()
	for i, m := range mask {
		if m {
			keep[i] = 1
		}
	}
	return mask, keep
}

// squeezeShape drops the masked axes from keep.
func squeezeShape(keep []int, mask []bool) []int {
	out := []int{}
	for i, d := range keep {
		if !mask[i] {
			out = append(out, d)
		}
	}
	return out
}

// reduceInto folds every element of x into the keep-dim tensor out, whose
// reduced axes have size 1, with f(acc, v).
func reduceInto[A, T number](out []A, outShape []int, x []T, xoff int, xshape, xst []int, f func(acc A, v T) A) {
	ost := broadcastStrides(outShape, contiguousStrides(outShape), xshape)
	total := numel(xshape)
	if total == 0 {
		return
	}
	nd := len(xshape)
	if nd == 0 {
		out[0] = f(out[0], x[xoff])
		return
	}
	idx := make([]int, nd)
	n, xs, os := xshape[nd-1], xst[nd-1], ost[nd-1]
	po, px := 0, xoff
	for {
		if os == 0 {
			acc := out[po]
			p := px
			for i := 0; i < n; i++ {
				acc = f(acc, x[p])
				p += xs
			}
			out[po] = acc
		} else {
			p, q := px, po
			for i := 0; i < n; i++ {
				out[q] = f(out[q], x[p])
				p += xs
				q += os
			}
		}
		k := nd - 2
		for ; k >= 0; k-- {
			idx[k]++
			px += xst[k]
			po += ost[k]
			if idx[k] < xshape[k] {
				break
			}
			px -= xst[k] * xshape[k]
			po -= ost[k] * xshape[k]
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

// sumKeep returns the sum of x over the masked axes with the keep-dim shape
// (not recorded). Float32 sums accumulate in float64.
func sumKeep(x *Tensor, keep []int) *Tensor {
	out := newLike(x.dtype, keep, true, x)
	contig := x.IsContiguous()
	n := x.Numel()
	switch x.dtype {
	case Float32:
		acc := newLike(Float64, keep, true, x).st.f64
		if contig {
			sumContig(acc, x.st.f32[x.offset:x.offset+n], x.shape, keep)
		} else {
			reduceInto(acc, keep, x.st.f32, x.offset, x.shape, x.strides, func(a float64, v float32) float64 { return a + float64(v) })
		}
		for i, v := range acc {
			out.st.f32[i] = float32(v)
		}
	case Float64:
		if contig {
			sumContig(out.st.f64, x.st.f64[x.offset:x.offset+n], x.shape, keep)
		} else {
			reduceInto(out.st.f64, keep, x.st.f64, x.offset, x.shape, x.strides, func(a, v float64) float64 { return a + v })
		}
	case Int64:
		if contig {
			sumContig(out.st.i64, x.st.i64[x.offset:x.offset+n], x.shape, keep)
		} else {
			reduceInto(out.st.i64, keep, x.st.i64, x.offset, x.shape, x.strides, func(a, v int64) int64 { return a + v })
		}
	}
	return out
}

// maxRuns bounds the number of alternating kept and reduced runs of axes
// sumContig handles; more fall back to one axis per run, which is still
// correct.
const maxRuns = 8

// sumContig adds into out (the zeroed, contiguous keep-dim result) the sums
// of the contiguous x of shape over the axes where keep is 1 and shape is
// not. Adjacent axes that are all kept or all reduced are merged, so the
// inner loop runs over the longest contiguous stretch.
func sumContig[A, T number](out []A, x []T, shape, keep []int) {
	if len(x) == 0 {
		return
	}
	// Runs of axes, outermost first: size and whether reduced.
	var size [maxRuns]int
	var red [maxRuns]bool
	nr := 0
	for i, d := range shape {
		if d == 1 {
			continue
		}
		r := keep[i] == 1
		if nr > 0 && red[nr-1] == r {
			size[nr-1] *= d
			continue
		}
		if nr == maxRuns {
			reduceInto(out, keep, x, 0, shape, contiguousStrides(shape), func(a A, v T) A { return a + A(v) })
			return
		}
		size[nr], red[nr] = d, r
		nr++
	}
	if nr == 0 {
		out[0] += A(x[0])
		return
	}
	// Strides of x and out for each run.
	var xst, ost [maxRuns]int
	xs, os := 1, 1
	for r := nr - 1; r >= 0; r-- {
		xst[r] = xs
		xs *= size[r]
		if !red[r] {
			ost[r] = os
			os *= size[r]
		}
	}
	n := size[nr-1]
	var idx [maxRuns]int
	px, po := 0, 0
	for {
		seg := x[px : px+n]
		if red[nr-1] {
			var acc A
			for _, v := range seg {
				acc += A(v)
			}
			out[po] += acc
		} else {
			o := out[po : po+n]
			for i, v := range seg {
				o[i] += A(v)
			}
		}
		k := nr - 2
		for ; k >= 0; k-- {
			idx[k]++
			px += xst[k]
			po += ost[k]
			if idx[k] < size[k] {
				break
			}
			px -= xst[k] * size[k]
			po -= ost[k] * size[k]
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

// extremeKeep returns the maximum (sign > 0) or minimum (sign < 0) of x over
// the reduced axes with the keep-dim shape (not recorded). NaN propagates.
func extremeKeep(op string, x *Tensor, keep []int, sign int) *Tensor {
	if x.Numel() == 0 {
		panicf(op, shapesOf(x), "reduction of an empty tensor")
	}
	out := newLike(x.dtype, keep, false, x)
	switch x.dtype {
	case Float32:
		out.fill(math.Inf(-sign))
		reduceInto(out.st.f32, keep, x.st.f32, x.offset, x.shape, x.strides, func(a, v float32) float32 {
			if v != v || a != a || (sign > 0 && v > a) || (sign < 0 && v < a) {
				if a != a {
					return a
				}
				return v
			}
			return a
		})
	case Float64:
		out.fill(math.Inf(-sign))
		reduceInto(out.st.f64, keep, x.st.f64, x.offset, x.shape, x.strides, func(a, v float64) float64 {
			if v != v || a != a || (sign > 0 && v > a) || (sign < 0 && v < a) {
				if a != a {
					return a
				}
				return v
			}
			return a
		})
	case Int64:
		if sign > 0 {
			out.fillInt(math.MinInt64)
		} else {
			out.fillInt(math.MaxInt64)
		}
		reduceInto(out.st.i64, keep, x.st.i64, x.offset, x.shape, x.strides, func(a, v int64) int64 {
			if (sign > 0 && v > a) || (sign < 0 && v < a) {
				return v
			}
			return a
		})
	}
	return out
}

func (t *Tensor) fillInt(v int64) {
	for i := range t.st.i64 {
		t.st.i64[i] = v
	}
}

// reducedCount returns how many elements of shape fold into each element of
// the keep-dim shape keep.
func reducedCount(shape, keep []int) int {
	n := 1
	for i, d := range shape {
		if keep[i] == 1 {
			n *= d
		}
	}
	return n
}

// meanKeep returns, in float64 and row-major order of the keep-dim shape
// keep, the means of the floating-point tensor x over the reduced axes,
// each of which folds n elements (not recorded).
func meanKeep(x *Tensor, keep []int, n int) []float64 {
	acc := newLike(Float64, keep, true, x).st.f64
	switch x.dtype {
	case Float32:
		reduceInto(acc, keep, x.st.f32, x.offset, x.shape, x.strides, func(a float64, v float32) float64 { return a + float64(v) })
	case Float64:
		reduceInto(acc, keep, x.st.f64, x.offset, x.shape, x.strides, func(a, v float64) float64 { return a + v })
	}
	for i := range acc {
		acc[i] /= float64(n)
	}
	return acc
}
