package train

import (
	"fmt"

	"github.com/backprop-go/backprop/internal/parallel"
	"github.com/backprop-go/backprop/tensor"
)

// Shards computes the gradients of a training step as several shards of
// the batch at once, one per processor, over the same parameters: data
// parallelism within one process. Each shard runs the forward and backward
// passes of its rows on its own goroutine with its own tensor.Arena; the
// first adds its gradients to the parameters' Grad, the others to a
// tensor.GradSet each, and Step then adds those to the Grads in shard
// order. The shards synchronize once per step instead of once per
// operation, but each writes a whole weight gradient: a LeNet-5 step at
// batch 64 (small weights, convolutions dominate) runs 9–15 % faster than
// with each operation split over two cores, the MLP of bench/train at
// batch 64 (235 k weights) 15–28 % slower (BENCHMARKS.md, ninth round
// and the final runs).
//
// The gradient is the whole batch's when the loss of the batch is the
// mean of the per-example losses (a reduction "mean" without class
// weights): each shard's loss is scaled by its share of the batch. The
// model's forward pass must be safe for concurrent use: no module may
// change state during it (Dropout draws random numbers and BatchNorm
// updates running statistics in training mode), which Config.Shards
// checks with ShardSafe. The number of shards, not the number of
// processors, fixes the order of the floating-point sums, so a run gives
// the same results with any GOMAXPROCS.
type Shards struct {
	n      int
	sets   []*tensor.GradSet // sets[k] for shard k ≥ 1
	arenas []*tensor.Arena
}

// NewShards returns shards for a model with the given parameters. n is
// the number of shards (at least 1; 1 runs the step on the caller, as
// without shards).
func NewShards(params []*tensor.Tensor, n int) (*Shards, error) {
	if n < 1 {
		return nil, fmt.Errorf("train: %d shards: need at least 1", n)
	}
	s := &Shards{n: n, sets: make([]*tensor.GradSet, n), arenas: make([]*tensor.Arena, n)}
	for k := range n {
		s.arenas[k] = tensor.NewArena()
		if k > 0 {
			if err := tensor.Try(func() { s.sets[k] = tensor.NewGradSet(params) }); err != nil {
				return nil, fmt.Errorf("train: shards: %w", err)
			}
		}
	}
	return s, nil
}

// N returns the number of shards.
func (s *Shards) N() int { return s.n }

// ShardFunc computes one shard of a step: it runs the forward pass of x
// (the shard's rows of the batch, tagged with the shard's arena), computes
// the loss against y, scales it by share (the shard's rows over the
// batch's) and calls Backward(opts...) on it. Everything it wants from the
// step (the loss value, accuracy counts) it must read out before it
// returns: the shard's arena is reset afterwards. k is the shard's index;
// shards run at the same time, so fn must only write to state of its own
// shard.
type ShardFunc func(k int, x, y *tensor.Tensor, share float64, opts ...tensor.BackwardOption)

// Step splits the batch (x, y), whose first axes index the examples, into
// at most N shards of consecutive rows as equal as can be (fewer when the
// batch has fewer rows), runs fn on each at once, and adds the shards'
// gradients to the parameters' Grad. A panic in fn is re-raised on the
// caller after every shard has stopped. The arenas are reset even then.
func (s *Shards) Step(x, y *tensor.Tensor, fn ShardFunc) {
	rows := x.Size(0)
	n := min(s.n, rows)
	defer func() {
		for _, a := range s.arenas[:max(n, 1)] {
			a.Reset()
		}
	}()
	if n <= 1 {
		fn(0, x.InArena(s.arenas[0]), y, 1)
		return
	}
	parallel.Shards(n, func(k int) {
		lo, hi := k*rows/n, (k+1)*rows/n
		xs, ys := x.Narrow(0, lo, hi-lo).InArena(s.arenas[k]), y.Narrow(0, lo, hi-lo)
		share := float64(hi-lo) / float64(rows)
		if k == 0 {
			fn(0, xs, ys, share)
			return
		}
		s.sets[k].Zero()
		fn(k, xs, ys, share, tensor.AccumulateInto(s.sets[k]))
	})
	for _, set := range s.sets[1:n] {
		set.AddToGrad()
	}
}
