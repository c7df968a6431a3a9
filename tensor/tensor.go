package tensor

import "fmt"

// DType is the element type of a tensor.
type DType uint8

// The supported element types. Float32 is the training default, Float64 is
// used for gradient checks and scientific work, Int64 holds labels and
// indices.
const (
	Float32 DType = iota + 1
	Float64
	Int64
)

// String returns the PyTorch-style name of the type, such as "float32".
func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	case Int64:
		return "int64"
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// IsFloat reports whether d is a floating-point type.
func (d DType) IsFloat() bool { return d == Float32 || d == Float64 }

// Size returns the number of bytes of one element of type d.
func (d DType) Size() int {
	if d == Float32 {
		return 4
	}
	return 8
}

// storage is the flat memory behind one or more tensors. Exactly one of the
// slices is used, according to the tensors' DType. Storage taken from an
// Arena records it; the arena's Reset takes the slice back and marks the
// storage freed.
type storage struct {
	f32   []float32
	f64   []float64
	i64   []int64
	arena *Arena
	freed bool
}

// alloc gives st a zeroed heap buffer of n elements of type dt.
func (st *storage) alloc(dt DType, n int) {
	switch dt {
	case Float32:
		st.f32 = make([]float32, n)
	case Float64:
		st.f64 = make([]float64, n)
	case Int64:
		st.i64 = make([]int64, n)
	default:
		panicf("New", nil, "invalid dtype %v", dt)
	}
}

// Tensor is an n-dimensional array of one DType with a shape and strides
// over a storage that views may share. A Tensor that requires a gradient
// records the operations applied to it; see the package documentation.
//
// A Tensor is not safe for concurrent mutation (SetRequiresGrad, in-place
// updates, Backward), but any number of goroutines may read it and apply
// operations to it at once.
type Tensor struct {
	dtype   DType
	shape   []int
	strides []int
	offset  int
	st      *storage

	requiresGrad bool // a leaf that wants a gradient, or a recorded result
	noGrad       bool // operations on this tensor record nothing
	grad         *Tensor
	gradZero     bool   // grad's elements are stale and read as zero (ZeroGradInPlace)
	fn           *node  // the operation that produced this tensor; nil for leaves
	arena        *Arena // where operations on this tensor allocate; nil for the heap
}

// contiguousStrides returns the row-major strides of shape.
func contiguousStrides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

// numel returns the number of elements of shape.
func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func checkShape(op string, shape []int) {
	for _, d := range shape {
		if d < 0 {
			panicf(op, [][]int{append([]int(nil), shape...)}, "negative dimension %d", d)
		}
	}
}

// empty returns a new contiguous tensor of the given type and shape with
// zeroed heap storage. The shape slice is copied.
func empty(dt DType, shape []int) *Tensor { return newTensor(nil, dt, shape, true) }

// maxInline is the number of dimensions whose shape and strides live in
// the allocation of the tensor itself.
const maxInline = 4

// block is the single allocation behind a new contiguous tensor: the
// tensor, its storage header and, for up to maxInline dimensions, its
// shape and strides.
type block struct {
	t    Tensor
	st   storage
	dims [2 * maxInline]int
}

// newTensor returns a new contiguous tensor of the given type and shape
// (copied) with storage from the arena a, or from the heap when a is nil.
// With zero false the elements of arena storage are left as they are, for
// callers that write every element; heap storage is always zeroed. The
// result is tagged with a.
func newTensor(a *Arena, dt DType, shape []int, zero bool) *Tensor {
	checkShape("New", shape)
	var b *block
	if a != nil {
		b = a.newBlock()
	} else {
		b = new(block)
	}
	nd := len(shape)
	var sh, st []int
	if nd <= maxInline {
		sh = b.dims[:nd:nd]
		st = b.dims[maxInline : maxInline+nd : maxInline+nd]
	} else {
		buf := make([]int, 2*nd)
		sh, st = buf[:nd:nd], buf[nd:]
	}
	copy(sh, shape)
	n := 1
	for i := nd - 1; i >= 0; i-- {
		st[i] = n
		n *= sh[i]
	}
	if a != nil {
		a.take(&b.st, dt, n, zero)
	} else {
		b.st.alloc(dt, n)
	}
	b.t = Tensor{dtype: dt, shape: sh, strides: st, st: &b.st, arena: a}
	return &b.t
}

// newLike returns a new contiguous tensor of the given type and shape in
// the arena of the first of like that has one (on the heap when none has),
// zeroed when zero is true.
func newLike(dt DType, shape []int, zero bool, like ...*Tensor) *Tensor {
	return newTensor(arenaOf(like...), dt, shape, zero)
}

// DType returns the element type of t.
func (t *Tensor) DType() DType { return t.dtype }

// Shape returns a copy of the shape of t.
func (t *Tensor) Shape() []int { return append([]int{}, t.shape...) }

// Strides returns a copy of the strides of t, in elements.
func (t *Tensor) Strides() []int { return append([]int{}, t.strides...) }

// Dim returns the number of dimensions of t.
func (t *Tensor) Dim() int { return len(t.shape) }

// Numel returns the number of elements of t.
func (t *Tensor) Numel() int { return numel(t.shape) }

// Size returns the length of axis; negative axes count from the end.
func (t *Tensor) Size(axis int) int { return t.shape[t.axis("Size", axis)] }

// axis normalizes a possibly negative axis for t and panics if it is out of
// range.
func (t *Tensor) axis(op string, a int) int {
	return normAxis(op, a, len(t.shape), t.shape)
}

func normAxis(op string, a, ndim int, shape []int) int {
	if a < -ndim || a >= ndim {
		panicf(op, [][]int{shape}, "axis %d out of range for %d dimensions", a, ndim)
	}
	if a < 0 {
		a += ndim
	}
	return a
}

// IsContiguous reports whether the elements of t are laid out in row-major
// order without gaps.
func (t *Tensor) IsContiguous() bool {
	s := 1
	for i := len(t.shape) - 1; i >= 0; i-- {
		if t.shape[i] != 1 && t.strides[i] != s {
			return false
		}
		s *= t.shape[i]
	}
	return true
}

// RequiresGrad reports whether t requires a gradient: it is a leaf marked
// with SetRequiresGrad, or it was computed from one while recording.
func (t *Tensor) RequiresGrad() bool { return t.requiresGrad }

// IsLeaf reports whether t was not produced by a recorded operation.
func (t *Tensor) IsLeaf() bool { return t.fn == nil }

// SetRequiresGrad marks a leaf tensor as requiring (or not) a gradient and
// returns it. Only floating-point leaves can require gradients.
func (t *Tensor) SetRequiresGrad(b bool) *Tensor {
	if t.fn != nil {
		panicf("SetRequiresGrad", shapesOf(t), "only leaf tensors can change requires-grad; use Detach")
	}
	if b && !t.dtype.IsFloat() {
		panicf("SetRequiresGrad", shapesOf(t), "only floating-point tensors can require gradients, not %v", t.dtype)
	}
	t.requiresGrad = b
	return t
}

// Grad returns the gradient accumulated in t by Backward, or nil. After
// ZeroGradInPlace it is the same tensor, zeroed.
func (t *Tensor) Grad() *Tensor {
	if t.gradZero {
		t.gradZero = false
		t.grad.fillZero()
	}
	return t.grad
}

// SetGrad replaces the gradient of t; g must have t's shape and dtype, or be
// nil.
func (t *Tensor) SetGrad(g *Tensor) {
	if g != nil && (!sameShape(g.shape, t.shape) || g.dtype != t.dtype) {
		panicf("SetGrad", shapesOf(t, g), "gradient must match the tensor's shape and dtype")
	}
	t.grad, t.gradZero = g, false
}

// ZeroGrad clears the gradient of t (sets it to nil, as PyTorch's
// zero_grad(set_to_none=True)).
func (t *Tensor) ZeroGrad() { t.grad, t.gradZero = nil, false }

// ZeroGradInPlace sets every element of t's gradient to zero, keeping its
// storage, or does nothing when t has no gradient (PyTorch's
// zero_grad(set_to_none=False)). The next backward pass then accumulates
// into that storage instead of allocating a new gradient, which is what a
// training loop that allocates nothing per step needs. A gradient that is
// itself part of a graph (from CreateGraph) is cleared as by ZeroGrad.
//
// The zeroing of a contiguous gradient is deferred: the next backward pass
// writes its first contribution instead of adding it (a weight gradient's
// GEMM runs with beta 0), so the storage is written once per step instead
// of twice; Grad zeroes it first if it is read before that. A gradient
// tensor obtained from Grad before ZeroGradInPlace therefore keeps its old
// values until then: read it through Grad again (as with PyTorch's
// zero_grad(set_to_none=True), after which an old reference keeps the old
// values too).
func (t *Tensor) ZeroGradInPlace() {
	g := t.grad
	if g == nil {
		return
	}
	if g.requiresGrad || g.fn != nil || g.st.freed {
		t.grad, t.gradZero = nil, false
		return
	}
	if g.IsContiguous() {
		t.gradZero = true
		return
	}
	g.fillZero()
}

// Detach returns a tensor sharing t's storage that is not part of any graph
// and does not require a gradient.
func (t *Tensor) Detach() *Tensor {
	return &Tensor{dtype: t.dtype, shape: t.shape, strides: t.strides, offset: t.offset, st: t.st, arena: t.arena}
}

// NoGrad returns a view of t from which nothing is recorded: operations
// with a NoGrad operand record no graph and return NoGrad tensors. Use it
// for inference, even while another goroutine trains the same parameters.
func (t *Tensor) NoGrad() *Tensor {
	v := t.Detach()
	v.noGrad = true
	return v
}

// IsNoGrad reports whether t was derived from a NoGrad tensor.
func (t *Tensor) IsNoGrad() bool { return t.noGrad }

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// view returns a tensor over t's storage with the given layout. The result
// inherits t's noGrad flag and arena and nothing else.
func (t *Tensor) view(shape, strides []int, offset int) *Tensor {
	return &Tensor{dtype: t.dtype, shape: shape, strides: strides, offset: offset, st: t.st, noGrad: t.noGrad, arena: t.arena}
}

// SetData makes the leaf t refer to src's elements: t takes src's dtype,
// shape and storage (shared, not copied) and keeps its identity, its
// requires-grad flag and nothing of its old gradient. It is how a model's
// parameters are converted or replaced in place (PyTorch's
// param.data = ...). It is not recorded.
func (t *Tensor) SetData(src *Tensor) {
	if t.fn != nil {
		panicf("SetData", shapesOf(t, src), "only leaf tensors can have their data replaced")
	}
	if t.requiresGrad && !src.dtype.IsFloat() {
		panicf("SetData", shapesOf(t, src), "a tensor that requires a gradient needs floating-point data, not %v", src.dtype)
	}
	t.dtype, t.shape, t.strides, t.offset, t.st = src.dtype, src.shape, src.strides, src.offset, src.st
	t.arena = src.arena
	t.grad, t.gradZero = nil, false
}

// scalarAxis checks that axis is 0 or -1, the axes that ops working along
// one axis accept for a 0-dimensional tensor t, as PyTorch does.
func scalarAxis(op string, t *Tensor, axis int) {
	if axis != 0 && axis != -1 {
		panicf(op, shapesOf(t), "axis %d out of range for 0 dimensions", axis)
	}
}

// Numel returns the number of elements of a tensor of the given shape: the
// product of its dimensions, 1 for the empty shape of a scalar.
func Numel(shape []int) int { return numel(shape) }
