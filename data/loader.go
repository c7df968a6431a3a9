package data

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"

	"github.com/backprop-go/backprop/tensor"
)

// LoaderConfig configures a Loader. The zero value gives batches of one
// example in dataset order, filled in the caller's goroutine.
type LoaderConfig struct {
	// BatchSize is the number of examples per batch; 0 means 1.
	BatchSize int

	// Shuffle draws a new order of the examples for every epoch from a
	// source seeded by (Seed, epoch). Without it the examples come in
	// dataset order.
	Shuffle bool

	// DropLast drops the last batch of an epoch when it has fewer than
	// BatchSize examples.
	DropLast bool

	// Seed seeds the shuffle and the random transforms.
	Seed uint64

	// Workers is the number of goroutines that fill batches ahead of the
	// consumer. With 0, Next fills each batch in the caller's goroutine.
	// The batches are the same whatever the number of workers.
	Workers int

	// Prefetch is the number of batches the workers may fill ahead of the
	// one the consumer holds; 0 means 2·Workers. It is ignored without
	// workers.
	Prefetch int

	// Transform, if not nil, is applied to the input of every example
	// (which must be Float32), with randomness from a source seeded by
	// (Seed, epoch, example index).
	Transform Transform

	// Collate, if not nil, builds a batch from the examples' inputs and
	// targets (after Transform). The loader then calls Example for every
	// example and never reuses batch memory. With workers it is called from
	// several goroutines at once. Without it, inputs and targets are stacked
	// along a new first axis into buffers the loader owns.
	Collate func(xs, ys []*tensor.Tensor) (x, y *tensor.Tensor)

	// NoReuse makes every batch use new tensors that stay valid forever,
	// instead of buffers the loader reuses.
	NoReuse bool
}

// Batch is one batch of examples.
type Batch struct {
	// X and Y hold the inputs and targets of the examples along a first
	// axis of length len(Indices).
	X, Y *tensor.Tensor

	// Indices are the dataset indices of the examples, in batch order.
	// The slice is read-only and valid as long as X and Y are.
	Indices []int

	// Index is the position of the batch in its epoch, from 0.
	Index int
}

// Loader delivers the examples of a dataset in batches, epoch after epoch.
//
// The order of the examples in an epoch depends only on Seed, Shuffle and
// the epoch number, so an epoch can be replayed or resumed exactly, and
// every batch is the same whatever the number of Workers: workers fill
// whole batches, chosen by batch index, and the iterator hands them out in
// order. Random transforms draw from a source seeded by (Seed, epoch,
// example index), independent of which worker fills the batch.
//
// Unless NoReuse or Collate is set, the loader fills batches into buffers
// it owns and reuses: a Batch is valid until the next call to Next or Close
// on its iterator. Copy X and Y (Clone) to keep them longer. Steady-state
// batches then cost no allocation when the dataset is a Batcher.
//
// A Loader is safe for concurrent use; its iterators are not.
type Loader struct {
	ds  Dataset
	cfg LoaderConfig

	n, nb, bs int
	xdt, ydt  tensor.DType
	inShape   []int       // input shape of one example before transforms
	xShape    []int       // after transforms
	yShape    []int       // target shape of one example
	steps     []Transform // the transform, with chains flattened
	stepIn    [][]int     // input shape of each step
	scratch   int         // elements of the largest intermediate result

	mu   sync.Mutex
	free []*resources
}

// NewLoader returns a loader of ds. When the configuration has no Collate
// function, it reads example 0 to learn the shapes and dtypes of the
// batches, and it returns an error if the transform does not apply to
// them.
func NewLoader(ds Dataset, cfg LoaderConfig) (*Loader, error) {
	if ds == nil {
		return nil, errors.New("data: NewLoader: nil dataset")
	}
	switch {
	case cfg.BatchSize < 0:
		return nil, fmt.Errorf("data: NewLoader: negative batch size %d", cfg.BatchSize)
	case cfg.Workers < 0:
		return nil, fmt.Errorf("data: NewLoader: negative number of workers %d", cfg.Workers)
	case cfg.Prefetch < 0:
		return nil, fmt.Errorf("data: NewLoader: negative prefetch %d", cfg.Prefetch)
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 1
	}
	if cfg.Prefetch == 0 {
		cfg.Prefetch = 2 * cfg.Workers
	}
	l := &Loader{ds: ds, cfg: cfg, n: ds.Len(), bs: cfg.BatchSize}
	l.nb = l.n / l.bs
	if !cfg.DropLast && l.n%l.bs != 0 {
		l.nb++
	}
	if cfg.Transform != nil {
		if c, ok := cfg.Transform.(Chain); ok {
			l.steps = Compose(c...)
		} else {
			l.steps = []Transform{cfg.Transform}
		}
	}
	if cfg.Collate != nil || l.n == 0 {
		return l, nil
	}
	x, y := ds.Example(0)
	l.xdt, l.ydt = x.DType(), y.DType()
	l.inShape, l.xShape, l.yShape = x.Shape(), x.Shape(), y.Shape()
	if len(l.steps) > 0 {
		if l.xdt != tensor.Float32 {
			return nil, fmt.Errorf("data: NewLoader: transforms need float32 inputs, dataset has %v", l.xdt)
		}
		shape := l.inShape
		for i, t := range l.steps {
			out, err := t.OutShape(shape)
			if err != nil {
				return nil, fmt.Errorf("data: NewLoader: transform %d: %w", i, err)
			}
			l.stepIn = append(l.stepIn, shape)
			if i < len(l.steps)-1 {
				l.scratch = max(l.scratch, tensor.Numel(out))
			}
			shape = out
		}
		l.xShape = shape
	}
	return l, nil
}

// Len returns the number of batches in an epoch.
func (l *Loader) Len() int { return l.nb }

// Dataset returns the loader's dataset.
func (l *Loader) Dataset() Dataset { return l.ds }

// Config returns the loader's configuration, with defaults filled in.
func (l *Loader) Config() LoaderConfig { return l.cfg }

// Order returns the order of the dataset's examples in the given epoch:
// batch b holds the examples Order(epoch)[b·BatchSize:(b+1)·BatchSize].
func (l *Loader) Order(epoch int) []int {
	p := make([]int, l.n)
	l.order(p, epoch)
	return p
}

// order fills p with the order of epoch.
func (l *Loader) order(p []int, epoch int) {
	for i := range p {
		p[i] = i
	}
	if l.cfg.Shuffle {
		shuffle(p, rand.New(rand.NewPCG(splitmix(l.cfg.Seed), splitmix(uint64(epoch)^0x5348_5546_464c_4521))))
	}
}

// splitmix is the SplitMix64 finalizer, used to derive seeds.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// resources are the buffers one iterator uses; the loader keeps them for
// the next epoch.
type resources struct {
	order   []int
	slots   []slot
	workers []*worker
}

// slot holds one batch of the ring the workers fill.
type slot struct {
	x, y   *tensor.Tensor // full batch buffers (nil with NoReuse or Collate)
	px, py *tensor.Tensor // views for the short last batch
	batch  Batch
	filled int // index of the batch in the slot, -1 if none
	err    error
}

// worker holds one worker's scratch memory.
type worker struct {
	pcg           *rand.PCG
	r             *rand.Rand
	stage, pstage *tensor.Tensor // untransformed inputs of a batch, and of the short one
	a, b          []float32      // intermediate results of transforms
	xs, ys        []*tensor.Tensor
}

func (l *Loader) acquire() *resources {
	l.mu.Lock()
	if k := len(l.free); k > 0 {
		res := l.free[k-1]
		l.free = l.free[:k-1]
		l.mu.Unlock()
		return res
	}
	l.mu.Unlock()
	nslots, nworkers := 1, max(1, l.cfg.Workers)
	if l.cfg.Workers > 0 {
		nslots = l.cfg.Prefetch + 1
	}
	res := &resources{order: make([]int, l.n), slots: make([]slot, nslots)}
	reuse := !l.cfg.NoReuse && l.cfg.Collate == nil
	short := l.n % l.bs
	for i := range res.slots {
		s := &res.slots[i]
		if reuse {
			s.x = tensor.Zeros(l.xdt, prepend(l.bs, l.xShape)...)
			s.y = tensor.Zeros(l.ydt, prepend(l.bs, l.yShape)...)
			if short > 0 {
				s.px, s.py = s.x.Narrow(0, 0, short), s.y.Narrow(0, 0, short)
			}
		}
	}
	for range nworkers {
		pcg := rand.NewPCG(0, 0)
		w := &worker{pcg: pcg, r: rand.New(pcg)}
		if len(l.steps) > 0 && l.cfg.Collate == nil {
			w.stage = tensor.Zeros(tensor.Float32, prepend(l.bs, l.inShape)...)
			if short > 0 {
				w.pstage = w.stage.Narrow(0, 0, short)
			}
			w.a, w.b = make([]float32, l.scratch), make([]float32, l.scratch)
		}
		res.workers = append(res.workers, w)
	}
	return res
}

func (l *Loader) release(res *resources) {
	l.mu.Lock()
	l.free = append(l.free, res)
	l.mu.Unlock()
}

func prepend(n int, shape []int) []int { return append([]int{n}, shape...) }

// Iter iterates over the batches of one epoch:
//
//	it := loader.Epoch(epoch)
//	defer it.Close()
//	for it.Next() {
//		b := it.Batch()
//		...
//	}
//	if err := it.Err(); err != nil { ... }
//
// With workers, the iterator starts its goroutines when it is created;
// they exit when every batch of the epoch has been filled, and Close (or
// Next returning false) waits until they have exited. Call Close when
// leaving an epoch early; an iterator that becomes unreachable without
// being closed is closed by the garbage collector, but not promptly.
type Iter struct{ s *iterState }

// iterState is the iterator proper; Iter wraps it so that a cleanup can
// close an abandoned iterator (the workers refer to iterState only).
type iterState struct {
	l      *Loader
	epoch  int
	res    *resources
	next   int // the batch the next call to Next returns
	end    int
	cur    Batch
	err    error
	done   bool
	once   sync.Once
	wg     sync.WaitGroup
	shared // guarded by shared.mu
}

type shared struct {
	mu           sync.Mutex
	space, ready sync.Cond
	claim        int // the next batch a worker fills
	released     int // the consumer is done with every batch before this
	closed       bool
}

// Epoch returns an iterator over the batches of the given epoch (counted
// from 0), which seeds the shuffle and the random transforms.
func (l *Loader) Epoch(epoch int) *Iter { return l.EpochFrom(epoch, 0) }

// EpochFrom returns an iterator over the batches of the given epoch that
// starts at batch start (0 ≤ start ≤ Len()), skipping the ones before it
// without loading them: resuming a run at step start of an epoch gives the
// batches the uninterrupted run had.
func (l *Loader) EpochFrom(epoch, start int) *Iter {
	s := &iterState{l: l, epoch: epoch, next: start, end: l.nb}
	if start < 0 || start > l.nb {
		s.err = fmt.Errorf("data: Loader.EpochFrom: start batch %d outside [0, %d]", start, l.nb)
		s.done = true
		return &Iter{s: s}
	}
	if start == l.nb {
		s.done = true
		return &Iter{s: s}
	}
	s.res = l.acquire()
	l.order(s.res.order, epoch)
	for i := range s.res.slots {
		s.res.slots[i].filled = -1
		s.res.slots[i].err = nil
	}
	if l.cfg.Workers > 0 {
		s.space.L, s.ready.L = &s.mu, &s.mu
		s.claim, s.released = start, start
		s.wg.Add(len(s.res.workers))
		for _, w := range s.res.workers {
			go s.work(w)
		}
	}
	it := &Iter{s: s}
	runtime.AddCleanup(it, (*iterState).close, s)
	return it
}

// Next advances to the next batch and reports whether there is one. It
// returns false at the end of the epoch, after Close, or when filling a
// batch failed (see Err); the iterator is then closed.
func (it *Iter) Next() bool {
	s := it.s
	if s.done {
		return false
	}
	if s.next >= s.end {
		s.close()
		return false
	}
	b := s.next
	sl := &s.res.slots[b%len(s.res.slots)]
	var err error
	if s.l.cfg.Workers == 0 {
		err = s.fill(s.res.workers[0], b, sl)
	} else {
		s.mu.Lock()
		s.released = b
		s.space.Broadcast()
		for sl.filled != b && !s.closed {
			s.ready.Wait()
		}
		err = sl.err
		s.mu.Unlock()
	}
	if err != nil {
		s.err = err
		s.close()
		return false
	}
	s.cur = sl.batch
	s.next++
	return true
}

// Batch returns the current batch: the one the last call to Next advanced
// to. Unless the loader was configured with NoReuse or Collate, it is valid
// until the next call to Next or Close.
func (it *Iter) Batch() Batch { return it.s.cur }

// Err returns the error that ended the iteration early, if any.
func (it *Iter) Err() error { return it.s.err }

// Close stops the iterator's workers, waits for them to exit and returns
// the batch buffers to the loader. It is safe to call more than once, and
// needed only when leaving the epoch before Next returns false.
func (it *Iter) Close() { it.s.close() }

func (s *iterState) close() {
	s.once.Do(func() {
		s.done = true
		s.cur = Batch{}
		if s.res == nil {
			return
		}
		if s.l.cfg.Workers > 0 {
			s.mu.Lock()
			s.closed = true
			s.space.Broadcast()
			s.ready.Broadcast()
			s.mu.Unlock()
			s.wg.Wait()
		}
		for i := range s.res.slots {
			s.res.slots[i].batch = Batch{}
		}
		s.l.release(s.res)
		s.res = nil
	})
}

// work is a worker goroutine: it claims batches in order, waits until the
// slot of its batch is free, and fills it.
func (s *iterState) work(w *worker) {
	defer s.wg.Done()
	n := len(s.res.slots)
	for {
		s.mu.Lock()
		for !s.closed && s.claim < s.end && s.claim >= s.released+n {
			s.space.Wait()
		}
		if s.closed || s.claim >= s.end {
			s.mu.Unlock()
			return
		}
		b := s.claim
		s.claim++
		s.mu.Unlock()

		sl := &s.res.slots[b%n]
		err := s.fill(w, b, sl)

		s.mu.Lock()
		sl.err, sl.filled = err, b
		s.ready.Broadcast()
		s.mu.Unlock()
	}
}

// fill fills batch b of the epoch into sl, turning a panic into an error.
func (s *iterState) fill(w *worker, b int, sl *slot) (err error) {
	defer func() {
		if p := recover(); p != nil {
			msg := fmt.Sprint(p)
			if e, ok := p.(error); ok {
				msg = e.Error()
			}
			err = fmt.Errorf("data: epoch %d, batch %d: %s", s.epoch, b, strings.TrimPrefix(msg, "data: "))
		}
	}()
	l := s.l
	lo := b * l.bs
	idx := s.res.order[lo:min(lo+l.bs, l.n)]
	m := len(idx)
	if l.cfg.Collate != nil {
		x, y := s.collate(w, idx)
		sl.batch = Batch{X: x, Y: y, Indices: idx, Index: b}
		return nil
	}
	var x, y, stage *tensor.Tensor
	switch {
	case l.cfg.NoReuse:
		x = tensor.Zeros(l.xdt, prepend(m, l.xShape)...)
		y = tensor.Zeros(l.ydt, prepend(m, l.yShape)...)
		stage = w.stage
		if m < l.bs {
			stage = w.pstage
		}
	case m < l.bs:
		x, y, stage = sl.px, sl.py, w.pstage
	default:
		x, y, stage = sl.x, sl.y, w.stage
	}
	if len(l.steps) == 0 {
		Gather(l.ds, idx, x, y)
	} else {
		Gather(l.ds, idx, stage, y)
		src, dst := stage.RawFloat32(), x.RawFloat32()
		ni, no := tensor.Numel(l.inShape), tensor.Numel(l.xShape)
		for k, i := range idx {
			s.seed(w, i)
			s.transform(w, dst[k*no:(k+1)*no], src[k*ni:(k+1)*ni])
		}
	}
	sl.batch = Batch{X: x, Y: y, Indices: idx, Index: b}
	return nil
}

// seed seeds the worker's source for example i of the epoch.
func (s *iterState) seed(w *worker, i int) {
	k := splitmix(s.l.cfg.Seed^0x7472_616e_7366_6f72) ^ splitmix(uint64(s.epoch))
	w.pcg.Seed(k, splitmix(k^uint64(i)))
}

// transform runs the transform steps from src into dst, through the
// worker's scratch buffers.
func (s *iterState) transform(w *worker, dst, src []float32) {
	steps := s.l.steps
	cur := src
	for j, t := range steps {
		next := dst
		if j < len(steps)-1 {
			buf := w.a
			if j%2 == 1 {
				buf = w.b
			}
			next = buf[:tensor.Numel(s.l.stepIn[j+1])]
		}
		t.Apply(next, cur, s.l.stepIn[j], w.r)
		cur = next
	}
}

// collate builds a batch with the Collate function.
func (s *iterState) collate(w *worker, idx []int) (x, y *tensor.Tensor) {
	l := s.l
	xs, ys := w.xs[:0], w.ys[:0]
	for _, i := range idx {
		ex, ey := l.ds.Example(i)
		if l.cfg.Transform != nil {
			s.seed(w, i)
			var err error
			if ex, err = Apply(l.cfg.Transform, ex, w.r); err != nil {
				panic(fmt.Errorf("example %d: %w", i, err))
			}
		}
		xs, ys = append(xs, ex), append(ys, ey)
	}
	x, y = l.cfg.Collate(xs, ys)
	clear(xs)
	clear(ys)
	w.xs, w.ys = xs[:0], ys[:0]
	return x, y
}
