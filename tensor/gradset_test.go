package tensor_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// shardNet is a small network whose parameters are used by every kind of
// leaf gradient the engine delivers: the fused Linear writing into the
// gradient directly, a convolution and a broadcast multiplication going
// through the engine, and a parameter used twice.
type shardNet struct {
	cw, cb, scale, w1, b1, w2 *tensor.Tensor
}

func newShardNet(r *rand.Rand, dt tensor.DType) *shardNet {
	p := func(shape ...int) *tensor.Tensor { return tensor.Randn(r, dt, shape...).SetRequiresGrad(true) }
	return &shardNet{cw: p(3, 1, 3, 3), cb: p(3), scale: p(3, 1, 1), w1: p(8, 3*3*3), b1: p(8), w2: p(4, 8)}
}

func (n *shardNet) params() []*tensor.Tensor {
	return []*tensor.Tensor{n.cw, n.cb, n.scale, n.w1, n.b1, n.w2}
}

// loss is the mean over the batch of a squared error, times frac (the
// batch's share of the whole batch when it is a shard).
func (n *shardNet) loss(x, y *tensor.Tensor, frac float64) *tensor.Tensor {
	h := tensor.Conv2d(x, n.cw, n.cb, tensor.Conv2dOptions{}).Mul(n.scale)
	h = tensor.MaxPool2d(h.ReLU(), [2]int{2, 2}, [2]int{2, 2}, [2]int{})
	h = tensor.LinearReLU(h.Flatten(1, -1), n.w1, n.b1)
	out := tensor.Linear(h, n.w2, nil).Add(tensor.Linear(h, n.w2, nil).Mul(tensor.Full(x.DType(), 0.5)))
	d := out.Sub(y)
	return d.Mul(d).Mean().Mul(tensor.Full(x.DType(), frac))
}

// TestGradSetShards checks that the gradients of a batch computed as two
// shards at once, each into its own GradSet, add up to the gradient of the
// whole batch, that the leaves' Grad fields are not touched, and that the
// sets' storage survives the shards' arenas.
func TestGradSetShards(t *testing.T) {
	for _, dt := range []tensor.DType{tensor.Float64, tensor.Float32} {
		r := rand.New(rand.NewPCG(3, 9))
		net := newShardNet(r, dt)
		x := tensor.Randn(r, dt, 10, 1, 8, 8)
		y := tensor.Randn(r, dt, 10, 4)
		net.loss(x, y, 1).Backward()
		var want [][]float64
		for _, p := range net.params() {
			want = append(want, p.Grad().Float64s())
			p.ZeroGrad()
		}
		sets := []*tensor.GradSet{tensor.NewGradSet(net.params()), tensor.NewGradSet(net.params())}
		for round := range 3 {
			for _, s := range sets {
				s.Zero()
			}
			var wg sync.WaitGroup
			for k, s := range sets {
				wg.Go(func() {
					a := tensor.NewArena()
					xs, ys := x.Narrow(0, 6*k, 6-2*k), y.Narrow(0, 6*k, 6-2*k) // 6 and 4 examples
					net.loss(xs.InArena(a), ys, float64(xs.Size(0))/10).Backward(tensor.AccumulateInto(s))
					a.Reset()
				})
			}
			wg.Wait()
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 2e-5
			}
			for i, p := range net.params() {
				if p.Grad() != nil {
					t.Fatalf("%v round %d: parameter %d got a Grad", dt, round, i)
				}
				g0, g1 := sets[0].Grad(p).Float64s(), sets[1].Grad(p).Float64s()
				for j := range want[i] {
					if got := g0[j] + g1[j]; math.Abs(got-want[i][j]) > tol*(1+math.Abs(want[i][j])) {
						t.Fatalf("%v round %d: parameter %d element %d: shards give %v, whole batch %v", dt, round, i, j, got, want[i][j])
					}
				}
			}
		}
	}
}

func TestGradSetErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	w := tensor.Randn(r, tensor.Float64, 3, 2).SetRequiresGrad(true)
	v := tensor.Randn(r, tensor.Float64, 3).SetRequiresGrad(true)
	x := tensor.Randn(r, tensor.Float64, 4, 2)
	cases := []struct {
		name, want string
		f          func()
	}{
		{"not a leaf", "not a leaf", func() { tensor.NewGradSet([]*tensor.Tensor{w.Mul(w)}) }},
		{"no gradient", "does not require a gradient", func() { tensor.NewGradSet([]*tensor.Tensor{x}) }},
		{"twice", "given twice", func() { tensor.NewGradSet([]*tensor.Tensor{w, v, w}) }},
		{"leaf missing", "not in the GradSet", func() {
			tensor.Linear(x, w, v).Sum().Backward(tensor.AccumulateInto(tensor.NewGradSet([]*tensor.Tensor{w})))
		}},
		{"create graph", "CreateGraph", func() {
			tensor.Linear(x, w, v).Sum().Backward(tensor.AccumulateInto(tensor.NewGradSet([]*tensor.Tensor{w, v})), tensor.CreateGraph())
		}},
		{"gradients", "Gradients", func() {
			tensor.Gradients(tensor.Linear(x, w, v).Sum(), []*tensor.Tensor{w}, tensor.AccumulateInto(tensor.NewGradSet([]*tensor.Tensor{w, v})))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := tensor.Try(c.f)
			var te *tensor.Error
			if !errors.As(err, &te) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want a *tensor.Error mentioning %q", err, c.want)
			}
		})
	}
	// A set lists its leaves in order, returns nil for others, and Zero
	// clears it.
	s := tensor.NewGradSet([]*tensor.Tensor{w, v})
	if l := s.Leaves(); len(l) != 2 || l[0] != w || l[1] != v || s.Grad(x) != nil || len(s.Grads()) != 2 {
		t.Fatalf("Leaves %v, Grad(x) %v", l, s.Grad(x))
	}
	tensor.Linear(x, w, v).Sum().Backward(tensor.AccumulateInto(s))
	if s.Grad(v).Float64s()[0] != 4 { // Σ over 4 rows of 1
		t.Fatalf("bias gradient %v, want 4s", s.Grad(v).Float64s())
	}
	s.Zero()
	for _, g := range s.Grads() {
		for _, e := range g.Float64s() {
			if e != 0 {
				t.Fatalf("after Zero: %v", g)
			}
		}
	}
}

// TestGradSetAddToGrad checks AddToGrad for leaves without a Grad (they get
// a copy), with a plain Grad (added in place, split over the
// processors for big sets, the same with one and two workers), with a strided Grad and with a
// Grad that is part of a graph (the sum is recorded).
func TestGradSetAddToGrad(t *testing.T) {
	for _, big := range []bool{false, true} {
		var results [][]float64
		for _, procs := range []int{1, 2} {
			old := runtime.GOMAXPROCS(procs)
			r := rand.New(rand.NewPCG(5, 5))
			n := 7
			if big {
				n = 50000
			}
			a := tensor.Randn(r, tensor.Float32, n).SetRequiresGrad(true) // no Grad
			b := tensor.Randn(r, tensor.Float32, n).SetRequiresGrad(true) // plain Grad
			c := tensor.Randn(r, tensor.Float32, 3, 2).SetRequiresGrad(true)
			d := tensor.Randn(r, tensor.Float32, 2).SetRequiresGrad(true)
			bg := tensor.Randn(r, tensor.Float32, n)
			b.SetGrad(bg)
			c.SetGrad(tensor.Randn(r, tensor.Float32, 2, 3).T()) // strided
			dg := tensor.Randn(r, tensor.Float32, 2).SetRequiresGrad(true)
			d.SetGrad(dg.Mul(tensor.Full(tensor.Float32, 1))) // in a graph
			b0, c0, d0 := b.Grad().Float64s(), c.Grad().Float64s(), d.Grad().Float64s()
			s := tensor.NewGradSet([]*tensor.Tensor{a, b, c, d})
			for _, g := range s.Grads() {
				g.CopyFrom(tensor.Randn(r, tensor.Float32, g.Shape()...))
			}
			s.AddToGrad()
			check := func(name string, p *tensor.Tensor, before []float64) {
				t.Helper()
				got, add := p.Grad().Float64s(), s.Grad(p).Float64s()
				for i := range got {
					want := add[i]
					if before != nil {
						want = float64(float32(before[i]) + float32(add[i]))
					}
					if got[i] != want {
						t.Fatalf("big %v procs %d: %s element %d = %v, want %v", big, procs, name, i, got[i], want)
					}
				}
			}
			check("a", a, nil)
			check("b", b, b0)
			check("c", c, c0)
			check("d", d, d0)
			if b.Grad() != bg {
				t.Errorf("big %v: the plain Grad was replaced", big)
			}
			if !d.Grad().RequiresGrad() {
				t.Errorf("big %v: the sum with a Grad in a graph was not recorded", big)
			}
			// a's Grad is a copy: changing the set leaves it alone.
			s.Zero()
			if a.Grad().Float64s()[0] == 0 && s.Grad(a).Float64s()[0] == 0 && a.Grad().Float64s()[1] == 0 {
				t.Errorf("big %v: a's Grad aliases the set", big)
			}
			results = append(results, b.Grad().Float64s())
			runtime.GOMAXPROCS(old)
		}
		for i := range results[0] {
			if results[0][i] != results[1][i] {
				t.Fatalf("big %v: element %d differs between 1 and 2 workers", big, i)
			}
		}
	}
}
