package nn

import (
	"math"
	"math/rand/v2"

	"github.com/backprop-go/backprop/tensor"
)

// Linear is the affine map y = x·Wᵀ + b, as torch.nn.Linear. Weight has
// PyTorch's layout [Out, In]; Bias is [Out], or nil for a layer without
// bias. The input has shape [..., In] and the output [..., Out].
type Linear struct {
	Weight *tensor.Tensor
	Bias   *tensor.Tensor
	In     int
	Out    int
}

// NewLinear returns a Float32 Linear layer from in to out features with
// PyTorch's default initialization drawn from r: the weight by
// KaimingUniform with a = √5 (so U(−1/√in, 1/√in)) and the bias, if any,
// from U(−1/√in, 1/√in). Use ToDType for another dtype.
func NewLinear(r *rand.Rand, in, out int, bias bool) *Linear {
	if in < 0 || out < 0 {
		misuse("Linear", nil, "negative size: in %d, out %d", in, out)
	}
	l := &Linear{In: in, Out: out}
	l.Weight = Param(tensor.Zeros(tensor.Float32, out, in))
	KaimingUniform(r, l.Weight, math.Sqrt(5), "fan_in", "leaky_relu")
	if bias {
		l.Bias = Param(tensor.Zeros(tensor.Float32, out))
		bound := 0.0
		if in > 0 {
			bound = 1 / math.Sqrt(float64(in))
		}
		Uniform(r, l.Bias, -bound, bound)
	}
	return l
}

// Forward returns x·Wᵀ + b for x of shape [..., In], computed by the
// fused tensor.Linear (one matrix product, no transposed copies, and leaf
// gradients written straight into Grad).
func (l *Linear) Forward(x *tensor.Tensor) *tensor.Tensor { return l.forward(x, false) }

// forward returns x·Wᵀ + b, followed by ReLU with relu (tensor.LinearReLU).
func (l *Linear) forward(x *tensor.Tensor, relu bool) *tensor.Tensor {
	if x.Dim() == 0 || x.Size(-1) != l.Weight.Size(1) {
		misuse("Linear", [][]int{x.Shape(), l.Weight.Shape()}, "input's last dimension must be %d", l.Weight.Size(1))
	}
	if relu {
		return tensor.LinearReLU(x, l.Weight, l.Bias)
	}
	return tensor.Linear(x, l.Weight, l.Bias)
}

// Members lists weight and bias (when present).
func (l *Linear) Members() Members {
	ps := []Named{{Name: "weight", Tensor: l.Weight}}
	if l.Bias != nil {
		ps = append(ps, Named{Name: "bias", Tensor: l.Bias})
	}
	return Members{Params: ps}
}
