package optim

import (
	"math"

	"github.com/backprop-go/backprop/tensor"
)

// ClipGradNorm rescales the gradients of params so that their total norm
// is at most maxNorm, as torch.nn.utils.clip_grad_norm_, and returns the
// total norm before clipping. The total norm is the normType-norm of all
// gradient elements taken together as one vector; normType is a positive
// number or math.Inf(1) (the largest absolute value). When the total norm
// exceeds maxNorm, every gradient is multiplied in place by
// maxNorm / (total + 1e-6). As in PyTorch, a NaN total norm makes every
// gradient NaN and an infinite one zeroes the finite elements; check the
// returned norm to detect them. Parameters without a gradient are skipped;
// with none the result is 0.
func ClipGradNorm(params []*tensor.Tensor, maxNorm, normType float64) float64 {
	if !(normType > 0) {
		panicf("ClipGradNorm: norm type must be positive or +Inf, got %v", normType)
	}
	acc := 0.0
	found := false
	for _, p := range params {
		g := p.Grad()
		if g == nil {
			continue
		}
		found = true
		switch g.DType() {
		case tensor.Float32:
			acc = normAcc(contiguous32(g), normType, acc)
		case tensor.Float64:
			acc = normAcc(contiguous64(g), normType, acc)
		}
	}
	if !found {
		return 0
	}
	total := acc
	switch {
	case math.IsInf(normType, 1):
	case normType == 1:
	case normType == 2:
		total = math.Sqrt(acc)
	default:
		total = math.Pow(acc, 1/normType)
	}
	coef := maxNorm / (total + 1e-6)
	if coef >= 1 {
		return total
	}
	eachGrad(params, func(x []float32) { scale(x, coef) }, func(x []float64) { scale(x, coef) })
	return total
}

// normAcc folds the elements of x into the running p-norm accumulator acc:
// the maximum of |x| for p = +Inf, the sum of |x|ᵖ otherwise.
func normAcc[T float32 | float64](x []T, p float64, acc float64) float64 {
	for _, v := range x {
		a := math.Abs(float64(v))
		switch {
		case math.IsInf(p, 1):
			if a > acc || a != a {
				acc = a
			}
		case p == 1:
			acc += a
		case p == 2:
			acc += a * a
		default:
			acc += math.Pow(a, p)
		}
	}
	return acc
}

func scale[T float32 | float64](x []T, c float64) {
	for i, v := range x {
		x[i] = T(float64(v) * c)
	}
}

// ClipGradValue clamps every gradient element of params to [−clip, clip]
// in place, as torch.nn.utils.clip_grad_value_. NaN stays NaN. Parameters
// without a gradient are skipped.
func ClipGradValue(params []*tensor.Tensor, clip float64) {
	if !(clip >= 0) {
		panicf("ClipGradValue: clip value must be non-negative, got %v", clip)
	}
	eachGrad(params, func(x []float32) { clamp(x, clip) }, func(x []float64) { clamp(x, clip) })
}

// eachGrad calls f32 or f64, by dtype, on the elements of every gradient
// of params so that they can be changed in place; a gradient that is not
// contiguous is first replaced by a contiguous copy. Parameters without a
// gradient are skipped.
func eachGrad(params []*tensor.Tensor, f32 func([]float32), f64 func([]float64)) {
	for _, p := range params {
		g := p.Grad()
		if g == nil {
			continue
		}
		if !g.IsContiguous() {
			p.SetGrad(g.Contiguous().Clone())
			g = p.Grad()
		}
		switch g.DType() {
		case tensor.Float32:
			f32(g.RawFloat32())
		case tensor.Float64:
			f64(g.RawFloat64())
		}
	}
}

func clamp[T float32 | float64](x []T, c float64) {
	lo, hi := T(-c), T(c)
	for i, v := range x {
		if v < lo {
			x[i] = lo
		} else if v > hi {
			x[i] = hi
		}
	}
}

// contiguous32 returns the elements of the Float32 tensor g as a slice,
// without copying when g is contiguous.
func contiguous32(g *tensor.Tensor) []float32 {
	if g.IsContiguous() {
		return g.RawFloat32()
	}
	return g.Float32s()
}

// contiguous64 is contiguous32 for Float64 tensors.
func contiguous64(g *tensor.Tensor) []float64 {
	if g.IsContiguous() {
		return g.RawFloat64()
	}
	return g.Float64s()
}
