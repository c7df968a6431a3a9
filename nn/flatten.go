package nn

import "github.com/backprop-go/backprop/tensor"

// Flatten merges the axes Start through End (inclusive; negative values
// count from the end) into one, as torch.nn.Flatten. NewFlatten gives
// PyTorch's default, which keeps the batch axis: [N, C, H, W] becomes
// [N, C·H·W]. The result is a view when the input's strides allow it.
type Flatten struct {
	Start, End int
}

// NewFlatten returns a Flatten of axes 1 through -1.
func NewFlatten() *Flatten { return &Flatten{Start: 1, End: -1} }

// Forward flattens x.
func (f Flatten) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Flatten(f.Start, f.End) }

// Members returns nothing: Flatten has no parameters.
func (f Flatten) Members() Members { return Members{} }
