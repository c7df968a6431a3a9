package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// TestZeroGradInPlaceLazy checks the deferred zeroing of ZeroGradInPlace:
// after it, a backward pass gives exactly the gradients a pass into fresh
// gradients gives, even though the stale storage holds NaNs, whether the
// gradient arrives through the fused Linear's direct write (a GEMM with
// beta 0 that must not read the stale values), through the engine, through
// both (a weight used twice), or not at all (Grad reads zeros), and
// through GradSet.AddToGrad and CreateGraph; the gradient tensors are kept.
func TestZeroGradInPlaceLazy(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	x := tensor.Randn(r, tensor.Float32, 5, 3)
	w := tensor.Randn(r, tensor.Float32, 4, 3).SetRequiresGrad(true)
	b := tensor.Randn(r, tensor.Float32, 4).SetRequiresGrad(true)
	s := tensor.Randn(r, tensor.Float32, 4).SetRequiresGrad(true)
	unused := tensor.Randn(r, tensor.Float32, 2).SetRequiresGrad(true)
	params := []*tensor.Tensor{w, b, s, unused}
	f := func() *tensor.Tensor {
		y := tensor.Linear(x, w, b).Mul(s)                 // w, b direct; s through the engine
		y = y.Add(tensor.Linear(x, w, nil).MulScalar(0.5)) // w a second time
		return y.Mul(y).Sum()
	}
	f().Backward()
	var want [][]float64
	for _, p := range params[:3] {
		want = append(want, p.Grad().Float64s())
	}
	nan := float32(math.NaN())
	unused.SetGrad(tensor.Full(tensor.Float32, float64(nan), 2))
	check := func(name string) {
		t.Helper()
		// CreateGraph computes the gradients with recorded operations,
		// which sum in another order than the fused ones.
		tol := 0.0
		if name == "CreateGraph" {
			tol = 1e-6
		}
		for i, p := range params[:3] {
			got := p.Grad().Float64s()
			for j := range got {
				if math.Abs(got[j]-want[i][j]) > tol*(1+math.Abs(want[i][j])) || math.IsNaN(got[j]) {
					t.Fatalf("%s: parameter %d element %d = %v, want %v", name, i, j, got[j], want[i][j])
				}
			}
		}
		for _, v := range unused.Grad().Float64s() {
			if v != 0 {
				t.Fatalf("%s: the unused parameter's gradient reads %v, want 0", name, v)
			}
		}
	}
	poison := func() []*tensor.Tensor {
		var gs []*tensor.Tensor
		for _, p := range params {
			p.Grad().CopyFrom(tensor.Full(tensor.Float32, float64(nan), p.Shape()...))
			p.ZeroGradInPlace()
			gs = append(gs, p.Grad())
			p.ZeroGradInPlace() // Grad zeroed it; defer again
		}
		return gs
	}
	for round := range 3 {
		gs := poison()
		f().Backward()
		check("backward")
		for i, p := range params {
			if p.Grad() != gs[i] {
				t.Fatalf("round %d: parameter %d's gradient was replaced", round, i)
			}
		}
	}
	// Into a GradSet, then added to stale Grads.
	set := tensor.NewGradSet(params)
	poison()
	f().Backward(tensor.AccumulateInto(set))
	set.AddToGrad()
	check("GradSet")
	// With CreateGraph the stale gradient is zeroed before the recorded sum.
	poison()
	f().Backward(tensor.CreateGraph())
	check("CreateGraph")
}

// TestZeroGradInPlaceOldReference pins the documented behaviour of a
// gradient tensor kept from before ZeroGradInPlace: it is the same tensor
// Grad returns, reads its old values until Grad or a backward pass touches
// it, and zeros once Grad has been called.
func TestZeroGradInPlaceOldReference(t *testing.T) {
	w := tensor.Ones(tensor.Float32, 3).SetRequiresGrad(true)
	w.MulScalar(2).Sum().Backward()
	old := w.Grad()
	w.ZeroGradInPlace()
	if got := old.Float64s(); got[0] != 2 {
		t.Fatalf("old reference reads %v before Grad, want the old 2s", got)
	}
	if w.Grad() != old {
		t.Fatal("Grad returned another tensor")
	}
	if got := old.Float64s(); got[0] != 0 || got[2] != 0 {
		t.Fatalf("old reference reads %v after Grad, want zeros", got)
	}
}
