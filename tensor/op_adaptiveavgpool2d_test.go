package tensor_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/tensor"
)

// adaptiveRef is a plain-loop reference of adaptive_avg_pool2d written with
// floating-point floor and ceil.
func adaptiveRef(x []float64, xs []int, oh, ow int) []float64 {
	n, c, h, w := xs[0], xs[1], xs[2], xs[3]
	var y []float64
	for pl := 0; pl < n*c; pl++ {
		for i := 0; i < oh; i++ {
			h0 := int(math.Floor(float64(i*h) / float64(oh)))
			h1 := int(math.Ceil(float64((i+1)*h) / float64(oh)))
			for j := 0; j < ow; j++ {
				w0 := int(math.Floor(float64(j*w) / float64(ow)))
				w1 := int(math.Ceil(float64((j+1)*w) / float64(ow)))
				s := 0.0
				for a := h0; a < h1; a++ {
					for b := w0; b < w1; b++ {
						s += x[(pl*h+a)*w+b]
					}
				}
				y = append(y, s/float64((h1-h0)*(w1-w0)))
			}
		}
	}
	return y
}

var adaptiveCases = []struct {
	name   string
	x      []int
	oh, ow int
}{
	{"divisible", []int{2, 3, 6, 4}, 3, 2},
	{"overlapping windows", []int{2, 2, 5, 7}, 3, 4},
	{"global", []int{2, 3, 4, 5}, 1, 1},
	{"identity", []int{1, 2, 3, 3}, 3, 3},
	{"upsampling", []int{1, 2, 2, 3}, 5, 4},
}

func TestAdaptiveAvgPool2dValues(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	for _, c := range adaptiveCases {
		t.Run(c.name, func(t *testing.T) {
			x := tensor.Randn(r, tensor.Float64, c.x...)
			wantT := tensor.FromSlice(adaptiveRef(x.Float64s(), c.x, c.oh, c.ow), c.x[0], c.x[1], c.oh, c.ow)
			if got := tensor.AdaptiveAvgPool2d(x, c.oh, c.ow); !tensor.AllClose(got, wantT, 1e-14, 1e-14) {
				t.Fatalf("AdaptiveAvgPool2d differs from the reference loop:\n%v\nwant\n%v", got, wantT)
			}
			xp := x.Permute(0, 2, 3, 1).Contiguous().Permute(0, 3, 1, 2)
			if !tensor.AllClose(tensor.AdaptiveAvgPool2d(xp, c.oh, c.ow), wantT, 1e-14, 1e-14) {
				t.Fatal("AdaptiveAvgPool2d of a permuted view differs")
			}
			un := tensor.AdaptiveAvgPool2d(x.Narrow(0, 0, 1).Squeeze(0), c.oh, c.ow)
			if !tensor.AllClose(un, wantT.Narrow(0, 0, 1).Squeeze(0), 1e-14, 1e-14) {
				t.Fatal("unbatched AdaptiveAvgPool2d differs from the batched one")
			}
		})
	}
	// By hand: five columns into three outputs average [0, 2), [1, 4) and
	// [3, 5).
	x := tensor.FromSlice([]float64{0, 1, 2, 3, 4}, 1, 1, 1, 5)
	if got := tensor.AdaptiveAvgPool2d(x, 1, 3).Float64s(); fmt.Sprint(got) != "[0.5 2 3.5]" {
		t.Fatalf("AdaptiveAvgPool2d = %v, want [0.5 2 3.5]", got)
	}
	// With a divisible size it is AvgPool2d.
	y := tensor.Randn(r, tensor.Float64, 2, 2, 6, 8)
	if !tensor.AllClose(tensor.AdaptiveAvgPool2d(y, 3, 2), tensor.AvgPool2d(y, [2]int{2, 4}, [2]int{}, [2]int{}), 1e-14, 1e-14) {
		t.Fatal("AdaptiveAvgPool2d differs from the equivalent AvgPool2d")
	}
}

func TestAdaptiveAvgPool2dGrad(t *testing.T) {
	var gc []gradCase
	for _, c := range adaptiveCases {
		gc = append(gc, gradCase{c.name, func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, c.x...)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.AdaptiveAvgPool2d(x[0], c.oh, c.ow) }, nil})
	}
	gc = append(gc,
		gradCase{"permuted input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 5, 7, 2)) },
			func(x []*tensor.Tensor) *tensor.Tensor {
				return tensor.AdaptiveAvgPool2d(x[0].Permute(0, 3, 1, 2), 3, 4)
			}, nil},
		gradCase{"unbatched", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 5, 7)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.AdaptiveAvgPool2d(x[0], 3, 4) }, nil},
		gradCase{"input needs no grad", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(constIn(r, -1, 1, 2, 2, 5, 7), in(r, -1, 1, 2, 2, 3, 4))
		}, func(x []*tensor.Tensor) *tensor.Tensor { return tensor.AdaptiveAvgPool2d(x[0], 3, 4).Mul(x[1]) }, nil},
	)
	runGradCases(t, gc)
}

func TestAdaptiveAvgPool2dSecond(t *testing.T) {
	r := rand.New(rand.NewPCG(53, 54))
	f := func(x []*tensor.Tensor) *tensor.Tensor {
		y := tensor.AdaptiveAvgPool2d(x[0], 3, 4)
		return y.Mul(y)
	}
	if err := gradcheck.CheckSecond(f, inputs(in(r, -1, 1, 2, 2, 5, 7)), nil); err != nil {
		t.Fatal(err)
	}
}
