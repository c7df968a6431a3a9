package nn

import "github.com/backprop-go/backprop/tensor"

// Module is a layer or a network: a function of one tensor with
// parameters, buffers and sub-modules.
//
// Forward computes the output. Members lists what the module itself owns:
// its parameters (trainable tensors that require gradients), its buffers
// (state that is saved but not trained, such as BatchNorm's running
// statistics) and its direct sub-modules, each under its name. Everything
// else (dotted names, state dicts, parameter lists, train/eval mode) is
// derived by walking Members recursively.
type Module interface {
	Forward(x *tensor.Tensor) *tensor.Tensor
	Members() Members
}

// Members is what a module owns directly, in a fixed order.
type Members struct {
	Params   []Named
	Buffers  []Named
	Children []Child
}

// Named is a tensor with its name.
type Named struct {
	Name   string
	Tensor *tensor.Tensor
}

// Child is a sub-module with its name.
type Child struct {
	Name   string
	Module Module
}

// Trainable is implemented by modules whose behaviour differs between
// training and evaluation (Dropout, BatchNorm). SetTraining switches the
// module itself, not its children; use the package function SetTraining
// for a whole network.
type Trainable interface {
	SetTraining(training bool)
	Training() bool
}
