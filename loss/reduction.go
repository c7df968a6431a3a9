package loss

import (
	"fmt"
	"slices"

	"github.com/backprop-go/backprop/tensor"
)

// Reduction says how a loss combines its per-element values.
type Reduction int

// The reductions. Mean, the zero value, averages the per-element losses
// (for class-index losses with weights or an ignored index, as PyTorch: a
// weighted average over the targets that count); Sum adds them; None
// returns them unreduced, in the shape of the target.
const (
	Mean Reduction = iota
	Sum
	None
)

// String returns PyTorch's name of the reduction: "mean", "sum" or
// "none".
func (r Reduction) String() string {
	switch r {
	case Mean:
		return "mean"
	case Sum:
		return "sum"
	case None:
		return "none"
	}
	return fmt.Sprintf("Reduction(%d)", int(r))
}

// reduce applies red to the per-element losses l.
func reduce(op string, l *tensor.Tensor, red Reduction) *tensor.Tensor {
	switch red {
	case Mean:
		return l.Mean()
	case Sum:
		return l.Sum()
	case None:
		return l
	}
	panicf(op, nil, "invalid reduction %d", int(red))
	return nil
}

// panicf panics with a *tensor.Error for the loss op.
func panicf(op string, shapes [][]int, format string, args ...any) {
	panic(&tensor.Error{Op: "loss." + op, Shapes: shapes, Msg: fmt.Sprintf(format, args...)})
}

// shapesOf returns the shapes of ts, for error messages.
func shapesOf(ts ...*tensor.Tensor) [][]int {
	out := make([][]int, len(ts))
	for i, t := range ts {
		out[i] = t.Shape()
	}
	return out
}

// checkPair checks that a and b (named as in the message) are
// floating-point tensors of one dtype and one shape.
func checkPair(op, na, nb string, a, b *tensor.Tensor) {
	if !a.DType().IsFloat() || a.DType() != b.DType() {
		panicf(op, shapesOf(a, b), "%s and %s must be floating-point tensors of one dtype, got %v and %v", na, nb, a.DType(), b.DType())
	}
	if !slices.Equal(a.Shape(), b.Shape()) {
		panicf(op, shapesOf(a, b), "%s and %s shapes differ", na, nb)
	}
}

// checkWeight checks that the optional weight w has x's dtype and
// broadcasts to x's shape.
func checkWeight(op, name string, w, x *tensor.Tensor) {
	if w == nil {
		return
	}
	if w.DType() != x.DType() {
		panicf(op, shapesOf(x, w), "%s has dtype %v, input %v", name, w.DType(), x.DType())
	}
	ws, xs := w.Shape(), x.Shape()
	ok := len(ws) <= len(xs)
	for i := 1; ok && i <= len(ws); i++ {
		d := ws[len(ws)-i]
		ok = d == 1 || d == xs[len(xs)-i]
	}
	if !ok {
		panicf(op, shapesOf(x, w), "%s does not broadcast to the input's shape", name)
	}
}
