package tensor

import (
	"sync"
	"sync/atomic"
)

// gradFn is the backward half of a differentiable operation. backward
// receives the gradient of the loss with respect to the operation's output
// and returns the gradients with respect to its inputs, in order. It may
// return nil for an input whose needs entry is false, and it must compute
// its results with tensor operations so that, with CreateGraph, the
// backward pass is itself recorded. A returned gradient may have a
// broadcast shape: the engine sums it down to the input's shape.
type gradFn interface {
	backward(g *Tensor, needs []bool) []*Tensor
}

// node is one recorded operation: its backward rule and its inputs, and the
// scratch state of the backward pass running through it.
type node struct {
	name     string
	op       gradFn
	inputs   []*Tensor
	inBuf    [3]*Tensor // inputs' storage for up to three inputs
	released bool

	// Per-pass state, valid only while pass equals the running pass's id:
	// seen marks the node as ordered, target as a target of Gradients, and
	// pending holds the gradient accumulated so far for its output.
	pass    uint64
	seen    bool
	target  bool
	pending *Tensor
}

// record attaches the operation op (named name, with the given inputs) to
// out if any input requires a gradient and none is NoGrad, and returns out.
// out is tagged with the arena of the first input that has one, unless it
// already has one.
func record(out *Tensor, name string, op gradFn, inputs ...*Tensor) *Tensor {
	if out.arena == nil {
		out.arena = arenaOf(inputs...)
	}
	return attach(out, name, op, inputs...)
}

// attach is record without the arena tagging.
func attach(out *Tensor, name string, op gradFn, inputs ...*Tensor) *Tensor {
	need := false
	for _, in := range inputs {
		if in == nil {
			continue
		}
		if in.noGrad {
			out.noGrad = true
			return out
		}
		if in.requiresGrad {
			need = true
		}
	}
	if need && out.dtype.IsFloat() {
		out.requiresGrad = true
		var n *node
		if out.arena != nil {
			n = out.arena.newNode()
		} else {
			n = new(node)
		}
		n.name, n.op = name, op
		if len(inputs) <= len(n.inBuf) {
			n.inputs = n.inBuf[:len(inputs):len(inputs)]
			copy(n.inputs, inputs)
		} else {
			n.inputs = append([]*Tensor(nil), inputs...)
		}
		out.fn = n
	}
	return out
}

// anyNoGrad reports whether some tensor is NoGrad.
func anyNoGrad(ts ...*Tensor) bool {
	for _, t := range ts {
		if t != nil && t.noGrad {
			return true
		}
	}
	return false
}

// BackwardOption configures Backward and Gradients.
type BackwardOption func(*backwardConfig)

type backwardConfig struct {
	grad        *Tensor
	retainGraph bool
	createGraph bool
	into        *GradSet // AccumulateInto: leaves' gradients go here
}

// WithGrad sets the gradient of the output to start from; it must have the
// output's shape. Without it the output must have one element and the
// gradient is 1.
func WithGrad(g *Tensor) BackwardOption { return func(c *backwardConfig) { c.grad = g } }

// RetainGraph keeps the recorded graph after the backward pass, so that
// Backward can be called through it again.
func RetainGraph() BackwardOption { return func(c *backwardConfig) { c.retainGraph = true } }

// CreateGraph records the backward pass itself, so the gradients it
// produces can be differentiated again (second derivatives, Hessian-vector
// products). It implies RetainGraph.
func CreateGraph() BackwardOption {
	return func(c *backwardConfig) { c.createGraph = true; c.retainGraph = true }
}

// Backward computes the gradient of t with respect to every leaf that
// requires a gradient and adds it to that leaf's Grad. t must have one
// element unless WithGrad is given. Unless RetainGraph or CreateGraph is
// given, the graph and the tensors it saved are released afterwards.
func (t *Tensor) Backward(opts ...BackwardOption) {
	run(t, nil, opts, "Backward")
}

// Gradients returns the gradients of y with respect to each of xs, without
// touching any tensor's Grad. An x that y does not depend on gets a zero
// gradient. It accepts the same options as Backward; with CreateGraph the
// results can be differentiated again. Without CreateGraph the results
// have storage of their own, outside any arena.
func Gradients(y *Tensor, xs []*Tensor, opts ...BackwardOption) []*Tensor {
	for _, x := range xs {
		if !x.requiresGrad {
			panicf("Gradients", shapesOf(x), "input does not require a gradient")
		}
	}
	if xs == nil {
		xs = []*Tensor{} // a nil target list would make run fill Grad
	}
	var cfg backwardConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.into != nil {
		panicf("Gradients", shapesOf(y), "AccumulateInto is for Backward; Gradients returns its results")
	}
	out := run(y, xs, opts, "Gradients")
	for i, x := range xs {
		if out[i] == nil {
			out[i] = Zeros(x.dtype, x.shape...)
		}
	}
	return out
}

// passID numbers backward passes, so that the per-pass state kept on the
// nodes needs no clearing.
var passID atomic.Uint64

// pass is the state of one run of the engine.
type pass struct {
	id      uint64
	cfg     backwardConfig
	targets []*Tensor // nil: accumulate into the leaves' Grad
	results []*Tensor // gradients of the targets, by position
	order   []*Tensor
	stack   []topoFrame
	needs   []bool
}

type topoFrame struct {
	t    *Tensor
	next int
}

// passes recycles the scratch slices of finished passes.
var passes = sync.Pool{New: func() any { return new(pass) }}

// run is the engine. With targets nil it accumulates into the leaves' Grad
// and returns nil; otherwise it returns the gradients of the targets, by
// position (nil for a target y does not depend on), and touches no Grad.
func run(y *Tensor, targets []*Tensor, opts []BackwardOption, op string) []*Tensor {
	var cfg backwardConfig
	for _, o := range opts {
		o(&cfg)
	}
	y.live(op)
	if cfg.into != nil && cfg.createGraph {
		panicf(op, shapesOf(y), "AccumulateInto cannot be combined with CreateGraph")
	}
	if !y.requiresGrad {
		panicf(op, shapesOf(y), "tensor does not require a gradient (no input was marked with SetRequiresGrad, or it was computed from a NoGrad tensor)")
	}
	g := cfg.grad
	if g == nil {
		if y.Numel() != 1 {
			panicf(op, shapesOf(y), "backward of a non-scalar output needs an output gradient (WithGrad)")
		}
		g = newTensor(y.arena, y.dtype, y.shape, false)
		g.fill(1)
	} else {
		if !sameShape(g.shape, y.shape) {
			panicf(op, shapesOf(y, g), "output gradient must have the output's shape")
		}
		if g.dtype != y.dtype {
			panicf(op, shapesOf(y, g), "output gradient has dtype %v, output has %v", g.dtype, y.dtype)
		}
		g.live(op)
	}
	if !cfg.createGraph {
		g = g.NoGrad()
	}
	if g.arena == nil && y.arena != nil {
		// The backward pass allocates where the forward pass did.
		g = g.view(g.shape, g.strides, g.offset)
		g.arena = y.arena
	}

	p := passes.Get().(*pass)
	p.id = passID.Add(1)
	p.cfg = cfg
	p.targets = targets
	if targets != nil {
		p.results = make([]*Tensor, len(targets))
		for _, x := range targets {
			if x.fn != nil {
				p.mark(x.fn)
				x.fn.target = true
			}
		}
	}
	defer p.finish()

	if y.fn == nil || p.isTarget(y) {
		// y is itself a leaf or a target.
		p.deliver(y, g)
		if y.fn == nil {
			return p.results
		}
	}
	p.topoOrder(y)
	p.mark(y.fn)
	y.fn.pending = g
	for i := len(p.order) - 1; i >= 0; i-- {
		t := p.order[i]
		n := t.fn
		gt := n.pending
		n.pending = nil
		if gt == nil {
			continue
		}
		if n.released {
			panicf(op, shapesOf(t), "the graph through %s was already released by an earlier backward pass; pass RetainGraph to keep it", n.name)
		}
		if cap(p.needs) < len(n.inputs) {
			p.needs = make([]bool, len(n.inputs))
		}
		needs := p.needs[:len(n.inputs)]
		anyNeed := false
		for j, in := range n.inputs {
			needs[j] = in != nil && in.requiresGrad
			anyNeed = anyNeed || needs[j]
		}
		if !anyNeed {
			continue
		}
		var igs []*Tensor
		if d, ok := n.op.(directGradFn); ok && targets == nil && !cfg.createGraph {
			igs = d.backwardDirect(gt, needs, cfg.into)
		} else {
			igs = n.op.backward(gt, needs)
		}
		for j, in := range n.inputs {
			if !needs[j] || igs[j] == nil {
				continue
			}
			gi := sumToShape(igs[j], in.shape)
			if gi.dtype != in.dtype {
				gi = gi.To(in.dtype)
			}
			if in.fn == nil || p.isTarget(in) {
				p.deliver(in, gi)
				if in.fn == nil {
					continue
				}
			}
			m := in.fn
			p.mark(m)
			if m.pending != nil {
				m.pending = m.pending.Add(gi)
			} else {
				m.pending = gi
			}
		}
	}
	if !cfg.retainGraph {
		for _, t := range p.order {
			n := t.fn
			if r, ok := n.op.(releaser); ok {
				r.release()
			}
			n.op = nil
			n.inputs = nil
			n.inBuf = [3]*Tensor{}
			n.released = true
		}
	}
	return p.results
}

// directGradFn is implemented by operations whose backward rule can add
// the gradient of a leaf input straight into that leaf's Grad, saving the
// engine a copy. The engine calls backwardDirect instead of backward in a
// plain Backward pass (no targets, no CreateGraph); it returns nil for
// every input whose gradient it has already added to Grad, and for the
// others what backward would.
type directGradFn interface {
	gradFn
	backwardDirect(g *Tensor, needs []bool, into *GradSet) []*Tensor
}

// releaser is implemented by operations that hold pooled scratch buffers
// until their graph is freed; the engine calls release when it frees the
// graph after a backward pass.
type releaser interface {
	release()
}

// mark makes n's per-pass state that of the pass p, clearing stale state.
func (p *pass) mark(n *node) {
	if n.pass != p.id {
		n.pass, n.seen, n.target, n.pending = p.id, false, false, nil
	}
}

// isTarget reports whether x is one of the targets of Gradients.
func (p *pass) isTarget(x *Tensor) bool {
	if p.targets == nil {
		return false
	}
	if x.fn != nil {
		return x.fn.pass == p.id && x.fn.target
	}
	for _, t := range p.targets {
		if t == x {
			return true
		}
	}
	return false
}

// finish clears the pass's references and returns its scratch to the pool.
func (p *pass) finish() {
	for _, t := range p.order {
		t.fn.pending = nil
	}
	clear(p.order)
	clear(p.stack[:cap(p.stack)])
	p.order, p.stack = p.order[:0], p.stack[:0]
	p.targets, p.results = nil, nil
	p.cfg = backwardConfig{}
	passes.Put(p)
}

// deliver hands the gradient g of the leaf or target x to where it belongs:
// the results when targets were given (only for targets), else x's Grad.
// Without CreateGraph a gradient leaves the engine as a plain tensor with
// storage of its own on the heap: not NoGrad (g is), so that the caller's
// computations with it record as usual, not in an arena, since it outlives
// the step, and not aliasing g, which may be shared with other gradients
// or be the caller's output gradient.
func (p *pass) deliver(x, g *Tensor) {
	if p.targets != nil {
		for i, t := range p.targets {
			if t != x {
				continue
			}
			switch prev := p.results[i]; {
			case prev != nil && p.cfg.createGraph:
				p.results[i] = prev.Add(g)
			case prev != nil:
				prev.addInPlace(g)
			case p.cfg.createGraph:
				p.results[i] = g
			default:
				p.results[i] = heapCopy(g)
			}
		}
		return
	}
	if !x.requiresGrad {
		return
	}
	if p.cfg.into != nil {
		p.cfg.into.sinkFor("Backward", x).addInPlace(g)
		return
	}
	if x.grad == nil {
		if p.cfg.createGraph {
			x.grad = g.Mul(onesScalar(g.dtype))
		} else {
			x.grad = heapCopy(g)
		}
		return
	}
	if x.gradZero {
		if !p.cfg.createGraph {
			// Zeroed lazily: this contribution replaces the stale values.
			x.gradZero = false
			x.grad.copyFrom(g)
			return
		}
		x.Grad() // zero it for the recorded sum below
	}
	if p.cfg.createGraph || x.grad.requiresGrad {
		if !p.cfg.createGraph {
			g = heapCopy(g)
		}
		x.grad = x.grad.Add(g)
		return
	}
	x.grad.addInPlace(g)
}

// heapCopy returns a contiguous copy of g with heap storage, not part of
// any graph, not NoGrad and in no arena.
func heapCopy(g *Tensor) *Tensor {
	c := newTensor(nil, g.dtype, g.shape, false)
	c.copyFrom(g)
	return c
}

// onesScalar returns a 0-d tensor holding 1.
func onesScalar(dt DType) *Tensor { return Full(dt, 1) }

// topoOrder fills p.order with the recorded tensors reachable from y (y
// included when it is recorded) such that every tensor comes after all
// the tensors it was computed from. It stops at leaves; it goes on past
// targets, since other targets may lie below them. It uses an explicit
// stack, so arbitrarily deep graphs are safe.
func (p *pass) topoOrder(y *Tensor) {
	if y.fn == nil {
		return
	}
	p.mark(y.fn)
	y.fn.seen = true
	p.stack = append(p.stack[:0], topoFrame{t: y})
	for len(p.stack) > 0 {
		f := &p.stack[len(p.stack)-1]
		n := f.t.fn
		if f.next < len(n.inputs) {
			in := n.inputs[f.next]
			f.next++
			if in != nil && in.fn != nil && in.requiresGrad {
				p.mark(in.fn)
				if !in.fn.seen {
					in.fn.seen = true
					p.stack = append(p.stack, topoFrame{t: in})
				}
			}
			continue
		}
		p.order = append(p.order, f.t)
		p.stack = p.stack[:len(p.stack)-1]
	}
}

// sumToShape sums g over the axes along which shape was broadcast to g's
// shape, returning a tensor of exactly shape. It is differentiable.
func sumToShape(g *Tensor, shape []int) *Tensor {
	if sameShape(g.shape, shape) {
		return g
	}
	lead := len(g.shape) - len(shape)
	if lead < 0 {
		panicf("sumToShape", [][]int{g.shape, shape}, "gradient has fewer dimensions than its input")
	}
	var axes []int
	for i := 0; i < lead; i++ {
		axes = append(axes, i)
	}
	for i, d := range shape {
		if d == 1 && g.shape[lead+i] != 1 {
			axes = append(axes, lead+i)
		} else if d != g.shape[lead+i] {
			panicf("sumToShape", [][]int{g.shape, shape}, "gradient shape does not broadcast to the input's")
		}
	}
	r := g
	if len(axes) > 0 {
		r = g.SumKeepDim(axes...)
	}
	return r.Reshape(shape...)
}

// saved returns the tensor x, saved by an operation, for use in a backward
// formula whose output gradient is g: x itself when the backward pass is
// recorded (g is not NoGrad, as with CreateGraph), otherwise a NoGrad view
// of x, so that the formula records nothing.
func saved(g, x *Tensor) *Tensor {
	if g.noGrad && !x.noGrad {
		return x.NoGrad()
	}
	return x
}

// derivOp is y = f′(x) for a smooth element-wise function f, computed by a
// fused kernel in f's backward pass. Its own backward,
// dL/dx = dL/dy · f″(x), is built by second from tensor operations, so
// that derivatives of every order work while a plain backward pass of f
// costs one kernel and one multiplication.
type derivOp struct {
	x      *Tensor
	second func(g, x *Tensor) *Tensor
}

func (o *derivOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{o.second(g, saved(g, o.x))}
}

// derivative returns f′(x) element-wise, computed by fd, recorded with
// second as the rule for dL/dx = dL/dy · f″(x). name is f's op name, for
// errors.
func derivative(name string, x *Tensor, fd func(float64) float64, second func(g, x *Tensor) *Tensor) *Tensor {
	out := mapUnary(name, x, func(v float32) float32 { return float32(fd(float64(v))) }, fd, nil)
	return record(out, name+"Backward", &derivOp{x: x, second: second}, x)
}
