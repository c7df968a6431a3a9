package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// TestMaxPool2x2FastPath checks the loops MaxPool2d uses for 2×2 windows
// with stride 2 over rows of contiguous elements against its general loop
// (which a channels-last view takes), on data full of ties, signed zeros,
// infinities and NaNs: the same outputs bit for bit and the gradient
// routed to the same elements.
func TestMaxPool2x2FastPath(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	vals := []float64{math.NaN(), math.Copysign(0, -1), 0, 1, -1, 2, math.Inf(-1), math.Inf(1), 0.5}
	const n, c, h, w = 3, 4, 7, 9 // odd sizes: the last row and column are dropped
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		for trial := range 20 {
			data := make([]float64, n*c*h*w)
			for i := range data {
				if trial%2 == 0 {
					data[i] = vals[r.IntN(len(vals))]
				} else {
					data[i] = vals[1+r.IntN(len(vals)-1)] // no NaN
				}
			}
			k := [2]int{2, 2}
			x1 := tensor.FromSlice(data, n, c, h, w).To(dt).SetRequiresGrad(true)
			x2 := tensor.FromSlice(data, n, c, h, w).To(dt).Permute(0, 2, 3, 1).Contiguous().SetRequiresGrad(true)
			y1 := tensor.MaxPool2d(x1, k, k, [2]int{})
			y2 := tensor.MaxPool2d(x2.Permute(0, 3, 1, 2), k, k, [2]int{})
			b1, b2 := bitsOf(y1), bitsOf(y2)
			for i := range b1 {
				if b1[i] != b2[i] {
					t.Fatalf("%v trial %d: output %d: fast path %v, general loop %v", dt, trial, i, y1.Float64s()[i], y2.Float64s()[i])
				}
			}
			g := tensor.Arange(tensor.Float64, 1, float64(y1.Numel())+1, 1).Reshape(y1.Shape()...).To(dt)
			y1.Backward(tensor.WithGrad(g))
			y2.Backward(tensor.WithGrad(g))
			g1, g2 := x1.Grad().Float64s(), x2.Grad().Permute(0, 3, 1, 2).Float64s()
			for i := range g1 {
				if g1[i] != g2[i] {
					t.Fatalf("%v trial %d: gradient %d: fast path %v, general loop %v", dt, trial, i, g1[i], g2[i])
				}
			}
		}
	}
}

// bitsOf returns the bits of t's elements as float64 (exact for float32).
func bitsOf(t *tensor.Tensor) []uint64 {
	v := t.Float64s()
	out := make([]uint64, len(v))
	for i, f := range v {
		out[i] = math.Float64bits(f)
	}
	return out
}

// TestMaxPoolBackwardPlanes checks the max-pool gradient of batches large
// enough to be scattered in several parallel chunks of planes, in an arena
// whose recycled buffers hold the previous step's values (each chunk must
// zero its own planes), against a reference loop over the windows, for
// non-overlapping and overlapping padded windows.
func TestMaxPoolBackwardPlanes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const n, c, h, w = 16, 6, 24, 23
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		for _, p := range []struct{ k, s, pad int }{{2, 2, 0}, {3, 2, 1}} {
			a := tensor.NewArena()
			for step := range 3 {
				x := tensor.Randn(r, dt, n, c, h, w).SetRequiresGrad(true)
				y := tensor.MaxPool2d(x.InArena(a), [2]int{p.k, p.k}, [2]int{p.s, p.s}, [2]int{p.pad, p.pad})
				g := tensor.Randn(r, dt, y.Shape()...)
				y.Backward(tensor.WithGrad(g))
				xs, gs := x.Float64s(), g.Float64s()
				oh, ow := y.Size(2), y.Size(3)
				want := make([]float64, len(xs))
				for pl := 0; pl < n*c; pl++ {
					for i := 0; i < oh; i++ {
						for j := 0; j < ow; j++ {
							best, bi := math.Inf(-1), -1
							for hh := max(i*p.s-p.pad, 0); hh < min(i*p.s-p.pad+p.k, h); hh++ {
								for ww := max(j*p.s-p.pad, 0); ww < min(j*p.s-p.pad+p.k, w); ww++ {
									if v := xs[pl*h*w+hh*w+ww]; v > best {
										best, bi = v, pl*h*w+hh*w+ww
									}
								}
							}
							want[bi] += gs[(pl*oh+i)*ow+j]
						}
					}
				}
				got := x.Grad().Float64s()
				for i := range want {
					if math.Abs(got[i]-want[i]) > 1e-6*(1+math.Abs(want[i])) {
						t.Fatalf("%v %+v step %d: gradient %d = %v, want %v", dt, p, step, i, got[i], want[i])
					}
				}
				a.Reset()
			}
		}
	}
}
