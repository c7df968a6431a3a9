package optim_test

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// largeShapes are parameter shapes whose sizes exercise the float32
// updates' blocks: more elements than are split over the processors,
// lengths that are not multiples of a block or of a vector, and tiny ones.
var largeShapes = [][]int{{70001}, {3}, {300, 257}, {64}, {1}}

// largeKinds are the optimizer configurations of the float32 tests, with
// two groups of different hyperparameters.
var largeKinds = []struct {
	name string
	mk   func(g1, g2 []*tensor.Tensor) optim.Optimizer
}{
	{"SGD", func(g1, g2 []*tensor.Tensor) optim.Optimizer {
		return optim.NewSGDGroups([]optim.Group{{Params: g1}, {Params: g2, LR: 0.03}}, optim.SGDConfig{LR: 0.1})
	}},
	{"SGD/weight_decay", func(g1, g2 []*tensor.Tensor) optim.Optimizer {
		return optim.NewSGDGroups([]optim.Group{{Params: g1}, {Params: g2, NoWeightDecay: true}}, optim.SGDConfig{LR: 0.1, WeightDecay: 0.05})
	}},
	{"SGD/momentum", func(g1, g2 []*tensor.Tensor) optim.Optimizer {
		return optim.NewSGDGroups([]optim.Group{{Params: g1}, {Params: g2, LR: 0.02}}, optim.SGDConfig{LR: 0.1, Momentum: 0.9})
	}},
	{"SGD/momentum_dampening_decay", func(g1, g2 []*tensor.Tensor) optim.Optimizer {
		return optim.NewSGDGroups([]optim.Group{{Params: g1}, {Params: g2, WeightDecay: 0.2}},
			optim.SGDConfig{LR: 0.1, Momentum: 0.8, Dampening: 0.3, WeightDecay: 0.05})
	}},
	{"SGD/nesterov", func(g1, g2 []*tensor.Tensor) optim.Optimizer {
		return optim.NewSGDGroups([]optim.Group{{Params: g1}, {Params: g2, NoWeightDecay: true}},
			optim.SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 0.05})
	}},
	{"Adam", func(g1, g2 []*tensor.Tensor) optim.Optimizer {
		return optim.NewAdamGroups([]optim.Group{{Params: g1}, {Params: g2, LR: 0.003}}, optim.AdamConfig{LR: 0.01})
	}},
	{"Adam/weight_decay", func(g1, g2 []*tensor.Tensor) optim.Optimizer {
		return optim.NewAdamGroups([]optim.Group{{Params: g1}, {Params: g2, NoWeightDecay: true}},
			optim.AdamConfig{LR: 0.01, WeightDecay: 0.1, Beta1: 0.8, Beta2: 0.99})
	}},
	{"Adam/amsgrad", func(g1, g2 []*tensor.Tensor) optim.Optimizer {
		return optim.NewAdamGroups([]optim.Group{{Params: g1}, {Params: g2, WeightDecay: 0.1}}, optim.AdamConfig{LR: 0.01, AMSGrad: true})
	}},
	{"AdamW", func(g1, g2 []*tensor.Tensor) optim.Optimizer {
		return optim.NewAdamWGroups([]optim.Group{{Params: g1}, {Params: g2, WeightDecay: 0.3}}, optim.AdamConfig{LR: 0.01, Eps: 1e-6})
	}},
}

// runLarge builds the parameters of largeShapes in dtype dt with procs
// processors, trains them with the optimizer mk builds for five steps of
// seeded gradients (the second parameter gets none in step 2, so its
// state starts late), and returns the final values.
func runLarge(t *testing.T, dt tensor.DType, procs int, mk func(g1, g2 []*tensor.Tensor) optim.Optimizer) [][]float64 {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	r := rand.New(rand.NewPCG(5, 6))
	var ps []*tensor.Tensor
	for _, s := range largeShapes {
		// Values drawn in float32 then converted, so both dtypes start equal.
		ps = append(ps, tensor.Randn(r, tensor.Float32, s...).To(dt).SetRequiresGrad(true))
	}
	opt := mk(ps[:2], ps[2:])
	for step := range 5 {
		gr := rand.New(rand.NewPCG(7, uint64(step)))
		for i, p := range ps {
			if step == 1 && i == 1 {
				p.ZeroGrad()
				continue
			}
			p.SetGrad(tensor.Randn(gr, tensor.Float32, p.Shape()...).To(dt))
		}
		opt.Step()
	}
	out := make([][]float64, len(ps))
	for i, p := range ps {
		out[i] = p.Float64s()
	}
	return out
}

// TestFloat32UpdatesLarge checks the float32 updates, which run in blocks
// of vector kernels split over the processors, against the float64
// updates (checked against PyTorch in TestOptimizerParity) on parameters
// large enough to be split, and checks that the float32 results are the
// same, bit for bit, with one processor and with two.
func TestFloat32UpdatesLarge(t *testing.T) {
	for _, k := range largeKinds {
		t.Run(k.name, func(t *testing.T) {
			want := runLarge(t, tensor.Float64, 2, k.mk)
			one := runLarge(t, tensor.Float32, 1, k.mk)
			two := runLarge(t, tensor.Float32, 2, k.mk)
			start := runLarge(t, tensor.Float64, 1, func(g1, g2 []*tensor.Tensor) optim.Optimizer {
				return optim.NewSGDGroups([]optim.Group{{Params: g1}, {Params: g2}}, optim.SGDConfig{LR: 1e-300})
			})
			for i := range want {
				if err := closeTo(two[i], want[i], 1e-5, 1e-6); err != nil {
					t.Errorf("parameter %d %v: float32 vs float64: %v", i, largeShapes[i], err)
				}
				if !slices.Equal(one[i], two[i]) {
					t.Errorf("parameter %d %v: float32 results differ between one and two processors", i, largeShapes[i])
				}
				if slices.Equal(two[i], start[i]) {
					t.Errorf("parameter %d %v did not change", i, largeShapes[i])
				}
			}
		})
	}
}

func TestZeroGradInPlace(t *testing.T) {
	for _, k := range optimizerKinds {
		t.Run(k.name, func(t *testing.T) {
			ps := testParams(tensor.Float32)
			ps = append(ps, tensor.Zeros(tensor.Float32, 2).SetRequiresGrad(true))
			opt := k.mk(ps)
			setGrads(ps[:2], 1)
			g0 := ps[0].Grad()
			optim.ZeroGradInPlace(opt)
			if ps[0].Grad() != g0 {
				t.Errorf("the gradient was replaced; want it zeroed in place")
			}
			for i, p := range ps[:2] {
				if g := p.Grad(); g == nil || slices.ContainsFunc(g.Float64s(), func(v float64) bool { return v != 0 }) {
					t.Errorf("parameter %d: gradient %v, want zeros", i, g)
				}
			}
			if ps[2].Grad() != nil {
				t.Errorf("a parameter without gradient got one: %v", ps[2].Grad())
			}
		})
	}
}
