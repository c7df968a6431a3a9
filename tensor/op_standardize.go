package tensor

import "math"

// standardizeOp is y = (x − μ)·r over groups of elements, where each group
// is the set of elements that differ only along the reduced axes, μ is the
// group's mean, σ² its biased variance and r = 1/√(σ² + ε). With the means
// of a group written mean(·),
//
//	dL/dx = r · (g − mean(g) − y · mean(g·y)),
//
// g being dL/dy. In a plain backward pass that is computed by one fused
// loop from the saved y and r; when the backward pass is recorded
// (CreateGraph) it is built from tensor operations on x, so that it can be
// differentiated again.
type standardizeOp struct {
	x    *Tensor   // the input, for the recorded backward
	y    *Tensor   // the output, detached
	rstd []float64 // r per group, in row-major order of the keep-dim shape
	keep []int     // keep-dim shape of the groups
	axes []int     // reduced axes, normalized
	n    int       // elements per group
	eps  float64
}

func (o *standardizeOp) backward(g *Tensor, _ []bool) []*Tensor {
	if !g.noGrad {
		x := o.x
		mean := x.MeanKeepDim(o.axes...)
		xc := x.Sub(mean)
		r := xc.Mul(xc).MeanKeepDim(o.axes...).AddScalar(o.eps).Rsqrt()
		y := xc.Mul(r)
		return []*Tensor{g.Sub(g.MeanKeepDim(o.axes...)).Sub(y.Mul(g.Mul(y).MeanKeepDim(o.axes...))).Mul(r)}
	}
	dx := empty(o.y.dtype, o.y.shape)
	dx.noGrad = true
	gst := broadcastStrides(o.keep, contiguousStrides(o.keep), g.shape)
	shape, xst, kst := coalesceRuns(g.shape, g.strides, gst)
	switch g.dtype {
	case Float32:
		standardizeBackward(g.st.f32, g.offset, shape, xst, kst, o.y.st.f32[o.y.offset:], dx.st.f32, o.rstd, o.n)
	case Float64:
		standardizeBackward(g.st.f64, g.offset, shape, xst, kst, o.y.st.f64[o.y.offset:], dx.st.f64, o.rstd, o.n)
	}
	return []*Tensor{dx}
}

// Standardize returns (t − mean) / √(var + eps), where the mean and the
// biased variance are taken over the given axes (all axes when none are
// given), as the normalization step of batch, layer and group
// normalization: torch.nn.functional.layer_norm without weight and bias
// is x.Standardize(eps, -1), and batch_norm in training mode on [N, C, H, W]
// is x.Standardize(eps, 0, 2, 3). The result has t's shape. t must be a
// floating-point tensor; Float32 statistics are accumulated in float64.
// It is one fused operation, faster and more accurate than the equivalent
// chain of Mean, Sub, Mul and Rsqrt, and its gradient can be
// differentiated again.
func (t *Tensor) Standardize(eps float64, axes ...int) *Tensor {
	y, _, _ := t.standardize("Standardize", eps, axes)
	return y
}

// StandardizeStats is Standardize that also returns the mean and the
// biased variance it used, with the reduced axes kept with size 1. The
// statistics are plain tensors of t's dtype outside the graph (BatchNorm
// folds them into its running estimates).
func (t *Tensor) StandardizeStats(eps float64, axes ...int) (y, mean, variance *Tensor) {
	return t.standardize("StandardizeStats", eps, axes)
}

func (t *Tensor) standardize(op string, eps float64, axes []int) (y, mean, variance *Tensor) {
	t.mustFloat(op)
	if !(eps >= 0) {
		panicf(op, shapesOf(t), "eps must be non-negative, got %v", eps)
	}
	mask, keep := reduceAxes(op, t, axes)
	n := reducedCount(t.shape, keep)
	ng := numel(keep)
	mu, vr, rstd := make([]float64, ng), make([]float64, ng), make([]float64, ng)
	out := empty(t.dtype, t.shape)
	gst := broadcastStrides(keep, contiguousStrides(keep), t.shape)
	shape, xst, kst := coalesceRuns(t.shape, t.strides, gst)
	switch t.dtype {
	case Float32:
		standardizeForward(t.st.f32, t.offset, shape, xst, kst, out.st.f32, mu, vr, rstd, n, eps)
	case Float64:
		standardizeForward(t.st.f64, t.offset, shape, xst, kst, out.st.f64, mu, vr, rstd, n, eps)
	}
	mean, variance = empty(t.dtype, keep), empty(t.dtype, keep)
	for i := range mu {
		mean.setFlat(i, mu[i])
		variance.setFlat(i, vr[i])
	}
	var red []int
	for i, m := range mask {
		if m {
			red = append(red, i)
		}
	}
	y = record(out, op, &standardizeOp{x: t, y: out.Detach(), rstd: rstd, keep: keep, axes: red, n: n, eps: eps}, t)
	return y, mean, variance
}

// coalesceRuns drops the axes of size 1 from shape and merges neighbouring
// axes along which both stride lists a and b are row-major, so that the
// loops of forEachRun run as long as possible. Row-major order is kept.
func coalesceRuns(shape, a, b []int) (s, sa, sb []int) {
	for i, d := range shape {
		if d == 1 {
			continue
		}
		if j := len(s) - 1; j >= 0 && sa[j] == a[i]*d && sb[j] == b[i]*d {
			s[j] *= d
			sa[j], sb[j] = a[i], b[i]
			continue
		}
		s, sa, sb = append(s, d), append(sa, a[i]), append(sb, b[i])
	}
	return s, sa, sb
}

// forEachRun visits shape in row-major order one innermost run at a time:
// fn gets the offsets of the run's first element in x (strides xst,
// starting at xoff) and in the group statistics (strides gst), the
// innermost strides xs and gs, the run's row-major position o and its
// length cnt.
func forEachRun(shape, xst, gst []int, xoff int, fn func(xp, xs, gp, gs, o, cnt int)) {
	nd := len(shape)
	if numel(shape) == 0 {
		return
	}
	if nd == 0 {
		fn(xoff, 0, 0, 0, 0, 1)
		return
	}
	n, xs, gs := shape[nd-1], xst[nd-1], gst[nd-1]
	idx := make([]int, nd)
	xp, gp, o := xoff, 0, 0
	for {
		fn(xp, xs, gp, gs, o, n)
		o += n
		k := nd - 2
		for ; k >= 0; k-- {
			idx[k]++
			xp += xst[k]
			gp += gst[k]
			if idx[k] < shape[k] {
				break
			}
			xp -= xst[k] * shape[k]
			gp -= gst[k] * shape[k]
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

// standardizeForward writes the standardized x into the contiguous y and
// the group means, biased variances and reciprocal deviations into mu, vr
// and rstd. It takes two passes over x for the statistics (mean first, then
// squared deviations, which is stable) and one to write y.
func standardizeForward[T float](x []T, xoff int, shape, xst, gst []int, y []T, mu, vr, rstd []float64, n int, eps float64) {
	forEachRun(shape, xst, gst, xoff, func(xp, xs, gp, gs, _, cnt int) {
		if gs == 0 {
			s := 0.0
			for i := 0; i < cnt; i++ {
				s += float64(x[xp+i*xs])
			}
			mu[gp] += s
			return
		}
		for i := 0; i < cnt; i++ {
			mu[gp+i*gs] += float64(x[xp+i*xs])
		}
	})
	inv := 1 / float64(n)
	for i := range mu {
		mu[i] *= inv
	}
	forEachRun(shape, xst, gst, xoff, func(xp, xs, gp, gs, _, cnt int) {
		if gs == 0 {
			m, s := mu[gp], 0.0
			for i := 0; i < cnt; i++ {
				d := float64(x[xp+i*xs]) - m
				s += d * d
			}
			vr[gp] += s
			return
		}
		for i := 0; i < cnt; i++ {
			d := float64(x[xp+i*xs]) - mu[gp+i*gs]
			vr[gp+i*gs] += d * d
		}
	})
	for i := range vr {
		vr[i] *= inv
		rstd[i] = 1 / math.Sqrt(vr[i]+eps)
	}
	forEachRun(shape, xst, gst, xoff, func(xp, xs, gp, gs, o, cnt int) {
		ys := y[o : o+cnt]
		if gs == 0 {
			m, r := mu[gp], rstd[gp]
			for i := range ys {
				ys[i] = T((float64(x[xp+i*xs]) - m) * r)
			}
			return
		}
		for i := range ys {
			ys[i] = T((float64(x[xp+i*xs]) - mu[gp+i*gs]) * rstd[gp+i*gs])
		}
	})
}

// standardizeBackward writes dx = r·(g − mean(g) − y·mean(g·y)) into the
// contiguous dx, for the output gradient g (strides gxst from goff), the
// contiguous output y and the groups' r.
func standardizeBackward[T float](g []T, goff int, shape, gxst, gst []int, y, dx []T, rstd []float64, n int) {
	ng := len(rstd)
	sg, sgy := make([]float64, ng), make([]float64, ng)
	forEachRun(shape, gxst, gst, goff, func(xp, xs, gp, gs, o, cnt int) {
		ys := y[o : o+cnt]
		if gs == 0 {
			a, b := 0.0, 0.0
			for i, yv := range ys {
				v := float64(g[xp+i*xs])
				a += v
				b += v * float64(yv)
			}
			sg[gp] += a
			sgy[gp] += b
			return
		}
		for i, yv := range ys {
			v := float64(g[xp+i*xs])
			sg[gp+i*gs] += v
			sgy[gp+i*gs] += v * float64(yv)
		}
	})
	inv := 1 / float64(n)
	for i := range sg {
		sg[i] *= inv
		sgy[i] *= inv
	}
	forEachRun(shape, gxst, gst, goff, func(xp, xs, gp, gs, o, cnt int) {
		ys, ds := y[o:o+cnt], dx[o:o+cnt]
		if gs == 0 {
			a, b, r := sg[gp], sgy[gp], rstd[gp]
			for i, yv := range ys {
				ds[i] = T(r * (float64(g[xp+i*xs]) - a - float64(yv)*b))
			}
			return
		}
		for i, yv := range ys {
			k := gp + i*gs
			ds[i] = T(rstd[k] * (float64(g[xp+i*xs]) - sg[k] - float64(yv)*sgy[k]))
		}
	})
}
