package optim

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
)

// Scheduler sets the learning rates of an optimizer's groups from a count
// of epochs (or steps), as PyTorch's learning-rate schedulers.
//
// A new schedule sets the learning rates for epoch 0 at once; each call of
// Step advances the count by one and sets the learning rates for it, so
// Step is called after the optimizer's Step, once per epoch (or per batch
// for schedules such as OneCycleLR). LR returns the learning rate of each
// group. StateDict and LoadStateDict save and restore the count and what
// the schedule derived from the optimizer when it was created; loading
// also sets the groups' learning rates for the restored count.
type Scheduler interface {
	Step()
	LR() []float64
	StateDict() State
	LoadStateDict(State) error
}

// MetricScheduler is a schedule driven by a measured metric rather than a
// count, such as ReduceLROnPlateau: StepMetric is called once per epoch
// with the metric (a validation loss, say).
type MetricScheduler interface {
	StepMetric(v float64)
	LR() []float64
	StateDict() State
	LoadStateDict(State) error
}

// epochSchedule is a schedule whose learning rates are a closed-form
// function of each group's base learning rate and the epoch count.
type epochSchedule struct {
	name    string
	opt     Optimizer
	baseLRs []float64
	epoch   int64
	lr      func(base float64, epoch int64) float64
}

// init attaches the schedule to opt: each group's InitialLR becomes its
// base learning rate (set from LR when no schedule set it before), and the
// learning rates are set for epoch 0.
func (s *epochSchedule) init(name string, opt Optimizer, lr func(base float64, epoch int64) float64) {
	s.name, s.opt, s.lr = name, opt, lr
	for _, g := range opt.Groups() {
		if g.InitialLR == 0 {
			g.InitialLR = g.LR
		}
		s.baseLRs = append(s.baseLRs, g.InitialLR)
	}
	s.apply()
}

// apply sets every group's learning rate for the current epoch.
func (s *epochSchedule) apply() {
	groups := s.opt.Groups()
	if len(groups) != len(s.baseLRs) {
		panicf("%s: the optimizer has %d groups, the schedule was created for %d", s.name, len(groups), len(s.baseLRs))
	}
	for i, g := range groups {
		g.LR = s.lr(s.baseLRs[i], s.epoch)
	}
}

// Step advances the epoch count by one and sets the learning rates.
func (s *epochSchedule) Step() {
	s.epoch++
	s.apply()
}

// LR returns the current learning rate of each group.
func (s *epochSchedule) LR() []float64 { return groupLRs(s.opt) }

// Epoch returns the number of calls of Step so far.
func (s *epochSchedule) Epoch() int64 { return s.epoch }

// StateDict returns the epoch count as Step and the base learning rates as
// Scalars "base_lrs.<g>".
func (s *epochSchedule) StateDict() State {
	st := State{Step: s.epoch, Scalars: map[string]float64{}}
	for i, lr := range s.baseLRs {
		st.Scalars["base_lrs."+strconv.Itoa(i)] = lr
	}
	return st
}

// LoadStateDict restores the epoch count and the base learning rates and
// sets the learning rates for them.
func (s *epochSchedule) LoadStateDict(st State) error {
	base, err := loadBaseLRs(s.name, st, len(s.baseLRs))
	if err != nil {
		return err
	}
	if st.Step < 0 {
		return fmt.Errorf("optim: load %s state: negative epoch %d", s.name, st.Step)
	}
	s.baseLRs, s.epoch = base, st.Step
	s.apply()
	return nil
}

// loadBaseLRs reads n scalars "base_lrs.<g>" from st, rejecting any other.
func loadBaseLRs(name string, st State, n int) ([]float64, error) {
	base := make([]float64, n)
	var msgs []string
	for i := range base {
		v, ok := st.Scalars["base_lrs."+strconv.Itoa(i)]
		if !ok {
			msgs = append(msgs, "missing key base_lrs."+strconv.Itoa(i))
		}
		base[i] = v
	}
	for k := range st.Scalars {
		kind, idx, _, _ := splitKey(k + ".x")
		if kind != "base_lrs" || idx >= n {
			msgs = append(msgs, "unexpected key "+k)
		}
	}
	for k := range st.Tensors {
		msgs = append(msgs, "unexpected key "+k)
	}
	if len(msgs) > 0 {
		slices.Sort(msgs)
		return nil, fmt.Errorf("optim: load %s state: %s", name, joinMsgs(msgs))
	}
	return base, nil
}

func joinMsgs(msgs []string) string {
	s := msgs[0]
	for _, m := range msgs[1:] {
		s += "; " + m
	}
	return s
}

// groupLRs returns the learning rate of each group of opt.
func groupLRs(opt Optimizer) []float64 {
	var lrs []float64
	for _, g := range opt.Groups() {
		lrs = append(lrs, g.LR)
	}
	return lrs
}

// StepLR multiplies the learning rate by gamma every stepSize epochs, as
// torch.optim.lr_scheduler.StepLR: lr = base · γ^⌊epoch/stepSize⌋.
type StepLR struct{ epochSchedule }

// NewStepLR returns a StepLR schedule for opt. gamma zero means PyTorch's
// default 0.1.
func NewStepLR(opt Optimizer, stepSize int, gamma float64) *StepLR {
	if stepSize <= 0 {
		panicf("NewStepLR: step size must be positive, got %d", stepSize)
	}
	gamma = orDefault(gamma, 0.1)
	s := &StepLR{}
	s.init("StepLR", opt, func(base float64, e int64) float64 {
		return base * math.Pow(gamma, float64(e/int64(stepSize)))
	})
	return s
}

// MultiStepLR multiplies the learning rate by gamma at each milestone
// epoch, as torch.optim.lr_scheduler.MultiStepLR: lr = base · γ^k where k
// is the number of milestones ≤ epoch (a repeated milestone counts as
// often as it appears).
type MultiStepLR struct{ epochSchedule }

// NewMultiStepLR returns a MultiStepLR schedule for opt. gamma zero means
// PyTorch's default 0.1.
func NewMultiStepLR(opt Optimizer, milestones []int, gamma float64) *MultiStepLR {
	ms := slices.Clone(milestones)
	sort.Ints(ms)
	gamma = orDefault(gamma, 0.1)
	s := &MultiStepLR{}
	s.init("MultiStepLR", opt, func(base float64, e int64) float64 {
		k := sort.Search(len(ms), func(i int) bool { return int64(ms[i]) > e })
		return base * math.Pow(gamma, float64(k))
	})
	return s
}

// ExponentialLR multiplies the learning rate by gamma every epoch, as
// torch.optim.lr_scheduler.ExponentialLR: lr = base · γ^epoch.
type ExponentialLR struct{ epochSchedule }

// NewExponentialLR returns an ExponentialLR schedule for opt; gamma must be
// positive.
func NewExponentialLR(opt Optimizer, gamma float64) *ExponentialLR {
	if !(gamma > 0) {
		panicf("NewExponentialLR: gamma must be positive, got %v", gamma)
	}
	s := &ExponentialLR{}
	s.init("ExponentialLR", opt, func(base float64, e int64) float64 {
		return base * math.Pow(gamma, float64(e))
	})
	return s
}

// CosineAnnealingLR anneals the learning rate from its base value to
// etaMin along half a cosine over tMax epochs, as
// torch.optim.lr_scheduler.CosineAnnealingLR:
// lr = etaMin + (base − etaMin)·(1 + cos(π·epoch/tMax))/2. Past tMax it
// rises again along the same cosine, as PyTorch's does.
type CosineAnnealingLR struct{ epochSchedule }

// NewCosineAnnealingLR returns a CosineAnnealingLR schedule for opt.
func NewCosineAnnealingLR(opt Optimizer, tMax int, etaMin float64) *CosineAnnealingLR {
	if tMax <= 0 {
		panicf("NewCosineAnnealingLR: tMax must be positive, got %d", tMax)
	}
	s := &CosineAnnealingLR{}
	s.init("CosineAnnealingLR", opt, func(base float64, e int64) float64 {
		return etaMin + (base-etaMin)*(1+math.Cos(math.Pi*float64(e)/float64(tMax)))/2
	})
	return s
}

// LinearWarmupConfig configures LinearWarmup. Zero fields mean PyTorch's
// LinearLR defaults: StartFactor 1/3, EndFactor 1, TotalIters 5.
type LinearWarmupConfig struct {
	StartFactor float64 // factor of the base learning rate at epoch 0, in (0, 1]
	EndFactor   float64 // factor reached at TotalIters, in (0, 1]
	TotalIters  int     // number of epochs of the ramp
}

// LinearWarmup scales the learning rate by a factor that moves linearly
// from StartFactor to EndFactor over TotalIters epochs and then stays, as
// torch.optim.lr_scheduler.LinearLR:
// lr = base · (start + (end − start)·min(epoch, total)/total).
type LinearWarmup struct{ epochSchedule }

// NewLinearWarmup returns a LinearWarmup schedule for opt.
func NewLinearWarmup(opt Optimizer, cfg LinearWarmupConfig) *LinearWarmup {
	start := orDefault(cfg.StartFactor, 1.0/3)
	end := orDefault(cfg.EndFactor, 1)
	total := cfg.TotalIters
	if total == 0 {
		total = 5
	}
	if !(start > 0 && start <= 1) || !(end > 0 && end <= 1) || total < 0 {
		panicf("NewLinearWarmup: invalid configuration %+v", cfg)
	}
	s := &LinearWarmup{}
	s.init("LinearWarmup", opt, func(base float64, e int64) float64 {
		return base * (start + (end-start)*float64(min(e, int64(total)))/float64(total))
	})
	return s
}
