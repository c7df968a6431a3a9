package gradcheck_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/tensor"
)

func TestCheckAcceptsCorrectGradients(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := gradcheck.Input(r, 0.5, 2, 3, 4)
	w := gradcheck.Input(r, -1, 1, 4, 2)
	f := func(xs []*tensor.Tensor) *tensor.Tensor { return xs[0].Log().MatMul(xs[1]).Tanh() }
	if err := gradcheck.Check(f, []*tensor.Tensor{x, w}, nil); err != nil {
		t.Fatal(err)
	}
	if err := gradcheck.CheckSecond(f, []*tensor.Tensor{x, w}, nil); err != nil {
		t.Fatal(err)
	}
	if x.Grad() != nil || w.Grad() != nil {
		t.Fatal("Check left gradients on its inputs")
	}
}

// A function whose recorded graph misses a path (Detach) has a wrong
// analytical gradient; Check must notice.
func TestCheckRejectsWrongGradients(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := gradcheck.Input(r, 0.5, 2, 5)
	before := x.Float64s()
	f := func(xs []*tensor.Tensor) *tensor.Tensor { return xs[0].Mul(xs[0].Detach()) }
	err := gradcheck.Check(f, []*tensor.Tensor{x}, nil)
	if err == nil || !strings.Contains(err.Error(), "input 0 element [") {
		t.Fatalf("error %v, want a mismatch naming input 0 and an element", err)
	}
	if got := x.Float64s(); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Fatalf("input changed by the check: %v, was %v", got, before)
	}
	if err := gradcheck.CheckSecond(f, []*tensor.Tensor{x}, nil); err == nil {
		t.Fatal("CheckSecond accepted a wrong second derivative")
	}
}

func TestCheckNoGradInput(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := gradcheck.Input(r, -1, 1, 3)
	c := tensor.Uniform(r, tensor.Float64, -1, 1, 3)
	f := func(xs []*tensor.Tensor) *tensor.Tensor { return xs[0].Mul(xs[1]) }
	if err := gradcheck.Check(f, []*tensor.Tensor{x, c}, nil); err != nil {
		t.Fatal(err)
	}
	if c.Grad() != nil {
		t.Fatal("constant input got a gradient")
	}
}

func TestCheckInputErrors(t *testing.T) {
	f := func(xs []*tensor.Tensor) *tensor.Tensor { return xs[0] }
	cases := []struct {
		name string
		x    *tensor.Tensor
		want string
	}{
		{"float32", tensor.Zeros(tensor.Float32, 2).SetRequiresGrad(true), "has dtype float32, want float64"},
		{"not contiguous", tensor.Zeros(tensor.Float64, 2, 3).T(), "must be a contiguous leaf"},
		{"not a leaf", tensor.Zeros(tensor.Float64, 2).SetRequiresGrad(true).MulScalar(2), "must be a contiguous leaf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := gradcheck.Check(f, []*tensor.Tensor{c.x}, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	if err := gradcheck.CheckSecond(f, []*tensor.Tensor{tensor.Zeros(tensor.Float64, 2)}, nil); err == nil {
		t.Fatal("CheckSecond accepted inputs none of which requires a gradient")
	}
}

// TestCheckOutputErrors pins the errors for a function whose output cannot
// be checked: the wrong dtype, or no gradient although an input needs one.
func TestCheckOutputErrors(t *testing.T) {
	cases := []struct {
		name string
		f    gradcheck.Func
		want string
	}{
		{"float32 output", func(xs []*tensor.Tensor) *tensor.Tensor { return xs[0].To(tensor.Float32) }, "output has dtype float32, want float64"},
		{"detached output", func(xs []*tensor.Tensor) *tensor.Tensor { return xs[0].Detach().MulScalar(2) }, "output does not require a gradient although input 0 does"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := tensor.Zeros(tensor.Float64, 2).SetRequiresGrad(true)
			err := gradcheck.Check(c.f, []*tensor.Tensor{x}, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// A misuse panic inside the checked function is returned as an error.
func TestCheckRecoversMisuse(t *testing.T) {
	x := tensor.Zeros(tensor.Float64, 2, 3).SetRequiresGrad(true)
	f := func(xs []*tensor.Tensor) *tensor.Tensor { return xs[0].MatMul(xs[0]) }
	err := gradcheck.Check(f, []*tensor.Tensor{x}, nil)
	if err == nil || !strings.Contains(err.Error(), "tensor.MatMul: inner sizes differ") {
		t.Fatalf("error %v, want the MatMul misuse", err)
	}
}

// ExampleCheck checks the gradient of a user-defined composite function.
func ExampleCheck() {
	r := rand.New(rand.NewPCG(1, 2))
	x := gradcheck.Input(r, -2, 2, 4)
	softsign := func(xs []*tensor.Tensor) *tensor.Tensor {
		return xs[0].Div(xs[0].Abs().AddScalar(1))
	}
	fmt.Println(gradcheck.Check(softsign, []*tensor.Tensor{x}, nil))
	// Output: <nil>
}
