package nn

import "github.com/backprop-go/backprop/tensor"

// GroupNorm splits the channels (axis 1) of its input into Groups groups
// and normalizes each group of each sample over its channels and spatial
// axes, then scales and shifts each channel, as torch.nn.GroupNorm:
//
//	y = (x − mean) / √(var + Eps) · Weight + Bias
//
// with the mean and biased variance of the group. Weight and Bias are [C]
// parameters, or nil without affine transformation. The input is
// [N, C, *]. The statistics are the same in training and evaluation mode.
type GroupNorm struct {
	Weight, Bias     *tensor.Tensor
	Groups, Channels int
	Eps              float64
}

// NewGroupNorm returns a Float32 GroupNorm of channels channels in groups
// groups (which must divide channels) with the given eps (PyTorch's
// default is 1e-5) and, if affine, a weight of ones and a bias of zeros.
func NewGroupNorm(groups, channels int, eps float64, affine bool) *GroupNorm {
	if groups <= 0 || channels <= 0 || channels%groups != 0 {
		misuse("GroupNorm", nil, "number of groups %d must be positive and divide the number of channels %d", groups, channels)
	}
	g := &GroupNorm{Groups: groups, Channels: channels, Eps: eps}
	if affine {
		g.Weight = Param(tensor.Ones(tensor.Float32, channels))
		g.Bias = Param(tensor.Zeros(tensor.Float32, channels))
	}
	return g
}

// Forward normalizes x of shape [N, C, *].
func (g *GroupNorm) Forward(x *tensor.Tensor) *tensor.Tensor {
	if x.Dim() < 2 || x.Size(1) != g.Channels {
		misuse("GroupNorm", [][]int{x.Shape()}, "expected input [N, %d, *]", g.Channels)
	}
	shape := x.Shape()
	per := g.Channels / g.Groups
	for _, d := range shape[2:] {
		per *= d
	}
	checkFloat("GroupNorm", x)
	y := x.Reshape(shape[0], g.Groups, per).Standardize(g.Eps, 2)
	y = y.Reshape(shape...)
	if g.Weight != nil {
		pshape := make([]int, len(shape))
		for i := range pshape {
			pshape[i] = 1
		}
		pshape[1] = g.Channels
		y = y.Mul(g.Weight.Reshape(pshape...)).Add(g.Bias.Reshape(pshape...))
	}
	return y
}

// Members lists weight and bias (with affine).
func (g *GroupNorm) Members() Members {
	if g.Weight == nil {
		return Members{}
	}
	return Members{Params: []Named{{Name: "weight", Tensor: g.Weight}, {Name: "bias", Tensor: g.Bias}}}
}
