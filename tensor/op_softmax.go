package tensor

import "math"

// softmaxOp is y = exp(x − max x) / Σ exp(x − max x) along one axis. Its
// Jacobian is diag(y) − y yᵀ, so dL/dx = y · (dL/dy − Σ dL/dy · y), the sum
// running along the axis. y is the recorded output, so the rule can be
// differentiated again.
type softmaxOp struct {
	axis int
	out  *Tensor
}

func (o *softmaxOp) backward(g *Tensor, _ []bool) []*Tensor {
	y := saved(g, o.out)
	return []*Tensor{g.Sub(g.Mul(y).SumKeepDim(o.axis)).Mul(y)}
}

// Softmax returns exp(t) / Σ exp(t) along axis, computed stably by
// subtracting each line's maximum first, so that inputs such as 1000 and
// −1000 give finite results. A line holding NaN or +Inf, or only −Inf,
// gives NaN, as in PyTorch. t must be a floating-point tensor.
func (t *Tensor) Softmax(axis int) *Tensor {
	if t.Dim() == 0 {
		scalarAxis("Softmax", t, axis)
		return t.Reshape(1).Softmax(0).Reshape()
	}
	out := softmaxForward("Softmax", t, axis, false)
	return record(out, "Softmax", &softmaxOp{axis: t.axis("Softmax", axis), out: out}, t)
}

// softmaxForward computes Softmax (or LogSoftmax, when log is set) of the
// floating-point tensor t along axis into a new contiguous tensor (not
// recorded).
func softmaxForward(op string, t *Tensor, axis int, log bool) *Tensor {
	t.mustFloat(op)
	a := t.axis(op, axis)
	out := newLike(t.dtype, t.shape, true, t)
	switch t.dtype {
	case Float32:
		softmaxLines(out.st.f32, t.st.f32, t.offset, t.shape, t.strides, a, log)
	case Float64:
		softmaxLines(out.st.f64, t.st.f64, t.offset, t.shape, t.strides, a, log)
	}
	return out
}

// softmaxLines writes the softmax (or log-softmax) of every line along axis
// of the strided view x into the contiguous out, computing in float64.
func softmaxLines[T float](out, x []T, xoff int, shape, xst []int, axis int, log bool) {
	lshape := append([]int{}, shape...)
	lshape[axis] = 1
	ost := contiguousStrides(shape)
	n, xs, os := shape[axis], xst[axis], ost[axis]
	walk(lshape, []int{xoff, 0}, [][]int{xst, ost}, func(p []int) {
		m := math.Inf(-1)
		for i, q := 0, p[0]; i < n; i, q = i+1, q+xs {
			if v := float64(x[q]); v > m || v != v {
				m = v
				if v != v {
					break
				}
			}
		}
		s := 0.0
		if log {
			for i, q := 0, p[0]; i < n; i, q = i+1, q+xs {
				s += math.Exp(float64(x[q]) - m)
			}
			ls := math.Log(s)
			for i, q, o := 0, p[0], p[1]; i < n; i, q, o = i+1, q+xs, o+os {
				out[o] = T(float64(x[q]) - m - ls)
			}
			return
		}
		for i, q, o := 0, p[0], p[1]; i < n; i, q, o = i+1, q+xs, o+os {
			e := math.Exp(float64(x[q]) - m)
			out[o] = T(e)
			s += e
		}
		for i, o := 0, p[1]; i < n; i, o = i+1, o+os {
			out[o] = T(float64(out[o]) / s)
		}
	})
}
