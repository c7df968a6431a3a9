package tensor

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

// node is one recorded operation: its backward rule and its inputs.
type node struct {
	name     string
	op       gradFn
	inputs   []*Tensor
	released bool
}

// record attaches the operation op (named name, with the given inputs) to
// out if any input requires a gradient and none is NoGrad, and returns out.
func record(out *Tensor, name string, op gradFn, inputs ...*Tensor) *Tensor {
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
		out.fn = &node{name: name, op: op, inputs: inputs}
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
// results can be differentiated again.
func Gradients(y *Tensor, xs []*Tensor, opts ...BackwardOption) []*Tensor {
	for _, x := range xs {
		if !x.requiresGrad {
			panicf("Gradients", shapesOf(x), "input does not require a gradient")
		}
	}
	if xs == nil {
		xs = []*Tensor{} // a nil target list would make run fill Grad
	}
	res := run(y, xs, opts, "Gradients")
	out := make([]*Tensor, len(xs))
	for i, x := range xs {
		if g := res[x]; g != nil {
			out[i] = g
		} else {
			out[i] = Zeros(x.dtype, x.shape...)
		}
	}
	return out
}

// run is the engine. With targets nil it accumulates into the leaves' Grad;
// otherwise it returns the gradients of the targets and touches no Grad.
func run(y *Tensor, targets []*Tensor, opts []BackwardOption, op string) map[*Tensor]*Tensor {
	var cfg backwardConfig
	for _, o := range opts {
		o(&cfg)
	}
	if !y.requiresGrad {
		panicf(op, shapesOf(y), "tensor does not require a gradient (no input was marked with SetRequiresGrad, or it was computed from a NoGrad tensor)")
	}
	g := cfg.grad
	if g == nil {
		if y.Numel() != 1 {
			panicf(op, shapesOf(y), "backward of a non-scalar output needs an output gradient (WithGrad)")
		}
		g = Ones(y.dtype, y.shape...)
	} else {
		if !sameShape(g.shape, y.shape) {
			panicf(op, shapesOf(y, g), "output gradient must have the output's shape")
		}
		if g.dtype != y.dtype {
			panicf(op, shapesOf(y, g), "output gradient has dtype %v, output has %v", g.dtype, y.dtype)
		}
	}
	if !cfg.createGraph {
		g = g.NoGrad()
	}

	isTarget := map[*Tensor]bool{}
	for _, x := range targets {
		isTarget[x] = true
	}
	order := topoOrder(y)
	grads := map[*Tensor]*Tensor{y: g}
	results := map[*Tensor]*Tensor{}
	if y.fn == nil || isTarget[y] {
		// y is itself a leaf or a target.
		deliver(y, g, targets, isTarget, results, &cfg)
		if y.fn == nil {
			return results
		}
	}
	for i := len(order) - 1; i >= 0; i-- {
		t := order[i]
		gt := grads[t]
		delete(grads, t)
		if gt == nil {
			continue
		}
		n := t.fn
		if n.released {
			panicf(op, shapesOf(t), "the graph through %s was already released by an earlier backward pass; pass RetainGraph to keep it", n.name)
		}
		needs := make([]bool, len(n.inputs))
		anyNeed := false
		for j, in := range n.inputs {
			needs[j] = in != nil && in.requiresGrad
			anyNeed = anyNeed || needs[j]
		}
		if !anyNeed {
			continue
		}
		igs := n.op.backward(gt, needs)
		for j, in := range n.inputs {
			if !needs[j] || igs[j] == nil {
				continue
			}
			gi := sumToShape(igs[j], in.shape)
			if gi.dtype != in.dtype {
				gi = gi.To(in.dtype)
			}
			if in.fn == nil || isTarget[in] {
				deliver(in, gi, targets, isTarget, results, &cfg)
				if in.fn == nil {
					continue
				}
			}
			if prev := grads[in]; prev != nil {
				grads[in] = prev.Add(gi)
			} else {
				grads[in] = gi
			}
		}
	}
	if !cfg.retainGraph {
		for _, t := range order {
			n := t.fn
			n.op = nil
			n.inputs = nil
			n.released = true
		}
	}
	return results
}

// deliver hands the gradient g of the leaf or target x to where it belongs:
// the results map when targets were given (only for targets), else x's
// Grad. Without CreateGraph a gradient leaves the engine as a plain
// tensor with storage of its own: not NoGrad (g is), so that the caller's
// computations with it record as usual, and not aliasing g, which may be
// shared with other gradients or be the caller's output gradient.
func deliver(x, g *Tensor, targets []*Tensor, isTarget map[*Tensor]bool, results map[*Tensor]*Tensor, cfg *backwardConfig) {
	if targets != nil {
		if !isTarget[x] {
			return
		}
		if !cfg.createGraph {
			g = g.Detach()
		}
		switch prev := results[x]; {
		case prev != nil:
			results[x] = prev.Add(g)
		case cfg.createGraph:
			results[x] = g
		default:
			results[x] = g.Contiguous().cloneIfShared(g)
		}
		return
	}
	if !x.requiresGrad {
		return
	}
	if !cfg.createGraph {
		g = g.Detach()
	}
	if x.grad == nil {
		// The first gradient gets storage of its own: g may alias another
		// tensor (Add passes its output gradient to both inputs).
		if cfg.createGraph {
			x.grad = g.Mul(onesScalar(g.dtype))
		} else {
			x.grad = g.Contiguous().cloneIfShared(g)
		}
		return
	}
	if cfg.createGraph || x.grad.requiresGrad {
		x.grad = x.grad.Add(g)
		return
	}
	x.grad.addInPlace(g)
}

// onesScalar returns a 0-d tensor holding 1.
func onesScalar(dt DType) *Tensor { return Full(dt, 1) }

// cloneIfShared returns c, copied if it still shares storage with g.
func (c *Tensor) cloneIfShared(g *Tensor) *Tensor {
	if c.st == g.st {
		return c.Clone()
	}
	c.noGrad = false
	return c
}

// topoOrder returns the recorded tensors reachable from y (y included when
// it is recorded) such that every tensor comes after all the tensors it was
// computed from. It stops at leaves; it goes on past targets, since other
// targets may lie below them. It uses an explicit stack, so arbitrarily
// deep graphs are safe.
func topoOrder(y *Tensor) []*Tensor {
	if y.fn == nil {
		return nil
	}
	type frame struct {
		t    *Tensor
		next int
	}
	visited := map[*Tensor]bool{y: true}
	var order []*Tensor
	stack := []frame{{t: y}}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		n := f.t.fn
		if f.next < len(n.inputs) {
			in := n.inputs[f.next]
			f.next++
			if in != nil && in.fn != nil && in.requiresGrad && !visited[in] {
				visited[in] = true
				stack = append(stack, frame{t: in})
			}
			continue
		}
		order = append(order, f.t)
		stack = stack[:len(stack)-1]
	}
	return order
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
