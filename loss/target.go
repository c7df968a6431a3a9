package loss

import (
	"slices"

	"github.com/backprop-go/backprop/tensor"
)

// classAxis returns the class axis of x for class-index losses: 1, or 0
// for 1-D input, after checking that x is floating-point with a class
// axis.
func classAxis(op string, x, target *tensor.Tensor) int {
	if !x.DType().IsFloat() {
		panicf(op, shapesOf(x, target), "input must be floating-point, not %v", x.DType())
	}
	switch x.Dim() {
	case 0:
		panicf(op, shapesOf(x, target), "input needs a class dimension")
	case 1:
		return 0
	}
	return 1
}

// classTargets checks the Int64 class indices target for the input x
// (whose class axis is axis) and returns them with every ignored index
// replaced by 0 (safe), and a mask of x's dtype and target's shape holding
// 1 for the targets that count and 0 for the ignored ones (nil when none
// is ignored).
func classTargets(op string, x, target *tensor.Tensor, axis int, ignore *int) (safe, valid *tensor.Tensor) {
	xs := x.Shape()
	want := slices.Delete(slices.Clone(xs), axis, axis+1)
	if target.DType() != tensor.Int64 {
		panicf(op, shapesOf(x, target), "target must hold int64 class indices, not %v", target.DType())
	}
	if !slices.Equal(target.Shape(), want) {
		panicf(op, shapesOf(x, target), "target must have shape %v: the input's shape without the class dimension %d", want, axis)
	}
	c := int64(xs[axis])
	idx := target.Int64s()
	var mask []float64
	for i, t := range idx {
		if ignore != nil && t == int64(*ignore) {
			if mask == nil {
				mask = make([]float64, len(idx))
				for j := range mask {
					mask[j] = 1
				}
			}
			mask[i] = 0
			idx[i] = 0
			continue
		}
		if t < 0 || t >= c {
			panicf(op, shapesOf(x, target), "target %d out of range for %d classes", t, c)
		}
	}
	if mask == nil {
		return target, nil
	}
	if c == 0 {
		// Every target is ignored; index 0 does not exist, but nothing is
		// gathered from an empty class axis either.
		panicf(op, shapesOf(x, target), "input has no classes")
	}
	return tensor.FromSlice(idx, want...), tensor.FromSlice(mask, want...).To(x.DType())
}

// checkClassWeight checks that the optional class weight w is a 1-D tensor
// of x's dtype with one element per class.
func checkClassWeight(op string, w, x *tensor.Tensor, axis int) {
	if w == nil {
		return
	}
	if w.DType() != x.DType() || w.Dim() != 1 || w.Size(0) != x.Size(axis) {
		panicf(op, shapesOf(x, w), "weight must be a %v tensor of shape [%d], one weight per class; got %v", x.DType(), x.Size(axis), w.DType())
	}
}

// classWeightView returns the class weight w shaped to broadcast along the
// class axis of x: [C] for 1-D x, [1, C, 1, …] otherwise.
func classWeightView(w, x *tensor.Tensor, axis int) *tensor.Tensor {
	shape := make([]int, x.Dim())
	for i := range shape {
		shape[i] = 1
	}
	shape[axis] = w.Size(0)
	return w.Reshape(shape...)
}

// reduceClasses reduces the per-position losses l of a class-index loss.
// wt holds each position's weight (the class weight of its target, times
// the mask of the targets that count), or is nil when every position
// weighs 1: Mean divides the sum of l by the sum of wt, as PyTorch.
func reduceClasses(op string, l, wt *tensor.Tensor, red Reduction) *tensor.Tensor {
	if red == Mean && wt != nil {
		return l.Sum().Div(wt.Sum())
	}
	return reduce(op, l, red)
}

// positionWeights returns the weight of each position of a class-index
// loss: the class weight of its target (nil weight: 1) times valid (nil:
// 1); nil when both are nil.
func positionWeights(weight, safe, valid *tensor.Tensor) *tensor.Tensor {
	if weight == nil {
		return valid
	}
	wt := weight.Gather(0, safe.Reshape(-1)).Reshape(safe.Shape()...)
	if valid != nil {
		wt = wt.Mul(valid)
	}
	return wt
}
