package nn

import (
	"math/rand/v2"

	"github.com/backprop-go/backprop/tensor"
)

// Dropout zeroes each element of its input with probability P during
// training and scales the others by 1/(1−P), so that the expected value is
// unchanged ("inverted" dropout, as torch.nn.Dropout). In evaluation mode
// it returns its input. With P = 1 every element is zeroed.
//
// The elements to drop are drawn from the source given to NewDropout, one
// value per element in row-major order, so a seed fixes them. A Dropout is
// not safe for concurrent use. Create it with NewDropout.
type Dropout struct {
	P        float64
	r        *rand.Rand
	training bool
}

// NewDropout returns a Dropout in training mode that drops elements with
// probability p, drawing from r. It panics unless 0 ≤ p ≤ 1.
func NewDropout(p float64, r *rand.Rand) *Dropout {
	checkDropoutP(p)
	return &Dropout{P: p, r: r, training: true}
}

func checkDropoutP(p float64) {
	if !(p >= 0 && p <= 1) {
		misuse("Dropout", nil, "probability must be in [0, 1], got %v", p)
	}
}

// Forward applies dropout in training mode and returns x otherwise.
func (d *Dropout) Forward(x *tensor.Tensor) *tensor.Tensor {
	checkDropoutP(d.P)
	if !d.training || d.P == 0 {
		return x
	}
	if !x.DType().IsFloat() {
		misuse("Dropout", [][]int{x.Shape()}, "needs a floating-point input, got %v", x.DType())
	}
	if d.r == nil {
		misuse("Dropout", [][]int{x.Shape()}, "no random source; create the layer with NewDropout")
	}
	if d.P == 1 {
		return x.Mul(tensor.Scalar(0, x.DType()))
	}
	n := x.Numel()
	scale := 1 / (1 - d.P)
	var mask *tensor.Tensor
	switch x.DType() {
	case tensor.Float32:
		m := make([]float32, n)
		for i := range m {
			if d.r.Float64() >= d.P {
				m[i] = float32(scale)
			}
		}
		mask = tensor.FromSlice(m, x.Shape()...)
	default:
		m := make([]float64, n)
		for i := range m {
			if d.r.Float64() >= d.P {
				m[i] = scale
			}
		}
		mask = tensor.FromSlice(m, x.Shape()...)
	}
	return x.Mul(mask)
}

// SetTraining switches between training (dropping) and evaluation
// (identity).
func (d *Dropout) SetTraining(training bool) { d.training = training }

// Training reports whether d is in training mode.
func (d *Dropout) Training() bool { return d.training }

// Members returns nothing: Dropout has no parameters.
func (d *Dropout) Members() Members { return Members{} }
