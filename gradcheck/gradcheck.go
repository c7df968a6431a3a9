// Package gradcheck verifies analytical gradients against numerical ones.
//
// Check evaluates a function of float64 tensors, takes the gradient of a
// random projection ⟨w, f(x)⟩ by backpropagation, and compares it with
// central differences (f(x+εeᵢ) − f(x−εeᵢ)) / 2ε for every element of every
// input that requires a gradient. Inputs that do not require a gradient
// must receive none. CheckSecond does the same for the gradient itself,
// which verifies double backward (CreateGraph).
//
// Users can check their own operations with it exactly as the tensor
// package checks its own.
package gradcheck

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/backprop-go/backprop/tensor"
)

// Options tunes a check. The zero value uses the defaults.
type Options struct {
	Eps  float64 // finite-difference step; default 1e-6
	Atol float64 // absolute tolerance; default 1e-5
	Rtol float64 // relative tolerance; default 1e-3
	Seed uint64  // seed of the random projection; default 1
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.Eps == 0 {
		r.Eps = 1e-6
	}
	if r.Atol == 0 {
		r.Atol = 1e-5
	}
	if r.Rtol == 0 {
		r.Rtol = 1e-3
	}
	if r.Seed == 0 {
		r.Seed = 1
	}
	return r
}

// Func is a function under test. It must be deterministic and build its
// result from its inputs with tensor operations.
type Func func(xs []*tensor.Tensor) *tensor.Tensor

// Check compares the gradients of f at inputs computed by Backward with
// central differences. Every input must be a contiguous Float64 leaf;
// those that require a gradient are checked, the others must get none.
// Inputs are modified during the check and restored before it returns.
// The error names the input, the element and both values of the worst
// mismatch.
func Check(f Func, inputs []*tensor.Tensor, opts *Options) (err error) {
	o := opts.withDefaults()
	for i, x := range inputs {
		if x.DType() != tensor.Float64 {
			return fmt.Errorf("gradcheck: input %d has dtype %v, want float64", i, x.DType())
		}
		if !x.IsLeaf() || !x.IsContiguous() {
			return fmt.Errorf("gradcheck: input %d must be a contiguous leaf", i)
		}
	}
	if err := tensor.Try(func() { err = check(f, inputs, o) }); err != nil {
		return fmt.Errorf("gradcheck: %w", err)
	}
	return err
}

func check(f Func, inputs []*tensor.Tensor, o Options) error {
	for _, x := range inputs {
		x.ZeroGrad()
	}
	y := f(inputs)
	if y.DType() != tensor.Float64 {
		return fmt.Errorf("gradcheck: output has dtype %v, want float64", y.DType())
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	w := tensor.Uniform(r, tensor.Float64, -1, 1, y.Shape()...)
	wv := w.Float64s()
	proj := func() float64 {
		s := 0.0
		for i, v := range f(inputs).Detach().Float64s() {
			s += v * wv[i]
		}
		return s
	}
	if !y.RequiresGrad() {
		for i, x := range inputs {
			if x.RequiresGrad() {
				return fmt.Errorf("gradcheck: output does not require a gradient although input %d does", i)
			}
		}
		return nil
	}
	y.Mul(w).Sum().Backward()
	for i, x := range inputs {
		g := x.Grad()
		if !x.RequiresGrad() {
			if g != nil {
				return fmt.Errorf("gradcheck: input %d does not require a gradient but got one", i)
			}
			continue
		}
		raw := x.RawFloat64()
		var analytic []float64
		if g == nil {
			analytic = make([]float64, len(raw))
		} else {
			if !slices.Equal(g.Shape(), x.Shape()) {
				return fmt.Errorf("gradcheck: input %d: gradient shape %v, input shape %v", i, g.Shape(), x.Shape())
			}
			analytic = g.Float64s()
		}
		for j := range raw {
			orig := raw[j]
			raw[j] = orig + o.Eps
			fp := proj()
			raw[j] = orig - o.Eps
			fm := proj()
			raw[j] = orig
			num := (fp - fm) / (2 * o.Eps)
			if d := math.Abs(num - analytic[j]); !(d <= o.Atol+o.Rtol*math.Abs(num)) {
				return fmt.Errorf("gradcheck: input %d element %v: analytical gradient %.10g, numerical %.10g", i, unravel(j, x.Shape()), analytic[j], num)
			}
		}
		x.ZeroGrad()
	}
	return nil
}

// CheckSecond checks the second derivatives of f: it applies Check to the
// function that returns the gradients of ⟨w, f(x)⟩ with respect to the
// inputs that require a gradient, computed with CreateGraph.
func CheckSecond(f Func, inputs []*tensor.Tensor, opts *Options) error {
	o := opts.withDefaults()
	var wanted []int
	for i, x := range inputs {
		if x.RequiresGrad() {
			wanted = append(wanted, i)
		}
	}
	if len(wanted) == 0 {
		return fmt.Errorf("gradcheck: no input requires a gradient")
	}
	var w *tensor.Tensor
	g := func(xs []*tensor.Tensor) *tensor.Tensor {
		y := f(xs)
		if w == nil {
			r := rand.New(rand.NewPCG(o.Seed+1, 0x2545f4914f6cdd1d))
			w = tensor.Uniform(r, tensor.Float64, -1, 1, y.Shape()...)
		}
		var targets []*tensor.Tensor
		for _, i := range wanted {
			targets = append(targets, xs[i])
		}
		gs := tensor.Gradients(y.Mul(w).Sum(), targets, tensor.CreateGraph())
		flat := make([]*tensor.Tensor, len(gs))
		for i, gi := range gs {
			flat[i] = gi.Reshape(-1)
		}
		return tensor.Concat(flat, 0)
	}
	return Check(g, inputs, &o)
}

func unravel(j int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			idx[d] = j % shape[d]
			j /= shape[d]
		}
	}
	return idx
}

// Input returns a Float64 leaf of the given shape with values drawn
// uniformly from [lo, hi) using r, marked as requiring a gradient. It is a
// convenience for choosing inputs inside an operation's domain.
func Input(r *rand.Rand, lo, hi float64, shape ...int) *tensor.Tensor {
	return tensor.Uniform(r, tensor.Float64, lo, hi, shape...).SetRequiresGrad(true)
}
