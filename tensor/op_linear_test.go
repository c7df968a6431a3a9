package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// linearRef computes x·wᵀ + b (and ReLU) with plain loops in float64 for
// x [m, k], w [n, k], b [n] (nil for none).
func linearRef(x, w, b []float64, m, n, k int, relu bool) []float64 {
	y := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for p := 0; p < k; p++ {
				s += x[i*k+p] * w[j*k+p]
			}
			if b != nil {
				s += b[j]
			}
			if relu && s <= 0 {
				s = 0
			}
			y[i*n+j] = s
		}
	}
	return y
}

func TestLinearValues(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {64, 784, 256}, {17, 33, 10}, {4, 0, 3}, {0, 3, 2}} {
			m, k, n := sz[0], sz[1], sz[2]
			for _, relu := range []bool{false, true} {
				for _, bias := range []bool{false, true} {
					x := tensor.Uniform(r, dt, -1, 1, m, k)
					w := tensor.Uniform(r, dt, -1, 1, n, k)
					var b *tensor.Tensor
					var bv []float64
					if bias {
						b = tensor.Uniform(r, dt, -1, 1, n)
						bv = b.Float64s()
					}
					want := tensor.FromSlice(linearRef(x.Float64s(), w.Float64s(), bv, m, n, k, relu), m, n)
					var got *tensor.Tensor
					if relu {
						got = tensor.LinearReLU(x, w, b)
					} else {
						got = tensor.Linear(x, w, b)
					}
					tol := 1e-12
					if dt == tensor.Float32 {
						tol = 1e-4
					}
					if got.DType() != dt || !tensor.AllClose(got.To(tensor.Float64), want, tol, tol) {
						t.Fatalf("%v %v relu=%v bias=%v: result differs from the reference loop", dt, sz, relu, bias)
					}
				}
			}
		}
	}
}

func TestLinearLayouts(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	x := tensor.Uniform(r, tensor.Float64, -1, 1, 2, 3, 5)
	w := tensor.Uniform(r, tensor.Float64, -1, 1, 4, 5)
	b := tensor.Uniform(r, tensor.Float64, -1, 1, 4)
	ref := func(x, w, b *tensor.Tensor) *tensor.Tensor { return x.MatMul(w.T()).Add(b) }
	cases := []struct {
		name    string
		x, w, b *tensor.Tensor
	}{
		{"3-D input", x, w, b},
		{"1-D input", x.Reshape(-1, 5).Slice(0, 2, 3, 1).Reshape(5), w, b},
		{"permuted input", tensor.Uniform(r, tensor.Float64, -1, 1, 5, 3, 2).Permute(2, 1, 0), w, b},
		{"column-major input", tensor.Uniform(r, tensor.Float64, -1, 1, 5, 6).T(), w, b},
		{"strided input", tensor.Uniform(r, tensor.Float64, -1, 1, 6, 10).Slice(1, 0, 10, 2), w, b},
		{"transposed weight", x, tensor.Uniform(r, tensor.Float64, -1, 1, 5, 4).T(), b},
		{"strided bias", x, w, tensor.Uniform(r, tensor.Float64, -1, 1, 8).Slice(0, 0, 8, 2)},
	}
	for _, c := range cases {
		got := tensor.Linear(c.x, c.w, c.b)
		want := ref(c.x, c.w, c.b)
		if !tensor.AllClose(got, want, 1e-12, 1e-12) {
			t.Errorf("%s: Linear differs from MatMul + Add:\n%v\nwant\n%v", c.name, got, want)
		}
	}
}

func TestLinearGrad(t *testing.T) {
	lin := func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Linear(x[0], x[1], x[2]) }
	linReLU := func(x []*tensor.Tensor) *tensor.Tensor { return tensor.LinearReLU(x[0], x[1], x[2]) }
	mk := func(xs ...[]int) func(r *rand.Rand) []*tensor.Tensor {
		return func(r *rand.Rand) []*tensor.Tensor {
			var ts []*tensor.Tensor
			for _, s := range xs {
				ts = append(ts, in(r, -1, 1, s...))
			}
			return ts
		}
	}
	cases := []gradCase{
		{"plain", mk([]int{4, 3}, []int{5, 3}, []int{5}), lin, nil},
		{"relu", mk([]int{4, 3}, []int{5, 3}, []int{5}), linReLU, nil},
		{"3-D input", mk([]int{2, 3, 4}, []int{2, 4}, []int{2}), lin, nil},
		{"1-D input", mk([]int{3}, []int{2, 3}, []int{2}), linReLU, nil},
		{"no bias", mk([]int{4, 3}, []int{5, 3}), func(x []*tensor.Tensor) *tensor.Tensor { return tensor.LinearReLU(x[0], x[1], nil) }, nil},
		{"transposed weight", mk([]int{4, 3}, []int{3, 5}, []int{5}),
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Linear(x[0], x[1].T(), x[2]) }, nil},
		{"permuted input", mk([]int{3, 4}, []int{5, 3}, []int{5}),
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.LinearReLU(x[0].T(), x[1], x[2]) }, nil},
		{"sliced input and bias", mk([]int{4, 6}, []int{2, 3}, []int{4}),
			func(x []*tensor.Tensor) *tensor.Tensor {
				return tensor.Linear(x[0].Slice(1, 0, 6, 2), x[1], x[2].Slice(0, 1, 4, 2))
			}, nil},
		{"used twice", mk([]int{3, 3}, []int{3}),
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Linear(x[0], x[0], x[1]) }, nil},
		{"stacked layers share weight", mk([]int{2, 3}, []int{3, 3}, []int{3}),
			func(x []*tensor.Tensor) *tensor.Tensor {
				return tensor.Linear(tensor.LinearReLU(x[0], x[1], x[2]), x[1], x[2])
			}, nil},
		{"constant input", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(constIn(r, -1, 1, 4, 3), in(r, -1, 1, 2, 3), in(r, -1, 1, 2))
		}, linReLU, nil},
		{"constant weight", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, 4, 3), constIn(r, -1, 1, 2, 3), constIn(r, -1, 1, 2))
		}, lin, nil},
		{"non-leaf weight", mk([]int{4, 3}, []int{2, 3}, []int{2}),
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Linear(x[0], x[1].Mul(x[1]), x[2].Exp()) }, nil},
	}
	runGradCases(t, cases)
	// The map is linear in each of (x) and (w, b): with one of them
	// constant the gradient does not depend on the inputs, so only the
	// other cases have second derivatives to check.
	runSecondCases(t, cases[:len(cases)-3])
	runSecondCases(t, cases[len(cases)-1:])
}

// TestLinearAccumulates checks that gradients added straight into existing
// Grad storage accumulate over backward passes, as with any other op, and
// agree with the unfused MatMul + Add + ReLU.
func TestLinearAccumulates(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	x := tensor.Uniform(r, tensor.Float32, -1, 1, 8, 6)
	w := tensor.Uniform(r, tensor.Float32, -1, 1, 5, 6).SetRequiresGrad(true)
	b := tensor.Uniform(r, tensor.Float32, -1, 1, 5).SetRequiresGrad(true)
	w2 := w.Detach().Clone().SetRequiresGrad(true)
	b2 := b.Detach().Clone().SetRequiresGrad(true)
	for pass := 1; pass <= 3; pass++ {
		tensor.LinearReLU(x, w, b).Sum().Backward()
		x.MatMul(w2.T()).Add(b2).ReLU().Sum().Backward()
		if !tensor.AllClose(w.Grad(), w2.Grad(), 1e-5, 1e-5) || !tensor.AllClose(b.Grad(), b2.Grad(), 1e-5, 1e-5) {
			t.Fatalf("pass %d: fused gradients differ from the unfused ones", pass)
		}
		if pass == 2 {
			gw := w.Grad()
			w.ZeroGradInPlace()
			b.ZeroGradInPlace()
			w2.ZeroGrad()
			b2.ZeroGrad()
			if w.Grad() != gw || gw.Sum().Item() != 0 {
				t.Fatal("ZeroGradInPlace did not zero the gradient in place")
			}
		}
	}
}

func TestLinearGradients(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	x := tensor.Uniform(r, tensor.Float64, -1, 1, 3, 4).SetRequiresGrad(true)
	w := tensor.Uniform(r, tensor.Float64, -1, 1, 2, 4).SetRequiresGrad(true)
	b := tensor.Uniform(r, tensor.Float64, -1, 1, 2).SetRequiresGrad(true)
	got := tensor.Gradients(tensor.LinearReLU(x, w, b).Sum(), []*tensor.Tensor{w, b, x})
	want := tensor.Gradients(x.MatMul(w.T()).Add(b).ReLU().Sum(), []*tensor.Tensor{w, b, x})
	for i := range got {
		if !tensor.AllClose(got[i], want[i], 1e-12, 1e-12) {
			t.Errorf("gradient %d differs from the unfused one", i)
		}
	}
	if w.Grad() != nil || b.Grad() != nil || x.Grad() != nil {
		t.Error("Gradients touched Grad")
	}
}

func TestLinearNaN(t *testing.T) {
	x := tensor.FromSlice([]float32{1, 1}, 1, 2)
	w := tensor.FromSlice([]float32{1, 0, 0, 1}, 2, 2)
	b := tensor.FromSlice([]float32{float32(math.NaN()), -1})
	y := tensor.LinearReLU(x, w, b).Float32s()
	if !math.IsNaN(float64(y[0])) || y[1] != 0 {
		t.Fatalf("LinearReLU = %v, want [NaN 0]", y)
	}
}

func TestLinearErrors(t *testing.T) {
	f := func(s ...int) *tensor.Tensor { return tensor.Zeros(tensor.Float32, s...) }
	mustPanic(t, "tensor.Linear: input's last dimension must be 3, the weight's in-features (shapes [2 4], [5 3])", func() {
		tensor.Linear(f(2, 4), f(5, 3), nil)
	})
	mustPanic(t, "tensor.Linear: bias must have shape [5] (shapes [2 3], [5 3], [4])", func() {
		tensor.Linear(f(2, 3), f(5, 3), f(4))
	})
	mustPanic(t, "tensor.LinearReLU: weight must be 2-D [out, in] (shapes [2 3], [3])", func() {
		tensor.LinearReLU(f(2, 3), f(3), nil)
	})
	mustPanic(t, "tensor.Linear: dtypes differ (shapes [2 3], [5 3])", func() {
		tensor.Linear(f(2, 3), tensor.Zeros(tensor.Float64, 5, 3), nil)
	})
	mustPanic(t, "tensor.Linear: not supported for dtype int64 (shapes [2 3], [5 3])", func() {
		tensor.Linear(tensor.Zeros(tensor.Int64, 2, 3), tensor.Zeros(tensor.Int64, 5, 3), nil)
	})
	mustPanic(t, "tensor.Linear: input's last dimension must be 3, the weight's in-features (shapes [], [5 3])", func() {
		tensor.Linear(tensor.Scalar(1, tensor.Float32), f(5, 3), nil)
	})
}
