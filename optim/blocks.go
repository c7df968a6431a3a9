package optim

import "github.com/backprop-go/backprop/internal/parallel"

// The float32 updates run over blocks of blockLen elements: within a
// block, the passes of an update (a scale, then one or two axpys) find the
// block's slices of the parameter, its gradient and its state in the
// first-level cache. The blocks of all the parameters of one Step are
// split over the processors together, in one parallel.For, when the step
// updates at least parallelMin elements; each chunk holds at least
// parallelGrain blocks.
//
// blockLen is a multiple of 64, so every block but a parameter's last has
// a length the vector kernels handle whole: which elements the scalar
// tails compute, and hence the result, does not depend on the number of
// processors.
const (
	blockLen      = 2048
	parallelMin   = 1 << 15
	parallelGrain = 8
)

// blockRunner collects the float32 updates of one Step, one task per
// parameter, and runs apply over their blocks.
type blockRunner[T any] struct {
	tasks  []T
	starts []int // starts[i] is the first block of tasks[i]; one more entry ends the last
	lens   []int // number of elements of each task
	elems  int   // elements of all tasks

	apply func(t *T, lo, hi int) // updates elements [lo, hi) of t
	run   func(lo, hi int)       // r.blocks, bound once
}

// add queues task t over n elements.
func (r *blockRunner[T]) add(t T, n int) {
	if len(r.starts) == 0 {
		r.starts = append(r.starts, 0)
	}
	r.tasks = append(r.tasks, t)
	r.lens = append(r.lens, n)
	r.starts = append(r.starts, r.starts[len(r.starts)-1]+(n+blockLen-1)/blockLen)
	r.elems += n
}

// exec runs the queued tasks and clears the queue, keeping its memory.
func (r *blockRunner[T]) exec() {
	if len(r.tasks) > 0 {
		if r.elems < parallelMin || parallel.Workers() == 1 {
			for i := range r.tasks {
				r.span(i, 0, r.lens[i])
			}
		} else {
			if r.run == nil {
				r.run = r.blocks
			}
			parallel.For(r.starts[len(r.starts)-1], parallelGrain, r.run)
		}
	}
	clear(r.tasks) // keep no parameter or gradient alive
	r.tasks, r.starts, r.lens, r.elems = r.tasks[:0], r.starts[:0], r.lens[:0], 0
}

// blocks updates the blocks [lo, hi) of all queued tasks.
func (r *blockRunner[T]) blocks(lo, hi int) {
	i := 0
	for r.starts[i+1] <= lo {
		i++
	}
	for b := lo; b < hi; {
		end := min(hi, r.starts[i+1])
		first := (b - r.starts[i]) * blockLen
		last := min((end-r.starts[i])*blockLen, r.lens[i])
		r.span(i, first, last)
		b = end
		i++
	}
}

// span updates elements [lo, hi) of task i, block by block.
func (r *blockRunner[T]) span(i, lo, hi int) {
	t := &r.tasks[i]
	for ; lo < hi; lo += blockLen {
		r.apply(t, lo, min(lo+blockLen, hi))
	}
}
