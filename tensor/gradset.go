package tensor

// GradSet holds gradients for a fixed set of leaf tensors apart from the
// leaves' own Grad fields. A backward pass given AccumulateInto(s) adds the
// gradient of every leaf it reaches to s instead of to the leaf's Grad, and
// touches no state of the leaves. Several such passes over graphs that
// share leaves (the parameters of one model run on different parts of a
// batch) may therefore run at once, one GradSet each; adding the sets up
// afterwards gives the gradient of the whole batch. This is how
// train.Config.Shards spreads a training step over the processors.
//
// A GradSet is not safe for concurrent use by several passes; give each
// its own.
type GradSet struct {
	leaves []*Tensor
	grads  []*Tensor
	index  map[*Tensor]int
}

// NewGradSet returns a GradSet for the given leaves (tensors that require
// a gradient and were not computed by a recorded operation, such as a
// model's parameters), with a zeroed, contiguous gradient of each leaf's
// shape and dtype. It panics with a *Error if a leaf is not a leaf, does
// not require a gradient, or is given twice.
func NewGradSet(leaves []*Tensor) *GradSet {
	s := &GradSet{leaves: append([]*Tensor(nil), leaves...), grads: make([]*Tensor, len(leaves)), index: make(map[*Tensor]int, len(leaves))}
	for i, p := range leaves {
		switch {
		case p == nil:
			panicf("NewGradSet", nil, "leaf %d is nil", i)
		case p.fn != nil:
			panicf("NewGradSet", shapesOf(p), "tensor %d is computed by %s, not a leaf", i, p.fn.name)
		case !p.requiresGrad:
			panicf("NewGradSet", shapesOf(p), "leaf %d does not require a gradient", i)
		}
		if _, dup := s.index[p]; dup {
			panicf("NewGradSet", shapesOf(p), "leaf %d is given twice", i)
		}
		s.index[p] = i
		s.grads[i] = newTensor(nil, p.dtype, p.shape, true)
	}
	return s
}

// Leaves returns the leaves of s, in the order given to NewGradSet.
func (s *GradSet) Leaves() []*Tensor { return s.leaves }

// Grad returns the gradient s holds for leaf, or nil if leaf is not one of
// its leaves. It is s's own storage: it changes with every backward pass
// into s and with Zero.
func (s *GradSet) Grad(leaf *Tensor) *Tensor {
	if i, ok := s.index[leaf]; ok {
		return s.grads[i]
	}
	return nil
}

// Grads returns the gradients of s, in the order of Leaves.
func (s *GradSet) Grads() []*Tensor { return s.grads }

// Zero sets every gradient of s to zero, keeping its storage.
func (s *GradSet) Zero() {
	for _, g := range s.grads {
		g.fillZero()
	}
}

// AccumulateInto makes a plain backward pass add the gradients of the
// leaves it reaches to s instead of to their Grad fields (see GradSet).
// Every leaf that requires a gradient and that the pass reaches must be
// one of s's leaves; Backward panics with a *Error otherwise, before it
// changes anything of s for that leaf. It cannot be combined with
// CreateGraph, and Gradients does not accept it.
func AccumulateInto(s *GradSet) BackwardOption { return func(c *backwardConfig) { c.into = s } }

// sinkFor returns the gradient of s for the leaf x, panicking with a
// *Error naming op when x is not one of s's leaves.
func (s *GradSet) sinkFor(op string, x *Tensor) *Tensor {
	g := s.Grad(x)
	if g == nil {
		panicf(op, shapesOf(x), "a leaf that requires a gradient is not in the GradSet given to AccumulateInto")
	}
	return g
}

// AddToGrad adds every gradient of s to its leaf's Grad, as a backward pass
// without AccumulateInto would have: a leaf without a Grad gets a copy, a
// Grad zeroed lazily by ZeroGradInPlace is overwritten. Each element is one
// addition (the vector kernel, which splits long ones over the
// processors), so the result does not depend on the number of workers. It
// must not run while a backward pass into s or into the leaves' Grad does.
func (s *GradSet) AddToGrad() {
	for i, p := range s.leaves {
		g := p.grad
		switch {
		case g != nil && p.gradZero:
			p.gradZero = false // zeroed lazily: the set's gradient replaces it
			g.copyFrom(s.grads[i])
		case g == nil || g.st.freed:
			p.grad = heapCopy(s.grads[i])
		case g.requiresGrad || g.fn != nil:
			p.grad = g.Add(s.grads[i]) // a Grad in a graph: record the sum
		default:
			g.addInPlace(s.grads[i])
		}
	}
}
