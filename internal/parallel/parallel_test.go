package parallel

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// withProcs runs f with GOMAXPROCS set to p.
func withProcs(t *testing.T, p int, f func()) {
	t.Helper()
	old := runtime.GOMAXPROCS(p)
	defer runtime.GOMAXPROCS(old)
	f()
}

func TestForCoversEachItemOnce(t *testing.T) {
	cases := []struct{ n, grain, procs int }{
		{0, 1, 4}, {1, 1, 4}, {2, 1, 4}, {7, 1, 4}, {100, 1, 4}, {100, 30, 4},
		{100, 200, 4}, {1000, 3, 3}, {5, 0, 2}, {64, 8, 1}, {1 << 12, 1, 8},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("n=%d/grain=%d/procs=%d", c.n, c.grain, c.procs), func(t *testing.T) {
			withProcs(t, c.procs, func() {
				hits := make([]int32, c.n)
				var calls atomic.Int32
				minChunk := c.n
				var mu sync.Mutex
				For(c.n, c.grain, func(lo, hi int) {
					calls.Add(1)
					if lo < 0 || hi > c.n || lo >= hi {
						t.Errorf("bad chunk [%d, %d)", lo, hi)
						return
					}
					if hi < c.n {
						mu.Lock()
						minChunk = min(minChunk, hi-lo)
						mu.Unlock()
					}
					for i := lo; i < hi; i++ {
						atomic.AddInt32(&hits[i], 1)
					}
				})
				for i, h := range hits {
					if h != 1 {
						t.Fatalf("item %d visited %d times", i, h)
					}
				}
				if int(calls.Load()) > c.procs {
					t.Errorf("%d calls for %d workers", calls.Load(), c.procs)
				}
				// Every chunk but the last holds at least grain items.
				if minChunk < min(c.grain, c.n) {
					t.Errorf("a chunk of %d items with grain %d", minChunk, c.grain)
				}
			})
		})
	}
}

func TestForUsesOtherGoroutines(t *testing.T) {
	withProcs(t, 2, func() {
		// Each chunk waits for the other to start; this only finishes when
		// two goroutines run chunks at the same time. The caller runs its
		// chunk too, so a lone worker that is slow to start still meets it.
		for range 20 {
			var wg sync.WaitGroup
			wg.Add(2)
			For(2, 1, func(lo, hi int) {
				wg.Done()
				wg.Wait()
			})
		}
	})
}

func TestForNested(t *testing.T) {
	withProcs(t, 4, func() {
		var total atomic.Int64
		For(16, 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				For(100, 1, func(lo, hi int) { total.Add(int64(hi - lo)) })
			}
		})
		if got := total.Load(); got != 1600 {
			t.Fatalf("nested For covered %d items, want 1600", got)
		}
	})
}

func TestForRepanics(t *testing.T) {
	withProcs(t, 4, func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %v, want boom", r)
			}
		}()
		For(8, 1, func(lo, hi int) {
			if lo == 6 {
				panic("boom")
			}
		})
		t.Fatal("For returned normally")
	})
}

func TestWorkers(t *testing.T) {
	withProcs(t, 3, func() {
		if got := Workers(); got != 3 {
			t.Fatalf("Workers() = %d with GOMAXPROCS 3", got)
		}
	})
}

func TestForEach(t *testing.T) {
	for _, c := range []struct{ n, procs int }{{0, 2}, {1, 2}, {5, 1}, {7, 2}, {100, 4}} {
		withProcs(t, c.procs, func() {
			hits := make([]int32, c.n)
			ForEach(c.n, func(i int) { atomic.AddInt32(&hits[i], 1) })
			for i, h := range hits {
				if h != 1 {
					t.Fatalf("n=%d procs=%d: index %d called %d times", c.n, c.procs, i, h)
				}
			}
		})
	}
	withProcs(t, 2, func() {
		defer func() {
			if r := recover(); r != "bad" {
				t.Fatalf("recovered %v, want bad", r)
			}
		}()
		ForEach(4, func(i int) {
			if i == 3 {
				panic("bad")
			}
		})
	})
}

// TestShards checks that Shards runs every shard once, two at the same
// time on two processors, that Workers reports 1 inside them (and For
// runs on the caller) and GOMAXPROCS again afterwards, that nested Shards
// run in line, and that a panic is re-raised with the count restored.
func TestShards(t *testing.T) {
	withProcs(t, 2, func() {
		for range 10 {
			var hits [2]atomic.Int32
			var wg sync.WaitGroup
			wg.Add(2)
			Shards(2, func(k int) {
				hits[k].Add(1)
				wg.Done()
				wg.Wait() // both shards at once
				if w := Workers(); w != 1 {
					t.Errorf("Workers() = %d inside Shards, want 1", w)
				}
				var inner atomic.Int32
				For(64, 1, func(lo, hi int) { inner.Add(int32(hi - lo)) })
				Shards(3, func(int) { inner.Add(1) })
				if inner.Load() != 67 {
					t.Errorf("nested work covered %d items, want 67", inner.Load())
				}
			})
			if hits[0].Load() != 1 || hits[1].Load() != 1 {
				t.Fatalf("shards ran %d and %d times", hits[0].Load(), hits[1].Load())
			}
		}
		if w := Workers(); w != 2 {
			t.Fatalf("Workers() = %d after Shards, want 2", w)
		}
		func() {
			defer func() {
				if r := recover(); r != "shard" {
					t.Fatalf("recovered %v, want the shard's panic", r)
				}
			}()
			Shards(2, func(k int) {
				if k == 1 {
					panic("shard")
				}
			})
		}()
		if w := Workers(); w != 2 {
			t.Fatalf("Workers() = %d after a panicking Shards, want 2", w)
		}
		n := 0
		Shards(0, func(int) { n++ })
		Shards(1, func(int) { n++ })
		if n != 1 {
			t.Fatalf("Shards(0) and Shards(1) ran %d shards, want 1", n)
		}
	})
}
