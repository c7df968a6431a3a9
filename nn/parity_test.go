package nn_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

// This file checks the layers against PyTorch: testdata/nn_parity.py
// records, for fixed inputs and weights, each layer's output, input
// gradient, parameter gradients and state after the call, computed by
// PyTorch in float64. The layers are run here in float32 and float64 and
// compared with those values.

type parityTensor struct {
	Shape []int     `json:"shape"`
	DType string    `json:"dtype"`
	Data  []float64 `json:"data"`
}

func (p *parityTensor) tensor() *tensor.Tensor {
	if p.DType == "int64" {
		v := make([]int64, len(p.Data))
		for i, x := range p.Data {
			v[i] = int64(x)
		}
		return tensor.FromSlice(v, p.Shape...)
	}
	return tensor.FromSlice(slices.Clone(p.Data), p.Shape...)
}

type parityCase struct {
	Name       string                  `json:"name"`
	Layer      string                  `json:"layer"`
	Config     map[string]any          `json:"config"`
	Train      bool                    `json:"train"`
	Forwards   int                     `json:"forwards"`
	Input      parityTensor            `json:"input"`
	State      map[string]parityTensor `json:"state"`
	GradOutput parityTensor            `json:"grad_output"`
	Output     parityTensor            `json:"output"`
	GradInput  *parityTensor           `json:"grad_input"`
	GradParams map[string]parityTensor `json:"grad_params"`
	StateAfter map[string]parityTensor `json:"state_after"`
}

func loadParity(t *testing.T) []parityCase {
	t.Helper()
	b, err := os.ReadFile("../testdata/nn_parity.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []parityCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("testdata/nn_parity.json: %v", err)
	}
	return f.Cases
}

// cfg reads configuration values of a parity case.
type cfg map[string]any

func (c cfg) int(k string) int { return int(c[k].(float64)) }

func (c cfg) float(k string) float64 { return c[k].(float64) }

func (c cfg) bool(k string) bool { return c[k].(bool) }

func (c cfg) ints(k string) []int {
	var out []int
	for _, v := range c[k].([]any) {
		out = append(out, int(v.(float64)))
	}
	return out
}

// buildParityModule returns the layer a parity case describes, with
// arbitrary initial values (the case's state dict is loaded afterwards).
func buildParityModule(c parityCase) (nn.Module, error) {
	k := cfg(c.Config)
	r := rand.New(rand.NewPCG(1, 1))
	switch c.Layer {
	case "linear":
		return nn.NewLinear(r, k.int("in"), k.int("out"), k.bool("bias")), nil
	case "embedding":
		return nn.NewEmbedding(r, k.int("num"), k.int("dim"), k.int("padding")), nil
	case "flatten":
		return &nn.Flatten{Start: k.int("start"), End: k.int("end")}, nil
	case "batchnorm1d", "batchnorm2d":
		b := nn.NewBatchNorm1d(k.int("features"))
		if c.Layer == "batchnorm2d" {
			b = nn.NewBatchNorm2d(k.int("features"))
		}
		b.Eps = k.float("eps")
		if k["momentum"] == nil {
			b.CumulativeAverage = true
		} else {
			b.Momentum = k.float("momentum")
		}
		if !k.bool("affine") {
			b.NoAffine()
		}
		if !k.bool("track") {
			b.NoRunningStats()
		}
		return b, nil
	case "layernorm":
		return nn.NewLayerNorm(k.ints("shape"), k.float("eps"), k.bool("affine")), nil
	case "groupnorm":
		return nn.NewGroupNorm(k.int("groups"), k.int("channels"), k.float("eps"), k.bool("affine")), nil
	case "relu":
		return nn.ReLU{}, nil
	case "leakyrelu":
		return nn.LeakyReLU{Slope: k.float("slope")}, nil
	case "elu":
		return nn.ELU{Alpha: k.float("alpha")}, nil
	case "gelu":
		return nn.GELU{Approximate: k.bool("approximate")}, nil
	case "silu":
		return nn.SiLU{}, nil
	case "sigmoid":
		return nn.Sigmoid{}, nil
	case "tanh":
		return nn.Tanh{}, nil
	case "softplus":
		return nn.Softplus{Beta: k.float("beta"), Threshold: k.float("threshold")}, nil
	case "softmax":
		return nn.Softmax{Axis: k.int("axis")}, nil
	case "logsoftmax":
		return nn.LogSoftmax{Axis: k.int("axis")}, nil
	}
	return nil, fmt.Errorf("unknown layer %q", c.Layer)
}

// parityLayers lists the layers that must have parity cases.
var parityLayers = []string{
	"linear", "batchnorm1d", "batchnorm2d", "layernorm", "groupnorm", "embedding", "flatten",
	"relu", "leakyrelu", "elu", "gelu", "silu", "sigmoid", "tanh", "softplus", "softmax", "logsoftmax",
}

// parityTol is the tolerance of a comparison in dtype dt (see
// compareParity).
func parityTol(dt tensor.DType) float64 {
	if dt == tensor.Float32 {
		return 1e-5
	}
	return 1e-10
}

// compareParity reports the first element of got that differs from the
// PyTorch reference (wantShape, want) by more than tol·(|want| + s), tol
// being parityTol(dt) and s the largest magnitude in want, so that
// elements that are tiny because of cancellation are judged on the
// tensor's scale.
func compareParity(t *testing.T, what string, got *tensor.Tensor, wantShape []int, want []float64, dt tensor.DType) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: missing", what)
		return
	}
	if !slices.Equal(got.Shape(), wantShape) {
		t.Errorf("%s: shape %v, PyTorch %v", what, got.Shape(), wantShape)
		return
	}
	scale := 0.0
	for _, v := range want {
		scale = max(scale, math.Abs(v))
	}
	tol := parityTol(dt)
	g := got.Float64s()
	for i, w := range want {
		if d := math.Abs(g[i] - w); !(d <= tol*(math.Abs(w)+scale)) {
			t.Errorf("%s: element %d is %v, PyTorch %v (difference %.3g)", what, i, g[i], w, d)
			return
		}
	}
}

func runParityCase(t *testing.T, c parityCase, dt tensor.DType) error {
	m, err := buildParityModule(c)
	if err != nil {
		return err
	}
	nn.ToDType(m, dt)
	sd := map[string]*tensor.Tensor{}
	for k, v := range c.State {
		sd[k] = v.tensor()
	}
	if err := nn.LoadStateDict(m, sd, true); err != nil {
		return err
	}
	nn.SetTraining(m, c.Train)
	x := c.Input.tensor()
	if x.DType().IsFloat() {
		x = x.To(dt).SetRequiresGrad(true)
	}
	var y *tensor.Tensor
	for range c.Forwards {
		y = m.Forward(x)
	}
	compareParity(t, "output", y, c.Output.Shape, c.Output.Data, dt)
	y.Backward(tensor.WithGrad(c.GradOutput.tensor().To(dt)))
	if c.GradInput != nil {
		compareParity(t, "input gradient", x.Grad(), c.GradInput.Shape, c.GradInput.Data, dt)
	}
	params := map[string]*tensor.Tensor{}
	for _, p := range nn.NamedParameters(m) {
		params[p.Name] = p.Tensor
	}
	if len(params) != len(c.GradParams) {
		t.Errorf("%d parameters, PyTorch has %d", len(params), len(c.GradParams))
	}
	for k, want := range c.GradParams {
		p := params[k]
		if p == nil {
			t.Errorf("no parameter %s", k)
			continue
		}
		compareParity(t, "gradient of "+k, p.Grad(), want.Shape, want.Data, dt)
	}
	after := nn.StateDict(m)
	if len(after) != len(c.StateAfter) {
		t.Errorf("state dict has %d entries, PyTorch's %d", len(after), len(c.StateAfter))
	}
	for _, e := range after {
		want, ok := c.StateAfter[e.Name]
		if !ok {
			t.Errorf("state dict key %s unknown to PyTorch", e.Name)
			continue
		}
		if e.Tensor.DType() == tensor.Int64 {
			if want.DType != "int64" || !slices.Equal(e.Tensor.Float64s(), want.Data) {
				t.Errorf("%s = %v, PyTorch %v", e.Name, e.Tensor, want.Data)
			}
			continue
		}
		compareParity(t, "state "+e.Name, e.Tensor, want.Shape, want.Data, dt)
	}
	return nil
}

func TestPyTorchParity(t *testing.T) {
	cases := loadParity(t)
	if len(cases) == 0 {
		t.Fatal("no parity cases")
	}
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.Layer] = true
		for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
			t.Run(fmt.Sprintf("%s/%v", c.Name, dt), func(t *testing.T) {
				if err := runParityCase(t, c, dt); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
	for _, l := range parityLayers {
		if !seen[l] {
			t.Errorf("no parity case for layer %q", l)
		}
	}
}
