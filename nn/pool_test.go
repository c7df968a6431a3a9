package nn_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

func TestPoolLayers(t *testing.T) {
	cases := []struct {
		name string
		m    nn.Module
		x, y []int
	}{
		{"MaxPool2d", nn.NewMaxPool2d([2]int{2, 2}, [2]int{}, [2]int{}), []int{2, 3, 8, 7}, []int{2, 3, 4, 3}},
		{"MaxPool2d padded", nn.NewMaxPool2d([2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}), []int{1, 2, 7, 8}, []int{1, 2, 4, 4}},
		{"AvgPool2d", nn.NewAvgPool2d([2]int{3, 2}, [2]int{1, 2}, [2]int{1, 0}), []int{2, 3, 6, 6}, []int{2, 3, 6, 3}},
		{"AvgPool2d unbatched", nn.NewAvgPool2d([2]int{2, 2}, [2]int{}, [2]int{}), []int{3, 4, 4}, []int{3, 2, 2}},
		{"AdaptiveAvgPool2d", nn.NewAdaptiveAvgPool2d(3, 2), []int{2, 4, 7, 5}, []int{2, 4, 3, 2}},
		{"AdaptiveAvgPool2d global", nn.NewAdaptiveAvgPool2d(1, 1), []int{2, 4, 7, 5}, []int{2, 4, 1, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if mem := c.m.Members(); len(mem.Params)+len(mem.Buffers)+len(mem.Children) != 0 {
				t.Fatalf("pooling layer has members %+v", mem)
			}
			y := c.m.Forward(tensor.Ones(tensor.Float32, c.x...))
			if fmt.Sprint(y.Shape()) != fmt.Sprint(c.y) {
				t.Fatalf("output shape %v, want %v", y.Shape(), c.y)
			}
		})
	}
}

func TestPoolLayersGrad(t *testing.T) {
	cases := []struct {
		name string
		m    nn.Module
		x    []int
	}{
		{"MaxPool2d", nn.NewMaxPool2d([2]int{3, 2}, [2]int{2, 1}, [2]int{1, 1}), []int{2, 2, 5, 4}},
		{"AvgPool2d", nn.NewAvgPool2d([2]int{3, 2}, [2]int{2, 1}, [2]int{1, 1}), []int{2, 2, 5, 4}},
		{"AdaptiveAvgPool2d", nn.NewAdaptiveAvgPool2d(2, 3), []int{2, 2, 5, 4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { layerGrad(t, c.m, c.x...) })
	}
}

// TestConvNet runs a small convolutional network end to end and checks its
// gradients with respect to the input and every parameter.
func TestConvNet(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	f64 := tensor.Float64
	net := nn.NewSequential(
		nn.NewConv2d(r, nn.Conv2dConfig{In: 2, Out: 3, Kernel: [2]int{3, 3}, Padding: [2]int{1, 1}, DType: f64}),
		nn.NewMaxPool2d([2]int{2, 2}, [2]int{}, [2]int{}),
		nn.NewConvTranspose2d(r, nn.ConvTranspose2dConfig{In: 3, Out: 2, Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}, DType: f64}),
		nn.NewAvgPool2d([2]int{2, 2}, [2]int{1, 1}, [2]int{1, 1}),
		nn.NewAdaptiveAvgPool2d(2, 2),
	)
	want := []string{"0.weight", "0.bias", "2.weight", "2.bias"}
	var got []string
	for _, p := range nn.NamedParameters(net) {
		got = append(got, p.Name)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("parameter names %v, want %v", got, want)
	}
	r2 := rand.New(rand.NewPCG(11, 12))
	x := tensor.Uniform(r2, f64, -1, 1, 2, 2, 6, 6).SetRequiresGrad(true)
	inputs := append([]*tensor.Tensor{x}, nn.Parameters(net)...)
	f := func(xs []*tensor.Tensor) *tensor.Tensor { return net.Forward(xs[0]) }
	if err := gradcheck.Check(f, inputs, nil); err != nil {
		t.Fatal(err)
	}
}

func TestPoolLayerErrors(t *testing.T) {
	cases := []struct {
		want string
		f    func()
	}{
		{"tensor.NewMaxPool2d: kernel size must be positive, got [0 2]",
			func() { nn.NewMaxPool2d([2]int{0, 2}, [2]int{}, [2]int{}) }},
		{"tensor.NewAvgPool2d: padding [2 0] must be non-negative and at most half the kernel size [3 3]",
			func() { nn.NewAvgPool2d([2]int{3, 3}, [2]int{}, [2]int{2, 0}) }},
		{"tensor.NewAvgPool2d: stride must be positive, got [1 -1]",
			func() { nn.NewAvgPool2d([2]int{3, 3}, [2]int{1, -1}, [2]int{}) }},
		{"tensor.NewAdaptiveAvgPool2d: output size must be positive, got [2 0]",
			func() { nn.NewAdaptiveAvgPool2d(2, 0) }},
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
