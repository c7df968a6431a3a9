package optim

import (
	"fmt"
	"math"
)

// OneCycleConfig configures OneCycleLR. MaxLR and TotalSteps are required;
// the other zero fields mean PyTorch's defaults: PctStart 0.3, cosine
// annealing, momentum cycled between BaseMomentum 0.85 and MaxMomentum
// 0.95, DivFactor 25, FinalDivFactor 1e4, two phases.
type OneCycleConfig struct {
	MaxLR          float64 // peak learning rate
	TotalSteps     int     // number of steps of the cycle
	PctStart       float64 // fraction of the steps spent increasing the learning rate
	AnnealLinear   bool    // anneal linearly instead of along a cosine
	NoMomentum     bool    // leave momentum (β₁ for Adam) alone
	BaseMomentum   float64 // momentum at the peak learning rate
	MaxMomentum    float64 // momentum at the start and end of the cycle
	DivFactor      float64 // initial learning rate = MaxLR / DivFactor
	FinalDivFactor float64 // final learning rate = initial / FinalDivFactor
	ThreePhase     bool    // PyTorch's three_phase: a symmetric ramp, then a final annealing
}

// OneCycleLR is the 1cycle policy, as torch.optim.lr_scheduler.OneCycleLR:
// the learning rate rises from MaxLR/DivFactor to MaxLR over the first
// PctStart of TotalSteps, then falls to MaxLR/DivFactor/FinalDivFactor,
// while the momentum moves the opposite way between MaxMomentum and
// BaseMomentum. It is stepped after every batch. It sets each group's
// InitialLR to MaxLR/DivFactor, and cycles Group.Momentum (SGD, RMSprop) or
// Group.Beta1 (Adam, AdamW); with an optimizer that has neither (Adagrad)
// set NoMomentum. Stepping more than TotalSteps times panics, as in
// PyTorch.
type OneCycleLR struct {
	opt      Optimizer
	cfg      OneCycleConfig
	useBeta1 bool
	phases   []oneCyclePhase
	epoch    int64
}

// oneCyclePhase is one segment of the cycle, ending at step end, with the
// learning rate and momentum moving between the values that the indices
// name.
type oneCyclePhase struct {
	end            float64
	lrFrom, lrTo   int // 0 initial, 1 max, 2 min learning rate
	momFrom, momTo int // 0 base, 1 max momentum
}

// NewOneCycleLR returns a OneCycleLR schedule for opt.
func NewOneCycleLR(opt Optimizer, cfg OneCycleConfig) *OneCycleLR {
	const op = "NewOneCycleLR"
	if cfg.TotalSteps <= 0 {
		panicf("%s: TotalSteps must be positive, got %d", op, cfg.TotalSteps)
	}
	if !(cfg.MaxLR > 0) {
		panicf("%s: MaxLR must be positive, got %v", op, cfg.MaxLR)
	}
	cfg.PctStart = orDefault(cfg.PctStart, 0.3)
	cfg.BaseMomentum = orDefault(cfg.BaseMomentum, 0.85)
	cfg.MaxMomentum = orDefault(cfg.MaxMomentum, 0.95)
	cfg.DivFactor = orDefault(cfg.DivFactor, 25)
	cfg.FinalDivFactor = orDefault(cfg.FinalDivFactor, 1e4)
	if !(cfg.PctStart > 0 && cfg.PctStart < 1) {
		panicf("%s: PctStart must lie in (0, 1), got %v", op, cfg.PctStart)
	}
	s := &OneCycleLR{opt: opt, cfg: cfg}
	if !cfg.NoMomentum {
		switch opt.(type) {
		case *Adam:
			s.useBeta1 = true
		case *SGD, *RMSprop:
		default:
			panicf("%s: the optimizer %T has no momentum to cycle; set NoMomentum", op, opt)
		}
	}
	t, p := float64(cfg.TotalSteps), cfg.PctStart
	if cfg.ThreePhase {
		s.phases = []oneCyclePhase{
			{end: p*t - 1, lrFrom: 0, lrTo: 1, momFrom: 1, momTo: 0},
			{end: 2*p*t - 2, lrFrom: 1, lrTo: 0, momFrom: 0, momTo: 1},
			{end: t - 1, lrFrom: 0, lrTo: 2, momFrom: 1, momTo: 1},
		}
	} else {
		s.phases = []oneCyclePhase{
			{end: p*t - 1, lrFrom: 0, lrTo: 1, momFrom: 1, momTo: 0},
			{end: t - 1, lrFrom: 1, lrTo: 2, momFrom: 0, momTo: 1},
		}
	}
	for _, g := range opt.Groups() {
		g.InitialLR = cfg.MaxLR / cfg.DivFactor
	}
	s.apply()
	return s
}

// Step advances the step count by one and sets the learning rates (and
// momenta).
func (s *OneCycleLR) Step() {
	if s.epoch+1 > int64(s.cfg.TotalSteps) {
		panicf("OneCycleLR: stepped %d times, but the cycle has %d steps", s.epoch+1, s.cfg.TotalSteps)
	}
	s.epoch++
	s.apply()
}

func (s *OneCycleLR) anneal(a, b, pct float64) float64 {
	if s.cfg.AnnealLinear {
		return (b-a)*pct + a
	}
	return b + (a-b)/2*(math.Cos(math.Pi*pct)+1)
}

// apply sets the learning rate and momentum of every group for the current
// step.
func (s *OneCycleLR) apply() {
	initial := s.cfg.MaxLR / s.cfg.DivFactor
	lrs := [3]float64{initial, s.cfg.MaxLR, initial / s.cfg.FinalDivFactor}
	moms := [2]float64{s.cfg.BaseMomentum, s.cfg.MaxMomentum}
	step := float64(s.epoch)
	var lr, mom float64
	start := 0.0
	for i, ph := range s.phases {
		if step <= ph.end || i == len(s.phases)-1 {
			pct := (step - start) / (ph.end - start)
			lr = s.anneal(lrs[ph.lrFrom], lrs[ph.lrTo], pct)
			mom = s.anneal(moms[ph.momFrom], moms[ph.momTo], pct)
			break
		}
		start = ph.end
	}
	for _, g := range s.opt.Groups() {
		g.LR = lr
		switch {
		case s.cfg.NoMomentum:
		case s.useBeta1:
			g.Beta1 = mom
		default:
			g.Momentum = mom
		}
	}
}

// LR returns the current learning rate of each group.
func (s *OneCycleLR) LR() []float64 { return groupLRs(s.opt) }

// StateDict returns the step count as Step.
func (s *OneCycleLR) StateDict() State { return State{Step: s.epoch} }

// LoadStateDict restores the step count and sets the learning rates (and
// momenta) for it.
func (s *OneCycleLR) LoadStateDict(st State) error {
	if len(st.Scalars) > 0 || len(st.Tensors) > 0 {
		return fmt.Errorf("optim: load OneCycleLR state: unexpected entries besides the step count")
	}
	if st.Step < 0 || st.Step > int64(s.cfg.TotalSteps) {
		return fmt.Errorf("optim: load OneCycleLR state: step %d outside the cycle of %d steps", st.Step, s.cfg.TotalSteps)
	}
	s.epoch = st.Step
	s.apply()
	return nil
}
