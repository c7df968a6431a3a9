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
