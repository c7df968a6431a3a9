package nn

import (
	"fmt"

	"github.com/backprop-go/backprop/tensor"
)

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

// Param marks t as a trainable parameter (a leaf that requires a gradient)
// and returns it. Custom modules use it for the tensors they list in
// Members().Params.
func Param(t *tensor.Tensor) *tensor.Tensor { return t.SetRequiresGrad(true) }

// misuse panics with a *tensor.Error for a layer given invalid arguments or
// input, so that tensor.Try recovers it like any misuse of tensor math.
func misuse(op string, shapes [][]int, format string, args ...any) {
	panic(&tensor.Error{Op: op, Shapes: shapes, Msg: fmt.Sprintf(format, args...)})
}
