package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

func TestActivations(t *testing.T) {
	sigmoid := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	cases := []struct {
		name string
		m    nn.Module
		f    func(x float64) float64 // nil for the axis-wise ones
	}{
		{"ReLU", nn.ReLU{}, func(x float64) float64 { return max(x, 0) }},
		{"LeakyReLU", &nn.LeakyReLU{Slope: 0.1}, func(x float64) float64 { return max(x, 0.1*x) }},
		{"ELU", nn.ELU{Alpha: 1.5}, func(x float64) float64 {
			if x > 0 {
				return x
			}
			return 1.5 * (math.Exp(x) - 1)
		}},
		{"GELU", nn.GELU{}, func(x float64) float64 { return x * 0.5 * math.Erfc(-x/math.Sqrt2) }},
		{"GELU tanh", nn.GELU{Approximate: true}, func(x float64) float64 {
			return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
		}},
		{"SiLU", &nn.SiLU{}, func(x float64) float64 { return x * sigmoid(x) }},
		{"Sigmoid", nn.Sigmoid{}, sigmoid},
		{"Tanh", nn.Tanh{}, math.Tanh},
		{"Softplus default", nn.Softplus{}, func(x float64) float64 { return math.Log1p(math.Exp(x)) }},
		{"Softplus", nn.Softplus{Beta: 2, Threshold: 1}, func(x float64) float64 {
			if 2*x > 1 {
				return x
			}
			return math.Log1p(math.Exp(2*x)) / 2
		}},
		{"Softmax", nn.Softmax{Axis: 1}, nil},
		{"LogSoftmax", &nn.LogSoftmax{Axis: -1}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 3))
			x := tensor.Uniform(r, tensor.Float64, -3, 3, 4, 5)
			y := c.m.Forward(x).Float64s()
			xs := x.Float64s()
			for i, v := range xs {
				want := 0.0
				if c.f != nil {
					want = c.f(v)
				} else {
					row := xs[i/5*5 : i/5*5+5]
					s := 0.0
					for _, u := range row {
						s += math.Exp(u)
					}
					want = math.Exp(v) / s
					if c.name == "LogSoftmax" {
						want = math.Log(want)
					}
				}
				if math.Abs(y[i]-want) > 1e-12*(1+math.Abs(want)) {
					t.Fatalf("f(%v) = %v, want %v", v, y[i], want)
				}
			}
			if len(nn.StateDict(c.m)) != 0 {
				t.Error("activation has state")
			}
			checkModuleGrad(t, c.m, x, nil)
		})
	}
}
