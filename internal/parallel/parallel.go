// Package parallel splits work over the available processors. It is the
// only place where kernels start goroutines.
//
// Work runs on a pool of persistent worker goroutines, started on first use
// and grown when GOMAXPROCS grows; a call to For starts no goroutine. A
// worker that finishes polls briefly for more work before it sleeps, so
// calls in quick succession do not wait for it to wake. The
// caller always takes part in its own work and waits only for chunks that
// have started, so For may be called from inside a function that For is
// running: chunks that no idle worker picks up run on the caller.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Workers returns the number of goroutines For may use: GOMAXPROCS, or 1
// while Shards runs.
func Workers() int {
	if sharding.Load() > 0 {
		return 1
	}
	return runtime.GOMAXPROCS(0)
}

// sharding counts the calls of Shards running.
var sharding atomic.Int32

// Shards calls fn(k) for each k in [0, n) on up to GOMAXPROCS goroutines,
// as ForEach does, for work that is itself split into independent shards
// (the parts of a batch in data-parallel training). While the shards run,
// Workers reports 1 to every caller, so that For, ForEach and the kernels
// run serially inside them instead of splitting each operation again
// over processors the shards already occupy; other goroutines using the
// package meanwhile run serially too. A panic in fn is re-raised on the
// caller once every started shard has stopped.
func Shards(n int, fn func(k int)) {
	if n <= 0 {
		return
	}
	w := min(runtime.GOMAXPROCS(0), n)
	if sharding.Load() > 0 {
		w = 1 // inside shards: in line
	}
	if w > 1 {
		sharding.Add(1)
		defer sharding.Add(-1)
	}
	each(n, w, fn)
}

// job is one call of For: chunk i covers [i·size, min((i+1)·size, n)).
type job struct {
	fn     func(lo, hi int)
	each   func(i int) // ForEach's function, called for each index when fn is nil
	n      int
	size   int
	chunks int64
	next   atomic.Int64   // next chunk to claim
	done   atomic.Int64   // chunks finished
	wg     sync.WaitGroup // one count per chunk
	failed atomic.Pointer[any]
}

// run claims and runs chunks until none is left.
func (j *job) run() {
	for {
		c := j.next.Add(1) - 1
		if c >= j.chunks {
			return
		}
		lo := int(c) * j.size
		j.call(lo, min(lo+j.size, j.n))
	}
}

// call runs one chunk, recording a panic so that For re-raises it on the
// caller's goroutine.
func (j *job) call(lo, hi int) {
	defer j.finish() // a method, not a closure: no allocation per chunk
	if j.fn == nil {
		for i := lo; i < hi; i++ {
			j.each(i)
		}
		return
	}
	j.fn(lo, hi)
}

// finish is deferred by call: it records a panic of the chunk, if any, for
// the caller of For to re-raise, and counts the chunk as done.
func (j *job) finish() {
	if r := recover(); r != nil {
		j.fail(r)
	}
	j.done.Add(1)
	j.wg.Done()
}

// fail records the first panic value of the job. It is a function of its
// own so that only a panic moves the value to the heap (finish takes no
// address).
//
//go:noinline
func (j *job) fail(r any) { j.failed.CompareAndSwap(nil, &r) }

var (
	poolMu  sync.Mutex
	started int
	// offered is the latest job; workers poll it.
	offered atomic.Pointer[job]
	// wake wakes parked workers, which then poll offered; polling workers
	// drain it too.
	wake = make(chan struct{}, 64)
)

// wait returns when all chunks of j have finished. It polls for up to
// waitSpin before it blocks: parking the caller and waking it again can
// cost more than the last chunks take.
func (j *job) wait() {
	start := time.Now()
	for i := 1; j.done.Load() < j.chunks; i++ {
		if i%256 == 0 && time.Since(start) > waitSpin {
			break
		}
	}
	j.wg.Wait()
	offered.CompareAndSwap(j, nil) // keep nothing of fn alive
	if p := j.failed.Load(); p != nil {
		panic(*p)
	}
}

// ensure starts workers until there are at least want of them.
func ensure(want int) {
	poolMu.Lock()
	for started < want {
		started++
		go worker()
	}
	poolMu.Unlock()
}

// offer hands job j to up to n idle workers: polling workers see it at
// once, parked ones are woken. Workers that come late find its chunks
// claimed, which costs them one atomic load.
func offer(j *job, n int) {
	offered.Store(j)
	for range n {
		select {
		case wake <- struct{}{}:
		default: // enough wake-ups pending
		}
	}
}

// spinFor is how long a worker polls for the next job before it parks, and
// waitSpin how long a caller polls for its last chunks before it blocks.
// Waking a parked goroutine's thread takes the operating system (and, in a
// virtual machine, the hypervisor) tens of microseconds to milliseconds,
// longer than many kernel calls; kernels called in a row, as in a training
// step, find the worker still polling. A woken worker is also queued on the
// caller's processor, where it waits until another processor steals it:
// in a LeNet-5 step the first convolution, which follows the serial
// optimizer update and batch gathering, ran entirely on the caller when
// the worker had parked. Workers therefore poll for 2 ms, longer than the
// serial stretches of a training step (with 200 µs, LeNet-5 and the MLP
// at batch 64 trained about 10 % slower, bench/train). Callers poll only
// briefly because on a machine shared with other processes a polling
// thread takes processor time from the one it waits for.
const (
	spinFor  = 2000 * time.Microsecond
	waitSpin = 200 * time.Microsecond
)

// worker runs the chunks left of each job it receives.
func worker() {
	for {
		if j := poll(); j != nil {
			j.run()
			continue
		}
		<-wake
	}
}

// poll waits up to spinFor for a job with chunks left, without parking;
// nil if none came.
func poll() *job {
	start := time.Now()
	for i := 1; ; i++ {
		if j := offered.Load(); j != nil && j.next.Load() < j.chunks {
			return j
		}
		select {
		case <-wake:
		default:
		}
		if i%256 == 0 && time.Since(start) > spinFor {
			return nil
		}
	}
}

// For calls fn over [0, n) split into contiguous chunks of at least grain
// items, using up to Workers() goroutines, and returns when all calls have
// returned. With one worker, or n ≤ grain, fn(0, n) runs on the caller's
// goroutine. Chunks are claimed dynamically, so a processor that is busy
// elsewhere does not hold up the others; fn must not depend on which
// goroutine runs a chunk. A panic in fn is re-raised by For.
func For(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	w := min(Workers(), max(1, n/grain))
	if w <= 1 {
		fn(0, n)
		return
	}
	size := (n + w - 1) / w
	j := &job{fn: fn, n: n, size: size, chunks: int64((n + size - 1) / size)}
	j.wg.Add(int(j.chunks))
	ensure(w - 1)
	offer(j, int(j.chunks)-1)
	j.run()
	j.wait()
}

// ForEach calls fn(i) for each i in [0, n), on up to Workers() goroutines
// that claim indices one at a time, and returns when all calls have
// returned. Use it for a few coarse, independent tasks: a processor that is
// busy elsewhere then takes fewer of them. A panic in fn is re-raised by
// ForEach.
func ForEach(n int, fn func(i int)) {
	if n <= 0 {
		return
	}
	each(n, min(Workers(), n), fn)
}

// each runs fn(i) for i in [0, n) on w goroutines (the caller and w−1
// workers), claiming indices one at a time.
func each(n, w int, fn func(i int)) {
	if w <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	j := &job{each: fn, n: n, size: 1, chunks: int64(n)}
	j.wg.Add(n)
	ensure(w - 1)
	offer(j, w-1)
	j.run()
	j.wait()
}
