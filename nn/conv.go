package nn

import (
	"math"
	"math/rand/v2"

	"github.com/backprop-go/backprop/tensor"
)

// Conv2dConfig holds the arguments of a Conv2d layer, as those of
// torch.nn.Conv2d. In and Out are the channel counts and Kernel the kernel
// size; a zero Stride or Dilation entry means 1, a zero Groups means 1, and
// a zero DType means Float32. NoBias leaves out the bias.
type Conv2dConfig struct {
	In, Out  int
	Kernel   [2]int
	Stride   [2]int
	Padding  [2]int
	Dilation [2]int
	Groups   int
	NoBias   bool
	DType    tensor.DType
}

// Conv2d is a two-dimensional convolution layer, as torch.nn.Conv2d: it
// maps [N, In, H, W] (or [In, H, W]) to [N, Out, OH, OW] with
// tensor.Conv2d. Weight has PyTorch's layout [Out, In/Groups, KH, KW];
// Bias is [Out], or nil without bias.
type Conv2d struct {
	Weight  *tensor.Tensor
	Bias    *tensor.Tensor
	Options tensor.Conv2dOptions
}

// NewConv2d returns a Conv2d layer with PyTorch's default initialization
// drawn from r: weight and bias uniform in ±1/√fanIn with
// fanIn = In/Groups·KH·KW (Kaiming-uniform with a = √5 for the weight).
func NewConv2d(r *rand.Rand, cfg Conv2dConfig) *Conv2d {
	k := cfg.Kernel
	groups := convCheckConfig("NewConv2d", cfg.In, cfg.Out, k[:], cfg.Stride[:], cfg.Padding[:], cfg.Dilation[:], cfg.Groups, cfg.DType)
	fanIn := cfg.In / groups * k[0] * k[1]
	w, b := convParams(r, cfg.DType, fanIn, !cfg.NoBias, cfg.Out, []int{cfg.Out, cfg.In / groups, k[0], k[1]})
	return &Conv2d{Weight: w, Bias: b, Options: tensor.Conv2dOptions{
		Stride: cfg.Stride, Padding: cfg.Padding, Dilation: cfg.Dilation, Groups: groups,
	}}
}

// Forward returns the convolution of x, [N, In, H, W] or [In, H, W], with
// the layer's filters plus its bias.
func (c *Conv2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.Conv2d(x, c.Weight, c.Bias, c.Options)
}

// Members lists weight and bias (when present).
func (c *Conv2d) Members() Members { return convMembers(c.Weight, c.Bias) }

// Conv1dConfig holds the arguments of a Conv1d layer, as those of
// torch.nn.Conv1d. A zero Stride or Dilation means 1, a zero Groups means
// 1, and a zero DType means Float32. NoBias leaves out the bias.
type Conv1dConfig struct {
	In, Out  int
	Kernel   int
	Stride   int
	Padding  int
	Dilation int
	Groups   int
	NoBias   bool
	DType    tensor.DType
}

// Conv1d is a one-dimensional convolution layer, as torch.nn.Conv1d: it
// maps [N, In, L] (or [In, L]) to [N, Out, OL] with tensor.Conv1d. Weight
// has PyTorch's layout [Out, In/Groups, K]; Bias is [Out], or nil without
// bias.
type Conv1d struct {
	Weight  *tensor.Tensor
	Bias    *tensor.Tensor
	Options tensor.Conv1dOptions
}

// NewConv1d returns a Conv1d layer with PyTorch's default initialization
// drawn from r: weight and bias uniform in ±1/√fanIn with
// fanIn = In/Groups·K.
func NewConv1d(r *rand.Rand, cfg Conv1dConfig) *Conv1d {
	groups := convCheckConfig("NewConv1d", cfg.In, cfg.Out, []int{cfg.Kernel}, []int{cfg.Stride}, []int{cfg.Padding}, []int{cfg.Dilation}, cfg.Groups, cfg.DType)
	fanIn := cfg.In / groups * cfg.Kernel
	w, b := convParams(r, cfg.DType, fanIn, !cfg.NoBias, cfg.Out, []int{cfg.Out, cfg.In / groups, cfg.Kernel})
	return &Conv1d{Weight: w, Bias: b, Options: tensor.Conv1dOptions{
		Stride: cfg.Stride, Padding: cfg.Padding, Dilation: cfg.Dilation, Groups: groups,
	}}
}

// Forward returns the convolution of x, [N, In, L] or [In, L], with the
// layer's filters plus its bias.
func (c *Conv1d) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.Conv1d(x, c.Weight, c.Bias, c.Options)
}

// Members lists weight and bias (when present).
func (c *Conv1d) Members() Members { return convMembers(c.Weight, c.Bias) }

// convCheckConfig validates the arguments of a convolution layer and
// returns the number of groups (zero meaning 1).
func convCheckConfig(op string, in, out int, kernel, stride, padding, dilation []int, groups int, dt tensor.DType) int {
	if dt != 0 && !dt.IsFloat() {
		misuse(op, nil, "dtype must be floating point, got %v", dt)
	}
	if in < 1 || out < 1 {
		misuse(op, nil, "channel counts must be positive: in %d, out %d", in, out)
	}
	for i := range kernel {
		if kernel[i] < 1 {
			misuse(op, nil, "kernel size must be positive, got %v", kernel)
		}
		if stride[i] < 0 || dilation[i] < 0 {
			misuse(op, nil, "stride %v and dilation %v must be positive", stride, dilation)
		}
		if padding[i] < 0 {
			misuse(op, nil, "padding must be non-negative, got %v", padding)
		}
	}
	if groups < 0 {
		misuse(op, nil, "groups must be positive, got %d", groups)
	}
	if groups == 0 {
		groups = 1
	}
	if in%groups != 0 || out%groups != 0 {
		misuse(op, nil, "groups %d must divide both in channels %d and out channels %d", groups, in, out)
	}
	return groups
}

// convParams returns a weight of the given shape and, when bias is set, a
// bias of n elements, both parameters of dtype dt (zero meaning Float32)
// drawn uniformly from ±1/√fanIn, the weight first.
func convParams(r *rand.Rand, dt tensor.DType, fanIn int, bias bool, n int, wShape []int) (w, b *tensor.Tensor) {
	if dt == 0 {
		dt = tensor.Float32
	}
	bound := 1 / math.Sqrt(float64(fanIn))
	w = Param(tensor.Uniform(r, dt, -bound, bound, wShape...))
	if bias {
		b = Param(tensor.Uniform(r, dt, -bound, bound, n))
	}
	return w, b
}

// convMembers lists a convolution's weight and its bias when present.
func convMembers(w, b *tensor.Tensor) Members {
	ps := []Named{{Name: "weight", Tensor: w}}
	if b != nil {
		ps = append(ps, Named{Name: "bias", Tensor: b})
	}
	return Members{Params: ps}
}
