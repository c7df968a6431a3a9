package main

import (
	"math"
	"strconv"
	"strings"

	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// optimizerNames lists the values --optimizer accepts.
const optimizerNames = "sgd, adam, adamw, rmsprop, adagrad"

// buildOptimizer returns the optimizer named name over params.
func buildOptimizer(name string, params []*tensor.Tensor, lr, momentum, weightDecay float64) (optim.Optimizer, error) {
	if lr <= 0 {
		return nil, usagef("--lr must be positive, got %v", lr)
	}
	switch strings.ToLower(name) {
	case "sgd":
		return optim.NewSGD(params, optim.SGDConfig{LR: lr, Momentum: momentum, WeightDecay: weightDecay}), nil
	case "adam":
		return optim.NewAdam(params, optim.AdamConfig{LR: lr, WeightDecay: weightDecay}), nil
	case "adamw":
		return optim.NewAdamW(params, optim.AdamConfig{LR: lr, WeightDecay: weightDecay}), nil
	case "rmsprop":
		return optim.NewRMSprop(params, optim.RMSpropConfig{LR: lr, Momentum: momentum, WeightDecay: weightDecay}), nil
	case "adagrad":
		return optim.NewAdagrad(params, optim.AdagradConfig{LR: lr, WeightDecay: weightDecay}), nil
	}
	return nil, usagef("unknown --optimizer %q (want one of %s)", name, optimizerNames)
}

// scheduleNames lists the values --schedule accepts.
const scheduleNames = "none, step[:SIZE[:GAMMA]] (default SIZE epochs/3, GAMMA 0.1), exponential[:GAMMA] (default 0.9), cosine, onecycle, plateau, warmup[:EPOCHS] (default 1)"

// schedule is the learning-rate schedule chosen on the command line: at
// most one of the fields is set.
type schedule struct {
	name     string                // the --schedule value
	perEpoch optim.Scheduler       // stepped after each epoch
	perStep  optim.Scheduler       // stepped after each batch
	metric   optim.MetricScheduler // stepped with the validation loss
}

// buildSchedule parses spec (see scheduleNames) for opt, for a run of the
// given epochs of stepsPerEpoch batches.
func buildSchedule(spec string, opt optim.Optimizer, lr float64, epochs, stepsPerEpoch int) (s schedule, err error) {
	name, args, _ := strings.Cut(spec, ":")
	name = strings.ToLower(name)
	var nums []float64
	if args != "" {
		for _, a := range strings.Split(args, ":") {
			v, err := strconv.ParseFloat(a, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return schedule{}, usagef("--schedule %q: %q is not a number", spec, a)
			}
			nums = append(nums, v)
		}
	}
	arg := func(i int, def float64) float64 {
		if i < len(nums) {
			return nums[i]
		}
		return def
	}
	maxArgs := map[string]int{"none": 0, "": 0, "step": 2, "exponential": 1, "cosine": 0, "onecycle": 0, "plateau": 0, "warmup": 1}
	if n, ok := maxArgs[name]; !ok {
		return schedule{}, usagef("unknown --schedule %q (want one of %s)", spec, scheduleNames)
	} else if len(nums) > n {
		return schedule{}, usagef("--schedule %q: %s takes at most %d arguments", spec, name, n)
	}
	defer func() {
		// The optim constructors panic on invalid arguments.
		if r := recover(); r != nil {
			s, err = schedule{}, usagef("--schedule %q: %v", spec, r)
		}
	}()
	s.name = spec
	switch name {
	case "none", "":
	case "step":
		size, gamma := arg(0, float64(max(1, epochs/3))), arg(1, 0.1)
		if size < 1 || size != math.Trunc(size) {
			return schedule{}, usagef("--schedule %q: the step size must be a whole number of epochs, at least 1", spec)
		}
		if gamma <= 0 {
			return schedule{}, usagef("--schedule %q: the factor gamma must be positive", spec)
		}
		s.perEpoch = optim.NewStepLR(opt, int(size), gamma)
	case "exponential":
		gamma := arg(0, 0.9)
		if gamma <= 0 {
			return schedule{}, usagef("--schedule %q: the factor gamma must be positive", spec)
		}
		s.perEpoch = optim.NewExponentialLR(opt, gamma)
	case "cosine":
		s.perEpoch = optim.NewCosineAnnealingLR(opt, max(1, epochs), 0)
	case "onecycle":
		cfg := optim.OneCycleConfig{MaxLR: lr, TotalSteps: max(1, epochs*stepsPerEpoch)}
		if _, ok := opt.(*optim.Adagrad); ok {
			cfg.NoMomentum = true
		}
		if sgd, ok := opt.(*optim.SGD); ok && sgd.Groups()[0].Momentum == 0 {
			cfg.NoMomentum = true
		}
		s.perStep = optim.NewOneCycleLR(opt, cfg)
	case "plateau":
		s.metric = optim.NewReduceLROnPlateau(opt, optim.ReduceLROnPlateauConfig{Factor: 0.1, Patience: 2})
	case "warmup":
		n := arg(0, 1)
		if n < 1 || n != math.Trunc(n) {
			return schedule{}, usagef("--schedule %q: the warm-up must be a whole number of epochs, at least 1", spec)
		}
		s.perStep = optim.NewLinearWarmup(opt, optim.LinearWarmupConfig{StartFactor: 0.1, EndFactor: 1, TotalIters: int(n) * max(1, stepsPerEpoch)})
	}
	return s, err
}

// String returns a short description of the schedule for logs.
func (s schedule) String() string {
	switch {
	case s.perEpoch != nil:
		return s.name + " (per epoch)"
	case s.perStep != nil:
		return s.name + " (per step)"
	case s.metric != nil:
		return s.name + " (on the validation loss)"
	}
	return "none"
}
