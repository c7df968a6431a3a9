package data_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/tensor"
)

// rowsDataset returns n examples with x[i] = [i, i+0.5] and label i.
func rowsDataset(t testing.TB, n int) *data.TensorDataset {
	v := make([]float32, 2*n)
	for i := range n {
		v[2*i], v[2*i+1] = float32(i), float32(i)+0.5
	}
	return mustDataset(t, tensor.FromSlice(v, n, 2), labels(n))
}

func mustLoader(t testing.TB, ds data.Dataset, cfg data.LoaderConfig) *data.Loader {
	t.Helper()
	l, err := data.NewLoader(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// collected is a batch copied out of the loader's buffers.
type collected struct {
	x, y    *tensor.Tensor
	indices []int
	index   int
}

// epoch runs one epoch of l and returns copies of its batches.
func epoch(t testing.TB, l *data.Loader, e int) []collected {
	t.Helper()
	it := l.Epoch(e)
	defer it.Close()
	var out []collected
	for it.Next() {
		b := it.Batch()
		out = append(out, collected{b.X.Clone(), b.Y.Clone(), slices.Clone(b.Indices), b.Index})
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkRows checks that every batch of a rowsDataset holds the examples
// its indices name.
func checkRows(t *testing.T, bs []collected) {
	t.Helper()
	for _, b := range bs {
		for k, i := range b.indices {
			if b.y.At(k) != float64(i) || b.x.At(k, 0) != float64(i) || b.x.At(k, 1) != float64(i)+0.5 {
				t.Fatalf("batch %d row %d holds x=[%v %v] y=%v, want example %d", b.index, k, b.x.At(k, 0), b.x.At(k, 1), b.y.At(k), i)
			}
		}
	}
}

func TestLoaderSequential(t *testing.T) {
	ds := rowsDataset(t, 10)
	cases := []struct {
		name     string
		cfg      data.LoaderConfig
		want     [][]int
		wantLens []int
	}{
		{"partial last", data.LoaderConfig{BatchSize: 4}, [][]int{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}, nil},
		{"drop last", data.LoaderConfig{BatchSize: 4, DropLast: true}, [][]int{{0, 1, 2, 3}, {4, 5, 6, 7}}, nil},
		{"exact", data.LoaderConfig{BatchSize: 5, DropLast: true}, [][]int{{0, 1, 2, 3, 4}, {5, 6, 7, 8, 9}}, nil},
		{"default size", data.LoaderConfig{}, [][]int{{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}}, nil},
		{"larger than dataset", data.LoaderConfig{BatchSize: 16}, [][]int{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}, nil},
		{"larger, drop last", data.LoaderConfig{BatchSize: 16, DropLast: true}, nil, nil},
		{"workers", data.LoaderConfig{BatchSize: 3, Workers: 3, Prefetch: 1}, [][]int{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := mustLoader(t, ds, c.cfg)
			if l.Len() != len(c.want) {
				t.Fatalf("Len %d, want %d", l.Len(), len(c.want))
			}
			bs := epoch(t, l, 0)
			if len(bs) != len(c.want) {
				t.Fatalf("%d batches, want %d", len(bs), len(c.want))
			}
			for k, b := range bs {
				if b.index != k || !slices.Equal(b.indices, c.want[k]) {
					t.Fatalf("batch %d: index %d, indices %v; want %v", k, b.index, b.indices, c.want[k])
				}
				if got := b.x.Shape(); !slices.Equal(got, []int{len(c.want[k]), 2}) {
					t.Fatalf("batch %d: x shape %v", k, got)
				}
				if got := b.y.Shape(); !slices.Equal(got, []int{len(c.want[k])}) {
					t.Fatalf("batch %d: y shape %v", k, got)
				}
			}
			checkRows(t, bs)
		})
	}
}

// indicesOf concatenates the indices of the batches.
func indicesOf(bs []collected) []int {
	var out []int
	for _, b := range bs {
		out = append(out, b.indices...)
	}
	return out
}

func TestLoaderShuffle(t *testing.T) {
	ds := rowsDataset(t, 50)
	cfg := data.LoaderConfig{BatchSize: 8, Shuffle: true, Seed: 42}
	l := mustLoader(t, ds, cfg)
	e0, e1 := indicesOf(epoch(t, l, 0)), indicesOf(epoch(t, l, 1))
	sorted := slices.Sorted(slices.Values(e0))
	for i, v := range sorted {
		if v != i {
			t.Fatalf("epoch 0 order %v is not a permutation", e0)
		}
	}
	if slices.Equal(e0, e1) {
		t.Fatalf("epochs 0 and 1 have the same order %v", e0)
	}
	if slices.Equal(e0, sorted) {
		t.Fatalf("epoch 0 is not shuffled")
	}
	// The order depends only on (Seed, epoch): a new loader replays it, in
	// any sequence of epochs.
	l2 := mustLoader(t, ds, cfg)
	if got := indicesOf(epoch(t, l2, 1)); !slices.Equal(got, e1) {
		t.Fatalf("replayed epoch 1: %v, want %v", got, e1)
	}
	if got := l2.Order(0); !slices.Equal(got, e0) {
		t.Fatalf("Order(0) = %v, want %v", got, e0)
	}
	cfg.Seed = 43
	if got := indicesOf(epoch(t, mustLoader(t, ds, cfg), 0)); slices.Equal(got, e0) {
		t.Fatalf("seeds 42 and 43 gave the same order")
	}
}

// imageDataset returns n examples of shape [1, 5, 5] with distinct values
// and labels i.
func imageDataset(t testing.TB, n int) *data.TensorDataset {
	return mustDataset(t, seq(n, 1, 5, 5), labels(n))
}

func TestLoaderWorkersDeterministic(t *testing.T) {
	ds := imageDataset(t, 37)
	tr := data.Compose(data.RandomCrop(5, 2), data.RandomHorizontalFlip(0.5), data.Normalize([]float64{3}, []float64{2}))
	base := data.LoaderConfig{BatchSize: 4, Shuffle: true, Seed: 7, Transform: tr}
	var want []collected
	for _, workers := range []int{0, 1, 2, 4} {
		for _, prefetch := range []int{0, 1, 5} {
			for _, noReuse := range []bool{false, true} {
				cfg := base
				cfg.Workers, cfg.Prefetch, cfg.NoReuse = workers, prefetch, noReuse
				got := epoch(t, mustLoader(t, ds, cfg), 3)
				if want == nil {
					want = got
					continue
				}
				if len(got) != len(want) {
					t.Fatalf("workers %d: %d batches, want %d", workers, len(got), len(want))
				}
				for k := range got {
					if !slices.Equal(got[k].indices, want[k].indices) || !tensor.Equal(got[k].x, want[k].x) || !tensor.Equal(got[k].y, want[k].y) {
						t.Fatalf("workers %d, prefetch %d, no reuse %v: batch %d differs from the one without workers", workers, prefetch, noReuse, k)
					}
				}
			}
		}
	}
}

// transformed returns, for each dataset index, the transformed input of
// the example in the given epoch.
func transformed(t *testing.T, l *data.Loader, e int) map[int][]float32 {
	out := map[int][]float32{}
	for _, b := range epoch(t, l, e) {
		per := b.x.Numel() / len(b.indices)
		v := b.x.Float32s()
		for k, i := range b.indices {
			out[i] = v[k*per : (k+1)*per]
		}
	}
	return out
}

func TestLoaderTransformSeeding(t *testing.T) {
	// A random transform depends on (Seed, epoch, example index) only: not
	// on the batch size, the shuffle or the position in the epoch.
	ds := imageDataset(t, 20)
	tr := data.Compose(data.RandomCrop(5, 2), data.RandomHorizontalFlip(0.5))
	a := transformed(t, mustLoader(t, ds, data.LoaderConfig{BatchSize: 3, Seed: 1, Transform: tr}), 2)
	b := transformed(t, mustLoader(t, ds, data.LoaderConfig{BatchSize: 7, Shuffle: true, Seed: 1, Workers: 2, Transform: tr}), 2)
	c := transformed(t, mustLoader(t, ds, data.LoaderConfig{BatchSize: 3, Seed: 1, Transform: tr}), 3)
	d := transformed(t, mustLoader(t, ds, data.LoaderConfig{BatchSize: 3, Seed: 2, Transform: tr}), 2)
	sameC, sameD := 0, 0
	for i := range 20 {
		if !slices.Equal(a[i], b[i]) {
			t.Fatalf("example %d transformed differently with another batch size and order", i)
		}
		if slices.Equal(a[i], c[i]) {
			sameC++
		}
		if slices.Equal(a[i], d[i]) {
			sameD++
		}
	}
	// 25 crop positions times 2 flips: a repeat has probability 1/50.
	if sameC > 4 || sameD > 4 {
		t.Fatalf("%d examples transformed alike in epochs 2 and 3, %d with seeds 1 and 2", sameC, sameD)
	}
	// The transform was applied: with padding 2, some example lost pixels.
	untouched := 0
	for i := range 20 {
		x, _ := ds.Example(i)
		if slices.Equal(a[i], x.Float32s()) {
			untouched++
		}
	}
	if untouched > 4 {
		t.Fatalf("%d of 20 examples unchanged by the transform", untouched)
	}
}

func TestLoaderTransformShape(t *testing.T) {
	ds := imageDataset(t, 6)
	l := mustLoader(t, ds, data.LoaderConfig{BatchSize: 4, Transform: data.RandomCrop(3, 0)})
	bs := epoch(t, l, 0)
	if got := bs[0].x.Shape(); !slices.Equal(got, []int{4, 1, 3, 3}) {
		t.Fatalf("batch shape %v, want [4 1 3 3]", got)
	}
	if got := bs[1].x.Shape(); !slices.Equal(got, []int{2, 1, 3, 3}) {
		t.Fatalf("last batch shape %v, want [2 1 3 3]", got)
	}
}

func TestLoaderEpochFrom(t *testing.T) {
	ds := rowsDataset(t, 23)
	for _, workers := range []int{0, 2} {
		l := mustLoader(t, ds, data.LoaderConfig{BatchSize: 5, Shuffle: true, Seed: 3, Workers: workers})
		full := epoch(t, l, 4)
		it := l.EpochFrom(4, 3)
		var rest []collected
		for it.Next() {
			b := it.Batch()
			rest = append(rest, collected{b.X.Clone(), b.Y.Clone(), slices.Clone(b.Indices), b.Index})
		}
		it.Close()
		if len(rest) != 2 {
			t.Fatalf("resumed at batch 3 of 5: %d batches", len(rest))
		}
		for k, b := range rest {
			w := full[3+k]
			if b.index != w.index || !slices.Equal(b.indices, w.indices) || !tensor.Equal(b.x, w.x) {
				t.Fatalf("resumed batch %d differs: %v, want %v", b.index, b.indices, w.indices)
			}
		}
		if it := l.EpochFrom(0, l.Len()); it.Next() || it.Err() != nil {
			t.Fatalf("EpochFrom(Len): a batch or error %v", it.Err())
		}
		it = l.EpochFrom(0, 6)
		if it.Next() || it.Err() == nil || !strings.Contains(it.Err().Error(), "start batch 6 outside [0, 5]") {
			t.Fatalf("EpochFrom(6): error %v", it.Err())
		}
	}
}

func TestLoaderBufferReuse(t *testing.T) {
	ds := rowsDataset(t, 12)
	// Without workers there is one buffer: each batch overwrites the last.
	it := mustLoader(t, ds, data.LoaderConfig{BatchSize: 4}).Epoch(0)
	it.Next()
	first := it.Batch().X
	it.Next()
	if it.Batch().X != first {
		t.Fatalf("batches 0 and 1 use different buffers")
	}
	if first.At(0, 0) != 4 {
		t.Fatalf("buffer holds %v after batch 1, want 4", first.At(0, 0))
	}
	it.Close()
	// With NoReuse every batch keeps its values.
	it = mustLoader(t, ds, data.LoaderConfig{BatchSize: 4, NoReuse: true, Workers: 2}).Epoch(0)
	var xs []*tensor.Tensor
	for it.Next() {
		xs = append(xs, it.Batch().X)
	}
	for k, x := range xs {
		if x.At(0, 0) != float64(4*k) {
			t.Fatalf("batch %d holds %v, want %d", k, x.At(0, 0), 4*k)
		}
	}
}

func TestLoaderCollate(t *testing.T) {
	ds := rowsDataset(t, 7)
	var calls atomic.Int64
	stack := func(xs, ys []*tensor.Tensor) (x, y *tensor.Tensor) {
		calls.Add(1)
		ux := make([]*tensor.Tensor, len(xs))
		uy := make([]*tensor.Tensor, len(ys))
		for k := range xs {
			ux[k], uy[k] = xs[k].Unsqueeze(0), ys[k].Unsqueeze(0)
		}
		return tensor.Concat(ux, 0), tensor.Concat(uy, 0)
	}
	for _, workers := range []int{0, 3} {
		calls.Store(0)
		cfg := data.LoaderConfig{BatchSize: 3, Shuffle: true, Seed: 5, Workers: workers}
		want := epoch(t, mustLoader(t, ds, cfg), 1)
		cfg.Collate = stack
		got := epoch(t, mustLoader(t, ds, cfg), 1)
		if calls.Load() != 3 {
			t.Fatalf("Collate called %d times, want 3", calls.Load())
		}
		for k := range want {
			if !tensor.Equal(got[k].x, want[k].x) || !tensor.Equal(got[k].y, want[k].y) {
				t.Fatalf("workers %d: collated batch %d differs from the default", workers, k)
			}
		}
	}
}

func TestLoaderNonBatcher(t *testing.T) {
	p := plain{n: 11}
	l := mustLoader(t, p, data.LoaderConfig{BatchSize: 4, Shuffle: true, Seed: 9, Workers: 2})
	for _, b := range epoch(t, l, 0) {
		for k, i := range b.indices {
			if b.x.At(k, 0) != float64(i) || b.x.At(k, 1) != float64(-i) || b.y.At(k) != float64(i%3) {
				t.Fatalf("batch %d row %d does not hold example %d", b.index, k, i)
			}
		}
	}
}

func TestLoaderEmpty(t *testing.T) {
	ds := mustDataset(t, tensor.Zeros(tensor.Float32, 0, 3), tensor.Zeros(tensor.Int64, 0))
	l := mustLoader(t, ds, data.LoaderConfig{BatchSize: 4, Workers: 2, Transform: data.RandomHorizontalFlip(0.5)})
	if l.Len() != 0 {
		t.Fatalf("Len %d", l.Len())
	}
	if bs := epoch(t, l, 0); len(bs) != 0 {
		t.Fatalf("%d batches from an empty dataset", len(bs))
	}
}

func TestNewLoaderErrors(t *testing.T) {
	rows := rowsDataset(t, 4)
	img := imageDataset(t, 4)
	ints := mustDataset(t, tensor.Zeros(tensor.Int64, 4, 2), labels(4))
	cases := []struct {
		name string
		ds   data.Dataset
		cfg  data.LoaderConfig
		want string
	}{
		{"nil", nil, data.LoaderConfig{}, "nil dataset"},
		{"batch", rows, data.LoaderConfig{BatchSize: -1}, "negative batch size -1"},
		{"workers", rows, data.LoaderConfig{Workers: -2}, "negative number of workers -2"},
		{"prefetch", rows, data.LoaderConfig{Prefetch: -1}, "negative prefetch -1"},
		{"dtype", ints, data.LoaderConfig{Transform: data.RandomHorizontalFlip(1)}, "transforms need float32 inputs, dataset has int64"},
		{"shape", rows, data.LoaderConfig{Transform: data.RandomCrop(2, 0)}, "transform 0: data: RandomCrop: example of shape [2]"},
		{"chain step", img, data.LoaderConfig{Transform: data.Compose(data.RandomCrop(3, 0), data.RandomCrop(4, 0))}, "transform 1: data: RandomCrop: 4×4 crop larger"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := data.NewLoader(c.ds, c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

// faulty is a dataset whose example bad panics.
type faulty struct {
	plain
	bad int
}

func (f faulty) Example(i int) (x, y *tensor.Tensor) {
	if i == f.bad {
		panic(errors.New("corrupt record"))
	}
	return f.plain.Example(i)
}

func TestLoaderFillError(t *testing.T) {
	for _, workers := range []int{0, 1, 3} {
		t.Run(fmt.Sprint(workers), func(t *testing.T) {
			before := runtime.NumGoroutine()
			l := mustLoader(t, faulty{plain{20}, 9}, data.LoaderConfig{BatchSize: 4, Workers: workers})
			it := l.Epoch(2)
			n := 0
			for it.Next() {
				n++
			}
			if n != 2 {
				t.Fatalf("%d batches before the failing one, want 2", n)
			}
			if err := it.Err(); err == nil || err.Error() != "data: epoch 2, batch 2: corrupt record" {
				t.Fatalf("error %v", err)
			}
			if it.Next() {
				t.Fatal("Next after an error returned true")
			}
			waitGoroutines(t, before)
		})
	}
}

// waitGoroutines waits until at most n goroutines run. A worker that has
// signalled its exit may need a moment to return, hence the polling; a
// leaked worker never returns.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, want at most %d", runtime.NumGoroutine(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLoaderNoGoroutineLeak(t *testing.T) {
	ds := rowsDataset(t, 200)
	l := mustLoader(t, ds, data.LoaderConfig{BatchSize: 4, Shuffle: true, Workers: 4, Prefetch: 3})
	before := runtime.NumGoroutine()
	// Closed after two batches, with workers blocked on a full ring.
	it := l.Epoch(0)
	it.Next()
	it.Next()
	if runtime.NumGoroutine() <= before {
		t.Fatalf("no worker goroutines running")
	}
	it.Close()
	waitGoroutines(t, before)
	it.Close() // a second Close is harmless
	if it.Next() {
		t.Fatalf("Next after Close returned true")
	}
	// Drained to the end without Close: Next returning false waits for the
	// workers.
	it = l.Epoch(1)
	for it.Next() {
	}
	waitGoroutines(t, before)
	// Closed before the first batch.
	l.Epoch(2).Close()
	waitGoroutines(t, before)
	// The buffers returned by Close serve the next epoch correctly.
	checkRows(t, epoch(t, l, 3))
}

func TestLoaderAbandonedIterator(t *testing.T) {
	l := mustLoader(t, rowsDataset(t, 100), data.LoaderConfig{BatchSize: 2, Workers: 3})
	before := runtime.NumGoroutine()
	func() {
		it := l.Epoch(0)
		it.Next()
	}()
	// The iterator is unreachable: a garbage collection closes it.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, want %d: the abandoned iterator's workers still run", runtime.NumGoroutine(), before)
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

func TestLoaderAllocs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts")
	}
	ds := imageDataset(t, 4096)
	cases := []struct {
		name string
		cfg  data.LoaderConfig
	}{
		{"plain", data.LoaderConfig{BatchSize: 8, Shuffle: true}},
		{"transforms", data.LoaderConfig{BatchSize: 8, Shuffle: true, Transform: data.Compose(data.RandomCrop(5, 1), data.RandomHorizontalFlip(0.5), data.Normalize([]float64{1}, []float64{2}))}},
		{"subset", data.LoaderConfig{BatchSize: 8}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d data.Dataset = ds
			if c.name == "subset" {
				d = data.Subset(ds, data.Permutation(ds.Len(), rand.New(rand.NewPCG(1, 1))))
			}
			it := mustLoader(t, d, c.cfg).Epoch(0)
			defer it.Close()
			it.Next()
			if a := testing.AllocsPerRun(100, func() { it.Next() }); a != 0 {
				t.Fatalf("%v allocations per batch, want 0", a)
			}
		})
	}
}

// BenchmarkLoader measures an epoch over MNIST-sized examples (1×28×28
// inputs, 10,000 of them) in batches of 64, and reports examples per second.
func BenchmarkLoader(b *testing.B) {
	ds := mustDataset(b, tensor.Zeros(tensor.Float32, 10000, 1, 28, 28), tensor.Zeros(tensor.Int64, 10000))
	cases := []struct {
		name string
		cfg  data.LoaderConfig
	}{
		{"plain", data.LoaderConfig{BatchSize: 64, Shuffle: true}},
		{"workers=2", data.LoaderConfig{BatchSize: 64, Shuffle: true, Workers: 2}},
		{"crop+flip", data.LoaderConfig{BatchSize: 64, Shuffle: true, Transform: data.Compose(data.RandomCrop(28, 2), data.RandomHorizontalFlip(0.5))}},
		{"crop+flip/workers=2", data.LoaderConfig{BatchSize: 64, Shuffle: true, Workers: 2, Transform: data.Compose(data.RandomCrop(28, 2), data.RandomHorizontalFlip(0.5))}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			l := mustLoader(b, ds, c.cfg)
			b.ReportAllocs()
			n := 0
			for e := 0; b.Loop(); e++ {
				it := l.Epoch(e)
				for it.Next() {
					n += len(it.Batch().Indices)
				}
				it.Close()
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "examples/s")
		})
	}
}
