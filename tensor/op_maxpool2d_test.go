package tensor_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/tensor"
)

// poolCase is one pooling configuration of the tests.
type poolCase struct {
	name                    string
	x                       []int
	kernel, stride, padding [2]int
}

var poolCases = []poolCase{
	{"2x2", []int{2, 3, 6, 6}, [2]int{2, 2}, [2]int{}, [2]int{}},
	{"3x3 stride 2", []int{2, 2, 7, 8}, [2]int{3, 3}, [2]int{2, 2}, [2]int{}},
	{"overlapping", []int{1, 2, 5, 5}, [2]int{3, 2}, [2]int{1, 1}, [2]int{}},
	{"padding", []int{2, 2, 5, 6}, [2]int{3, 2}, [2]int{2, 1}, [2]int{1, 1}},
	{"rectangular", []int{1, 3, 4, 9}, [2]int{2, 4}, [2]int{1, 3}, [2]int{1, 2}},
	{"remainder dropped", []int{1, 1, 5, 7}, [2]int{2, 3}, [2]int{}, [2]int{}},
	{"global", []int{2, 3, 3, 4}, [2]int{3, 4}, [2]int{}, [2]int{}},
}

// poolGradCases returns the gradient checks of the 2-D pooling op pool:
// every poolCase, a permuted (channels-last) input, an unbatched input and
// an input that needs no gradient.
func poolGradCases(pool func(x *tensor.Tensor, kernel, stride, padding [2]int) *tensor.Tensor) []gradCase {
	var gc []gradCase
	for _, c := range poolCases {
		gc = append(gc, gradCase{c.name, func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, c.x...)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return pool(x[0], c.kernel, c.stride, c.padding) }, nil})
	}
	c := poolCases[3]
	return append(gc,
		gradCase{"permuted input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 5, 6, 2)) },
			func(x []*tensor.Tensor) *tensor.Tensor {
				return pool(x[0].Permute(0, 3, 1, 2), c.kernel, c.stride, c.padding)
			}, nil},
		gradCase{"unbatched", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 5, 6)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return pool(x[0], c.kernel, c.stride, c.padding) }, nil},
		gradCase{"input needs no grad", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(constIn(r, -1, 1, c.x...), in(r, -1, 1, 2, 2, 3, 7))
		}, func(x []*tensor.Tensor) *tensor.Tensor {
			return pool(x[0], c.kernel, c.stride, c.padding).Mul(x[1])
		}, nil},
	)
}

// maxPoolRef is a plain-loop reference of max_pool2d on contiguous data.
func maxPoolRef(x []float64, xs []int, k, s, p [2]int) ([]float64, []int) {
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
				m := math.Inf(-1)
				for a := 0; a < k[0]; a++ {
					for b := 0; b < k[1]; b++ {
						ih, iw := i*s[0]-p[0]+a, j*s[1]-p[1]+b
						if ih >= 0 && ih < h && iw >= 0 && iw < w {
							m = math.Max(m, x[(pl*h+ih)*w+iw])
						}
					}
				}
				y = append(y, m)
			}
		}
	}
	return y, []int{n, c, oh, ow}
}

func TestMaxPool2dValues(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, c := range poolCases {
		t.Run(c.name, func(t *testing.T) {
			x := tensor.Randn(r, tensor.Float64, c.x...)
			want, shape := maxPoolRef(x.Float64s(), c.x, c.kernel, c.stride, c.padding)
			wantT := tensor.FromSlice(want, shape...)
			if got := tensor.MaxPool2d(x, c.kernel, c.stride, c.padding); !tensor.Equal(got, wantT) {
				t.Fatalf("MaxPool2d differs from the reference loop:\n%v\nwant\n%v", got, wantT)
			}
			xp := x.Permute(0, 2, 3, 1).Contiguous().Permute(0, 3, 1, 2)
			if !tensor.Equal(tensor.MaxPool2d(xp, c.kernel, c.stride, c.padding), wantT) {
				t.Fatal("MaxPool2d of a permuted view differs")
			}
			if got := tensor.MaxPool2d(x.To(tensor.Float32), c.kernel, c.stride, c.padding); !tensor.Equal(got, wantT.To(tensor.Float32)) {
				t.Fatal("float32 MaxPool2d differs")
			}
			un := tensor.MaxPool2d(x.Narrow(0, 0, 1).Squeeze(0), c.kernel, c.stride, c.padding)
			if !tensor.Equal(un, wantT.Narrow(0, 0, 1).Squeeze(0)) {
				t.Fatal("unbatched MaxPool2d differs from the batched one")
			}
		})
	}
}

// TestMaxPool2dTiesAndNaN checks which element receives the gradient: the
// first maximum in row-major order, or a NaN, which also propagates.
func TestMaxPool2dTiesAndNaN(t *testing.T) {
	nan := math.NaN()
	x := tensor.FromSlice([]float64{
		1, 1, 0, 2,
		1, 1, 2, 2,
		5, 3, nan, 1,
		4, 5, 1, 7,
	}, 1, 1, 4, 4).SetRequiresGrad(true)
	y := tensor.MaxPool2d(x, [2]int{2, 2}, [2]int{}, [2]int{})
	got := y.Float64s()
	if got[0] != 1 || got[1] != 2 || got[2] != 5 || !math.IsNaN(got[3]) {
		t.Fatalf("MaxPool2d = %v, want [1 2 5 NaN]", got)
	}
	y.Backward(tensor.WithGrad(tensor.FromSlice([]float64{10, 20, 30, 40}, 1, 1, 2, 2)))
	want := []float64{
		10, 0, 0, 20,
		0, 0, 0, 0,
		30, 0, 40, 0,
		0, 0, 0, 0,
	}
	if g := x.Grad().Float64s(); fmt.Sprint(g) != fmt.Sprint(want) {
		t.Fatalf("gradient %v, want %v", g, want)
	}
	// Overlapping windows that share a maximum add their gradients there.
	z := tensor.FromSlice([]float64{0, 9, 0, 0, 0, 0}, 1, 1, 2, 3).SetRequiresGrad(true)
	tensor.MaxPool2d(z, [2]int{2, 2}, [2]int{1, 1}, [2]int{}).Sum().Backward()
	if g := z.Grad().Float64s(); fmt.Sprint(g) != fmt.Sprint([]float64{0, 2, 0, 0, 0, 0}) {
		t.Fatalf("overlapping windows: gradient %v, want [0 2 0 0 0 0]", g)
	}
	// A window that lies mostly in the −∞ padding still picks a real element.
	p := tensor.FromSlice([]float64{-5, -6, -7, -8}, 1, 1, 2, 2)
	if got := tensor.MaxPool2d(p, [2]int{2, 2}, [2]int{2, 2}, [2]int{1, 1}).Float64s(); fmt.Sprint(got) != "[-5 -6 -7 -8]" {
		t.Fatalf("padded MaxPool2d = %v, want [-5 -6 -7 -8]", got)
	}
}

func TestMaxPool2dGrad(t *testing.T) {
	runGradCases(t, poolGradCases(tensor.MaxPool2d))
}

// TestMaxPool2dSecond differentiates through the backward pass: the
// gradient of MaxPool2d(x)² is 2·MaxPool2d(x) scattered back, which
// depends on x through the recorded scatter and gather.
func TestMaxPool2dSecond(t *testing.T) {
	c := poolCases[2]
	r := rand.New(rand.NewPCG(33, 34))
	f := func(x []*tensor.Tensor) *tensor.Tensor {
		y := tensor.MaxPool2d(x[0], c.kernel, c.stride, c.padding)
		return y.Mul(y)
	}
	if err := gradcheck.CheckSecond(f, inputs(in(r, -1, 1, c.x...)), nil); err != nil {
		t.Fatal(err)
	}
}

func TestPool2dErrors(t *testing.T) {
	x := tensor.Zeros(tensor.Float32, 1, 2, 4, 4)
	k2 := [2]int{2, 2}
	cases := []struct {
		want string
		f    func()
	}{
		{"tensor.MaxPool2d: input must be 3-D (C, H, W) or 4-D (N, C, H, W), got 2-D (shapes [4 4])",
			func() { tensor.MaxPool2d(tensor.Zeros(tensor.Float32, 4, 4), k2, k2, [2]int{}) }},
		{"tensor.MaxPool2d: kernel size must be positive, got [0 2] (shapes [1 2 4 4])",
			func() { tensor.MaxPool2d(x, [2]int{0, 2}, k2, [2]int{}) }},
		{"tensor.MaxPool2d: stride must be positive, got [-1 1] (shapes [1 2 4 4])",
			func() { tensor.MaxPool2d(x, k2, [2]int{-1, 1}, [2]int{}) }},
		{"tensor.MaxPool2d: padding must be non-negative, got [0 -1] (shapes [1 2 4 4])",
			func() { tensor.MaxPool2d(x, k2, k2, [2]int{0, -1}) }},
		{"tensor.MaxPool2d: padding [0 2] must be at most half the kernel size [3 3] (shapes [1 2 4 4])",
			func() { tensor.MaxPool2d(x, [2]int{3, 3}, k2, [2]int{0, 2}) }},
		{"tensor.MaxPool2d: output size [0 1] is too small (input [4 4], kernel [5 4], stride [1 1], padding [0 0]) (shapes [1 2 4 4])",
			func() { tensor.MaxPool2d(x, [2]int{5, 4}, [2]int{1, 1}, [2]int{}) }},
		{"tensor.MaxPool2d: not supported for dtype int64 (shapes [1 2 4 4])",
			func() { tensor.MaxPool2d(tensor.Zeros(tensor.Int64, 1, 2, 4, 4), k2, k2, [2]int{}) }},
		{"tensor.AvgPool2d: output size [2 0] is too small (input [4 4], kernel [2 8], stride [2 8], padding [0 1]) (shapes [1 2 4 4])",
			func() { tensor.AvgPool2d(x, [2]int{2, 8}, [2]int{}, [2]int{0, 1}) }},
		{"tensor.AvgPool2d: input must be 3-D (C, H, W) or 4-D (N, C, H, W), got 5-D (shapes [1 1 2 4 4])",
			func() { tensor.AvgPool2d(x.Unsqueeze(0), k2, k2, [2]int{}) }},
		{"tensor.AdaptiveAvgPool2d: output size must be positive, got [0 2] (shapes [1 2 4 4])",
			func() { tensor.AdaptiveAvgPool2d(x, 0, 2) }},
		{"tensor.AdaptiveAvgPool2d: input must be 3-D (C, H, W) or 4-D (N, C, H, W), got 1-D (shapes [4])",
			func() { tensor.AdaptiveAvgPool2d(tensor.Zeros(tensor.Float32, 4), 1, 1) }},
		{"tensor.AdaptiveAvgPool2d: input height and width must be positive (shapes [1 2 0 4])",
			func() { tensor.AdaptiveAvgPool2d(tensor.Zeros(tensor.Float32, 1, 2, 0, 4), 1, 1) }},
		{"tensor.AdaptiveAvgPool2d: not supported for dtype int64 (shapes [1 2 4 4])",
			func() { tensor.AdaptiveAvgPool2d(tensor.Zeros(tensor.Int64, 1, 2, 4, 4), 1, 1) }},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) { mustPanic(t, c.want, c.f) })
	}
}
