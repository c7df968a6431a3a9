package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

// layerGrad checks numerically, with checkModuleGrad, the gradients of m's
// output with respect to a random float64 input of the given shape and to
// every parameter of m.
func layerGrad(t *testing.T, m nn.Module, shape ...int) {
	t.Helper()
	r := rand.New(rand.NewPCG(61, 62))
	checkModuleGrad(t, m, gradcheck.Input(r, -1, 1, shape...), nil)
}

// paramSummary describes a module's own parameters as "name[shape] dtype"
// entries.
func paramSummary(m nn.Module) string {
	s := ""
	for _, p := range m.Members().Params {
		s += fmt.Sprintf("%s%v %v;", p.Name, p.Tensor.Shape(), p.Tensor.DType())
		if !p.Tensor.RequiresGrad() {
			s += " (no grad)"
		}
	}
	return s
}

func TestConvLayers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name   string
		m      nn.Module
		x, y   []int
		params string
		bound  float64 // 1/√fanIn
	}{
		{"Conv2d", nn.NewConv2d(r, nn.Conv2dConfig{In: 3, Out: 8, Kernel: [2]int{3, 3}, Padding: [2]int{1, 1}}),
			[]int{2, 3, 10, 9}, []int{2, 8, 10, 9}, "weight[8 3 3 3] float32;bias[8] float32;", 1 / math.Sqrt(27)},
		{"Conv2d strided grouped", nn.NewConv2d(r, nn.Conv2dConfig{In: 4, Out: 6, Kernel: [2]int{3, 2}, Stride: [2]int{2, 1}, Dilation: [2]int{1, 2}, Groups: 2, NoBias: true, DType: tensor.Float64}),
			[]int{1, 4, 9, 8}, []int{1, 6, 4, 6}, "weight[6 2 3 2] float64;", 1 / math.Sqrt(12)},
		{"Conv2d unbatched", nn.NewConv2d(r, nn.Conv2dConfig{In: 2, Out: 3, Kernel: [2]int{1, 1}}),
			[]int{2, 4, 5}, []int{3, 4, 5}, "weight[3 2 1 1] float32;bias[3] float32;", 1 / math.Sqrt(2)},
		{"Conv1d", nn.NewConv1d(r, nn.Conv1dConfig{In: 4, Out: 6, Kernel: 5, Stride: 2, Padding: 2, Groups: 2}),
			[]int{3, 4, 11}, []int{3, 6, 6}, "weight[6 2 5] float32;bias[6] float32;", 1 / math.Sqrt(10)},
		{"Conv1d dilated", nn.NewConv1d(r, nn.Conv1dConfig{In: 2, Out: 3, Kernel: 3, Dilation: 3, NoBias: true}),
			[]int{2, 12}, []int{3, 6}, "weight[3 2 3] float32;", 1 / math.Sqrt(6)},
		{"ConvTranspose2d", nn.NewConvTranspose2d(r, nn.ConvTranspose2dConfig{In: 4, Out: 6, Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}, OutputPadding: [2]int{1, 1}, Groups: 2}),
			[]int{2, 4, 5, 4}, []int{2, 6, 10, 8}, "weight[4 3 3 3] float32;bias[6] float32;", 1 / math.Sqrt(27)},
		{"ConvTranspose2d no bias", nn.NewConvTranspose2d(r, nn.ConvTranspose2dConfig{In: 2, Out: 5, Kernel: [2]int{2, 3}, NoBias: true}),
			[]int{2, 3, 3}, []int{5, 4, 5}, "weight[2 5 2 3] float32;", 1 / math.Sqrt(30)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := paramSummary(c.m); got != c.params {
				t.Fatalf("parameters %q, want %q", got, c.params)
			}
			dt := c.m.Members().Params[0].Tensor.DType()
			y := c.m.Forward(tensor.Ones(dt, c.x...))
			if fmt.Sprint(y.Shape()) != fmt.Sprint(c.y) {
				t.Fatalf("output shape %v, want %v", y.Shape(), c.y)
			}
			// PyTorch's default init: U(−1/√fanIn, 1/√fanIn) for weight
			// and bias; the largest of many draws comes close to the bound.
			for _, p := range c.m.Members().Params {
				maxAbs := 0.0
				for _, v := range p.Tensor.Float64s() {
					maxAbs = math.Max(maxAbs, math.Abs(v))
				}
				if maxAbs > c.bound || (p.Tensor.Numel() >= 50 && maxAbs < 0.8*c.bound) {
					t.Fatalf("%s: largest |value| %v, want just below %v", p.Name, maxAbs, c.bound)
				}
			}
		})
	}
}

func TestConvLayersDeterministic(t *testing.T) {
	cfg := nn.Conv2dConfig{In: 3, Out: 4, Kernel: [2]int{3, 3}}
	a := nn.NewConv2d(rand.New(rand.NewPCG(7, 7)), cfg)
	b := nn.NewConv2d(rand.New(rand.NewPCG(7, 7)), cfg)
	if !tensor.Equal(a.Weight, b.Weight) || !tensor.Equal(a.Bias, b.Bias) {
		t.Fatal("the same seed gives different parameters")
	}
}

func TestConvLayersGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	f64 := tensor.Float64
	cases := []struct {
		name string
		m    nn.Module
		x    []int
	}{
		{"Conv2d", nn.NewConv2d(r, nn.Conv2dConfig{In: 2, Out: 3, Kernel: [2]int{3, 2}, Padding: [2]int{1, 1}, DType: f64}), []int{2, 2, 4, 5}},
		{"Conv2d strided dilated grouped", nn.NewConv2d(r, nn.Conv2dConfig{In: 4, Out: 2, Kernel: [2]int{2, 2}, Stride: [2]int{2, 1}, Dilation: [2]int{2, 1}, Groups: 2, DType: f64}), []int{1, 4, 6, 5}},
		{"Conv2d no bias", nn.NewConv2d(r, nn.Conv2dConfig{In: 2, Out: 2, Kernel: [2]int{2, 2}, NoBias: true, DType: f64}), []int{2, 2, 3, 3}},
		{"Conv1d", nn.NewConv1d(r, nn.Conv1dConfig{In: 2, Out: 4, Kernel: 3, Stride: 2, Padding: 1, Dilation: 2, Groups: 2, DType: f64}), []int{2, 2, 9}},
		{"Conv1d no bias", nn.NewConv1d(r, nn.Conv1dConfig{In: 3, Out: 2, Kernel: 2, NoBias: true, DType: f64}), []int{3, 5}},
		{"ConvTranspose2d", nn.NewConvTranspose2d(r, nn.ConvTranspose2dConfig{In: 4, Out: 2, Kernel: [2]int{3, 2}, Stride: [2]int{2, 2}, Padding: [2]int{1, 0}, OutputPadding: [2]int{1, 0}, Groups: 2, DType: f64}), []int{2, 4, 3, 3}},
		{"ConvTranspose2d dilated no bias", nn.NewConvTranspose2d(r, nn.ConvTranspose2dConfig{In: 2, Out: 3, Kernel: [2]int{2, 2}, Dilation: [2]int{2, 1}, NoBias: true, DType: f64}), []int{1, 2, 3, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { layerGrad(t, c.m, c.x...) })
	}
}

func TestConvLayerErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	k3 := [2]int{3, 3}
	cases := []struct {
		want string
		f    func()
	}{
		{"tensor.NewConv2d: groups 2 must divide both in channels 3 and out channels 4",
			func() { nn.NewConv2d(r, nn.Conv2dConfig{In: 3, Out: 4, Kernel: k3, Groups: 2}) }},
		{"tensor.NewConv2d: kernel size must be positive, got [0 3]",
			func() { nn.NewConv2d(r, nn.Conv2dConfig{In: 3, Out: 4, Kernel: [2]int{0, 3}}) }},
		{"tensor.NewConv2d: channel counts must be positive: in 0, out 4",
			func() { nn.NewConv2d(r, nn.Conv2dConfig{Out: 4, Kernel: k3}) }},
		{"tensor.NewConv2d: dtype must be floating point, got int64",
			func() { nn.NewConv2d(r, nn.Conv2dConfig{In: 1, Out: 1, Kernel: k3, DType: tensor.Int64}) }},
		{"tensor.NewConv1d: padding must be non-negative, got [-1]",
			func() { nn.NewConv1d(r, nn.Conv1dConfig{In: 1, Out: 1, Kernel: 2, Padding: -1}) }},
		{"tensor.NewConvTranspose2d: output padding [2 0] must be non-negative and smaller than either stride [2 2] or dilation [0 0]",
			func() {
				nn.NewConvTranspose2d(r, nn.ConvTranspose2dConfig{In: 1, Out: 1, Kernel: k3, Stride: [2]int{2, 2}, OutputPadding: [2]int{2, 0}})
			}},
		// Misuse at Forward is reported by the tensor op.
		{"tensor.Conv2d: input has 2 channels, weight expects 3 (in/groups 3 × groups 1) (shapes [1 2 5 5], [4 3 3 3], [4])",
			func() {
				nn.NewConv2d(r, nn.Conv2dConfig{In: 3, Out: 4, Kernel: k3}).Forward(tensor.Zeros(tensor.Float32, 1, 2, 5, 5))
			}},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			err := tensor.Try(c.f)
			if err == nil || err.Error() != c.want {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func ExampleConv2d() {
	r := rand.New(rand.NewPCG(1, 2))
	conv := nn.NewConv2d(r, nn.Conv2dConfig{In: 3, Out: 16, Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}})
	x := tensor.Zeros(tensor.Float32, 8, 3, 32, 32)
	fmt.Println(conv.Forward(x).Shape())
	for _, p := range nn.NamedParameters(conv) {
		fmt.Println(p.Name, p.Tensor.Shape())
	}
	// Output:
	// [8 16 16 16]
	// weight [16 3 3 3]
	// bias [16]
}
