package nn_test

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

// This file checks the convolution and pooling layers against PyTorch:
// testdata/nn_conv_parity.py records, for fixed inputs, weights and output
// gradients, each layer's output and the gradients of its input, weight
// and bias, computed by PyTorch in float64. The layers run here in float64
// and float32 and must match within 1e-10 and 1e-5 respectively, relative
// to the tensor's scale (compareParity).

type convParityTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (p *convParityTensor) tensor(dt tensor.DType) *tensor.Tensor {
	return tensor.FromSlice(p.Data, p.Shape...).To(dt)
}

type convParityCase struct {
	Name   string `json:"name"`
	Layer  string `json:"layer"`
	Config struct {
		In            int   `json:"in"`
		Out           int   `json:"out"`
		Kernel        []int `json:"kernel"`
		Stride        []int `json:"stride"`
		Padding       []int `json:"padding"`
		Dilation      []int `json:"dilation"`
		OutputPadding []int `json:"output_padding"`
		Groups        int   `json:"groups"`
		Bias          bool  `json:"bias"`
		OutputSize    []int `json:"output_size"`
	} `json:"config"`
	X          convParityTensor  `json:"x"`
	GradOut    convParityTensor  `json:"grad_out"`
	Out        convParityTensor  `json:"out"`
	GradX      convParityTensor  `json:"grad_x"`
	Weight     *convParityTensor `json:"weight"`
	Bias       *convParityTensor `json:"bias"`
	GradWeight *convParityTensor `json:"grad_weight"`
	GradBias   *convParityTensor `json:"grad_bias"`
}

func convPair(v []int) [2]int { return [2]int{v[0], v[1]} }

// module builds the case's layer in dtype dt with PyTorch's weights.
func (c *convParityCase) module(t *testing.T, dt tensor.DType) nn.Module {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 1))
	k := c.Config
	var m nn.Module
	var w, b *tensor.Tensor
	switch c.Layer {
	case "Conv1d":
		l := nn.NewConv1d(r, nn.Conv1dConfig{In: k.In, Out: k.Out, Kernel: k.Kernel[0], Stride: k.Stride[0], Padding: k.Padding[0],
			Dilation: k.Dilation[0], Groups: k.Groups, NoBias: !k.Bias, DType: dt})
		m, w, b = l, l.Weight, l.Bias
	case "Conv2d":
		l := nn.NewConv2d(r, nn.Conv2dConfig{In: k.In, Out: k.Out, Kernel: convPair(k.Kernel), Stride: convPair(k.Stride), Padding: convPair(k.Padding),
			Dilation: convPair(k.Dilation), Groups: k.Groups, NoBias: !k.Bias, DType: dt})
		m, w, b = l, l.Weight, l.Bias
	case "ConvTranspose2d":
		l := nn.NewConvTranspose2d(r, nn.ConvTranspose2dConfig{In: k.In, Out: k.Out, Kernel: convPair(k.Kernel), Stride: convPair(k.Stride),
			Padding: convPair(k.Padding), OutputPadding: convPair(k.OutputPadding), Dilation: convPair(k.Dilation), Groups: k.Groups, NoBias: !k.Bias, DType: dt})
		m, w, b = l, l.Weight, l.Bias
	case "MaxPool2d":
		return nn.NewMaxPool2d(convPair(k.Kernel), convPair(k.Stride), convPair(k.Padding))
	case "AvgPool2d":
		return nn.NewAvgPool2d(convPair(k.Kernel), convPair(k.Stride), convPair(k.Padding))
	case "AdaptiveAvgPool2d":
		return nn.NewAdaptiveAvgPool2d(k.OutputSize[0], k.OutputSize[1])
	default:
		t.Fatalf("unknown layer %q", c.Layer)
	}
	if !slices.Equal(w.Shape(), c.Weight.Shape) {
		t.Fatalf("weight shape %v, PyTorch %v", w.Shape(), c.Weight.Shape)
	}
	w.SetData(c.Weight.tensor(dt))
	if (b != nil) != (c.Bias != nil) {
		t.Fatalf("layer has bias %v, PyTorch %v", b != nil, c.Bias != nil)
	}
	if b != nil {
		if !slices.Equal(b.Shape(), c.Bias.Shape) {
			t.Fatalf("bias shape %v, PyTorch %v", b.Shape(), c.Bias.Shape)
		}
		b.SetData(c.Bias.tensor(dt))
	}
	return m
}

func TestConvPoolPyTorchParity(t *testing.T) {
	raw, err := os.ReadFile("../testdata/nn_conv_parity.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Cases []convParityCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatalf("testdata/nn_conv_parity.json: %v", err)
	}
	seen := map[string]bool{}
	for _, c := range golden.Cases {
		seen[c.Layer] = true
		for _, dt := range []tensor.DType{tensor.Float64, tensor.Float32} {
			t.Run(c.Name+"/"+dt.String(), func(t *testing.T) {
				m := c.module(t, dt)
				x := c.X.tensor(dt).SetRequiresGrad(true)
				y := m.Forward(x)
				y.Backward(tensor.WithGrad(c.GradOut.tensor(dt)))
				compareParity(t, "output", y, c.Out.Shape, c.Out.Data, dt)
				compareParity(t, "input gradient", x.Grad(), c.GradX.Shape, c.GradX.Data, dt)
				params := map[string]*tensor.Tensor{}
				for _, p := range m.Members().Params {
					params[p.Name] = p.Tensor
				}
				if c.GradWeight != nil {
					compareParity(t, "weight gradient", params["weight"].Grad(), c.GradWeight.Shape, c.GradWeight.Data, dt)
				}
				if c.GradBias != nil {
					compareParity(t, "bias gradient", params["bias"].Grad(), c.GradBias.Shape, c.GradBias.Data, dt)
				}
			})
		}
	}
	for _, l := range []string{"Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d"} {
		if !seen[l] {
			t.Errorf("no parity case for %s", l)
		}
	}
}
