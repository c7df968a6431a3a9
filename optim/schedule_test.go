package optim_test

import (
	"math"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

func oneParamSGD(lr float64) *optim.SGD {
	p := tensor.Zeros(tensor.Float32, 1).SetRequiresGrad(true)
	return optim.NewSGD([]*tensor.Tensor{p}, optim.SGDConfig{LR: lr, Momentum: 0.9})
}

// TestScheduleValues pins a few learning rates computed by hand.
func TestScheduleValues(t *testing.T) {
	cases := []struct {
		name  string
		mk    func(opt optim.Optimizer) optim.Scheduler
		steps int
		want  float64
	}{
		{"StepLR", func(o optim.Optimizer) optim.Scheduler { return optim.NewStepLR(o, 2, 0) }, 5, 1e-2}, // 1·0.1²
		{"MultiStepLR repeated milestone", func(o optim.Optimizer) optim.Scheduler {
			return optim.NewMultiStepLR(o, []int{3, 1, 3}, 0.5)
		}, 3, 0.125},
		{"ExponentialLR", func(o optim.Optimizer) optim.Scheduler { return optim.NewExponentialLR(o, 0.5) }, 3, 0.125},
		{"CosineAnnealingLR half", func(o optim.Optimizer) optim.Scheduler { return optim.NewCosineAnnealingLR(o, 4, 0.2) }, 2, 0.6},
		{"CosineAnnealingLR end", func(o optim.Optimizer) optim.Scheduler { return optim.NewCosineAnnealingLR(o, 4, 0.2) }, 4, 0.2},
		{"CosineAnnealingLR rises again", func(o optim.Optimizer) optim.Scheduler { return optim.NewCosineAnnealingLR(o, 4, 0.2) }, 8, 1},
		{"LinearWarmup start", func(o optim.Optimizer) optim.Scheduler { return optim.NewLinearWarmup(o, optim.LinearWarmupConfig{}) }, 0, 1.0 / 3},
		{"LinearWarmup middle", func(o optim.Optimizer) optim.Scheduler {
			return optim.NewLinearWarmup(o, optim.LinearWarmupConfig{StartFactor: 0.2, TotalIters: 4})
		}, 2, 0.6},
		{"LinearWarmup after", func(o optim.Optimizer) optim.Scheduler {
			return optim.NewLinearWarmup(o, optim.LinearWarmupConfig{StartFactor: 0.2, EndFactor: 0.5, TotalIters: 4})
		}, 9, 0.5},
	}
	for _, c := range cases {
		opt := oneParamSGD(1)
		s := c.mk(opt)
		for i := 0; i < c.steps; i++ {
			s.Step()
		}
		if got := s.LR()[0]; math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%s after %d steps: lr %v, want %v", c.name, c.steps, got, c.want)
		}
		if got := opt.Groups()[0].LR; got != s.LR()[0] {
			t.Errorf("%s: group lr %v, schedule says %v", c.name, got, s.LR()[0])
		}
	}
}

// TestScheduleUsesInitialLR checks that a second schedule starts from the
// learning rate the first one found (PyTorch's initial_lr), not from the
// current one.
func TestScheduleUsesInitialLR(t *testing.T) {
	opt := oneParamSGD(1)
	a := optim.NewExponentialLR(opt, 0.5)
	a.Step()
	if got := opt.Groups()[0].InitialLR; got != 1 {
		t.Fatalf("InitialLR = %v, want 1", got)
	}
	b := optim.NewStepLR(opt, 10, 0.1)
	if got := b.LR()[0]; got != 1 {
		t.Errorf("second schedule set lr %v, want the initial 1", got)
	}
}

// TestScheduleStateDict saves a schedule in the middle of its run and
// checks that a fresh one resumes from it.
func TestScheduleStateDict(t *testing.T) {
	mks := map[string]func(o optim.Optimizer) optim.Scheduler{
		"StepLR":            func(o optim.Optimizer) optim.Scheduler { return optim.NewStepLR(o, 2, 0.5) },
		"MultiStepLR":       func(o optim.Optimizer) optim.Scheduler { return optim.NewMultiStepLR(o, []int{2, 5}, 0.5) },
		"ExponentialLR":     func(o optim.Optimizer) optim.Scheduler { return optim.NewExponentialLR(o, 0.9) },
		"CosineAnnealingLR": func(o optim.Optimizer) optim.Scheduler { return optim.NewCosineAnnealingLR(o, 7, 0.01) },
		"LinearWarmup": func(o optim.Optimizer) optim.Scheduler {
			return optim.NewLinearWarmup(o, optim.LinearWarmupConfig{TotalIters: 6})
		},
		"OneCycleLR": func(o optim.Optimizer) optim.Scheduler {
			return optim.NewOneCycleLR(o, optim.OneCycleConfig{MaxLR: 1, TotalSteps: 10})
		},
	}
	for name, mk := range mks {
		t.Run(name, func(t *testing.T) {
			opt := oneParamSGD(0.5)
			s := mk(opt)
			for i := 0; i < 4; i++ {
				s.Step()
			}
			st := s.StateDict()
			if st.Step != 4 {
				t.Errorf("Step = %d, want 4", st.Step)
			}
			opt2 := oneParamSGD(0.5)
			s2 := mk(opt2)
			if err := s2.LoadStateDict(st); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 4; i++ {
				if a, b := s.LR()[0], s2.LR()[0]; a != b {
					t.Fatalf("step %d after loading: lr %v, want %v", 4+i, b, a)
				}
				if a, b := opt.Groups()[0].Momentum, opt2.Groups()[0].Momentum; a != b {
					t.Fatalf("step %d after loading: momentum %v, want %v", 4+i, b, a)
				}
				s.Step()
				s2.Step()
			}
			bad := st
			bad.Scalars = map[string]float64{"bogus": 1}
			if err := s2.LoadStateDict(bad); err == nil || !strings.Contains(err.Error(), "bogus") && !strings.Contains(err.Error(), "unexpected") {
				t.Errorf("loading a bad state: error %v", err)
			}
		})
	}
}

func TestScheduleGroupsChanged(t *testing.T) {
	p := tensor.Zeros(tensor.Float32, 1).SetRequiresGrad(true)
	q := tensor.Zeros(tensor.Float32, 1).SetRequiresGrad(true)
	opt := optim.NewSGDGroups([]optim.Group{{Params: []*tensor.Tensor{p}}, {Params: []*tensor.Tensor{q}}}, optim.SGDConfig{LR: 1})
	s := optim.NewStepLR(opt, 1, 0.5)
	st := s.StateDict()
	st.Scalars = map[string]float64{"base_lrs.0": 1}
	err := s.LoadStateDict(st)
	if err == nil || !strings.Contains(err.Error(), "missing key base_lrs.1") {
		t.Errorf("error %v, want it to name base_lrs.1", err)
	}
}

func TestOneCycleLR(t *testing.T) {
	ps := []*tensor.Tensor{tensor.Zeros(tensor.Float32, 1).SetRequiresGrad(true)}
	mustPanicWith(t, "has no momentum to cycle; set NoMomentum", func() {
		optim.NewOneCycleLR(optim.NewAdagrad(ps, optim.AdagradConfig{}), optim.OneCycleConfig{MaxLR: 1, TotalSteps: 5})
	})
	ada := optim.NewAdagrad(ps, optim.AdagradConfig{})
	s := optim.NewOneCycleLR(ada, optim.OneCycleConfig{MaxLR: 1, TotalSteps: 3, NoMomentum: true})
	if got := ada.Groups()[0].InitialLR; got != 1.0/25 {
		t.Errorf("InitialLR = %v, want 1/25", got)
	}
	s.Step()
	s.Step()
	s.Step()
	mustPanicWith(t, "OneCycleLR: stepped 4 times, but the cycle has 3 steps", s.Step)
	// Adam's β₁ is cycled, β₂ left alone.
	adam := optim.NewAdam(ps, optim.AdamConfig{Beta2: 0.99})
	optim.NewOneCycleLR(adam, optim.OneCycleConfig{MaxLR: 1, TotalSteps: 10})
	if g := adam.Groups()[0]; g.Beta1 != 0.95 || g.Beta2 != 0.99 {
		t.Errorf("betas %v, %v, want 0.95, 0.99", g.Beta1, g.Beta2)
	}
	mustPanicWith(t, "TotalSteps must be positive", func() { optim.NewOneCycleLR(adam, optim.OneCycleConfig{MaxLR: 1}) })
}

func TestReduceLROnPlateau(t *testing.T) {
	opt := oneParamSGD(1)
	s := optim.NewReduceLROnPlateau(opt, optim.ReduceLROnPlateauConfig{Patience: 1, Factor: 0.5, MinLR: 0.3})
	// Improving, then flat: the second bad epoch exceeds the patience; the
	// last reduction would go below MinLR and is skipped (but still resets
	// the count of bad epochs).
	for i, c := range []struct{ metric, lr float64 }{{1, 1}, {0.5, 1}, {0.5, 1}, {0.6, 0.5}, {0.7, 0.5}, {0.7, 0.3}, {0.1, 0.3}, {0.2, 0.3}, {0.2, 0.3}} {
		s.StepMetric(c.metric)
		if got := s.LR()[0]; got != c.lr {
			t.Fatalf("epoch %d (metric %v): lr %v, want %v", i, c.metric, got, c.lr)
		}
	}
	st := s.StateDict()
	if st.Step != 9 || st.Scalars["best"] != 0.1 || st.Scalars["num_bad_epochs"] != 0 {
		t.Errorf("state %+v", st)
	}
	s2 := optim.NewReduceLROnPlateau(oneParamSGD(1), optim.ReduceLROnPlateauConfig{})
	if err := s2.LoadStateDict(st); err != nil {
		t.Fatal(err)
	}
	if got := s2.StateDict(); got.Step != st.Step || got.Scalars["best"] != 0.1 {
		t.Errorf("state after loading %+v", got)
	}
	err := s2.LoadStateDict(optim.State{Scalars: map[string]float64{"best": 1, "num_bad_epochs": -1, "extra": 2}})
	for _, w := range []string{"missing key cooldown_counter", "unexpected key extra", "num_bad_epochs: invalid count -1"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not mention %q", err, w)
		}
	}
	mustPanicWith(t, "factor must lie in (0, 1)", func() {
		optim.NewReduceLROnPlateau(opt, optim.ReduceLROnPlateauConfig{Factor: 1})
	})
}

func TestScheduleErrors(t *testing.T) {
	opt := oneParamSGD(1)
	mustPanicWith(t, "NewStepLR: step size must be positive, got 0", func() { optim.NewStepLR(opt, 0, 0.1) })
	mustPanicWith(t, "NewExponentialLR: gamma must be positive", func() { optim.NewExponentialLR(opt, 0) })
	mustPanicWith(t, "NewCosineAnnealingLR: tMax must be positive", func() { optim.NewCosineAnnealingLR(opt, 0, 0) })
	mustPanicWith(t, "NewLinearWarmup: invalid configuration", func() {
		optim.NewLinearWarmup(opt, optim.LinearWarmupConfig{StartFactor: 2})
	})
	mustPanicWith(t, "NewOneCycleLR: PctStart must lie in (0, 1)", func() {
		optim.NewOneCycleLR(opt, optim.OneCycleConfig{MaxLR: 1, TotalSteps: 4, PctStart: 1})
	})
}
