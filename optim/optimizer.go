package optim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/backprop-go/backprop/tensor"
)

// Optimizer updates parameters from their gradients.
//
// Step applies one update to every parameter of every group whose Grad is
// not nil. ZeroGrad clears the gradients of all parameters (sets them to
// nil, as PyTorch's zero_grad(set_to_none=True); the function
// ZeroGradInPlace zeroes them in place instead). Groups returns the
// optimizer's parameter groups; changing a group's fields (its learning
// rate, say) takes effect at the next Step. StateDict returns the
// optimizer's state and LoadStateDict restores it, checking it against the
// parameters.
type Optimizer interface {
	Step()
	ZeroGrad()
	Groups() []*Group
	StateDict() State
	LoadStateDict(State) error
}

// ZeroGradInPlace zeroes the gradient of every parameter of opt's groups
// and keeps its storage, as PyTorch's zero_grad(set_to_none=False), the
// default of PyTorch 1.13; Optimizer.ZeroGrad instead drops the gradients
// (set_to_none=True). The next backward pass then accumulates into the
// same storage instead of allocating new gradients, which a training step
// that allocates nothing needs (see tensor.Tensor.ZeroGradInPlace).
// Parameters without a gradient stay without one.
//
// Either way the next Step sees the same gradients; what differs is a
// parameter that gets no gradient from the next backward pass: after
// ZeroGradInPlace its gradient is zero and Step updates it (weight decay
// and momentum still move it), after ZeroGrad it has none and Step skips
// it.
func ZeroGradInPlace(opt Optimizer) {
	for _, g := range opt.Groups() {
		for _, p := range g.Params {
			p.ZeroGradInPlace()
		}
	}
}

// Group is a parameter group: parameters that share hyperparameters, like
// an entry of PyTorch's param_groups.
//
// When groups are passed to a constructor (NewSGDGroups, NewAdamGroups and
// so on), a zero LR or WeightDecay means the configuration's value; set
// NoWeightDecay to give a group no weight decay whatever the configuration
// says (the usual choice for biases and normalization parameters).
// Momentum, Beta1 and Beta2 are always set from the configuration. After
// construction every field holds the value in force and may be changed.
type Group struct {
	// Params are the parameters of the group: contiguous floating-point
	// leaf tensors, each in at most one group of an optimizer.
	Params []*tensor.Tensor

	// LR is the learning rate.
	LR float64

	// WeightDecay is the weight decay factor: an L2 penalty added to the
	// gradient, or for AdamW the decoupled decay of the parameters.
	WeightDecay float64

	// NoWeightDecay, at construction, makes WeightDecay zero instead of the
	// configuration's value. It is not consulted afterwards.
	NoWeightDecay bool

	// Momentum is the momentum factor of SGD and RMSprop (unused by the
	// other optimizers). OneCycleLR cycles it.
	Momentum float64

	// Beta1 and Beta2 are the decay rates of Adam's and AdamW's first and
	// second moment estimates (unused by the other optimizers). OneCycleLR
	// cycles Beta1.
	Beta1, Beta2 float64

	// InitialLR is the learning rate the group had when the first schedule
	// was attached to the optimizer (PyTorch's initial_lr); schedules
	// compute the learning rate from it. Zero means none was attached.
	InitialLR float64
}

// State is an optimizer's or a schedule's state, for checkpoints.
//
// Step counts the calls of Step. Tensors holds the per-parameter buffers
// under keys "state.<i>.<name>", where i numbers the parameters through the
// groups in order (as PyTorch does) and name is the buffer's PyTorch name
// (momentum_buffer, exp_avg, exp_avg_sq, max_exp_avg_sq, square_avg,
// grad_avg, sum). Scalars holds per-parameter step counts
// ("state.<i>.step") and the hyperparameters of each group g under
// "param_groups.<g>.<name>" (params, the number of parameters of the group;
// lr; weight_decay; initial_lr; momentum; beta1; beta2). Schedules use Step
// for their epoch count and Scalars for the rest, as documented on each.
type State struct {
	Step    int64
	Tensors map[string]*tensor.Tensor
	Scalars map[string]float64
}

// panicf panics with an error for an invalid use of the package.
func panicf(format string, args ...any) {
	panic(fmt.Errorf("optim: "+format, args...))
}

// paramState is the state an optimizer keeps for one parameter: a step
// count and one buffer per slot of its schema (nil until used).
type paramState struct {
	step int64
	buf  []*tensor.Tensor
}

// groupKey is a hyperparameter of a group saved in the state dict.
type groupKey struct {
	name  string
	field func(g *Group) *float64
}

var (
	keyLR          = groupKey{"lr", func(g *Group) *float64 { return &g.LR }}
	keyWeightDecay = groupKey{"weight_decay", func(g *Group) *float64 { return &g.WeightDecay }}
	keyInitialLR   = groupKey{"initial_lr", func(g *Group) *float64 { return &g.InitialLR }}
	keyMomentum    = groupKey{"momentum", func(g *Group) *float64 { return &g.Momentum }}
	keyBeta1       = groupKey{"beta1", func(g *Group) *float64 { return &g.Beta1 }}
	keyBeta2       = groupKey{"beta2", func(g *Group) *float64 { return &g.Beta2 }}
)

// schema describes the state of one kind of optimizer.
type schema struct {
	name      string     // for messages: "SGD"
	slots     []string   // buffer names, PyTorch's
	hasStep   bool       // whether each parameter has a step count
	groupKeys []groupKey // hyperparameters saved per group
	// required lists the slots a parameter's state must hold once it has
	// any state.
	required func(g *Group) []int
}

// base holds what every optimizer shares: the groups, the per-parameter
// state and the step count.
type base struct {
	schema *schema
	groups []*Group
	state  map[*tensor.Tensor]*paramState
	steps  int64
}

// newBase validates groups and copies them. lr and wd are the
// configuration's learning rate and weight decay, set in groups that leave
// them zero; init sets the optimizer-specific fields of each group.
func newBase(sc *schema, op string, groups []Group, lr, wd float64, init func(g *Group)) base {
	if len(groups) == 0 {
		panicf("%s: no parameter groups", op)
	}
	seen := map[*tensor.Tensor]bool{}
	b := base{schema: sc, state: map[*tensor.Tensor]*paramState{}}
	for gi, g := range groups {
		ng := g
		ng.Params = slices.Clone(g.Params)
		if ng.LR == 0 {
			ng.LR = lr
		}
		switch {
		case ng.NoWeightDecay:
			ng.WeightDecay = 0
		case ng.WeightDecay == 0:
			ng.WeightDecay = wd
		}
		if !(ng.LR >= 0) {
			panicf("%s: group %d: invalid learning rate %v", op, gi, ng.LR)
		}
		if !(ng.WeightDecay >= 0) {
			panicf("%s: group %d: invalid weight decay %v", op, gi, ng.WeightDecay)
		}
		for pi, p := range ng.Params {
			switch {
			case p == nil:
				panicf("%s: group %d parameter %d is nil", op, gi, pi)
			case !p.DType().IsFloat():
				panicf("%s: group %d parameter %d has dtype %v; only floating-point tensors can be optimized", op, gi, pi, p.DType())
			case !p.IsLeaf():
				panicf("%s: group %d parameter %d is not a leaf tensor", op, gi, pi)
			case !p.IsContiguous():
				panicf("%s: group %d parameter %d (shape %v) is not contiguous", op, gi, pi, p.Shape())
			case seen[p]:
				panicf("%s: group %d parameter %d appears more than once among the groups", op, gi, pi)
			}
			seen[p] = true
		}
		init(&ng)
		b.groups = append(b.groups, &ng)
	}
	return b
}

// Groups returns the parameter groups. Changes to them take effect at the
// next Step.
func (b *base) Groups() []*Group { return b.groups }

// ZeroGrad clears the gradient of every parameter (sets it to nil).
func (b *base) ZeroGrad() {
	for _, g := range b.groups {
		for _, p := range g.Params {
			p.ZeroGrad()
		}
	}
}

// step counts a Step and calls update for every parameter that has a
// gradient, group by group, with the parameter's group and its gradient
// as a contiguous tensor.
func (b *base) step(update func(g *Group, p, grad *tensor.Tensor)) {
	b.steps++
	for _, g := range b.groups {
		for _, p := range g.Params {
			if grad := gradOf(p); grad != nil {
				update(g, p, grad)
			}
		}
	}
}

// paramState returns the state of p, creating it on first use.
func (b *base) paramState(p *tensor.Tensor) *paramState {
	s := b.state[p]
	if s == nil {
		s = &paramState{buf: make([]*tensor.Tensor, len(b.schema.slots))}
		b.state[p] = s
	}
	return s
}

// buffer returns the buffer in slot k of s for parameter p, creating it
// filled with init when it does not exist yet. created reports whether it
// was just created.
func (b *base) buffer(s *paramState, k int, p *tensor.Tensor, init float64) (buf *tensor.Tensor, created bool) {
	buf = s.buf[k]
	if buf == nil || buf.Numel() != p.Numel() || buf.DType() != p.DType() {
		if buf != nil {
			panicf("%s: parameter (%v, shape %v) no longer matches its %s buffer (%v, shape %v); was it replaced after the first step?",
				b.schema.name, p.DType(), p.Shape(), b.schema.slots[k], buf.DType(), buf.Shape())
		}
		buf = tensor.Full(p.DType(), init, p.Shape()...)
		s.buf[k] = buf
		return buf, true
	}
	return buf, false
}

// gradOf returns the gradient of p as a contiguous tensor, or nil.
func gradOf(p *tensor.Tensor) *tensor.Tensor {
	g := p.Grad()
	if g != nil && !g.IsContiguous() {
		g = g.Contiguous()
	}
	return g
}

// StateDict returns the state of the optimizer: copies of its buffers and
// its step counts and group hyperparameters, under the keys documented on
// State.
func (b *base) StateDict() State {
	s := State{Step: b.steps, Tensors: map[string]*tensor.Tensor{}, Scalars: map[string]float64{}}
	i := 0
	for gi, g := range b.groups {
		prefix := "param_groups." + strconv.Itoa(gi) + "."
		s.Scalars[prefix+"params"] = float64(len(g.Params))
		for _, k := range b.groupKeys() {
			s.Scalars[prefix+k.name] = *k.field(g)
		}
		for _, p := range g.Params {
			if ps := b.state[p]; ps != nil {
				prefix := "state." + strconv.Itoa(i) + "."
				if b.schema.hasStep {
					s.Scalars[prefix+"step"] = float64(ps.step)
				}
				for k, t := range ps.buf {
					if t != nil {
						s.Tensors[prefix+b.schema.slots[k]] = t.Detach().Clone()
					}
				}
			}
			i++
		}
	}
	return s
}

// groupKeys returns the hyperparameters saved for each group.
func (b *base) groupKeys() []groupKey {
	return append([]groupKey{keyLR, keyWeightDecay, keyInitialLR}, b.schema.groupKeys...)
}

// LoadStateDict replaces the optimizer's state by s, which must come from
// an optimizer of the same kind over parameters of the same shapes in the
// same groups. Buffers are copied and converted to their parameter's
// dtype. On error nothing is changed, and the error names every missing,
// unexpected or mismatched entry.
func (b *base) LoadStateDict(s State) error {
	var params []*tensor.Tensor
	var groupOf []int
	for gi, g := range b.groups {
		for _, p := range g.Params {
			params = append(params, p)
			groupOf = append(groupOf, gi)
		}
	}
	var msgs []string
	bad := func(format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) }
	keys := b.groupKeys()
	groupVals := make([]map[string]float64, len(b.groups))
	for i := range groupVals {
		groupVals[i] = map[string]float64{}
	}
	states := map[int]*paramState{}
	stepSeen := map[int]bool{}
	get := func(i int) *paramState {
		ps := states[i]
		if ps == nil {
			ps = &paramState{buf: make([]*tensor.Tensor, len(b.schema.slots))}
			states[i] = ps
		}
		return ps
	}
	for key, v := range s.Scalars {
		kind, idx, name, ok := splitKey(key)
		switch {
		case ok && kind == "param_groups" && idx < len(b.groups):
			if name != "params" && !slices.ContainsFunc(keys, func(k groupKey) bool { return k.name == name }) {
				bad("unexpected key %s", key)
				continue
			}
			groupVals[idx][name] = v
		case ok && kind == "param_groups":
			bad("unexpected key %s: the optimizer has %d parameter groups", key, len(b.groups))
		case ok && kind == "state" && name == "step" && b.schema.hasStep:
			if idx >= len(params) {
				bad("unexpected key %s: the optimizer has %d parameters", key, len(params))
				continue
			}
			if v < 0 || v != math.Trunc(v) || v > 1<<53 {
				bad("%s: invalid step count %v", key, v)
				continue
			}
			get(idx).step = int64(v)
			stepSeen[idx] = true
		default:
			bad("unexpected key %s", key)
		}
	}
	for key, t := range s.Tensors {
		kind, idx, name, ok := splitKey(key)
		slot := slices.Index(b.schema.slots, name)
		if !ok || kind != "state" || slot < 0 {
			bad("unexpected key %s", key)
			continue
		}
		if idx >= len(params) {
			bad("unexpected key %s: the optimizer has %d parameters", key, len(params))
			continue
		}
		p := params[idx]
		switch {
		case t == nil:
			bad("%s: nil tensor", key)
		case !slices.Equal(t.Shape(), p.Shape()):
			bad("%s: shape %v, parameter has %v", key, t.Shape(), p.Shape())
		case !t.DType().IsFloat():
			bad("%s: dtype %v, want a floating-point type", key, t.DType())
		default:
			get(idx).buf[slot] = t.Detach().To(p.DType()).Clone()
		}
	}
	for gi, g := range b.groups {
		vals := groupVals[gi]
		prefix := "param_groups." + strconv.Itoa(gi) + "."
		if n, ok := vals["params"]; !ok {
			bad("missing key %sparams", prefix)
		} else if int(n) != len(g.Params) || n != math.Trunc(n) {
			bad("%sparams: the state has %v parameters in group %d, the optimizer %d", prefix, n, gi, len(g.Params))
		}
		for _, k := range keys {
			if _, ok := vals[k.name]; !ok {
				bad("missing key %s%s", prefix, k.name)
			}
		}
	}
	for i, ps := range states {
		prefix := "state." + strconv.Itoa(i) + "."
		if b.schema.hasStep && !stepSeen[i] {
			bad("missing key %sstep", prefix)
		}
		for _, k := range b.schema.required(b.groups[groupOf[i]]) {
			if ps.buf[k] == nil {
				bad("missing key %s%s", prefix, b.schema.slots[k])
			}
		}
	}
	if len(msgs) > 0 {
		slices.Sort(msgs)
		errs := make([]error, len(msgs))
		for i, m := range msgs {
			errs[i] = fmt.Errorf("optim: load %s state: %s", b.schema.name, m)
		}
		return errors.Join(errs...)
	}
	for gi, g := range b.groups {
		for _, k := range keys {
			*k.field(g) = groupVals[gi][k.name]
		}
	}
	b.state = map[*tensor.Tensor]*paramState{}
	for i, ps := range states {
		b.state[params[i]] = ps
	}
	b.steps = s.Step
	return nil
}

// splitKey splits "kind.<index>.name" into its parts.
func splitKey(key string) (kind string, idx int, name string, ok bool) {
	kind, rest, ok1 := strings.Cut(key, ".")
	num, name, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || name == "" {
		return "", 0, "", false
	}
	idx, err := strconv.Atoi(num)
	if err != nil || idx < 0 || strconv.Itoa(idx) != num {
		return "", 0, "", false
	}
	return kind, idx, name, true
}

// orDefault returns v, or def when v is zero.
func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}
