package tensor

import (
	"math"

	"github.com/backprop-go/backprop/internal/kernel"
	"github.com/backprop-go/backprop/internal/parallel"
)

// reluOp is y = max(x, 0): dL/dx = dL/dy where x > 0 and 0 elsewhere. As in
// PyTorch the gradient passes where x is NaN.
type reluOp struct{ x *Tensor }

func (o *reluOp) backward(g *Tensor, _ []bool) []*Tensor {
	if g.noGrad && o.x.dtype.IsFloat() && o.x.IsContiguous() && sameShape(g.shape, o.x.shape) {
		// A plain backward pass: one loop, nothing recorded.
		return []*Tensor{reluBackwardRaw(g, o.x)}
	}
	pass := unaryMask("ReLU", o.x, func(v float64) bool { return !(v <= 0) })
	return []*Tensor{Where(pass, g, Scalar(0, g.dtype))}
}

// ReLU returns max(x, 0) element-wise: negative values become 0, while
// NaN and −0 pass unchanged, as in PyTorch. It supports every dtype.
func (t *Tensor) ReLU() *Tensor {
	if t.dtype.IsFloat() && t.IsContiguous() {
		t.live("ReLU")
		out := newLike(t.dtype, t.shape, false, t)
		n := out.Numel()
		switch t.dtype {
		case Float32:
			kernel.ReLU(out.st.f32[:n], t.st.f32[t.offset:t.offset+n])
		case Float64:
			reluLoop(out.st.f64[:n], t.st.f64[t.offset:t.offset+n])
		}
		return record(out, "ReLU", &reluOp{x: t}, t)
	}
	out := mapUnary("ReLU", t,
		func(v float32) float32 {
			if v < 0 {
				return 0
			}
			return v
		},
		func(v float64) float64 {
			if v < 0 {
				return 0
			}
			return v
		},
		func(v int64) int64 { return max(v, 0) })
	return record(out, "ReLU", &reluOp{x: t}, t)
}

// reluLoop sets out[i] = max(x[i], 0), keeping NaN, using several
// goroutines for long slices.
func reluLoop[T float](out, x []T) {
	if len(out) < parallelGrain {
		reluRange(out, x)
		return
	}
	parallel.For(len(out), parallelGrain, func(lo, hi int) { reluRange(out[lo:hi], x[lo:hi]) })
}

func reluRange[T float](out, x []T) {
	switch o := any(out).(type) {
	case []float32:
		x := any(x).([]float32)[:len(o)]
		for i, v := range x {
			b := math.Float32bits(v)
			if v < 0 {
				b = 0
			}
			o[i] = math.Float32frombits(b)
		}
	case []float64:
		x := any(x).([]float64)[:len(o)]
		for i, v := range x {
			b := math.Float64bits(v)
			if v < 0 {
				b = 0
			}
			o[i] = math.Float64frombits(b)
		}
	}
}
