package optim_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// The golden values come from testdata/optim_parity.py (PyTorch 1.13); see
// that script for what each case records.

type parityFile struct {
	Problem struct {
		X, Y [][]float64
		W    [][]float64
		B    []float64 `json:"b"`
	}
	Initial struct {
		Loss float64
		Grad []float64
	}
	Optimizers []struct {
		Name      string
		Optimizer string
		Config    json.RawMessage
		Float64   [][]float64
		Float32   map[string][]float64
	}
	Schedules []struct {
		Name     string
		Schedule string
		Config   map[string]any
		LR       [][]float64
		Momentum [][]float64
	}
	Plateaus []struct {
		Name    string
		Config  map[string]any
		Metrics []float64
		LR      [][]float64
	}
	Clip struct {
		Shapes [][]int
		Grads  [][]float64
		Cases  []struct {
			Kind      string
			MaxNorm   float64 `json:"max_norm"`
			NormType  any     `json:"norm_type"`
			TotalNorm float64 `json:"total_norm"`
			Clip      float64
			Grads     [][]float64
		}
	}
}

func readParity(t *testing.T) *parityFile {
	t.Helper()
	b, err := os.ReadFile("../testdata/optim_parity.json")
	if err != nil {
		t.Fatal(err)
	}
	var f parityFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("decode optim_parity.json: %v", err)
	}
	return &f
}

// problem holds the parity problem's data and parameters in one dtype.
type problem struct {
	x, y, w, b *tensor.Tensor
}

func newProblem(f *parityFile, dt tensor.DType) *problem {
	mat := func(rows [][]float64) *tensor.Tensor {
		var flat []float64
		for _, r := range rows {
			flat = append(flat, r...)
		}
		return tensor.FromSlice(flat, len(rows), len(rows[0])).To(dt)
	}
	return &problem{
		x: mat(f.Problem.X),
		y: mat(f.Problem.Y),
		w: mat(f.Problem.W).SetRequiresGrad(true),
		b: tensor.FromSlice(f.Problem.B, len(f.Problem.B)).To(dt).SetRequiresGrad(true),
	}
}

// loss is 0.25·Σ(X Wᵀ + b − Y)² + 0.1·Σ W⁴, as in the script.
func (p *problem) loss() *tensor.Tensor {
	r := p.x.MatMul(p.w.T()).Add(p.b).Add(p.y.MulScalar(-1))
	w2 := p.w.Mul(p.w)
	return r.Mul(r).Sum().MulScalar(0.25).Add(w2.Mul(w2).Sum().MulScalar(0.1))
}

func (p *problem) flat() []float64 {
	return append(p.w.Float64s(), p.b.Float64s()...)
}

// closeTo reports whether got matches want within rtol relative and atol
// absolute tolerance, element by element, and describes the first
// mismatch.
func closeTo(got, want []float64, rtol, atol float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d values, want %d", len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(got[i] - want[i]); !(d <= atol+rtol*math.Abs(want[i])) && !(math.IsInf(want[i], 0) && got[i] == want[i]) {
			return fmt.Errorf("element %d: got %.12g, want %.12g", i, got[i], want[i])
		}
	}
	return nil
}

func TestParityLossDefinition(t *testing.T) {
	f := readParity(t)
	p := newProblem(f, tensor.Float64)
	l := p.loss()
	l.Backward()
	if err := closeTo([]float64{l.Item()}, []float64{f.Initial.Loss}, 1e-13, 0); err != nil {
		t.Errorf("loss: %v", err)
	}
	if err := closeTo(append(p.w.Grad().Float64s(), p.b.Grad().Float64s()...), f.Initial.Grad, 1e-13, 1e-15); err != nil {
		t.Errorf("gradient: %v", err)
	}
}

// groupSpec is one group of a parity configuration.
type groupSpec map[string]any

func num(m map[string]any, k string) float64 {
	v, _ := m[k].(float64)
	return v
}

func flag(m map[string]any, k string) bool {
	v, _ := m[k].(bool)
	return v
}

// newParityOptimizer builds the Go optimizer that the script's
// configuration describes, over W and b.
func newParityOptimizer(t *testing.T, kind string, raw json.RawMessage, w, b *tensor.Tensor) optim.Optimizer {
	t.Helper()
	var shared map[string]any
	var groups []optim.Group
	var specs []groupSpec
	if err := json.Unmarshal(raw, &specs); err == nil {
		// Per-group lr and weight decay; everything else is shared.
		shared = map[string]any{}
		for i, s := range specs {
			g := optim.Group{Params: []*tensor.Tensor{w, b}[i : i+1], LR: num(s, "lr")}
			if wd, ok := s["weight_decay"]; ok {
				g.WeightDecay = wd.(float64)
				g.NoWeightDecay = g.WeightDecay == 0
			}
			groups = append(groups, g)
			for k, v := range s {
				if k != "lr" && k != "weight_decay" {
					shared[k] = v
				}
			}
		}
	} else {
		if err := json.Unmarshal(raw, &shared); err != nil {
			t.Fatal(err)
		}
		groups = []optim.Group{{Params: []*tensor.Tensor{w, b}}}
	}
	c := shared
	switch kind {
	case "SGD":
		return optim.NewSGDGroups(groups, optim.SGDConfig{LR: num(c, "lr"), Momentum: num(c, "momentum"),
			Dampening: num(c, "dampening"), WeightDecay: num(c, "weight_decay"), Nesterov: flag(c, "nesterov")})
	case "Adam", "AdamW":
		cfg := optim.AdamConfig{LR: num(c, "lr"), Eps: num(c, "eps"), WeightDecay: num(c, "weight_decay"), AMSGrad: flag(c, "amsgrad")}
		if betas, ok := c["betas"].([]any); ok {
			cfg.Beta1, cfg.Beta2 = betas[0].(float64), betas[1].(float64)
		}
		if kind == "Adam" {
			return optim.NewAdamGroups(groups, cfg)
		}
		return optim.NewAdamWGroups(groups, cfg)
	case "RMSprop":
		return optim.NewRMSpropGroups(groups, optim.RMSpropConfig{LR: num(c, "lr"), Alpha: num(c, "alpha"), Eps: num(c, "eps"),
			WeightDecay: num(c, "weight_decay"), Momentum: num(c, "momentum"), Centered: flag(c, "centered")})
	case "Adagrad":
		return optim.NewAdagradGroups(groups, optim.AdagradConfig{LR: num(c, "lr"), LRDecay: num(c, "lr_decay"),
			WeightDecay: num(c, "weight_decay"), InitialAccumulatorValue: num(c, "initial_accumulator_value"), Eps: num(c, "eps")})
	}
	t.Fatalf("unknown optimizer %s", kind)
	return nil
}

func TestOptimizerParity(t *testing.T) {
	f := readParity(t)
	if len(f.Optimizers) < 20 {
		t.Fatalf("only %d optimizer cases", len(f.Optimizers))
	}
	for _, c := range f.Optimizers {
		for _, dt := range []tensor.DType{tensor.Float64, tensor.Float32} {
			t.Run(c.Name+"/"+dt.String(), func(t *testing.T) {
				p := newProblem(f, dt)
				opt := newParityOptimizer(t, c.Optimizer, c.Config, p.w, p.b)
				skip := len(c.Name) > 5 && c.Name[len(c.Name)-5:] == "_skip"
				for step := 1; step <= len(c.Float64); step++ {
					opt.ZeroGrad()
					p.loss().Backward()
					if skip && step%3 == 1 {
						p.b.ZeroGrad()
					}
					opt.Step()
					var err error
					if dt == tensor.Float64 {
						err = closeTo(p.flat(), c.Float64[step-1], 1e-10, 1e-12)
					} else if want, ok := c.Float32[fmt.Sprint(step)]; ok {
						err = closeTo(p.flat(), want, 1e-5, 1e-6)
					}
					if err != nil {
						t.Fatalf("step %d: %v", step, err)
					}
				}
			})
		}
	}
}

// newScheduleOptimizer returns the optimizer the schedule cases drive: two
// groups with learning rates 0.1 and 0.02, SGD with momentum 0.9 or Adam.
func newScheduleOptimizer(adam bool) optim.Optimizer {
	w := tensor.Zeros(tensor.Float32, 2).SetRequiresGrad(true)
	b := tensor.Zeros(tensor.Float32, 2).SetRequiresGrad(true)
	groups := []optim.Group{{Params: []*tensor.Tensor{w}, LR: 0.1}, {Params: []*tensor.Tensor{b}, LR: 0.02}}
	if adam {
		return optim.NewAdamGroups(groups, optim.AdamConfig{})
	}
	return optim.NewSGDGroups(groups, optim.SGDConfig{Momentum: 0.9})
}

func newParitySchedule(t *testing.T, kind string, c map[string]any, opt optim.Optimizer) optim.Scheduler {
	t.Helper()
	switch kind {
	case "StepLR":
		return optim.NewStepLR(opt, int(num(c, "step_size")), num(c, "gamma"))
	case "MultiStepLR":
		var ms []int
		for _, m := range c["milestones"].([]any) {
			ms = append(ms, int(m.(float64)))
		}
		return optim.NewMultiStepLR(opt, ms, num(c, "gamma"))
	case "ExponentialLR":
		return optim.NewExponentialLR(opt, num(c, "gamma"))
	case "CosineAnnealingLR":
		return optim.NewCosineAnnealingLR(opt, int(num(c, "T_max")), num(c, "eta_min"))
	case "LinearLR":
		return optim.NewLinearWarmup(opt, optim.LinearWarmupConfig{StartFactor: num(c, "start_factor"),
			EndFactor: num(c, "end_factor"), TotalIters: int(num(c, "total_iters"))})
	case "OneCycleLR":
		cfg := optim.OneCycleConfig{MaxLR: num(c, "max_lr"), TotalSteps: int(num(c, "total_steps")),
			PctStart: num(c, "pct_start"), AnnealLinear: c["anneal_strategy"] == "linear",
			BaseMomentum: num(c, "base_momentum"), MaxMomentum: num(c, "max_momentum"),
			DivFactor: num(c, "div_factor"), FinalDivFactor: num(c, "final_div_factor"),
			ThreePhase: flag(c, "three_phase")}
		if v, ok := c["cycle_momentum"]; ok && !v.(bool) {
			cfg.NoMomentum = true
		}
		return optim.NewOneCycleLR(opt, cfg)
	}
	t.Fatalf("unknown schedule %s", kind)
	return nil
}

// momenta returns the momentum (SGD) or β₁ (Adam) of each group.
func momenta(opt optim.Optimizer, adam bool) []float64 {
	var out []float64
	for _, g := range opt.Groups() {
		if adam {
			out = append(out, g.Beta1)
		} else {
			out = append(out, g.Momentum)
		}
	}
	return out
}

func TestScheduleParity(t *testing.T) {
	f := readParity(t)
	if len(f.Schedules) < 10 {
		t.Fatalf("only %d schedule cases", len(f.Schedules))
	}
	for _, c := range f.Schedules {
		t.Run(c.Name, func(t *testing.T) {
			adam := c.Name == "onecycle_adam"
			opt := newScheduleOptimizer(adam)
			s := newParitySchedule(t, c.Schedule, c.Config, opt)
			for i, want := range c.LR {
				if i > 0 {
					opt.Step()
					s.Step()
				}
				if err := closeTo(s.LR(), want, 1e-12, 1e-15); err != nil {
					t.Fatalf("after %d steps: learning rates: %v", i, err)
				}
				if c.Momentum != nil {
					if err := closeTo(momenta(opt, adam), c.Momentum[i], 1e-12, 1e-15); err != nil {
						t.Fatalf("after %d steps: momenta: %v", i, err)
					}
				}
			}
		})
	}
}

func TestReduceLROnPlateauParity(t *testing.T) {
	f := readParity(t)
	if len(f.Plateaus) == 0 {
		t.Fatal("no plateau cases")
	}
	for _, c := range f.Plateaus {
		t.Run(c.Name, func(t *testing.T) {
			cfg := optim.ReduceLROnPlateauConfig{Factor: num(c.Config, "factor"), Threshold: num(c.Config, "threshold"),
				Cooldown: int(num(c.Config, "cooldown")), MinLR: num(c.Config, "min_lr"), Eps: num(c.Config, "eps"), Patience: 10}
			if v, ok := c.Config["patience"]; ok {
				cfg.Patience = int(v.(float64))
			}
			if c.Config["mode"] == "max" {
				cfg.Mode = optim.ModeMax
			}
			if c.Config["threshold_mode"] == "abs" {
				cfg.ThresholdMode = optim.ThresholdAbs
			}
			opt := newScheduleOptimizer(false)
			s := optim.NewReduceLROnPlateau(opt, cfg)
			for i, m := range c.Metrics {
				s.StepMetric(m)
				if err := closeTo(s.LR(), c.LR[i], 1e-12, 0); err != nil {
					t.Fatalf("after metric %d (%v): %v", i, m, err)
				}
			}
		})
	}
}

func TestClipParity(t *testing.T) {
	f := readParity(t)
	cl := f.Clip
	for i, c := range cl.Cases {
		t.Run(fmt.Sprintf("%d_%s", i, c.Kind), func(t *testing.T) {
			var ps []*tensor.Tensor
			for j, sh := range cl.Shapes {
				p := tensor.Zeros(tensor.Float64, sh...).SetRequiresGrad(true)
				p.SetGrad(tensor.FromSlice(cl.Grads[j], sh...))
				ps = append(ps, p)
			}
			switch c.Kind {
			case "norm":
				nt := math.Inf(1)
				if v, ok := c.NormType.(float64); ok {
					nt = v
				}
				total := optim.ClipGradNorm(ps, c.MaxNorm, nt)
				if err := closeTo([]float64{total}, []float64{c.TotalNorm}, 1e-12, 0); err != nil {
					t.Errorf("total norm: %v", err)
				}
			case "value":
				optim.ClipGradValue(ps, c.Clip)
			}
			for j, p := range ps {
				if err := closeTo(p.Grad().Float64s(), c.Grads[j], 1e-12, 1e-15); err != nil {
					t.Errorf("gradient %d: %v", j, err)
				}
			}
		})
	}
}
