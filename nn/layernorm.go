package nn

import (
	"slices"

	"github.com/backprop-go/backprop/tensor"
)

// LayerNorm normalizes its input over the trailing axes given by
// NormalizedShape, then scales and shifts it element-wise, as
// torch.nn.LayerNorm:
//
//	y = (x − mean) / √(var + Eps) · Weight + Bias
//
// with the mean and biased variance of each sample over those axes.
// Weight and Bias have shape NormalizedShape, or are nil without an
// elementwise affine transformation. The statistics are the same in
// training and evaluation mode.
type LayerNorm struct {
	Weight, Bias    *tensor.Tensor
	NormalizedShape []int
	Eps             float64
}

// NewLayerNorm returns a Float32 LayerNorm over the trailing axes shape
// with the given eps (PyTorch's default is 1e-5) and, if affine, a weight
// of ones and a bias of zeros.
func NewLayerNorm(shape []int, eps float64, affine bool) *LayerNorm {
	if len(shape) == 0 {
		misuse("LayerNorm", nil, "normalized shape must have at least one dimension")
	}
	for _, d := range shape {
		if d <= 0 {
			misuse("LayerNorm", [][]int{shape}, "normalized shape must have positive sizes")
		}
	}
	l := &LayerNorm{NormalizedShape: slices.Clone(shape), Eps: eps}
	if affine {
		l.Weight = Param(tensor.Ones(tensor.Float32, shape...))
		l.Bias = Param(tensor.Zeros(tensor.Float32, shape...))
	}
	return l
}

// Forward normalizes x, whose trailing axes must match NormalizedShape.
func (l *LayerNorm) Forward(x *tensor.Tensor) *tensor.Tensor {
	k := len(l.NormalizedShape)
	if x.Dim() < k || !slices.Equal(x.Shape()[x.Dim()-k:], l.NormalizedShape) {
		misuse("LayerNorm", [][]int{x.Shape()}, "input's trailing dimensions must be %v", l.NormalizedShape)
	}
	axes := make([]int, k)
	for i := range axes {
		axes[i] = x.Dim() - k + i
	}
	checkFloat("LayerNorm", x)
	y := x.Standardize(l.Eps, axes...)
	if l.Weight != nil {
		y = y.Mul(l.Weight).Add(l.Bias)
	}
	return y
}

// Members lists weight and bias (with affine).
func (l *LayerNorm) Members() Members {
	if l.Weight == nil {
		return Members{}
	}
	return Members{Params: []Named{{Name: "weight", Tensor: l.Weight}, {Name: "bias", Tensor: l.Bias}}}
}

// checkFloat panics unless x is floating point.
func checkFloat(op string, x *tensor.Tensor) {
	if !x.DType().IsFloat() {
		misuse(op, [][]int{x.Shape()}, "needs a floating-point input, got %v", x.DType())
	}
}
