package nn_test

import (
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

// checkModuleGrad converts m to float64 and checks the gradients of its
// output with respect to x (when x is a floating-point tensor; it is made
// a leaf requiring a gradient) and to every parameter of m, numerically.
func checkModuleGrad(t *testing.T, m nn.Module, x *tensor.Tensor, opts *gradcheck.Options) {
	t.Helper()
	nn.ToDType(m, tensor.Float64)
	var inputs []*tensor.Tensor
	f := func(xs []*tensor.Tensor) *tensor.Tensor { return m.Forward(x) }
	if x.DType().IsFloat() {
		x = x.Detach().To(tensor.Float64).Contiguous().Clone().SetRequiresGrad(true)
		inputs = append(inputs, x)
		f = func(xs []*tensor.Tensor) *tensor.Tensor { return m.Forward(xs[0]) }
	}
	inputs = append(inputs, nn.Parameters(m)...)
	if err := gradcheck.Check(f, inputs, opts); err != nil {
		t.Fatal(err)
	}
}

func TestParam(t *testing.T) {
	p := nn.Param(tensor.Zeros(tensor.Float32, 2))
	if !p.RequiresGrad() || !p.IsLeaf() {
		t.Error("Param does not mark a trainable leaf")
	}
	if err := tensor.Try(func() { nn.Param(tensor.Zeros(tensor.Int64, 2)) }); err == nil {
		t.Error("Param of an Int64 tensor did not panic")
	}
}
