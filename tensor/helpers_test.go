package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/tensor"
)

// gradCase is one numerical gradient check: f applied to the inputs that
// mk builds from a seeded source.
type gradCase struct {
	name string
	mk   func(r *rand.Rand) []*tensor.Tensor
	f    gradcheck.Func
	opts *gradcheck.Options
}

// runGradCases runs each case as a subtest with its own seeded source.
func runGradCases(t *testing.T, cases []gradCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			if err := gradcheck.Check(c.f, c.mk(r), c.opts); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// runSecondCases runs gradcheck.CheckSecond for each case as a subtest
// with its own seeded source.
func runSecondCases(t *testing.T, cases []gradCase) {
	t.Helper()
	for _, c := range cases {
		t.Run("2nd "+c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			if err := gradcheck.CheckSecond(c.f, c.mk(r), c.opts); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// in returns a Float64 input requiring a gradient, uniform in [lo, hi).
func in(r *rand.Rand, lo, hi float64, shape ...int) *tensor.Tensor {
	return gradcheck.Input(r, lo, hi, shape...)
}

// constIn returns a Float64 input that does not require a gradient.
func constIn(r *rand.Rand, lo, hi float64, shape ...int) *tensor.Tensor {
	return tensor.Uniform(r, tensor.Float64, lo, hi, shape...)
}

// inputs is shorthand for a slice of tensors.
func inputs(ts ...*tensor.Tensor) []*tensor.Tensor { return ts }

// mustPanic asserts that f panics with a *tensor.Error whose message is
// want, and returns the error.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	err := tensor.Try(f)
	if err == nil {
		t.Fatalf("no panic, want %q", want)
	}
	if _, ok := err.(*tensor.Error); !ok {
		t.Fatalf("error %T, want *tensor.Error", err)
	}
	if err.Error() != want {
		t.Fatalf("error\n  %q\nwant\n  %q", err.Error(), want)
	}
}
