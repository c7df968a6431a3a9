package nn

import "github.com/backprop-go/backprop/tensor"

// This file holds the activation modules. None has parameters; those with
// options keep them in exported fields, so every one can be written as a
// literal, by value or by pointer: nn.ReLU{}, &nn.LeakyReLU{Slope: 0.01},
// nn.Softmax{Axis: 1}.

// noMembers is the Members of a module without parameters.
func noMembers() Members { return Members{} }

// ReLU is max(x, 0) element-wise, as torch.nn.ReLU.
type ReLU struct{}

// Forward returns x.ReLU().
func (ReLU) Forward(x *tensor.Tensor) *tensor.Tensor { return x.ReLU() }

// Members returns nothing: ReLU has no parameters.
func (ReLU) Members() Members { return noMembers() }

// LeakyReLU is x for x ≥ 0 and Slope·x otherwise, as torch.nn.LeakyReLU
// (whose default slope is 0.01; the zero value here has slope 0).
type LeakyReLU struct{ Slope float64 }

// Forward returns x.LeakyReLU(Slope).
func (l LeakyReLU) Forward(x *tensor.Tensor) *tensor.Tensor { return x.LeakyReLU(l.Slope) }

// Members returns nothing: LeakyReLU has no parameters.
func (LeakyReLU) Members() Members { return noMembers() }

// ELU is x for x > 0 and Alpha·(eˣ − 1) otherwise, as torch.nn.ELU (whose
// default alpha is 1; the zero value here has alpha 0).
type ELU struct{ Alpha float64 }

// Forward returns x.ELU(Alpha).
func (e ELU) Forward(x *tensor.Tensor) *tensor.Tensor { return x.ELU(e.Alpha) }

// Members returns nothing: ELU has no parameters.
func (ELU) Members() Members { return noMembers() }

// GELU is the Gaussian error linear unit x·Φ(x), as torch.nn.GELU; with
// Approximate it uses the tanh approximation (PyTorch's
// approximate='tanh').
type GELU struct{ Approximate bool }

// Forward returns x.GELU(), or x.GELUTanh() with Approximate.
func (g GELU) Forward(x *tensor.Tensor) *tensor.Tensor {
	if g.Approximate {
		return x.GELUTanh()
	}
	return x.GELU()
}

// Members returns nothing: GELU has no parameters.
func (GELU) Members() Members { return noMembers() }

// SiLU is x·σ(x) (also called swish), as torch.nn.SiLU.
type SiLU struct{}

// Forward returns x.SiLU().
func (SiLU) Forward(x *tensor.Tensor) *tensor.Tensor { return x.SiLU() }

// Members returns nothing: SiLU has no parameters.
func (SiLU) Members() Members { return noMembers() }

// Sigmoid is σ(x) = 1/(1 + e⁻ˣ), as torch.nn.Sigmoid.
type Sigmoid struct{}

// Forward returns x.Sigmoid().
func (Sigmoid) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Sigmoid() }

// Members returns nothing: Sigmoid has no parameters.
func (Sigmoid) Members() Members { return noMembers() }

// Tanh is the hyperbolic tangent, as torch.nn.Tanh.
type Tanh struct{}

// Forward returns x.Tanh().
func (Tanh) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Tanh() }

// Members returns nothing: Tanh has no parameters.
func (Tanh) Members() Members { return noMembers() }

// Softplus is ln(1 + e^(Beta·x))/Beta, and x where Beta·x > Threshold, as
// torch.nn.Softplus. A zero Beta or Threshold means PyTorch's default (1
// and 20).
type Softplus struct{ Beta, Threshold float64 }

// Forward returns x.Softplus(Beta, Threshold).
func (s Softplus) Forward(x *tensor.Tensor) *tensor.Tensor {
	beta, th := s.Beta, s.Threshold
	if beta == 0 {
		beta = 1
	}
	if th == 0 {
		th = 20
	}
	return x.Softplus(beta, th)
}

// Members returns nothing: Softplus has no parameters.
func (Softplus) Members() Members { return noMembers() }

// Softmax is e^xᵢ / Σⱼ e^xⱼ along Axis (negative counts from the end), as
// torch.nn.Softmax(dim=Axis).
type Softmax struct{ Axis int }

// Forward returns x.Softmax(Axis).
func (s Softmax) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Softmax(s.Axis) }

// Members returns nothing: Softmax has no parameters.
func (Softmax) Members() Members { return noMembers() }

// LogSoftmax is the logarithm of Softmax along Axis, computed stably, as
// torch.nn.LogSoftmax(dim=Axis).
type LogSoftmax struct{ Axis int }

// Forward returns x.LogSoftmax(Axis).
func (s LogSoftmax) Forward(x *tensor.Tensor) *tensor.Tensor { return x.LogSoftmax(s.Axis) }

// Members returns nothing: LogSoftmax has no parameters.
func (LogSoftmax) Members() Members { return noMembers() }
