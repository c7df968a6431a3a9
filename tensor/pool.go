package tensor

import (
	"math/bits"
	"sync"
)

// Arena is a scope for the buffers of one training (or inference) step.
// Operations with an operand tagged by InArena take their results'
// storage from the arena, and so do the intermediate gradients of a
// backward pass started from such a result; the tag carries over to every
// result, like NoGrad's. Reset hands all those buffers back to the arena at
// once, to be reused by the next step, so that a steady-state step
// allocates almost nothing on the Go heap.
//
// After Reset, every tensor computed in the arena since the previous Reset
// is dead: its storage is gone, and using it panics (it never reads another
// step's data). Tensor headers and graph nodes are cut from slabs of 32 but
// never reused, so a dead tensor keeps its own header (and its slab, until
// collected). Slices obtained from such a tensor with RawFloat32 and the
// like must not be used after Reset either. Keep what must outlive the step
// by copying it out first (Item, Float32s, or CopyFrom into a tensor of
// one's own). The storage of tensors not computed in the arena (parameters,
// their gradients, optimizer state, the batches a loader returns) is never
// touched: the engine accumulates leaf gradients into ordinary storage.
//
// An Arena may be used by several goroutines at once, but Reset must not
// run while another goroutine computes in the arena. The zero value is not
// usable; call NewArena. An arena keeps its buffers until it is garbage
// collected.
type Arena struct {
	mu   sync.Mutex
	f32  freeLists[float32]
	f64  freeLists[float64]
	i64  freeLists[int64]
	used []*storage // storage handed out since the last Reset

	// The headers of the arena's tensors and graph nodes are cut from
	// slabs, one allocation for arenaSlab of them. They are never reused
	// (a slab is dropped when it is used up, Reset or not), so a tensor
	// kept past Reset still only ever sees its own header; it keeps its
	// slab alive until it is collected.
	blocks []block
	nodes  []node
}

// arenaSlab is the number of tensor headers or graph nodes per allocation.
const arenaSlab = 32

// newBlock returns a zeroed tensor block from the arena's current slab.
func (a *Arena) newBlock() *block { return cut(a, &a.blocks) }

// newNode returns a zeroed graph node from the arena's current slab.
func (a *Arena) newNode() *node { return cut(a, &a.nodes) }

// cut returns the next zeroed element of the slab *s of a, starting a new
// slab when it is used up.
func cut[T any](a *Arena, s *[]T) *T {
	a.mu.Lock()
	if len(*s) == 0 {
		*s = make([]T, arenaSlab)
	}
	e := &(*s)[0]
	*s = (*s)[1:]
	a.mu.Unlock()
	return e
}

// NewArena returns an empty arena.
func NewArena() *Arena { return &Arena{} }

// freeLists holds free buffers by size class.
type freeLists[T number] struct {
	byClass [][][]T
}

// get returns a buffer of length n (capacity its size class), from the free
// list when one is there.
func (f *freeLists[T]) get(n int) []T {
	c := sizeClass(n)
	if c < len(f.byClass) {
		if l := f.byClass[c]; len(l) > 0 {
			s := l[len(l)-1]
			l[len(l)-1] = nil
			f.byClass[c] = l[:len(l)-1]
			return s[:n]
		}
	}
	return make([]T, n, classSize(c))
}

// put returns s to the free list of its size class.
func (f *freeLists[T]) put(s []T) {
	c := sizeClass(cap(s))
	if classSize(c) != cap(s) {
		return // not one of ours; let the garbage collector have it
	}
	for len(f.byClass) <= c {
		f.byClass = append(f.byClass, nil)
	}
	f.byClass[c] = append(f.byClass[c], s[:0])
}

// Size classes: up to 16 elements one class; above, four classes per
// power of two (sizes 2ᵇ·(4+k)/4 for k = 1…4), so a buffer wastes at most
// a fifth of its size.
const minClassSize = 16

// sizeClass returns the smallest class whose size is at least n.
func sizeClass(n int) int {
	if n <= minClassSize {
		return 0
	}
	b := bits.Len(uint(n-1)) - 1 // 2^b < n ≤ 2^(b+1)
	step := 1 << b >> 2          // a quarter of 2^b
	k := (n - (1 << b) + step - 1) / step
	return (b-4)*4 + k
}

// classSize returns the size of class c.
func classSize(c int) int {
	if c == 0 {
		return minClassSize
	}
	b := (c-1)/4 + 4
	k := (c-1)%4 + 1
	return 1<<b + k*(1<<b>>2)
}

// take points st at a buffer of n elements of type dt from the arena,
// zeroed when zero is true, and records it as used.
func (a *Arena) take(st *storage, dt DType, n int, zero bool) {
	a.mu.Lock()
	switch dt {
	case Float32:
		st.f32 = a.f32.get(n)
		if zero {
			clear(st.f32)
		}
	case Float64:
		st.f64 = a.f64.get(n)
		if zero {
			clear(st.f64)
		}
	case Int64:
		st.i64 = a.i64.get(n)
		if zero {
			clear(st.i64)
		}
	default:
		a.mu.Unlock()
		panicf("New", nil, "invalid dtype %v", dt)
	}
	st.arena = a
	a.used = append(a.used, st)
	a.mu.Unlock()
}

// Reset returns the storage of every tensor computed in the arena since
// the previous Reset to the arena. Those tensors must not be used
// afterwards; doing so panics.
func (a *Arena) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, st := range a.used {
		switch {
		case st.f32 != nil:
			a.f32.put(st.f32)
		case st.f64 != nil:
			a.f64.put(st.f64)
		case st.i64 != nil:
			a.i64.put(st.i64)
		}
		st.f32, st.f64, st.i64 = nil, nil, nil
		st.freed = true
		a.used[i] = nil
	}
	a.used = a.used[:0]
}

// InArena returns a view of t tagged with the arena a: operations with it
// as an operand allocate their results in a, and so does a backward pass
// through them. With a nil arena the view is untagged. The view shares t's
// storage (which stays where it is) and its gradient flows back to t.
func (t *Tensor) InArena(a *Arena) *Tensor {
	t.live("InArena")
	v := t.view(t.shape, t.strides, t.offset)
	v.arena = a
	return attach(v, "InArena", identityOp{}, t)
}

// Arena returns the arena t is tagged with, or nil.
func (t *Tensor) Arena() *Arena { return t.arena }

// identityOp is y = x: dL/dx = dL/dy.
type identityOp struct{}

func (identityOp) backward(g *Tensor, _ []bool) []*Tensor { return []*Tensor{g} }

// live panics if t's storage was handed back by an arena's Reset.
func (t *Tensor) live(op string) {
	if t.st.freed {
		panicf(op, shapesOf(t), "tensor used after its arena was reset")
	}
}

// arenaOf returns the arena of the first of ts that has one, or nil.
func arenaOf(ts ...*Tensor) *Arena {
	for _, t := range ts {
		if t != nil && t.arena != nil {
			return t.arena
		}
	}
	return nil
}

// scratchClasses bounds the size classes the scratch pools serve (up to
// 2⁴⁰ elements); larger buffers are allocated and dropped.
const scratchClasses = 150

// scratch holds buffers, by size class, for the temporary tensors of
// operations run outside any arena, so that they are reused rather than
// allocated anew.
var scratch struct {
	f32, f64 [scratchClasses]sync.Pool
}

// scratchLike returns a 1-D tensor of n elements, not zeroed, for use
// during one operation (or until its graph is released): in the arena of
// the first of like that has one, otherwise from a pool, to which
// releaseScratch returns it.
func scratchLike(dt DType, n int, like ...*Tensor) *Tensor {
	if a := arenaOf(like...); a != nil {
		return newTensor(a, dt, []int{n}, false)
	}
	t := &Tensor{dtype: dt, shape: []int{n}, strides: []int{1}, st: &storage{}}
	c := sizeClass(n)
	switch dt {
	case Float32:
		if c < scratchClasses {
			if p, _ := scratch.f32[c].Get().(*[]float32); p != nil {
				t.st.f32 = (*p)[:n]
				return t
			}
		}
		t.st.f32 = make([]float32, n, classSize(c))
	case Float64:
		if c < scratchClasses {
			if p, _ := scratch.f64[c].Get().(*[]float64); p != nil {
				t.st.f64 = (*p)[:n]
				return t
			}
		}
		t.st.f64 = make([]float64, n, classSize(c))
	default:
		panicf("scratch", nil, "invalid dtype %v", dt)
	}
	return t
}

// releaseScratch hands a tensor from scratchLike back to the pool unless
// it lives in an arena; t must not be used afterwards.
func releaseScratch(t *Tensor) {
	if t == nil || t.arena != nil {
		return
	}
	switch t.dtype {
	case Float32:
		if s := t.st.f32; cap(s) > 0 {
			if c := sizeClass(cap(s)); c < scratchClasses && classSize(c) == cap(s) {
				scratch.f32[c].Put(&s)
			}
		}
	case Float64:
		if s := t.st.f64; cap(s) > 0 {
			if c := sizeClass(cap(s)); c < scratchClasses && classSize(c) == cap(s) {
				scratch.f64[c].Put(&s)
			}
		}
	}
	t.st.f32, t.st.f64 = nil, nil
	t.st.freed = true
}
