package tensor_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// f64 returns a Float64 leaf holding vals with the given shape (1-D when
// none), requiring a gradient when grad is true.
func f64(grad bool, vals []float64, shape ...int) *tensor.Tensor {
	return tensor.FromSlice(vals, shape...).SetRequiresGrad(grad)
}

// expectGrad fails unless x has a gradient with x's shape and the values
// want (within tol; exactly when tol is 0).
func expectGrad(t *testing.T, name string, x *tensor.Tensor, want []float64, tol float64) {
	t.Helper()
	g := x.Grad()
	if g == nil {
		t.Fatalf("%s: no gradient", name)
	}
	expectClose(t, name+" gradient", g, x.Shape(), want, tol)
}

// expectClose fails unless g has the given shape and values within tol
// (relative to max(1, |want|)).
func expectClose(t *testing.T, name string, g *tensor.Tensor, shape []int, want []float64, tol float64) {
	t.Helper()
	if !slices.Equal(g.Shape(), shape) {
		t.Fatalf("%s: shape %v, want %v", name, g.Shape(), shape)
	}
	got := g.Float64s()
	for i := range want {
		if d := math.Abs(got[i] - want[i]); !(d <= tol*math.Max(1, math.Abs(want[i]))) {
			t.Fatalf("%s: %v, want %v", name, got, want)
		}
	}
}

func TestBackwardAccumulates(t *testing.T) {
	t.Run("used twice", func(t *testing.T) {
		// y = Σ (x·x + x): dy/dx = 2x + 1, the sum of three paths.
		x := f64(true, []float64{1, -2, 3})
		x.Mul(x).Add(x).Sum().Backward()
		expectGrad(t, "x", x, []float64{3, -3, 7}, 0)
	})
	t.Run("shared intermediate", func(t *testing.T) {
		// z = 2x is used by two branches: y = Σ z·z + Σ 3z, dy/dx = 8x + 6.
		x := f64(true, []float64{0.5, -1})
		z := x.MulScalar(2)
		z.Mul(z).Sum().Add(z.MulScalar(3).Sum()).Backward()
		expectGrad(t, "x", x, []float64{10, -2}, 0)
	})
	t.Run("two backward calls", func(t *testing.T) {
		x := f64(true, []float64{1, 2})
		x.MulScalar(3).Sum().Backward()
		first := x.Grad()
		expectGrad(t, "after the first call", x, []float64{3, 3}, 0)
		x.Mul(x).Sum().Backward() // adds 2x
		expectGrad(t, "after the second call", x, []float64{5, 7}, 0)
		if x.Grad() != first {
			t.Error("the second call replaced the gradient tensor instead of accumulating into it")
		}
	})
	t.Run("broadcast", func(t *testing.T) {
		// a [2 1] + b [3] → [2 3]: each a gets 3 ones, each b gets 2.
		a := f64(true, []float64{1, 2}, 2, 1)
		b := f64(true, []float64{1, 2, 3})
		a.Add(b).Sum().Backward()
		expectGrad(t, "a", a, []float64{3, 3}, 0)
		expectGrad(t, "b", b, []float64{2, 2, 2}, 0)
	})
	t.Run("gradients own their storage", func(t *testing.T) {
		// Add hands its output gradient to both inputs; with WithGrad the
		// output gradient is the caller's tensor. None may be shared.
		a := f64(true, []float64{1, 2})
		b := f64(true, []float64{3, 4})
		v := tensor.FromSlice([]float64{5, 6})
		a.Add(b).Backward(tensor.WithGrad(v))
		a.Grad().RawFloat64()[0] = 100
		v.RawFloat64()[1] = 100
		expectGrad(t, "b", b, []float64{5, 6}, 0)
		expectGrad(t, "a", a, []float64{100, 6}, 0)
		if a.Grad().IsNoGrad() || b.Grad().IsNoGrad() {
			t.Error("a gradient is flagged NoGrad")
		}
	})
	t.Run("ZeroGrad", func(t *testing.T) {
		x := f64(true, []float64{1, 2})
		x.MulScalar(3).Sum().Backward()
		x.ZeroGrad()
		if x.Grad() != nil {
			t.Fatal("ZeroGrad left a gradient")
		}
		x.MulScalar(-1).Sum().Backward()
		expectGrad(t, "after ZeroGrad", x, []float64{-1, -1}, 0)
	})
	t.Run("SetGrad", func(t *testing.T) {
		x := f64(true, []float64{1, 2})
		x.SetGrad(tensor.FromSlice([]float64{10, 20}))
		x.Sum().Backward()
		expectGrad(t, "after SetGrad", x, []float64{11, 21}, 0)
		x.SetGrad(nil)
		if x.Grad() != nil {
			t.Fatal("SetGrad(nil) left a gradient")
		}
		mustPanic(t, "tensor.SetGrad: gradient must match the tensor's shape and dtype (shapes [2], [3])",
			func() { x.SetGrad(tensor.Zeros(tensor.Float64, 3)) })
		mustPanic(t, "tensor.SetGrad: gradient must match the tensor's shape and dtype (shapes [2], [2])",
			func() { x.SetGrad(tensor.Zeros(tensor.Float32, 2)) })
	})
}

func TestDetachAndConstants(t *testing.T) {
	t.Run("Detach stops gradients", func(t *testing.T) {
		// y = Σ stop(x)·x: only the second factor carries a gradient, so
		// dy/dx = x, not 2x.
		x := f64(true, []float64{1, -2, 3})
		d := x.Detach()
		if d.RequiresGrad() || !d.IsLeaf() || d.IsNoGrad() {
			t.Fatalf("Detach: requires grad %v, leaf %v, NoGrad %v", d.RequiresGrad(), d.IsLeaf(), d.IsNoGrad())
		}
		d.Mul(x).Sum().Backward()
		expectGrad(t, "x", x, []float64{1, -2, 3}, 0)
		// Detach shares storage.
		d.Set(7, 0)
		if x.At(0) != 7 {
			t.Error("Detach copied the data")
		}
	})
	t.Run("inputs that need no gradient get none", func(t *testing.T) {
		x := f64(true, []float64{1, 2})
		c := f64(false, []float64{3, 4})
		k := f64(false, []float64{5, 6})
		y := x.Mul(c).Add(c.Mul(k)).Sum()
		y.Backward()
		expectGrad(t, "x", x, []float64{3, 4}, 0)
		if c.Grad() != nil || k.Grad() != nil {
			t.Error("a constant received a gradient")
		}
		if c.Mul(k).RequiresGrad() {
			t.Error("an operation on constants requires a gradient")
		}
	})
	t.Run("integer results are not recorded", func(t *testing.T) {
		x := f64(true, []float64{1.5, 2.5})
		if x.To(tensor.Int64).RequiresGrad() {
			t.Error("an int64 result requires a gradient")
		}
	})
}

func TestBackwardOutputGradient(t *testing.T) {
	x := f64(true, []float64{1, 2, 3, 4}, 2, 2)
	y := x.Mul(x) // [2 2]
	mustPanic(t, "tensor.Backward: backward of a non-scalar output needs an output gradient (WithGrad) (shapes [2 2])",
		func() { y.Backward() })
	mustPanic(t, "tensor.Backward: output gradient must have the output's shape (shapes [2 2], [4])",
		func() { y.Backward(tensor.WithGrad(tensor.Ones(tensor.Float64, 4))) })
	mustPanic(t, "tensor.Backward: output gradient has dtype float32, output has float64 (shapes [2 2], [2 2])",
		func() { y.Backward(tensor.WithGrad(tensor.Ones(tensor.Float32, 2, 2))) })
	// d⟨v, x·x⟩/dx = 2x·v.
	y.Backward(tensor.WithGrad(tensor.FromSlice([]float64{1, 0, -1, 0.5}, 2, 2)))
	expectGrad(t, "x", x, []float64{2, 0, -6, 4}, 0)

	// A one-element output of any shape needs no WithGrad.
	z := f64(true, []float64{3}, 1, 1)
	z.Mul(z).Backward()
	expectGrad(t, "z", z, []float64{6}, 0)

	// Backward of a leaf gives it a gradient of one.
	w := f64(true, []float64{2}, []int{}...)
	w.Backward()
	expectGrad(t, "leaf", w, []float64{1}, 0)
}

func TestGraphRelease(t *testing.T) {
	const released = "tensor.Backward: the graph through Sum was already released by an earlier backward pass; pass RetainGraph to keep it (shapes [])"
	t.Run("second backward panics", func(t *testing.T) {
		x := f64(true, []float64{1, 2})
		y := x.Mul(x).Sum()
		y.Backward()
		mustPanic(t, released, func() { y.Backward() })
	})
	t.Run("shared part released", func(t *testing.T) {
		x := f64(true, []float64{1, 2})
		z := x.Mul(x)
		z.Sum().Backward()
		mustPanic(t, "tensor.Backward: the graph through Mul was already released by an earlier backward pass; pass RetainGraph to keep it (shapes [2])",
			func() { z.MulScalar(2).Sum().Backward() })
	})
	t.Run("RetainGraph", func(t *testing.T) {
		x := f64(true, []float64{1, 2})
		y := x.Mul(x).Sum()
		y.Backward(tensor.RetainGraph())
		y.Backward(tensor.RetainGraph())
		y.Backward()
		expectGrad(t, "x after three passes", x, []float64{6, 12}, 0)
		mustPanic(t, released, func() { y.Backward() })
	})
	t.Run("Gradients releases too", func(t *testing.T) {
		x := f64(true, []float64{1, 2})
		y := x.Mul(x).Sum()
		tensor.Gradients(y, []*tensor.Tensor{x}, tensor.RetainGraph())
		tensor.Gradients(y, []*tensor.Tensor{x})
		mustPanic(t, released, func() { y.Backward() })
	})
}

func TestSecondDerivative(t *testing.T) {
	cube := func(x *tensor.Tensor) *tensor.Tensor { return x.Mul(x).Mul(x).Sum() }
	// Values chosen so that every product is exact in float64.
	xs := []float64{0.5, -1.5, 2, 0}
	x := f64(true, xs)
	g := tensor.Gradients(cube(x), []*tensor.Tensor{x}, tensor.CreateGraph())[0]
	if !g.RequiresGrad() {
		t.Fatal("a gradient computed with CreateGraph does not require a gradient")
	}
	if x.Grad() != nil {
		t.Fatal("Gradients touched Grad")
	}
	expectClose(t, "3x²", g, []int{4}, []float64{0.75, 6.75, 12, 0}, 0)
	h := tensor.Gradients(g.Sum(), []*tensor.Tensor{x})[0]
	expectClose(t, "6x", h, []int{4}, []float64{3, -9, 12, 0}, 0)

	// Numerically: central differences of the first derivative, computed
	// without CreateGraph.
	const eps = 1e-5
	for i, xi := range xs {
		d := func(v float64) float64 {
			p := slices.Clone(xs)
			p[i] = v
			x := f64(true, p)
			return tensor.Gradients(cube(x), []*tensor.Tensor{x})[0].At(i)
		}
		num := (d(xi+eps) - d(xi-eps)) / (2 * eps)
		if math.Abs(num-6*xi) > 1e-6 {
			t.Errorf("numerical second derivative at %v: %v, want %v", xi, num, 6*xi)
		}
	}

	// Through Backward: with CreateGraph the gradient left in Grad is
	// itself differentiable, and differentiating it accumulates into Grad
	// (x.grad = 3x² + 6x), as in PyTorch.
	x2 := f64(true, xs)
	cube(x2).Backward(tensor.CreateGraph())
	if !x2.Grad().RequiresGrad() {
		t.Fatal("Grad after Backward(CreateGraph()) does not require a gradient")
	}
	x2.Grad().Sum().Backward()
	expectGrad(t, "3x² + 6x", x2, []float64{0.75 + 3, 6.75 - 9, 12 + 12, 0}, 0)
}

func TestHessianVectorProduct(t *testing.T) {
	// f(W1, W2) = Σ (tanh(x·W1 + b)·W2 − y)² for a fixed batch. The
	// Hessian-vector product H·v is the gradient of ⟨∇f, v⟩, with ∇f
	// computed under CreateGraph; it must match the central difference
	// (∇f(θ + εv) − ∇f(θ − εv)) / 2ε of plain gradients.
	r := rand.New(rand.NewPCG(5, 6))
	x := tensor.Randn(r, tensor.Float64, 5, 3)
	y := tensor.Randn(r, tensor.Float64, 5, 2)
	b := tensor.Randn(r, tensor.Float64, 4)
	w1v := tensor.Randn(r, tensor.Float64, 3, 4).Float64s()
	w2v := tensor.Randn(r, tensor.Float64, 4, 2).Float64s()
	v1 := tensor.Randn(r, tensor.Float64, 3, 4)
	v2 := tensor.Randn(r, tensor.Float64, 4, 2)
	f := func(w1, w2 *tensor.Tensor) *tensor.Tensor {
		d := x.MatMul(w1).Add(b).Tanh().MatMul(w2).Sub(y)
		return d.Mul(d).Sum()
	}
	params := func(shift float64) (w1, w2 *tensor.Tensor) {
		a, c := slices.Clone(w1v), slices.Clone(w2v)
		for i, d := range v1.Float64s() {
			a[i] += shift * d
		}
		for i, d := range v2.Float64s() {
			c[i] += shift * d
		}
		return f64(true, a, 3, 4), f64(true, c, 4, 2)
	}

	w1, w2 := params(0)
	g := tensor.Gradients(f(w1, w2), []*tensor.Tensor{w1, w2}, tensor.CreateGraph())
	gv := g[0].Mul(v1).Sum().Add(g[1].Mul(v2).Sum())
	hv := tensor.Gradients(gv, []*tensor.Tensor{w1, w2})

	const eps = 1e-5
	p1, p2 := params(eps)
	gp := tensor.Gradients(f(p1, p2), []*tensor.Tensor{p1, p2})
	m1, m2 := params(-eps)
	gm := tensor.Gradients(f(m1, m2), []*tensor.Tensor{m1, m2})
	for i := range hv {
		num := gp[i].Sub(gm[i]).DivScalar(2 * eps)
		if !tensor.AllClose(hv[i], num, 1e-5, 1e-6) {
			t.Errorf("H·v for W%d:\n%v\nnumerical:\n%v", i+1, hv[i], num)
		}
		if tensor.AllClose(hv[i], tensor.ZerosLike(hv[i]), 0, 1e-3) {
			t.Errorf("H·v for W%d is zero", i+1)
		}
	}
}

func TestGradients(t *testing.T) {
	x := f64(true, []float64{1, 2, 3})
	u := f64(true, []float64{4, 5}) // y does not depend on u
	c := f64(false, []float64{2, 2, 2})
	x.SetGrad(tensor.FromSlice([]float64{9, 9, 9}))
	z := x.Mul(c)       // non-leaf
	y := z.Mul(z).Sum() // y = Σ (2x)², dy/dz = 2z, dy/dx = 8x
	gs := tensor.Gradients(y, []*tensor.Tensor{x, u, z, y}, tensor.RetainGraph())
	expectClose(t, "dy/dx", gs[0], []int{3}, []float64{8, 16, 24}, 0)
	expectClose(t, "dy/du", gs[1], []int{2}, []float64{0, 0}, 0)
	expectClose(t, "dy/dz", gs[2], []int{3}, []float64{4, 8, 12}, 0)
	expectClose(t, "dy/dy", gs[3], []int{}, []float64{1}, 0)
	expectGrad(t, "x (untouched)", x, []float64{9, 9, 9}, 0)
	if u.Grad() != nil || c.Grad() != nil || z.Grad() != nil {
		t.Error("Gradients set a Grad")
	}
	// Without CreateGraph the results are plain tensors: not part of a
	// graph, not NoGrad, so computations with them record as usual.
	w := f64(true, []float64{1, 1, 1})
	for i, g := range gs {
		if g.RequiresGrad() || g.IsNoGrad() || !g.IsContiguous() {
			t.Errorf("result %d: requires grad %v, NoGrad %v, contiguous %v", i, g.RequiresGrad(), g.IsNoGrad(), g.IsContiguous())
		}
	}
	if !gs[0].Mul(w).RequiresGrad() {
		t.Error("an operation on a gradient and a parameter is not recorded")
	}
	// A sum reduces to a broadcast gradient; the result is materialized.
	s := tensor.Gradients(x.Sum(), []*tensor.Tensor{x})[0]
	s.RawFloat64()[0] = 5
	expectClose(t, "d(Σx)/dx", s, []int{3}, []float64{5, 1, 1}, 0)
	// With an output gradient.
	v := tensor.FromSlice([]float64{1, -1, 0.5})
	gv := tensor.Gradients(z, []*tensor.Tensor{x}, tensor.WithGrad(v))[0]
	expectClose(t, "vᵀ dz/dx", gv, []int{3}, []float64{2, -2, 1}, 0)

	// No inputs: nothing is returned and no Grad is touched.
	q := f64(true, []float64{1})
	if gs := tensor.Gradients(q.MulScalar(2).Sum(), nil); len(gs) != 0 || q.Grad() != nil {
		t.Errorf("Gradients with no inputs: %v, Grad %v", gs, q.Grad())
	}

	mustPanic(t, "tensor.Gradients: input does not require a gradient (shapes [3])",
		func() { tensor.Gradients(y, []*tensor.Tensor{c}) })
	mustPanic(t, "tensor.Gradients: backward of a non-scalar output needs an output gradient (WithGrad) (shapes [3])",
		func() { tensor.Gradients(z, []*tensor.Tensor{x}) })
}

func TestLongChain(t *testing.T) {
	// 100,000 recorded operations: the engine must not recurse.
	const n = 100000
	const s = 1.0000001
	x := f64(true, []float64{1.5})
	y := x
	want, wantY := 1.0, 1.5
	for i := 0; i < n; i++ {
		y = y.MulScalar(s)
		want *= s // the backward pass multiplies the same factors
		wantY *= s
	}
	y.Sum().Backward()
	expectGrad(t, "x", x, []float64{want}, 0)
	if got := y.Item(); got != wantY {
		t.Errorf("forward value %v, want %v", got, wantY)
	}
	if p := math.Pow(s, n); math.Abs(want-p) > 1e-9 {
		t.Errorf("product of the factors %v, want %v", want, p)
	}

	// The same with additions, through Gradients.
	z := f64(true, []float64{1, 2})
	y = z
	for i := 0; i < n; i++ {
		y = y.AddScalar(1)
	}
	g := tensor.Gradients(y.Sum(), []*tensor.Tensor{z})[0]
	expectClose(t, "chain of additions", g, []int{2}, []float64{1, 1}, 0)
	expectClose(t, "forward", y, []int{2}, []float64{1 + n, 2 + n}, 0)
}

func TestNoGrad(t *testing.T) {
	x := f64(true, []float64{1, 2})
	w := f64(true, []float64{3, 4})
	v := x.NoGrad()
	if v.RequiresGrad() || !v.IsNoGrad() || !v.IsLeaf() {
		t.Fatalf("NoGrad view: requires grad %v, NoGrad %v, leaf %v", v.RequiresGrad(), v.IsNoGrad(), v.IsLeaf())
	}
	if x.IsNoGrad() {
		t.Fatal("NoGrad flagged the original tensor")
	}
	for name, y := range map[string]*tensor.Tensor{
		"first operand":  v.Mul(w),
		"second operand": w.Mul(v),
		"chain":          v.Mul(w).Add(w).Sum().MulScalar(2),
		"view":           v.Reshape(2, 1).T().Expand(3, 2).Sum(0),
		"matmul":         w.Reshape(1, 2).MatMul(v.Reshape(2, 1)),
		"concat":         tensor.Concat([]*tensor.Tensor{w, v}, 0),
	} {
		if y.RequiresGrad() || !y.IsNoGrad() || !y.IsLeaf() {
			t.Errorf("%s: requires grad %v, NoGrad %v, leaf %v", name, y.RequiresGrad(), y.IsNoGrad(), y.IsLeaf())
		}
	}
	if got := v.Mul(w).Float64s(); !slices.Equal(got, []float64{3, 8}) {
		t.Errorf("values %v, want [3 8]", got)
	}
	// The view shares storage with x.
	x.Set(10, 0)
	if v.At(0) != 10 {
		t.Error("NoGrad copied the data")
	}
	// Nothing global changed: x still records.
	y := x.Mul(w).Sum()
	if !y.RequiresGrad() {
		t.Fatal("x stopped recording after NoGrad was used")
	}
	y.Backward()
	expectGrad(t, "w", w, []float64{10, 2}, 0)
	mustPanic(t, "tensor.Backward: tensor does not require a gradient (no input was marked with SetRequiresGrad, or it was computed from a NoGrad tensor) (shapes [])",
		func() { v.Mul(w).Sum().Backward() })
}

// TestNoGradWhileTraining runs inference on NoGrad views of a model's
// parameters in one goroutine while another trains the same parameters.
// With a global recording switch the trainer would lose its graph or the
// inference would record; run it with -race to check the engine shares no
// graph state. Parameter updates happen under a lock that inference holds
// while reading, as a serving system would arrange.
func TestNoGradWhileTraining(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const batch, nIn, nOut = 8, 4, 3
	x := tensor.Randn(r, tensor.Float64, batch, nIn)
	target := tensor.Randn(r, tensor.Float64, batch, nOut)
	w := tensor.Randn(r, tensor.Float64, nIn, nOut).SetRequiresGrad(true)
	b := tensor.Zeros(tensor.Float64, nOut).SetRequiresGrad(true)
	xv := x.Float64s()

	// forward computes x·w + b with plain loops from the raw parameters.
	forward := func() []float64 {
		wv, bv := w.RawFloat64(), b.RawFloat64()
		out := make([]float64, batch*nOut)
		for i := 0; i < batch; i++ {
			for j := 0; j < nOut; j++ {
				s := bv[j]
				for k := 0; k < nIn; k++ {
					s += xv[i*nIn+k] * wv[k*nOut+j]
				}
				out[i*nOut+j] = s
			}
		}
		return out
	}

	var mu sync.RWMutex
	done := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	inferences := 0
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			mu.RLock()
			y := x.MatMul(w.NoGrad()).Add(b.NoGrad())
			want := forward()
			mu.RUnlock()
			if y.RequiresGrad() || !y.IsNoGrad() {
				t.Errorf("inference recorded: requires grad %v, NoGrad %v", y.RequiresGrad(), y.IsNoGrad())
				return
			}
			got := y.Float64s()
			for j := range want {
				if math.Abs(got[j]-want[j]) > 1e-12 {
					t.Errorf("inference %d: %v, want %v", i, got, want)
					return
				}
			}
			inferences++
			if i == 0 {
				close(started)
			}
		}
	}()
	<-started

	const lr = 0.01
	firstLoss, lastLoss := 0.0, 0.0
	for step := 0; step < 300; step++ {
		d := x.MatMul(w).Add(b).Add(target.MulScalar(-1))
		loss := d.Mul(d).Sum()
		if !loss.RequiresGrad() || loss.IsNoGrad() {
			t.Fatalf("step %d: the training loss was not recorded", step)
		}
		w.ZeroGrad()
		b.ZeroGrad()
		loss.Backward()
		// dL/db = Σ_i 2·d_i, checked against plain loops.
		dv := d.Float64s()
		gb := b.Grad().Float64s()
		for j := 0; j < nOut; j++ {
			s := 0.0
			for i := 0; i < batch; i++ {
				s += 2 * dv[i*nOut+j]
			}
			if math.Abs(gb[j]-s) > 1e-9 {
				t.Fatalf("step %d: dL/db[%d] = %v, want %v", step, j, gb[j], s)
			}
		}
		mu.Lock()
		for i, g := range w.Grad().Float64s() {
			w.RawFloat64()[i] -= lr * g
		}
		for i, g := range gb {
			b.RawFloat64()[i] -= lr * g
		}
		mu.Unlock()
		if step == 0 {
			firstLoss = loss.Item()
		}
		lastLoss = loss.Item()
	}
	close(done)
	wg.Wait()
	if !(lastLoss < firstLoss) {
		t.Errorf("loss went from %v to %v", firstLoss, lastLoss)
	}
	if inferences == 0 {
		t.Error("no inference ran")
	}
}

func TestSetRequiresGradErrors(t *testing.T) {
	mustPanic(t, "tensor.SetRequiresGrad: only floating-point tensors can require gradients, not int64 (shapes [3])",
		func() { tensor.Zeros(tensor.Int64, 3).SetRequiresGrad(true) })
	x := f64(true, []float64{1, 2, 3})
	y := x.MulScalar(2)
	mustPanic(t, "tensor.SetRequiresGrad: only leaf tensors can change requires-grad; use Detach (shapes [3])",
		func() { y.SetRequiresGrad(false) })
	// Turning it off on an int64 tensor, or on a leaf, is fine.
	if tensor.Zeros(tensor.Int64, 3).SetRequiresGrad(false).RequiresGrad() {
		t.Error("int64 tensor requires a gradient")
	}
	if x.SetRequiresGrad(false).RequiresGrad() || x.MulScalar(2).RequiresGrad() {
		t.Error("SetRequiresGrad(false) did not stop recording")
	}
	// Detach gives a leaf that can require a gradient of its own.
	d := y.Detach().SetRequiresGrad(true)
	d.Sum().Backward()
	expectGrad(t, "detached", d, []float64{1, 1, 1}, 0)
}

func TestSetData(t *testing.T) {
	p := f64(true, []float64{1, 2})
	p.Sum().Backward()
	p.SetData(tensor.FromSlice([]float64{3, 4, 5}))
	if p.Grad() != nil || !p.RequiresGrad() || p.Numel() != 3 {
		t.Fatalf("after SetData: grad %v, requires grad %v, numel %d", p.Grad(), p.RequiresGrad(), p.Numel())
	}
	p.Mul(p).Sum().Backward()
	expectGrad(t, "p", p, []float64{6, 8, 10}, 0)
	mustPanic(t, "tensor.SetData: a tensor that requires a gradient needs floating-point data, not int64 (shapes [3], [1])",
		func() { p.SetData(tensor.Zeros(tensor.Int64, 1)) })
	mustPanic(t, "tensor.SetData: only leaf tensors can have their data replaced (shapes [3], [3])",
		func() { p.MulScalar(1).SetData(tensor.Zeros(tensor.Float64, 3)) })
}
