package loss_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// The golden values come from testdata/loss_parity.py (PyTorch 1.13); see
// that script for what each case records.

type encoded struct {
	Shape []int
	DType string
	Data  []float64
}

// tensorOf returns e as a tensor of dtype dt, or nil for a nil e.
func (e *encoded) tensorOf(dt tensor.DType) *tensor.Tensor {
	if e == nil {
		return nil
	}
	t := tensor.FromSlice(e.Data, e.Shape...)
	if e.Shape != nil && len(e.Shape) == 0 {
		t = tensor.FromSlice(e.Data).Reshape()
	}
	return t.To(dt)
}

type lossCase struct {
	Name       string
	Loss       string
	Config     map[string]any
	Input      *encoded
	Target     *encoded
	Weight     *encoded
	PosWeight  *encoded `json:"pos_weight"`
	GradOutput *encoded `json:"grad_output"`
	Output     *encoded
	GradInput  *encoded `json:"grad_input"`
	GradTarget *encoded `json:"grad_target"`
	intTarget  bool
}

func readLossParity(t *testing.T) []*lossCase {
	t.Helper()
	b, err := os.ReadFile("../testdata/loss_parity.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []*lossCase
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("decode loss_parity.json: %v", err)
	}
	for _, c := range f.Cases {
		c.intTarget = c.Target.DType == "int64"
	}
	return f.Cases
}

func reduction(c map[string]any) loss.Reduction {
	switch c["reduction"] {
	case "sum":
		return loss.Sum
	case "none":
		return loss.None
	}
	return loss.Mean
}

func ignoreIndex(c map[string]any) *int {
	v, ok := c["ignore_index"].(float64)
	if !ok {
		return nil
	}
	return new(int(v))
}

// apply runs the Go loss named by c on x and target.
func (c *lossCase) apply(x, target, weight, posWeight *tensor.Tensor) *tensor.Tensor {
	cfg := c.Config
	num := func(k string) float64 { v, _ := cfg[k].(float64); return v }
	red := reduction(cfg)
	switch c.Loss {
	case "mse":
		return loss.MSE(x, target, red)
	case "l1":
		return loss.L1(x, target, red)
	case "smooth_l1":
		return loss.SmoothL1(x, target, num("beta"), red)
	case "huber":
		return loss.Huber(x, target, num("delta"), red)
	case "cross_entropy":
		return loss.CrossEntropy(x, target, loss.CrossEntropyOptions{Weight: weight, IgnoreIndex: ignoreIndex(cfg),
			LabelSmoothing: num("label_smoothing"), Reduction: red})
	case "nll":
		return loss.NLL(x, target, loss.NLLOptions{Weight: weight, IgnoreIndex: ignoreIndex(cfg), Reduction: red})
	case "bce":
		return loss.BCE(x, target, weight, red)
	case "bce_with_logits":
		return loss.BCEWithLogits(x, target, loss.BCEWithLogitsOptions{Weight: weight, PosWeight: posWeight, Reduction: red})
	case "kl_div":
		kr := map[any]loss.KLReduction{"mean": loss.KLMean, "sum": loss.KLSum, "none": loss.KLNone, "batchmean": loss.KLBatchMean}[cfg["reduction"]]
		lt, _ := cfg["log_target"].(bool)
		return loss.KLDiv(x, target, kr, lt)
	}
	panic("unknown loss " + c.Loss)
}

// near checks got against want element by element within rtol relative
// and atol absolute tolerance.
func near(got *tensor.Tensor, want *encoded, rtol, atol float64) error {
	if got == nil {
		return fmt.Errorf("no tensor")
	}
	gs := got.Shape()
	if len(gs) != len(want.Shape) {
		return fmt.Errorf("shape %v, want %v", gs, want.Shape)
	}
	for i := range gs {
		if gs[i] != want.Shape[i] {
			return fmt.Errorf("shape %v, want %v", gs, want.Shape)
		}
	}
	g := got.Float64s()
	for i, w := range want.Data {
		if d := math.Abs(g[i] - w); !(d <= atol+rtol*math.Abs(w)) {
			return fmt.Errorf("element %d: got %.12g, want %.12g", i, g[i], w)
		}
	}
	return nil
}

func TestLossParity(t *testing.T) {
	cases := readLossParity(t)
	if len(cases) < 60 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		for _, dt := range []tensor.DType{tensor.Float64, tensor.Float32} {
			t.Run(c.Name+"/"+dt.String(), func(t *testing.T) {
				rtol, atol := 1e-10, 1e-12
				if dt == tensor.Float32 {
					rtol, atol = 1e-5, 1e-6
				}
				x := c.Input.tensorOf(dt).SetRequiresGrad(true)
				var target *tensor.Tensor
				if c.intTarget {
					target = c.Target.tensorOf(tensor.Int64)
				} else {
					target = c.Target.tensorOf(dt).SetRequiresGrad(true)
				}
				y := c.apply(x, target, c.Weight.tensorOf(dt), c.PosWeight.tensorOf(dt))
				if y.DType() != dt {
					t.Fatalf("output dtype %v", y.DType())
				}
				if err := near(y, c.Output, rtol, atol); err != nil {
					t.Fatalf("output: %v", err)
				}
				if c.GradOutput != nil {
					y.Backward(tensor.WithGrad(c.GradOutput.tensorOf(dt)))
				} else {
					y.Backward()
				}
				// Gradients scale with the loss; compare them relative to
				// their largest element.
				if err := near(x.Grad(), c.GradInput, rtol, atol*maxAbs(c.GradInput.Data)); err != nil {
					t.Errorf("input gradient: %v", err)
				}
				if c.GradTarget != nil {
					if err := near(target.Grad(), c.GradTarget, rtol, atol*maxAbs(c.GradTarget.Data)); err != nil {
						t.Errorf("target gradient: %v", err)
					}
				}
			})
		}
	}
}

func maxAbs(xs []float64) float64 {
	m := 1.0
	for _, v := range xs {
		m = math.Max(m, math.Abs(v))
	}
	return m
}
