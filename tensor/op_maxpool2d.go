package tensor

import (
	"math"

	"github.com/backprop-go/backprop/internal/kernel"
	"github.com/backprop-go/backprop/internal/parallel"
)

// MaxPool2d returns the maximum of x over sliding kernel[0]×kernel[1]
// windows, with torch.nn.functional.max_pool2d's semantics (dilation 1,
// floor rounding): x is [N, C, H, W] (or [C, H, W]), a zero stride means
// the kernel size, and the input is padded with −∞ on each side by
// padding, which must be at most half the kernel. The result is
// [N, C, OH, OW] with OH = ⌊(H + 2·padding − kernel) / stride⌋ + 1 and OW
// likewise. NaN propagates; among equal maxima the first in row-major
// order wins. The gradient flows to the position of each window's maximum.
func MaxPool2d(x *Tensor, kernel, stride, padding [2]int) *Tensor {
	p := preparePool("MaxPool2d", x, kernel, stride, padding)
	if !p.batched {
		return MaxPool2d(x.Unsqueeze(0), kernel, stride, padding).Squeeze(0)
	}
	y := newLike(x.dtype, []int{p.n, p.c, p.oh, p.ow}, true, x)
	idx := newLike(Int64, y.shape, false, x).st.i64
	switch x.dtype {
	case Float32:
		maxPool(&p, x, y.st.f32, idx)
	case Float64:
		maxPool(&p, x, y.st.f64, idx)
	}
	return record(y, "MaxPool2d", &poolGatherOp{idx: idx, in: x.shape}, x)
}

// poolGeom is the validated geometry of a 2-D pooling.
type poolGeom struct {
	n, c, h, w     int
	kh, kw, sh, sw int
	ph, pw         int
	oh, ow         int
	batched        bool
}

// preparePool validates the arguments of a 2-D pooling op.
func preparePool(op string, x *Tensor, kernel, stride, padding [2]int) poolGeom {
	x.live(op)
	fail := func(format string, args ...any) { panicf(op, shapesOf(x), format, args...) }
	if !x.dtype.IsFloat() {
		fail("not supported for dtype %v", x.dtype)
	}
	if x.Dim() != 3 && x.Dim() != 4 {
		fail("input must be 3-D (C, H, W) or 4-D (N, C, H, W), got %d-D", x.Dim())
	}
	for i := range 2 {
		if kernel[i] < 1 {
			fail("kernel size must be positive, got %v", kernel)
		}
		if stride[i] < 0 {
			fail("stride must be positive, got %v", stride)
		}
		if padding[i] < 0 {
			fail("padding must be non-negative, got %v", padding)
		}
		if stride[i] == 0 {
			stride[i] = kernel[i]
		}
		if 2*padding[i] > kernel[i] {
			fail("padding %v must be at most half the kernel size %v", padding, kernel)
		}
	}
	p := poolGeom{batched: x.Dim() == 4, kh: kernel[0], kw: kernel[1], sh: stride[0], sw: stride[1], ph: padding[0], pw: padding[1]}
	s := x.shape
	if !p.batched {
		s = append([]int{1}, s...)
	}
	p.n, p.c, p.h, p.w = s[0], s[1], s[2], s[3]
	p.oh = convFloorDiv(p.h+2*p.ph-p.kh, p.sh) + 1
	p.ow = convFloorDiv(p.w+2*p.pw-p.kw, p.sw) + 1
	if p.oh < 1 || p.ow < 1 {
		fail("output size [%d %d] is too small (input [%d %d], kernel %v, stride %v, padding %v)", p.oh, p.ow, p.h, p.w, kernel, stride, padding)
	}
	return p
}

// poolPlanes runs fn over the n·c planes of a pooling in parallel chunks.
func poolPlanes(p *poolGeom, fn func(plane int)) {
	work := max(1, p.oh*p.ow*p.kh*p.kw)
	parallel.For(p.n*p.c, max(1, (1<<15)/work), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(i)
		}
	})
}

// maxPool writes the window maxima of x into y and, into idx, the index of
// each maximum in the contiguous layout of x.
func maxPool[T float](p *poolGeom, x *Tensor, y []T, idx []int64) {
	xs := elems[T](x)
	sn, sc, sh, sw := x.strides[0], x.strides[1], x.strides[2], x.strides[3]
	g := *p
	ohw, hw := g.oh*g.ow, g.h*g.w
	neg := T(math.Inf(-1))
	poolPlanes(p, func(plane int) {
		n, c := plane/g.c, plane%g.c
		base := x.offset + n*sn + c*sc
		yp := y[plane*ohw : (plane+1)*ohw]
		ip := idx[plane*ohw : (plane+1)*ohw]
		if g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 && sw == 1 {
			if xs32, ok := any(xs).([]float32); ok {
				maxPool2x2f32(xs32, base, sh, g.w, plane*hw, g.oh, g.ow, any(yp).([]float32), ip)
				return
			}
			maxPool2x2(xs, base, sh, g.w, plane*hw, g.oh, g.ow, yp, ip)
			return
		}
		for oh := 0; oh < g.oh; oh++ {
			h0 := oh*g.sh - g.ph
			h1 := min(h0+g.kh, g.h)
			h0 = max(h0, 0)
			for ow := 0; ow < g.ow; ow++ {
				w0 := ow*g.sw - g.pw
				w1 := min(w0+g.kw, g.w)
				w0 = max(w0, 0)
				best, bi := neg, h0*g.w+w0
				for h := h0; h < h1; h++ {
					p := base + h*sh + w0*sw
					for w := w0; w < w1; w++ {
						if v := xs[p]; v > best || v != v {
							best, bi = v, h*g.w+w
						}
						p += sw
					}
				}
				yp[oh*g.ow+ow] = best
				ip[oh*g.ow+ow] = int64(plane*hw + bi)
			}
		}
	})
}

// maxPool2x2 is maxPool's loop over one plane for 2×2 windows with stride
// 2 and no padding, the plane's rows being contiguous (element (h, w) at
// base + h·sh + w). It compares in the same order as the general loop, so
// ties and NaN resolve alike: the first maximum wins, and a NaN wins over
// numbers, the last NaN over earlier ones. idx gets off + h·w' + w for the
// winner's (h, w), w' being the plane's width.
func maxPool2x2[T float](xs []T, base, sh, width, off, oh, ow int, y []T, idx []int64) {
	for i := 0; i < oh; i++ {
		r0 := base + 2*i*sh
		r1 := r0 + sh
		row0, row1 := xs[r0:r0+2*ow], xs[r1:r1+2*ow]
		yr, ir := y[i*ow:i*ow+ow], idx[i*ow:i*ow+ow]
		top := off + 2*i*width
		for j := range yr {
			best, bi := row0[2*j], 2*j
			if v := row0[2*j+1]; v > best || v != v {
				best, bi = v, 2*j+1
			}
			if v := row1[2*j]; v > best || v != v {
				best, bi = v, width+2*j
			}
			if v := row1[2*j+1]; v > best || v != v {
				best, bi = v, width+2*j+1
			}
			yr[j] = best
			ir[j] = int64(top + bi)
		}
	}
}

// maxPool2x2f32 is maxPool2x2 for float32 with kernel.MaxPool2x2 (vector
// code where the machine has it, otherwise a loop without branches on the
// data): the same winners, ties, ±0 and NaN included.
func maxPool2x2f32(xs []float32, base, sh, width, off, oh, ow int, y []float32, idx []int64) {
	kernel.MaxPool2x2(y, idx, xs[base:], sh, oh, ow, off, width)
}

// poolGatherOp is y[i] = x[idx[i]] (x flattened in row-major order), the
// selection of MaxPool2d: dL/dx is zero except at the selected positions,
// where the output gradients add up (poolScatterOp).
type poolGatherOp struct {
	idx []int64
	in  []int // shape of x
}

func (o *poolGatherOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{poolScatter(g, o.idx, o.in)}
}

// poolScatterOp is the adjoint of poolGatherOp: x = zeros(in) with
// x[idx[i]] += y[i]. Its derivative is the gather again.
type poolScatterOp struct {
	idx []int64
	out []int // shape of y
}

func (o *poolScatterOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{poolGather(g, o.idx, o.out)}
}

// poolGather returns the elements of x (flattened) at idx, shaped as shape.
func poolGather(x *Tensor, idx []int64, shape []int) *Tensor {
	y := newLike(x.dtype, shape, true, x)
	switch x.dtype {
	case Float32:
		poolGatherFlat(convElems[float32](x), idx, y.st.f32)
	case Float64:
		poolGatherFlat(convElems[float64](x), idx, y.st.f64)
	}
	return record(y, "MaxPool2d", &poolGatherOp{idx: idx, in: x.shape}, x)
}

// poolScatter returns zeros of shape with each element of y added at its
// index in idx. The indices of the outputs of each plane (the last two
// axes of shape) lie in the same plane of x, as a max-pool's do, so the
// planes are zeroed and filled in parallel chunks, each chunk its own.
func poolScatter(y *Tensor, idx []int64, shape []int) *Tensor {
	x := newLike(y.dtype, shape, false, y)
	plane := shape[len(shape)-2] * shape[len(shape)-1]
	planes := numel(shape) / max(plane, 1)
	per := len(idx) / max(planes, 1)
	switch y.dtype {
	case Float32:
		poolScatterPlanes(convElems[float32](y), idx, x.st.f32, plane, planes, per)
	case Float64:
		poolScatterPlanes(convElems[float64](y), idx, x.st.f64, plane, planes, per)
	}
	return record(x, "MaxPool2dBackward", &poolScatterOp{idx: idx, out: y.shape}, y)
}

// poolScatterPlanes writes x = zeros with x[idx[i]] += y[i], for planes
// planes of plane elements of x whose per outputs each have their indices
// in their own plane, in parallel chunks of whole planes (about 16 Ki
// elements of x each).
func poolScatterPlanes[T float](y []T, idx []int64, x []T, plane, planes, per int) {
	if planes*per != len(idx) || plane == 0 {
		clear(x)
		poolScatterFlat(y, idx, x)
		return
	}
	parallel.For(planes, max(1, (1<<14)/plane), func(lo, hi int) {
		clear(x[lo*plane : hi*plane])
		poolScatterFlat(y[lo*per:hi*per], idx[lo*per:hi*per], x)
	})
}

func poolGatherFlat[T float](x []T, idx []int64, y []T) {
	for i, j := range idx {
		y[i] = x[j]
	}
}

func poolScatterFlat[T float](y []T, idx []int64, x []T) {
	for i, j := range idx {
		x[j] += y[i]
	}
}
