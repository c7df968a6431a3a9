package tensor_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// mlpParams returns the parameters of a small two-layer perceptron drawn
// from a seeded source, so that two calls give equal copies.
func mlpParams(dt tensor.DType) []*tensor.Tensor {
	r := rand.New(rand.NewPCG(21, 22))
	ps := []*tensor.Tensor{
		tensor.Uniform(r, dt, -0.5, 0.5, 16, 12), tensor.Uniform(r, dt, -0.5, 0.5, 16),
		tensor.Uniform(r, dt, -0.5, 0.5, 5, 16), tensor.Uniform(r, dt, -0.5, 0.5, 5),
	}
	for _, p := range ps {
		p.SetRequiresGrad(true)
	}
	return ps
}

// mlpStep runs one training step of the perceptron on (x, y) with plain
// SGD and returns the loss. Its ops cover the unfused and the fused paths
// (MatMul, Add, ReLU, LinearReLU, cross-entropy, Mean, Sum) and it zeroes
// the gradients in place, as an allocation-free loop does.
func mlpStep(ps []*tensor.Tensor, x, y *tensor.Tensor) float64 {
	h := tensor.LinearReLU(x, ps[0], ps[1])
	h = h.MatMul(ps[2].T()).Add(ps[3])
	l := tensor.SoftmaxCrossEntropy(h, y).Mean().Add(h.Mul(h).Sum().MulScalar(1e-3))
	for _, p := range ps {
		p.ZeroGradInPlace()
	}
	l.Backward()
	for _, p := range ps {
		w, g := p.RawFloat32(), p.Grad().RawFloat32()
		for i := range w {
			w[i] -= 0.1 * g[i]
		}
	}
	return l.Item()
}

// TestArenaMatchesHeap checks that training in an arena, reset after every
// step, gives bit for bit the parameters and losses of training on the
// heap: buffers reused from earlier steps must never leak old values.
func TestArenaMatchesHeap(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	const steps = 6
	var xs, ys [steps]*tensor.Tensor
	for i := range steps {
		xs[i] = tensor.Uniform(r, tensor.Float32, -1, 1, 8, 12)
		ys[i] = tensor.RandInt(r, 0, 5, 8)
	}
	heap, pooled := mlpParams(tensor.Float32), mlpParams(tensor.Float32)
	a := tensor.NewArena()
	for i := range steps {
		lh := mlpStep(heap, xs[i], ys[i])
		lp := mlpStep(pooled, xs[i].InArena(a), ys[i])
		a.Reset()
		if lh != lp {
			t.Fatalf("step %d: loss %v in the arena, %v on the heap", i, lp, lh)
		}
	}
	for i := range heap {
		if !tensor.Equal(heap[i], pooled[i]) || !tensor.Equal(heap[i].Grad(), pooled[i].Grad()) {
			t.Fatalf("parameter %d or its gradient differs after training in the arena", i)
		}
		if pooled[i].Grad().Arena() != nil {
			t.Fatalf("gradient of parameter %d lives in the arena", i)
		}
	}
}

func TestArenaTagging(t *testing.T) {
	a := tensor.NewArena()
	w := tensor.Ones(tensor.Float32, 3, 2).SetRequiresGrad(true)
	x := tensor.Ones(tensor.Float32, 4, 2)
	xa := x.InArena(a)
	if xa.Arena() != a || x.Arena() != nil {
		t.Fatal("InArena must tag the view only")
	}
	y := xa.MatMul(w.T()).ReLU().Sum(1)
	for _, v := range []*tensor.Tensor{y, y.Reshape(2, 2), y.Detach(), y.NoGrad(), w.T().Add(xa.T().SumKeepDim(1))} {
		if v.Arena() != a {
			t.Fatalf("result %v is not tagged with the arena", v.Shape())
		}
	}
	if xa.InArena(nil).Exp().Arena() != nil {
		t.Fatal("InArena(nil) must remove the tag")
	}
	if w.MatMul(w.T()).Arena() != nil {
		t.Fatal("an op without arena operands was tagged")
	}
	y.Sum().Backward()
	if w.Grad() == nil || w.Grad().Arena() != nil {
		t.Fatal("the leaf gradient must be ordinary storage")
	}
	// The gradient flows through InArena to a leaf that requires one.
	v := tensor.Full(tensor.Float32, 2, 3).SetRequiresGrad(true)
	v.InArena(a).Mul(v).Sum().Backward()
	if got := v.Grad().Float32s(); got[0] != 4 || got[2] != 4 {
		t.Fatalf("gradient through InArena = %v, want [4 4 4]", got)
	}
	// Gradients returns tensors that survive Reset.
	g := tensor.Gradients(xa.Mul(w.Sum(0)).Sum(), []*tensor.Tensor{w})[0]
	a.Reset()
	if g.Arena() != nil || g.Sum().Item() != 24 {
		t.Fatalf("Gradients' result after Reset: %v", g)
	}
}

func TestArenaUseAfterReset(t *testing.T) {
	a := tensor.NewArena()
	x := tensor.Ones(tensor.Float32, 2, 2)
	y := x.InArena(a).Exp()
	kept := y.Sum().Item()
	a.Reset()
	for name, f := range map[string]func(){
		"read":         func() { y.Reshape(4).Narrow(0, 0, 1).Item() },
		"op":           func() { y.ReLU() },
		"At":           func() { y.At(0, 0) },
		"Float":        func() { y.Float32s() },
		"Sum":          func() { y.Sum() },
		"Max":          func() { y.Max() },
		"MatMul":       func() { y.MatMul(x) },
		"MatMul right": func() { x.MatMul(y) },
		"Conv2d": func() {
			tensor.Conv2d(y.Reshape(1, 1, 2, 2), x.Reshape(1, 1, 2, 2), nil, tensor.Conv2dOptions{})
		},
		"MaxPool2d": func() { tensor.MaxPool2d(y.Reshape(1, 1, 2, 2), [2]int{2, 2}, [2]int{}, [2]int{}) },
		"Linear":    func() { tensor.Linear(y, x, nil) },
	} {
		err := tensor.Try(f)
		if err == nil || !strings.Contains(err.Error(), "used after its arena was reset") {
			t.Errorf("%s: using a tensor after Reset: %v, want the arena's error", name, err)
		}
	}
	mustPanic(t, "tensor.ReLU: tensor used after its arena was reset (shapes [2 2])", func() { y.ReLU() })
	if x.Sum().Item() != 4 || kept == 0 {
		t.Fatal("Reset touched storage outside the arena")
	}
	// The arena stays usable.
	z := x.InArena(a).MulScalar(3)
	if z.Sum().Item() != 12 {
		t.Fatal("the arena gives wrong results after Reset")
	}
}

// TestArenaSteadyState checks that, after a warm-up step, a training step
// in an arena takes no new buffers: its heap allocation is a few small
// objects, far less than the step's tensors need.
func TestArenaSteadyState(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	ps := mlpParams(tensor.Float32)
	x := tensor.Uniform(r, tensor.Float32, -1, 1, 64, 12)
	y := tensor.RandInt(r, 0, 5, 64)
	a := tensor.NewArena()
	step := func() {
		mlpStep(ps, x.InArena(a), y)
		a.Reset()
	}
	step()
	var before, after testingMemStats
	before.read()
	const n = 20
	for range n {
		step()
	}
	after.read()
	perStep := (after.bytes - before.bytes) / n
	// The step's tensors hold 64·16 + 64·5 floats several times over
	// (more than 20 KiB); small headers take a few KiB.
	if perStep > 16<<10 {
		t.Fatalf("a steady-state step allocates %d bytes", perStep)
	}
}

func TestZeroGradInPlace(t *testing.T) {
	w := tensor.Ones(tensor.Float64, 2, 3).SetRequiresGrad(true)
	w.ZeroGradInPlace() // no gradient yet: nothing to do
	if w.Grad() != nil {
		t.Fatal("ZeroGradInPlace created a gradient")
	}
	w.Mul(w).Sum().Backward()
	g := w.Grad()
	w.ZeroGradInPlace()
	if w.Grad() != g || g.Sum().Item() != 0 {
		t.Fatal("ZeroGradInPlace must keep and zero the gradient")
	}
	w.Mul(w).Sum().Backward()
	if w.Grad() != g || g.Sum().Item() != 12 {
		t.Fatalf("the next backward pass must accumulate into the kept gradient, got %v", w.Grad())
	}
	// A gradient that is part of a graph is dropped.
	w.ZeroGrad()
	w.Mul(w).Sum().Backward(tensor.CreateGraph())
	w.ZeroGradInPlace()
	if w.Grad() != nil {
		t.Fatal("a recorded gradient must be cleared, not zeroed")
	}
}

// testingMemStats records the bytes allocated on the heap so far.
type testingMemStats struct{ bytes uint64 }

func (m *testingMemStats) read() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.bytes = s.TotalAlloc
}

// An arena makes a training loop allocate (almost) nothing per step: tag
// the batch with InArena, zero the gradients in place, and Reset the arena
// once the step's values have been read.
func ExampleArena() {
	r := rand.New(rand.NewPCG(1, 2))
	w := tensor.Uniform(r, tensor.Float32, -0.5, 0.5, 3, 4).SetRequiresGrad(true)
	b := tensor.Zeros(tensor.Float32, 3).SetRequiresGrad(true)
	x := tensor.Uniform(r, tensor.Float32, -1, 1, 8, 4)
	y := tensor.FromSlice([]int64{0, 1, 2, 0, 1, 2, 0, 1})

	a := tensor.NewArena()
	var first, last float64
	for step := range 50 {
		logits := tensor.Linear(x.InArena(a), w, b)
		l := tensor.SoftmaxCrossEntropy(logits, y).Mean()
		w.ZeroGradInPlace()
		b.ZeroGradInPlace()
		l.Backward()
		for _, p := range []*tensor.Tensor{w, b} {
			v, g := p.RawFloat32(), p.Grad().RawFloat32()
			for i := range v {
				v[i] -= 0.5 * g[i]
			}
		}
		if step == 0 {
			first = l.Item()
		}
		last = l.Item() // read before Reset: l lives in the arena
		a.Reset()
	}
	fmt.Println(last < first, w.Grad().Arena() == nil)
	// Output: true true
}

// TestArenaHeadersNotReused checks that the tensor headers and graph nodes
// an arena cuts from slabs are never handed out again: a tensor kept past
// Reset is not one of the tensors computed afterwards, keeps its shape and
// still reports its use as use after Reset.
func TestArenaHeadersNotReused(t *testing.T) {
	a := tensor.NewArena()
	w := tensor.Ones(tensor.Float32, 3).SetRequiresGrad(true)
	kept := tensor.Ones(tensor.Float32, 3).InArena(a).Mul(w)
	a.Reset()
	seen := map[*tensor.Tensor]bool{kept: true}
	for i := range 200 {
		y := tensor.Ones(tensor.Float32, 2, 5).InArena(a).MulScalar(float64(i)).Sum(1)
		if seen[y] {
			t.Fatalf("step %d: a new tensor reuses an earlier header", i)
		}
		seen[y] = true
		if kept.Dim() != 1 || kept.Size(0) != 3 {
			t.Fatalf("step %d: the kept tensor changed shape to %v", i, kept.Shape())
		}
		a.Reset()
	}
	err := tensor.Try(func() { kept.Sum() })
	if err == nil || !strings.Contains(err.Error(), "used after its arena was reset") {
		t.Fatalf("kept tensor after many steps: %v", err)
	}
}
