package nn

import "github.com/backprop-go/backprop/tensor"

// Identity returns its input unchanged, as torch.nn.Identity; it is a
// placeholder where a network expects a module.
type Identity struct{}

// Forward returns x.
func (Identity) Forward(x *tensor.Tensor) *tensor.Tensor { return x }

// Members returns nothing: Identity has no parameters.
func (Identity) Members() Members { return Members{} }
