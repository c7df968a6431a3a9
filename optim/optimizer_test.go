package optim_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// mustPanicWith asserts that f panics with an error whose message contains
// want.
func mustPanicWith(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want %q", want)
		}
		err, ok := r.(error)
		if !ok {
			t.Fatalf("panic with %T %v, want an error", r, r)
		}
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("panic %q, want it to contain %q", err, want)
		}
	}()
	f()
}

// optimizerKinds builds one optimizer of every kind (with every buffer in
// use) over params.
var optimizerKinds = []struct {
	name string
	mk   func(ps []*tensor.Tensor) optim.Optimizer
}{
	{"SGD", func(ps []*tensor.Tensor) optim.Optimizer {
		return optim.NewSGD(ps, optim.SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 0.01})
	}},
	{"Adam", func(ps []*tensor.Tensor) optim.Optimizer {
		return optim.NewAdam(ps, optim.AdamConfig{LR: 0.1, AMSGrad: true, WeightDecay: 0.01})
	}},
	{"AdamW", func(ps []*tensor.Tensor) optim.Optimizer { return optim.NewAdamW(ps, optim.AdamConfig{LR: 0.1}) }},
	{"RMSprop", func(ps []*tensor.Tensor) optim.Optimizer {
		return optim.NewRMSprop(ps, optim.RMSpropConfig{Momentum: 0.5, Centered: true, WeightDecay: 0.01})
	}},
	{"Adagrad", func(ps []*tensor.Tensor) optim.Optimizer {
		return optim.NewAdagrad(ps, optim.AdagradConfig{LRDecay: 0.1, InitialAccumulatorValue: 0.1})
	}},
}

// testParams returns two parameters of the given dtype, [2 3] and [4],
// with distinct values.
func testParams(dt tensor.DType) []*tensor.Tensor {
	a := tensor.FromSlice([]float64{0.5, -1, 1.5, 2, -0.25, 0.75}, 2, 3).To(dt).SetRequiresGrad(true)
	b := tensor.FromSlice([]float64{1, -2, 0.125, 3}, 4).To(dt).SetRequiresGrad(true)
	return []*tensor.Tensor{a, b}
}

// setGrads gives each parameter the gradient sin(k·i + p) for element i,
// a deterministic function of the step k.
func setGrads(ps []*tensor.Tensor, k int) {
	for j, p := range ps {
		n := p.Numel()
		g := make([]float64, n)
		for i := range g {
			g[i] = math.Sin(float64(k*n+i) + float64(j))
		}
		p.SetGrad(tensor.FromSlice(g, p.Shape()...).To(p.DType()))
	}
}

func values(ps []*tensor.Tensor) []float64 {
	var out []float64
	for _, p := range ps {
		out = append(out, p.Float64s()...)
	}
	return out
}

func TestStepSkipsParamsWithoutGrad(t *testing.T) {
	for _, k := range optimizerKinds {
		t.Run(k.name, func(t *testing.T) {
			ps := testParams(tensor.Float64)
			before := ps[1].Float64s()
			opt := k.mk(ps)
			setGrads(ps[:1], 0)
			opt.Step()
			if got := ps[1].Float64s(); !slices.Equal(got, before) {
				t.Errorf("parameter without gradient changed: %v -> %v", before, got)
			}
			if slices.Equal(ps[0].Float64s(), testParams(tensor.Float64)[0].Float64s()) {
				t.Errorf("parameter with gradient did not change")
			}
			for key := range opt.StateDict().Tensors {
				if strings.HasPrefix(key, "state.1.") {
					t.Errorf("state for the skipped parameter: %s", key)
				}
			}
		})
	}
}

func TestZeroGrad(t *testing.T) {
	ps := testParams(tensor.Float32)
	opt := optim.NewSGD(ps, optim.SGDConfig{LR: 1})
	setGrads(ps, 0)
	opt.ZeroGrad()
	for i, p := range ps {
		if p.Grad() != nil {
			t.Errorf("parameter %d still has a gradient", i)
		}
	}
}

// TestStepDoesNotAllocate checks that steps after the first allocate
// nothing, for every optimizer and both float dtypes.
func TestStepDoesNotAllocate(t *testing.T) {
	for _, k := range optimizerKinds {
		for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
			t.Run(k.name+"/"+dt.String(), func(t *testing.T) {
				ps := testParams(dt)
				opt := k.mk(ps)
				setGrads(ps, 1)
				opt.Step()
				if n := testing.AllocsPerRun(20, opt.Step); n != 0 {
					t.Errorf("%v allocations per step", n)
				}
			})
		}
	}
}

// TestStateDictRoundTrip trains one optimizer for three steps, loads its
// state into a fresh optimizer over copies of the parameters, and checks
// that both then follow the same trajectory.
func TestStateDictRoundTrip(t *testing.T) {
	for _, k := range optimizerKinds {
		t.Run(k.name, func(t *testing.T) {
			ps := testParams(tensor.Float64)
			opt := k.mk(ps)
			for s := 0; s < 3; s++ {
				setGrads(ps, s)
				opt.Step()
			}
			st := opt.StateDict()
			if st.Step != 3 {
				t.Errorf("Step = %d, want 3", st.Step)
			}
			qs := testParams(tensor.Float32)
			for i := range qs {
				qs[i].CopyFrom(ps[i].Detach().To(tensor.Float32))
			}
			q64 := testParams(tensor.Float64)
			for i := range q64 {
				q64[i].CopyFrom(ps[i].Detach())
			}
			fresh := k.mk(q64)
			if err := fresh.LoadStateDict(st); err != nil {
				t.Fatal(err)
			}
			// The buffers are copies: stepping the original changes nothing
			// in the saved state.
			saved := map[string][]float64{}
			for key, v := range st.Tensors {
				saved[key] = v.Float64s()
			}
			for s := 3; s < 6; s++ {
				setGrads(ps, s)
				setGrads(q64, s)
				opt.Step()
				fresh.Step()
			}
			if got, want := values(q64), values(ps); !slices.Equal(got, want) {
				t.Errorf("after loading: %v, want %v", got, want)
			}
			for key, v := range st.Tensors {
				if !slices.Equal(v.Float64s(), saved[key]) {
					t.Errorf("saved %s changed with the optimizer", key)
				}
			}
			// A float32 optimizer accepts the float64 state.
			if err := k.mk(qs).LoadStateDict(st); err != nil {
				t.Errorf("loading into float32 parameters: %v", err)
			}
		})
	}
}

// TestStateDictKeys pins the keys of each optimizer's state.
func TestStateDictKeys(t *testing.T) {
	want := map[string][]string{
		"SGD":     {"param_groups.0.initial_lr", "param_groups.0.lr", "param_groups.0.momentum", "param_groups.0.params", "param_groups.0.weight_decay", "state.0.momentum_buffer", "state.1.momentum_buffer"},
		"Adam":    {"param_groups.0.beta1", "param_groups.0.beta2", "param_groups.0.initial_lr", "param_groups.0.lr", "param_groups.0.params", "param_groups.0.weight_decay", "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq", "state.0.step", "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.max_exp_avg_sq", "state.1.step"},
		"AdamW":   {"param_groups.0.beta1", "param_groups.0.beta2", "param_groups.0.initial_lr", "param_groups.0.lr", "param_groups.0.params", "param_groups.0.weight_decay", "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.step", "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.step"},
		"RMSprop": {"param_groups.0.initial_lr", "param_groups.0.lr", "param_groups.0.momentum", "param_groups.0.params", "param_groups.0.weight_decay", "state.0.grad_avg", "state.0.momentum_buffer", "state.0.square_avg", "state.0.step", "state.1.grad_avg", "state.1.momentum_buffer", "state.1.square_avg", "state.1.step"},
		"Adagrad": {"param_groups.0.initial_lr", "param_groups.0.lr", "param_groups.0.params", "param_groups.0.weight_decay", "state.0.step", "state.0.sum", "state.1.step", "state.1.sum"},
	}
	for _, k := range optimizerKinds {
		ps := testParams(tensor.Float32)
		opt := k.mk(ps)
		setGrads(ps, 0)
		opt.Step()
		st := opt.StateDict()
		var keys []string
		for key, v := range st.Tensors {
			keys = append(keys, key)
			if v.DType() != tensor.Float32 {
				t.Errorf("%s: %s has dtype %v", k.name, key, v.DType())
			}
		}
		for key := range st.Scalars {
			keys = append(keys, key)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, want[k.name]) {
			t.Errorf("%s keys\n%v\nwant\n%v", k.name, keys, want[k.name])
		}
		if st.Scalars["param_groups.0.params"] != 2 {
			t.Errorf("%s: params = %v, want 2", k.name, st.Scalars["param_groups.0.params"])
		}
	}
}

func TestLoadStateDictErrors(t *testing.T) {
	ps := testParams(tensor.Float64)
	opt := optim.NewAdam(ps, optim.AdamConfig{LR: 0.1})
	setGrads(ps, 0)
	opt.Step()
	good := opt.StateDict()
	clone := func() optim.State {
		st := optim.State{Step: good.Step, Tensors: map[string]*tensor.Tensor{}, Scalars: map[string]float64{}}
		for k, v := range good.Tensors {
			st.Tensors[k] = v
		}
		for k, v := range good.Scalars {
			st.Scalars[k] = v
		}
		return st
	}
	cases := []struct {
		name   string
		change func(st *optim.State)
		want   []string
	}{
		{"wrong shape", func(st *optim.State) { st.Tensors["state.0.exp_avg"] = tensor.Zeros(tensor.Float64, 3, 2) },
			[]string{"optim: load Adam state: state.0.exp_avg: shape [3 2], parameter has [2 3]"}},
		{"int dtype", func(st *optim.State) { st.Tensors["state.1.exp_avg"] = tensor.Zeros(tensor.Int64, 4) },
			[]string{"state.1.exp_avg: dtype int64, want a floating-point type"}},
		{"missing buffer and step", func(st *optim.State) {
			delete(st.Tensors, "state.1.exp_avg_sq")
			delete(st.Scalars, "state.0.step")
		}, []string{"missing key state.0.step", "missing key state.1.exp_avg_sq"}},
		{"unexpected keys", func(st *optim.State) {
			st.Tensors["state.0.momentum_buffer"] = tensor.Zeros(tensor.Float64, 2, 3)
			st.Tensors["state.2.exp_avg"] = tensor.Zeros(tensor.Float64, 4)
			st.Scalars["param_groups.1.lr"] = 0.1
			st.Scalars["param_groups.0.momentum"] = 0.1
			st.Scalars["bogus"] = 1
		}, []string{"unexpected key state.0.momentum_buffer", "unexpected key state.2.exp_avg: the optimizer has 2 parameters",
			"unexpected key param_groups.1.lr: the optimizer has 1 parameter groups", "unexpected key param_groups.0.momentum",
			"unexpected key bogus"}},
		{"group mismatch", func(st *optim.State) {
			st.Scalars["param_groups.0.params"] = 3
			delete(st.Scalars, "param_groups.0.lr")
		}, []string{"param_groups.0.params: the state has 3 parameters in group 0, the optimizer 2", "missing key param_groups.0.lr"}},
		{"bad step", func(st *optim.State) { st.Scalars["state.0.step"] = 1.5 }, []string{"state.0.step: invalid step count 1.5"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := clone()
			c.change(&st)
			before := opt.StateDict()
			err := opt.LoadStateDict(st)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not mention %q", err, w)
				}
			}
			after := opt.StateDict()
			for k, v := range before.Tensors {
				if !slices.Equal(v.Float64s(), after.Tensors[k].Float64s()) {
					t.Errorf("%s changed by a failed load", k)
				}
			}
		})
	}
	if err := opt.LoadStateDict(clone()); err != nil {
		t.Errorf("loading the unchanged state: %v", err)
	}
	// An empty per-parameter state is valid: the optimizer starts afresh.
	st := clone()
	for k := range st.Tensors {
		delete(st.Tensors, k)
	}
	for k := range st.Scalars {
		if strings.HasPrefix(k, "state.") {
			delete(st.Scalars, k)
		}
	}
	if err := opt.LoadStateDict(st); err != nil {
		t.Errorf("loading a state without buffers: %v", err)
	}
	if n := len(opt.StateDict().Tensors); n != 0 {
		t.Errorf("%d buffers after loading none", n)
	}
}

func TestLoadStateDictRestoresGroups(t *testing.T) {
	ps := testParams(tensor.Float64)
	opt := optim.NewSGD(ps, optim.SGDConfig{LR: 0.1, Momentum: 0.9})
	optim.NewExponentialLR(opt, 0.5).Step()
	st := opt.StateDict()
	fresh := optim.NewSGD(testParams(tensor.Float64), optim.SGDConfig{LR: 0.3})
	if err := fresh.LoadStateDict(st); err != nil {
		t.Fatal(err)
	}
	g := fresh.Groups()[0]
	if g.LR != 0.05 || g.Momentum != 0.9 || g.InitialLR != 0.1 {
		t.Errorf("group after loading: lr %v momentum %v initial lr %v, want 0.05, 0.9, 0.1", g.LR, g.Momentum, g.InitialLR)
	}
}

func TestGroupDefaults(t *testing.T) {
	ps := testParams(tensor.Float32)
	opt := optim.NewAdamWGroups([]optim.Group{
		{Params: ps[:1]},
		{Params: ps[1:], LR: 0.5, NoWeightDecay: true},
	}, optim.AdamConfig{LR: 0.01})
	g := opt.Groups()
	check := func(name string, got, want float64) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("group 0 lr", g[0].LR, 0.01)
	check("group 0 weight decay", g[0].WeightDecay, 0.01) // AdamW's default
	check("group 1 lr", g[1].LR, 0.5)
	check("group 1 weight decay", g[1].WeightDecay, 0)
	check("beta1", g[1].Beta1, 0.9)
	check("beta2", g[1].Beta2, 0.999)

	sgd := optim.NewSGDGroups([]optim.Group{{Params: ps[:1], WeightDecay: 0.5}, {Params: ps[1:]}},
		optim.SGDConfig{LR: 0.1, WeightDecay: 0.2, Momentum: 0.7})
	check("sgd group 0 weight decay", sgd.Groups()[0].WeightDecay, 0.5)
	check("sgd group 1 weight decay", sgd.Groups()[1].WeightDecay, 0.2)
	check("sgd momentum", sgd.Groups()[1].Momentum, 0.7)

	// The optimizer copies the groups and their parameter lists.
	in := []optim.Group{{Params: ps}}
	o := optim.NewSGDGroups(in, optim.SGDConfig{LR: 1})
	in[0].Params[0] = nil
	if o.Groups()[0].Params[0] == nil {
		t.Error("the optimizer shares the caller's parameter list")
	}
}

// TestGroupChangesApply checks that changing a group's hyperparameters
// takes effect at the next step, including switching on SGD momentum,
// whose buffer then starts from the gradient as in PyTorch.
func TestGroupChangesApply(t *testing.T) {
	p := tensor.FromSlice([]float64{1}, 1).SetRequiresGrad(true)
	opt := optim.NewSGD([]*tensor.Tensor{p}, optim.SGDConfig{LR: 0.1})
	step := func(g float64) {
		p.SetGrad(tensor.FromSlice([]float64{g}, 1))
		opt.Step()
	}
	step(1) // p = 1 − 0.1 = 0.9
	opt.Groups()[0].Momentum = 0.5
	opt.Groups()[0].LR = 0.2
	step(2) // buffer = 2, p = 0.9 − 0.4 = 0.5
	step(1) // buffer = 0.5·2 + 1 = 2, p = 0.5 − 0.4 = 0.1
	if got := p.Item(); math.Abs(got-0.1) > 1e-15 {
		t.Errorf("p = %v, want 0.1", got)
	}
}

// TestOneStepByHand pins the first step of each optimizer on a
// one-element parameter p = 1 with gradient 0.5.
func TestOneStepByHand(t *testing.T) {
	cases := []struct {
		name string
		mk   func(ps []*tensor.Tensor) optim.Optimizer
		want float64
	}{
		// p − lr·(g + λp) = 1 − 0.1·(0.5 + 0.1).
		{"SGD", func(ps []*tensor.Tensor) optim.Optimizer {
			return optim.NewSGD(ps, optim.SGDConfig{LR: 0.1, WeightDecay: 0.1})
		}, 0.94},
		// Nesterov: buffer = d, step d + μ·buffer = 0.5·1.9.
		{"SGD Nesterov", func(ps []*tensor.Tensor) optim.Optimizer {
			return optim.NewSGD(ps, optim.SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true})
		}, 1 - 0.1*0.95},
		// m̂ = g and √v̂ = |g| after bias correction: the first Adam step
		// moves by lr·g/(|g| + ε).
		{"Adam", func(ps []*tensor.Tensor) optim.Optimizer { return optim.NewAdam(ps, optim.AdamConfig{LR: 0.1}) },
			1 - 0.1*0.5/(0.5+1e-8)},
		// AdamW first decays p by lr·λ.
		{"AdamW", func(ps []*tensor.Tensor) optim.Optimizer {
			return optim.NewAdamW(ps, optim.AdamConfig{LR: 0.1, WeightDecay: 0.5})
		}, 0.95 - 0.1*0.5/(0.5+1e-8)},
		// s = 0.01·0.25, p − lr·g/(√s + ε).
		{"RMSprop", func(ps []*tensor.Tensor) optim.Optimizer { return optim.NewRMSprop(ps, optim.RMSpropConfig{}) },
			1 - 0.01*0.5/(math.Sqrt(0.0025)+1e-8)},
		// s = 1 + 0.25, p − lr·g/(√s + ε).
		{"Adagrad", func(ps []*tensor.Tensor) optim.Optimizer {
			return optim.NewAdagrad(ps, optim.AdagradConfig{LR: 0.1, InitialAccumulatorValue: 1})
		}, 1 - 0.1*0.5/(math.Sqrt(1.25)+1e-10)},
	}
	for _, c := range cases {
		p := tensor.FromSlice([]float64{1}, 1).SetRequiresGrad(true)
		opt := c.mk([]*tensor.Tensor{p})
		p.SetGrad(tensor.FromSlice([]float64{0.5}, 1))
		opt.Step()
		if got := p.Item(); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%s: p = %.17g, want %.17g", c.name, got, c.want)
		}
	}
}

// TestNonContiguousGrad checks that a transposed gradient is read in the
// parameter's order.
func TestNonContiguousGrad(t *testing.T) {
	p := tensor.Zeros(tensor.Float32, 2, 3).SetRequiresGrad(true)
	opt := optim.NewSGD([]*tensor.Tensor{p}, optim.SGDConfig{LR: 1})
	p.SetGrad(tensor.FromSlice([]float32{1, 4, 2, 5, 3, 6}, 3, 2).T())
	opt.Step()
	want := []float32{-1, -2, -3, -4, -5, -6}
	if got := p.Float32s(); !slices.Equal(got, want) {
		t.Errorf("p = %v, want %v", got, want)
	}
}

func TestConstructorErrors(t *testing.T) {
	p := tensor.Zeros(tensor.Float32, 2).SetRequiresGrad(true)
	ps := []*tensor.Tensor{p}
	cases := []struct {
		name, want string
		f          func()
	}{
		{"no lr", "optim: NewSGD: no learning rate", func() { optim.NewSGD(ps, optim.SGDConfig{}) }},
		{"nesterov", "Nesterov momentum requires a positive momentum and zero dampening",
			func() { optim.NewSGD(ps, optim.SGDConfig{LR: 1, Nesterov: true}) }},
		{"negative lr", "group 0: invalid learning rate -1", func() { optim.NewAdam(ps, optim.AdamConfig{LR: -1}) }},
		{"betas", "betas must lie in [0, 1), got 1 and 0.999", func() { optim.NewAdam(ps, optim.AdamConfig{Beta1: 1}) }},
		{"duplicate", "group 1 parameter 0 appears more than once", func() {
			optim.NewRMSpropGroups([]optim.Group{{Params: ps}, {Params: ps}}, optim.RMSpropConfig{})
		}},
		{"int param", "group 0 parameter 0 has dtype int64", func() {
			optim.NewAdagrad([]*tensor.Tensor{tensor.Zeros(tensor.Int64, 2)}, optim.AdagradConfig{})
		}},
		{"non-leaf", "group 0 parameter 1 is not a leaf tensor", func() {
			optim.NewAdagrad([]*tensor.Tensor{p, p.MulScalar(2)}, optim.AdagradConfig{})
		}},
		{"non-contiguous", "group 0 parameter 0 (shape [3 2]) is not contiguous", func() {
			optim.NewAdamW([]*tensor.Tensor{tensor.Zeros(tensor.Float32, 2, 3).T()}, optim.AdamConfig{})
		}},
		{"nil", "group 0 parameter 0 is nil", func() { optim.NewSGD([]*tensor.Tensor{nil}, optim.SGDConfig{LR: 1}) }},
		{"no groups", "NewSGD: no parameter groups", func() { optim.NewSGDGroups(nil, optim.SGDConfig{LR: 1}) }},
		{"negative accumulator", "negative hyperparameter", func() {
			optim.NewAdagrad(ps, optim.AdagradConfig{InitialAccumulatorValue: -1})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { mustPanicWith(t, c.want, c.f) })
	}
}

// TestOptimizersImplementInterface documents that every optimizer is an
// Optimizer.
func TestOptimizersImplementInterface(t *testing.T) {
	for _, k := range optimizerKinds {
		var o optim.Optimizer = k.mk(testParams(tensor.Float32))
		if got := fmt.Sprintf("%T", o); !strings.HasPrefix(got, "*optim.") {
			t.Errorf("%s: type %s", k.name, got)
		}
	}
}

func TestReplacedParameter(t *testing.T) {
	p := tensor.Zeros(tensor.Float32, 2).SetRequiresGrad(true)
	opt := optim.NewAdam([]*tensor.Tensor{p}, optim.AdamConfig{})
	p.SetGrad(tensor.Ones(tensor.Float32, 2))
	opt.Step()
	p.SetData(tensor.Zeros(tensor.Float64, 3))
	p.SetGrad(tensor.Ones(tensor.Float64, 3))
	mustPanicWith(t, "Adam: parameter (float64, shape [3]) no longer matches its exp_avg buffer (float32, shape [2])", opt.Step)
}
