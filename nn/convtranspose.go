package nn

import (
	"math/rand/v2"

	"github.com/backprop-go/backprop/tensor"
)

// ConvTranspose2dConfig holds the arguments of a ConvTranspose2d layer, as
// those of torch.nn.ConvTranspose2d. In and Out are the channel counts and
// Kernel the kernel size; a zero Stride or Dilation entry means 1, a zero
// Groups means 1, and a zero DType means Float32. OutputPadding adds rows
// and columns at the bottom and right of the output and must be smaller
// than the stride or the dilation. NoBias leaves out the bias.
type ConvTranspose2dConfig struct {
	In, Out       int
	Kernel        [2]int
	Stride        [2]int
	Padding       [2]int
	OutputPadding [2]int
	Dilation      [2]int
	Groups        int
	NoBias        bool
	DType         tensor.DType
}

// ConvTranspose2d is a two-dimensional transposed convolution layer, as
// torch.nn.ConvTranspose2d: it maps [N, In, H, W] (or [In, H, W]) to
// [N, Out, OH, OW] with tensor.ConvTranspose2d, the input gradient of a
// Conv2d with the same arguments. Weight has PyTorch's layout
// [In, Out/Groups, KH, KW]; Bias is [Out], or nil without bias.
type ConvTranspose2d struct {
	Weight  *tensor.Tensor
	Bias    *tensor.Tensor
	Options tensor.ConvTranspose2dOptions
}

// NewConvTranspose2d returns a ConvTranspose2d layer with PyTorch's default
// initialization drawn from r: weight and bias uniform in ±1/√fanIn, where,
// as in PyTorch, fanIn = Out/Groups·KH·KW is computed from the weight's
// second axis.
func NewConvTranspose2d(r *rand.Rand, cfg ConvTranspose2dConfig) *ConvTranspose2d {
	k := cfg.Kernel
	groups := convCheckConfig("NewConvTranspose2d", cfg.In, cfg.Out, k[:], cfg.Stride[:], cfg.Padding[:], cfg.Dilation[:], cfg.Groups, cfg.DType)
	for i := range 2 {
		s, d := max(cfg.Stride[i], 1), max(cfg.Dilation[i], 1)
		if cfg.OutputPadding[i] < 0 || (cfg.OutputPadding[i] >= s && cfg.OutputPadding[i] >= d) {
			misuse("NewConvTranspose2d", nil, "output padding %v must be non-negative and smaller than either stride %v or dilation %v",
				cfg.OutputPadding, cfg.Stride, cfg.Dilation)
		}
	}
	fanIn := cfg.Out / groups * k[0] * k[1]
	w, b := convParams(r, cfg.DType, fanIn, !cfg.NoBias, cfg.Out, []int{cfg.In, cfg.Out / groups, k[0], k[1]})
	return &ConvTranspose2d{Weight: w, Bias: b, Options: tensor.ConvTranspose2dOptions{
		Stride: cfg.Stride, Padding: cfg.Padding, OutputPadding: cfg.OutputPadding, Dilation: cfg.Dilation, Groups: groups,
	}}
}

// Forward returns the transposed convolution of x, [N, In, H, W] or
// [In, H, W], with the layer's filters plus its bias.
func (c *ConvTranspose2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.ConvTranspose2d(x, c.Weight, c.Bias, c.Options)
}

// Members lists weight and bias (when present).
func (c *ConvTranspose2d) Members() Members { return convMembers(c.Weight, c.Bias) }
