package tensor

import "math"

// softmaxCrossEntropyOp is y = log Σ_c exp x_c − x_t along the class axis:
// the cross-entropy between softmax(x) and the one-hot distribution of the
// class t, at every position. Since ∂y/∂x_c = softmax(x)_c − [c = t],
// dL/dx = dL/dy · (softmax(x) − onehot(t)). softmax(x) is computed from the
// recorded input, so the rule can be differentiated again. The class
// indices get no gradient.
type softmaxCrossEntropyOp struct {
	axis   int
	x      *Tensor
	target *Tensor // the class indices, detached
}

func (o *softmaxCrossEntropyOp) backward(g *Tensor, _ []bool) []*Tensor {
	if g.noGrad && o.x.Dim() == 2 {
		// A plain backward pass over [N, C] logits: one loop per row.
		dx := newLike(o.x.dtype, o.x.shape, false, g)
		dx.noGrad = true
		switch dx.dtype {
		case Float32:
			crossEntropyGradRows(dx.st.f32, o.x, o.x.st.f32, o.target, g, g.st.f32)
		case Float64:
			crossEntropyGradRows(dx.st.f64, o.x, o.x.st.f64, o.target, g, g.st.f64)
		}
		return []*Tensor{dx}
	}
	x := saved(g, o.x)
	oh := oneHotAlong(o.target, o.axis, x.dtype, x.shape)
	return []*Tensor{g.Unsqueeze(o.axis).Mul(x.Softmax(o.axis).Sub(oh))}
}

// SoftmaxCrossEntropy returns the cross-entropy between softmax(logits)
// along the class axis and the classes given by the Int64 tensor target:
//
//	out[n, d…] = log Σ_c exp logits[n, c, d…] − logits[n, target[n, d…], d…]
//
// which is −log softmax(logits)[target]. The class axis is 1, or 0 for
// 1-D logits; target has the shape of logits without that axis (a scalar
// for 1-D logits), and every target must lie in [0, C) for C classes. It
// is computed in one pass over each line with the line's maximum
// subtracted first, so large logits stay finite, and its gradient with
// respect to logits is softmax(logits) − onehot(target). It is the fused
// primitive behind loss.CrossEntropy, which adds class weights, an ignored
// index, label smoothing and the reduction.
func SoftmaxCrossEntropy(logits, target *Tensor) *Tensor {
	const op = "SoftmaxCrossEntropy"
	logits.live(op)
	target.live(op)
	if logits.Dim() == 2 && logits.dtype.IsFloat() && target.dtype == Int64 && target.Dim() == 1 && target.shape[0] == logits.shape[0] {
		out := newLike(logits.dtype, target.shape, false, logits, target)
		switch logits.dtype {
		case Float32:
			crossEntropyRows(out.st.f32, logits, logits.st.f32, target)
		case Float64:
			crossEntropyRows(out.st.f64, logits, logits.st.f64, target)
		}
		return record(out, op, &softmaxCrossEntropyOp{axis: 1, x: logits, target: target.Detach()}, logits)
	}
	shapes := shapesOf(logits, target)
	if !logits.dtype.IsFloat() {
		panicf(op, shapes, "logits must be floating-point, not %v", logits.dtype)
	}
	if target.dtype != Int64 {
		panicf(op, shapes, "target must hold int64 class indices, not %v", target.dtype)
	}
	if logits.Dim() == 0 {
		panicf(op, shapes, "logits need a class dimension")
	}
	axis := 1
	if logits.Dim() == 1 {
		axis = 0
	}
	want := append(append([]int{}, logits.shape[:axis]...), logits.shape[axis+1:]...)
	if !sameShape(target.shape, want) {
		panicf(op, shapes, "target must have shape %v: the logits' shape without the class dimension %d", shapeString(want), axis)
	}
	out := empty(logits.dtype, want)
	switch logits.dtype {
	case Float32:
		crossEntropyLines(out.st.f32, logits, logits.st.f32, target, axis, shapes)
	case Float64:
		crossEntropyLines(out.st.f64, logits, logits.st.f64, target, axis, shapes)
	}
	return record(out, op, &softmaxCrossEntropyOp{axis: axis, x: logits, target: target.Detach()}, logits)
}

// lineLayout returns, for the tensor x and the class indices target (x's
// shape without axis), the keep-dim shape of x's lines along axis and the
// strides of target and of a contiguous result of target's shape, both
// expanded to that shape.
func lineLayout(x, target *Tensor, axis int) (lshape, tst, ost []int) {
	lshape = append([]int{}, x.shape...)
	lshape[axis] = 1
	tst = make([]int, len(lshape))
	ost = make([]int, len(lshape))
	cst := contiguousStrides(target.shape)
	for d, j := 0, 0; d < len(lshape); d++ {
		if d == axis {
			continue
		}
		tst[d] = target.strides[j]
		ost[d] = cst[j]
		j++
	}
	return lshape, tst, ost
}

// crossEntropyLines writes log Σ exp x − x[t] of every line of x along axis
// into out (contiguous, target's shape), computing in float64.
func crossEntropyLines[T float](out []T, x *Tensor, xs []T, target *Tensor, axis int, shapes [][]int) {
	lshape, tst, ost := lineLayout(x, target, axis)
	n, s := x.shape[axis], x.strides[axis]
	ts := target.st.i64
	walk(lshape, []int{x.offset, target.offset, 0}, [][]int{x.strides, tst, ost}, func(p []int) {
		t := ts[p[1]]
		if t < 0 || t >= int64(n) {
			panicf("SoftmaxCrossEntropy", shapes, "target %d out of range for %d classes", t, n)
		}
		m := math.Inf(-1)
		for i, q := 0, p[0]; i < n; i, q = i+1, q+s {
			if v := float64(xs[q]); v > m || v != v {
				m = v
				if v != v {
					break
				}
			}
		}
		sum := 0.0
		for i, q := 0, p[0]; i < n; i, q = i+1, q+s {
			sum += math.Exp(float64(xs[q]) - m)
		}
		out[p[2]] = T(math.Log(sum) + m - float64(xs[p[0]+int(t)*s]))
	})
}

// crossEntropyRows is crossEntropyLines for 2-D logits x [N, C] and 1-D
// targets, without the general index walk.
func crossEntropyRows[T float](out []T, x *Tensor, xs []T, target *Tensor) {
	n, c := x.shape[0], x.shape[1]
	rs, cs := x.strides[0], x.strides[1]
	ts, to, tst := target.st.i64, target.offset, target.strides[0]
	for i := 0; i < n; i++ {
		t := ts[to+i*tst]
		if t < 0 || t >= int64(c) {
			panicf("SoftmaxCrossEntropy", shapesOf(x, target), "target %d out of range for %d classes", t, c)
		}
		p := x.offset + i*rs
		m, sum := rowMaxExpSum(xs, p, cs, c)
		out[i] = T(math.Log(sum) + m - float64(xs[p+int(t)*cs]))
	}
}

// rowMaxExpSum returns the maximum m of the n elements of xs from p with
// stride s (NaN if one is NaN) and Σ exp(x − m), in float64.
func rowMaxExpSum[T float](xs []T, p, s, n int) (m, sum float64) {
	m = math.Inf(-1)
	for i, q := 0, p; i < n; i, q = i+1, q+s {
		if v := float64(xs[q]); v > m || v != v {
			m = v
			if v != v {
				break
			}
		}
	}
	for i, q := 0, p; i < n; i, q = i+1, q+s {
		sum += math.Exp(float64(xs[q]) - m)
	}
	return m, sum
}

// crossEntropyGradRows writes dx = g[i] · (softmax(x[i]) − onehot(t[i]))
// for the 2-D logits x [N, C] into the contiguous dx, reading the output
// gradient g [N] (gs its storage) through its stride.
func crossEntropyGradRows[T float](dx []T, x *Tensor, xs []T, target *Tensor, g *Tensor, gs []T) {
	n, c := x.shape[0], x.shape[1]
	rs, cs := x.strides[0], x.strides[1]
	ts, to, tst := target.st.i64, target.offset, target.strides[0]
	for i := 0; i < n; i++ {
		p := x.offset + i*rs
		m, sum := rowMaxExpSum(xs, p, cs, c)
		gi := float64(gs[g.offset+i*g.strides[0]])
		row := dx[i*c : i*c+c]
		for j, q := 0, p; j < c; j, q = j+1, q+cs {
			row[j] = T(gi * (math.Exp(float64(xs[q])-m) / sum))
		}
		t := int(ts[to+i*tst])
		row[t] = T(gi * (math.Exp(float64(xs[p+t*cs])-m)/sum - 1))
	}
}

// oneHotAlong returns a contiguous tensor of dtype dt and the given shape
// holding 1 where the index along axis equals target's element at the
// other indices, and 0 elsewhere (not recorded). target must have shape
// without axis and hold valid indices.
func oneHotAlong(target *Tensor, axis int, dt DType, shape []int) *Tensor {
	oh := empty(dt, shape)
	ref := &Tensor{shape: shape, strides: oh.strides}
	lshape, tst, _ := lineLayout(ref, target, axis)
	s := oh.strides[axis]
	ts := target.st.i64
	walk(lshape, []int{0, target.offset}, [][]int{oh.strides, tst}, func(p []int) {
		q := p[0] + int(ts[p[1]])*s
		if dt == Float32 {
			oh.st.f32[q] = 1
		} else {
			oh.st.f64[q] = 1
		}
	})
	return oh
}
