// Package parallel splits work over the available processors. It is the
// only place where kernels start goroutines.
package parallel

import (
	"runtime"
	"sync"
)

// Workers returns the number of goroutines For may use: GOMAXPROCS.
func Workers() int { return runtime.GOMAXPROCS(0) }

// For calls fn over [0, n) split into contiguous chunks of at least grain
// items, using up to Workers() goroutines, and returns when all calls have
// returned. With one worker, or n ≤ grain, fn(0, n) runs on the caller's
// goroutine.
func For(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	w := min(Workers(), (n+grain-1)/grain)
	if w <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + w - 1) / w
	for lo := chunk; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	fn(0, min(chunk, n))
	wg.Wait()
}
