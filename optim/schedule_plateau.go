package optim

import (
	"fmt"
	"math"
	"slices"
)

// PlateauMode says whether ReduceLROnPlateau's metric should decrease or
// increase.
type PlateauMode int

// The plateau modes: ModeMin for metrics to minimize (losses), ModeMax for
// metrics to maximize (accuracies).
const (
	ModeMin PlateauMode = iota
	ModeMax
)

// ThresholdMode says how ReduceLROnPlateau's threshold is applied.
type ThresholdMode int

// The threshold modes. With ThresholdRel a metric improves on the best one
// b when it is below b·(1 − threshold) (ModeMin) or above b·(1 + threshold)
// (ModeMax); with ThresholdAbs when it is below b − threshold or above
// b + threshold.
const (
	ThresholdRel ThresholdMode = iota
	ThresholdAbs
)

// ReduceLROnPlateauConfig configures ReduceLROnPlateau. Zero fields mean
// PyTorch's defaults (mode min, Factor 0.1, Threshold 1e-4 relative,
// Cooldown 0, MinLR 0, Eps 1e-8) except Patience, which is taken as given:
// PyTorch's default patience is 10.
type ReduceLROnPlateauConfig struct {
	Mode          PlateauMode
	Factor        float64 // factor applied to the learning rate, in (0, 1)
	Patience      int     // number of epochs without improvement tolerated
	Threshold     float64 // least change that counts as an improvement; use a tiny value for "any"
	ThresholdMode ThresholdMode
	Cooldown      int     // epochs to wait after a reduction before counting again
	MinLR         float64 // lower bound of the learning rates
	Eps           float64 // reductions smaller than this are skipped
}

// ReduceLROnPlateau multiplies the learning rate of every group by Factor
// when the metric passed to StepMetric has not improved for more than
// Patience epochs, as torch.optim.lr_scheduler.ReduceLROnPlateau. It
// changes the groups' learning rates in place and does not use InitialLR.
type ReduceLROnPlateau struct {
	opt           Optimizer
	cfg           ReduceLROnPlateauConfig
	best          float64
	numBad        int
	cooldownCount int
	epoch         int64
}

// NewReduceLROnPlateau returns a ReduceLROnPlateau schedule for opt.
func NewReduceLROnPlateau(opt Optimizer, cfg ReduceLROnPlateauConfig) *ReduceLROnPlateau {
	cfg.Factor = orDefault(cfg.Factor, 0.1)
	cfg.Threshold = orDefault(cfg.Threshold, 1e-4)
	cfg.Eps = orDefault(cfg.Eps, 1e-8)
	switch {
	case !(cfg.Factor > 0 && cfg.Factor < 1):
		panicf("NewReduceLROnPlateau: factor must lie in (0, 1), got %v", cfg.Factor)
	case cfg.Mode != ModeMin && cfg.Mode != ModeMax:
		panicf("NewReduceLROnPlateau: invalid mode %d", cfg.Mode)
	case cfg.ThresholdMode != ThresholdRel && cfg.ThresholdMode != ThresholdAbs:
		panicf("NewReduceLROnPlateau: invalid threshold mode %d", cfg.ThresholdMode)
	case cfg.Patience < 0 || cfg.Cooldown < 0 || cfg.MinLR < 0:
		panicf("NewReduceLROnPlateau: negative value in %+v", cfg)
	}
	s := &ReduceLROnPlateau{opt: opt, cfg: cfg}
	s.best = s.worst()
	return s
}

// worst returns the value every metric improves on.
func (s *ReduceLROnPlateau) worst() float64 {
	if s.cfg.Mode == ModeMin {
		return math.Inf(1)
	}
	return math.Inf(-1)
}

func (s *ReduceLROnPlateau) isBetter(a float64) bool {
	b, t := s.best, s.cfg.Threshold
	switch {
	case s.cfg.Mode == ModeMin && s.cfg.ThresholdMode == ThresholdRel:
		return a < b*(1-t)
	case s.cfg.Mode == ModeMin:
		return a < b-t
	case s.cfg.ThresholdMode == ThresholdRel:
		return a > b*(t+1)
	default:
		return a > b+t
	}
}

// StepMetric records the metric of one epoch and reduces the learning
// rates when it has not improved for more than Patience epochs.
func (s *ReduceLROnPlateau) StepMetric(v float64) {
	s.epoch++
	if s.isBetter(v) {
		s.best = v
		s.numBad = 0
	} else {
		s.numBad++
	}
	if s.cooldownCount > 0 {
		s.cooldownCount--
		s.numBad = 0
	}
	if s.numBad > s.cfg.Patience {
		for _, g := range s.opt.Groups() {
			lr := max(g.LR*s.cfg.Factor, s.cfg.MinLR)
			if g.LR-lr > s.cfg.Eps {
				g.LR = lr
			}
		}
		s.cooldownCount = s.cfg.Cooldown
		s.numBad = 0
	}
}

// LR returns the current learning rate of each group.
func (s *ReduceLROnPlateau) LR() []float64 { return groupLRs(s.opt) }

// StateDict returns the number of epochs seen as Step and the best metric
// and the counters as Scalars "best", "num_bad_epochs" and
// "cooldown_counter".
func (s *ReduceLROnPlateau) StateDict() State {
	return State{Step: s.epoch, Scalars: map[string]float64{
		"best":             s.best,
		"num_bad_epochs":   float64(s.numBad),
		"cooldown_counter": float64(s.cooldownCount),
	}}
}

// LoadStateDict restores the state saved by StateDict. The learning rates
// themselves are part of the optimizer's state.
func (s *ReduceLROnPlateau) LoadStateDict(st State) error {
	want := []string{"best", "cooldown_counter", "num_bad_epochs"}
	var msgs []string
	for _, k := range want {
		if _, ok := st.Scalars[k]; !ok {
			msgs = append(msgs, "missing key "+k)
		}
	}
	for k := range st.Scalars {
		if !slices.Contains(want, k) {
			msgs = append(msgs, "unexpected key "+k)
		}
	}
	for k := range st.Tensors {
		msgs = append(msgs, "unexpected key "+k)
	}
	for _, k := range want[1:] {
		if v, ok := st.Scalars[k]; ok && (v < 0 || v != math.Trunc(v)) {
			msgs = append(msgs, fmt.Sprintf("%s: invalid count %v", k, v))
		}
	}
	if len(msgs) > 0 {
		slices.Sort(msgs)
		return fmt.Errorf("optim: load ReduceLROnPlateau state: %s", joinMsgs(msgs))
	}
	s.epoch = st.Step
	s.best = st.Scalars["best"]
	s.numBad = int(st.Scalars["num_bad_epochs"])
	s.cooldownCount = int(st.Scalars["cooldown_counter"])
	return nil
}
