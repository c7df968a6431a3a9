package main

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

func TestBuildSchedule(t *testing.T) {
	// A run of 6 epochs of 10 steps at learning rate 0.1. steps is the
	// number of calls of Step (per epoch or per batch, as the schedule
	// is stepped), lr the learning rate expected then, by the formulas of
	// PyTorch's schedulers.
	cases := []struct {
		spec  string
		kind  string // "epoch", "step", "metric" or "none"
		steps int
		lr    float64
	}{
		{"none", "none", 0, 0.1},
		{"cosine", "epoch", 3, 0.05}, // 0.1·(1 + cos(π·3/6))/2
		{"COSINE", "epoch", 6, 0},
		{"step", "epoch", 1, 0.1}, // SIZE epochs/3 = 2, GAMMA 0.1
		{"step", "epoch", 2, 0.01},
		{"step:3:0.5", "epoch", 3, 0.05},
		{"exponential", "epoch", 1, 0.09},
		{"exponential:0.5", "epoch", 2, 0.025},
		{"onecycle", "step", 0, 0.004}, // MaxLR/25
		{"onecycle", "step", 17, 0.1},  // the peak, at step 0.3·60 − 1 as in PyTorch
		{"warmup", "step", 0, 0.01},    // a tenth of the rate, rising over one epoch
		{"warmup:2", "step", 10, 0.055},
		{"warmup:2", "step", 25, 0.1},
		{"plateau", "metric", 0, 0.1},
	}
	for _, c := range cases {
		t.Run(c.spec, func(t *testing.T) {
			p := tensor.Zeros(tensor.Float32, 1).SetRequiresGrad(true)
			opt := optim.NewSGD([]*tensor.Tensor{p}, optim.SGDConfig{LR: 0.1, Momentum: 0.9})
			s, err := buildSchedule(c.spec, opt, 0.1, 6, 10)
			if err != nil {
				t.Fatal(err)
			}
			kind := "none"
			var sched optim.Scheduler
			switch {
			case s.perEpoch != nil:
				kind, sched = "epoch", s.perEpoch
			case s.perStep != nil:
				kind, sched = "step", s.perStep
			case s.metric != nil:
				kind = "metric"
			}
			if kind != c.kind {
				t.Fatalf("stepped per %s, want %s", kind, c.kind)
			}
			for range c.steps {
				sched.Step()
			}
			if got := opt.Groups()[0].LR; math.Abs(got-c.lr) > 1e-12 {
				t.Errorf("learning rate %v after %d steps, want %v", got, c.steps, c.lr)
			}
		})
	}
}

func TestBuildScheduleErrors(t *testing.T) {
	cases := []struct{ spec, want string }{
		{"linear", `unknown --schedule "linear"`},
		{"step:0", "whole number of epochs, at least 1"},
		{"step:2.5", "whole number of epochs, at least 1"},
		{"step:2:0", "gamma must be positive"},
		{"step:2:-0.5", "gamma must be positive"},
		{"step:1:2:3", "step takes at most 2 arguments"},
		{"exponential:0", "gamma must be positive"},
		{"exponential:x", `"x" is not a number`},
		{"exponential:NaN", `"NaN" is not a number`},
		{"cosine:3", "cosine takes at most 0 arguments"},
		{"warmup:0", "whole number of epochs, at least 1"},
		{"warmup:1.5", "whole number of epochs, at least 1"},
	}
	for _, c := range cases {
		p := tensor.Zeros(tensor.Float32, 1).SetRequiresGrad(true)
		opt := optim.NewSGD([]*tensor.Tensor{p}, optim.SGDConfig{LR: 0.1})
		_, err := buildSchedule(c.spec, opt, 0.1, 6, 10)
		var ue *usageError
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &ue) {
			t.Errorf("buildSchedule(%q): error %v, want a usage error containing %q", c.spec, err, c.want)
		}
	}
}
