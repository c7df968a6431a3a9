package tensor_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/tensor"
)

// avgPoolRef is a plain-loop reference of avg_pool2d with
// count_include_pad: the padded zeros count in the mean, so every window
// divides by kernel[0]·kernel[1].
func avgPoolRef(x []float64, xs []int, k, s, p [2]int) ([]float64, []int) {
	for i := range s {
		if s[i] == 0 {
			s[i] = k[i]
		}
	}
	n, c, h, w := xs[0], xs[1], xs[2], xs[3]
	oh := (h+2*p[0]-k[0])/s[0] + 1
	ow := (w+2*p[1]-k[1])/s[1] + 1
	y := make([]float64, 0, n*c*oh*ow)
	for pl := 0; pl < n*c; pl++ {
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				sum := 0.0
				for a := 0; a < k[0]; a++ {
					for b := 0; b < k[1]; b++ {
						ih, iw := i*s[0]-p[0]+a, j*s[1]-p[1]+b
						if ih >= 0 && ih < h && iw >= 0 && iw < w {
							sum += x[(pl*h+ih)*w+iw]
						}
					}
				}
				y = append(y, sum/float64(k[0]*k[1]))
			}
		}
	}
	return y, []int{n, c, oh, ow}
}

func TestAvgPool2dValues(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for _, c := range poolCases {
		t.Run(c.name, func(t *testing.T) {
			x := tensor.Randn(r, tensor.Float64, c.x...)
			want, shape := avgPoolRef(x.Float64s(), c.x, c.kernel, c.stride, c.padding)
			wantT := tensor.FromSlice(want, shape...)
			if got := tensor.AvgPool2d(x, c.kernel, c.stride, c.padding); !tensor.AllClose(got, wantT, 1e-14, 1e-14) {
				t.Fatalf("AvgPool2d differs from the reference loop:\n%v\nwant\n%v", got, wantT)
			}
			xp := x.Permute(0, 2, 3, 1).Contiguous().Permute(0, 3, 1, 2)
			if !tensor.AllClose(tensor.AvgPool2d(xp, c.kernel, c.stride, c.padding), wantT, 1e-14, 1e-14) {
				t.Fatal("AvgPool2d of a permuted view differs")
			}
			if got := tensor.AvgPool2d(x.To(tensor.Float32), c.kernel, c.stride, c.padding); !tensor.AllClose(got.To(tensor.Float64), wantT, 1e-6, 1e-6) {
				t.Fatal("float32 AvgPool2d differs")
			}
			un := tensor.AvgPool2d(x.Narrow(0, 0, 1).Squeeze(0), c.kernel, c.stride, c.padding)
			if !tensor.AllClose(un, wantT.Narrow(0, 0, 1).Squeeze(0), 1e-14, 1e-14) {
				t.Fatal("unbatched AvgPool2d differs from the batched one")
			}
		})
	}
}

// TestAvgPool2dPaddingCounts pins count_include_pad by hand: a 2×2 input
// of ones, padded by one and pooled 2×2 with stride 2, gives windows that
// each hold one real element among four.
func TestAvgPool2dPaddingCounts(t *testing.T) {
	x := tensor.Ones(tensor.Float64, 1, 1, 2, 2).SetRequiresGrad(true)
	y := tensor.AvgPool2d(x, [2]int{2, 2}, [2]int{}, [2]int{1, 1})
	if got := y.Float64s(); fmt.Sprint(got) != "[0.25 0.25 0.25 0.25]" {
		t.Fatalf("AvgPool2d = %v, want [0.25 0.25 0.25 0.25]", got)
	}
	y.Sum().Backward()
	if g := x.Grad().Float64s(); fmt.Sprint(g) != "[0.25 0.25 0.25 0.25]" {
		t.Fatalf("gradient %v, want [0.25 0.25 0.25 0.25]", g)
	}
}

func TestAvgPool2dGrad(t *testing.T) {
	runGradCases(t, poolGradCases(tensor.AvgPool2d))
}

// TestAvgPool2dSecond differentiates through the recorded backward pass
// (the adjoint pooling) of AvgPool2d(x)².
func TestAvgPool2dSecond(t *testing.T) {
	c := poolCases[3]
	r := rand.New(rand.NewPCG(43, 44))
	f := func(x []*tensor.Tensor) *tensor.Tensor {
		y := tensor.AvgPool2d(x[0], c.kernel, c.stride, c.padding)
		return y.Mul(y)
	}
	if err := gradcheck.CheckSecond(f, inputs(in(r, -1, 1, c.x...)), nil); err != nil {
		t.Fatal(err)
	}
}
