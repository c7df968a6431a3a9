package data_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/data/idx"
	"github.com/backprop-go/backprop/tensor"
)

// randomBytes returns n bytes drawn from a source seeded by seed.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

func mustUint8(t testing.TB, x []byte, shape []int, y *tensor.Tensor, scale float64) *data.Uint8Dataset {
	t.Helper()
	ds, err := data.NewUint8Dataset(x, shape, y, scale)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// floatTwin returns the TensorDataset of the same examples as a
// Uint8Dataset built from x, shape, y and scale, its inputs converted
// byte by byte with float32(float64(b)·scale).
func floatTwin(t testing.TB, x []byte, shape []int, y *tensor.Tensor, scale float64) *data.TensorDataset {
	t.Helper()
	v := make([]float32, len(x))
	for i, b := range x {
		v[i] = float32(float64(b) * scale)
	}
	return mustDataset(t, tensor.FromSlice(v, append([]int{y.Size(0)}, shape...)...), y)
}

// sameBits reports whether two Float32 tensors have the same shape and
// bitwise identical elements (so 0 and -0 differ).
func sameBits(a, b *tensor.Tensor) bool {
	if !slices.Equal(a.Shape(), b.Shape()) || a.DType() != tensor.Float32 || b.DType() != tensor.Float32 {
		return false
	}
	av, bv := a.Float32s(), b.Float32s()
	for i := range av {
		if math.Float32bits(av[i]) != math.Float32bits(bv[i]) {
			return false
		}
	}
	return true
}

func TestUint8DatasetConversion(t *testing.T) {
	all := make([]byte, 256)
	for b := range all {
		all[b] = byte(b)
	}
	for _, scale := range []float64{1.0 / 255, 1, 0.5, 1.0 / 3, -2, 0, 1e-30} {
		t.Run(fmt.Sprint(scale), func(t *testing.T) {
			ds := mustUint8(t, all, []int{256}, labels(1), scale)
			x, _ := ds.Example(0)
			// idx.File.Float32 is the conversion the datasets replace.
			f := &idx.File{Type: idx.UByte, Dims: []int{256}, Data: all}
			if want := f.Float32(scale); !sameBits(x, want) {
				t.Fatalf("Example(0) = %v, want %v", x.Float32s(), want.Float32s())
			}
			bx := tensor.Zeros(tensor.Float32, 1, 256)
			ds.Batch([]int{0}, bx, tensor.Zeros(tensor.Int64, 1))
			for b, v := range bx.Float32s() {
				if want := float32(float64(b) * scale); math.Float32bits(v) != math.Float32bits(want) {
					t.Fatalf("byte %d: Batch gives %v, want %v", b, v, want)
				}
				if scale == 1.0/255 && v != float32(b)/255 {
					t.Fatalf("byte %d: %v, want float32(%d)/255 = %v", b, v, b, float32(b)/255)
				}
			}
			if ds.Scale() != scale {
				t.Fatalf("Scale() = %v, want %v", ds.Scale(), scale)
			}
		})
	}
}

func TestNewUint8DatasetErrors(t *testing.T) {
	cases := []struct {
		name  string
		x     []byte
		shape []int
		y     *tensor.Tensor
		scale float64
		want  string
	}{
		{"nil targets", make([]byte, 6), []int{2}, nil, 1, "nil targets"},
		{"scalar targets", make([]byte, 2), []int{2}, tensor.Scalar(1, tensor.Int64), 1, "targets [] need a first axis indexing the examples"},
		{"short", make([]byte, 5), []int{2}, labels(3), 1, "5 bytes of inputs, want 3 targets (shape [3]) times 2 elements of shape [2]"},
		{"long", make([]byte, 8), []int{1, 2}, labels(3), 1, "8 bytes of inputs, want 3 targets (shape [3]) times 2 elements of shape [1 2]"},
		{"not a multiple", make([]byte, 7), []int{2}, labels(3), 1, "7 bytes of inputs"},
		{"zero dim", nil, []int{2, 0}, labels(3), 1, "input shape [2 0] has a non-positive dimension"},
		{"negative dim", make([]byte, 6), []int{-2}, labels(3), 1, "input shape [-2] has a non-positive dimension"},
		{"huge shape", make([]byte, 6), []int{1 << 40, 1 << 40}, labels(3), 1, "input shape [1099511627776 1099511627776] too large"},
		{"NaN scale", make([]byte, 6), []int{2}, labels(3), math.NaN(), "scale NaN is not finite"},
		{"infinite scale", make([]byte, 6), []int{2}, labels(3), math.Inf(-1), "scale -Inf is not finite"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds, err := data.NewUint8Dataset(c.x, c.shape, c.y, c.scale)
			if err == nil || !strings.HasPrefix(err.Error(), "data: NewUint8Dataset: ") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v (dataset %v), want one starting with %q and containing %q", err, ds, "data: NewUint8Dataset: ", c.want)
			}
		})
	}
}

func TestUint8DatasetExample(t *testing.T) {
	// Five examples of 2×3 bytes 0, 1, ..., 29, read as byte/2.
	x := make([]byte, 30)
	for i := range x {
		x[i] = byte(i)
	}
	ds := mustUint8(t, x, []int{2, 3}, labels(5), 0.5)
	if ds.Len() != 5 {
		t.Fatalf("Len %d, want 5", ds.Len())
	}
	ex, ey := ds.Example(3)
	if got := ex.Shape(); !slices.Equal(got, []int{2, 3}) || ex.DType() != tensor.Float32 {
		t.Fatalf("x has dtype %v and shape %v, want float32 [2 3]", ex.DType(), got)
	}
	if got := ey.Shape(); len(got) != 0 || ey.DType() != tensor.Int64 {
		t.Fatalf("y has dtype %v and shape %v, want int64 []", ey.DType(), got)
	}
	// Example 3 holds the bytes 18 .. 23.
	if got, want := ex.Float32s(), []float32{9, 9.5, 10, 10.5, 11, 11.5}; !slices.Equal(got, want) {
		t.Fatalf("x = %v, want %v", got, want)
	}
	if ey.Item() != 3 {
		t.Fatalf("y = %v, want 3", ey.Item())
	}
	// The input is a new tensor: writing to it leaves the dataset alone.
	ex.RawFloat32()[0] = -1
	if again, _ := ds.Example(3); again.Float32s()[0] != 9 {
		t.Fatalf("writing to an example changed the dataset: %v", again.Float32s())
	}
	if !slices.Equal(ds.Bytes(), x) || &ds.Bytes()[0] != &x[0] {
		t.Fatalf("Bytes() does not return the inputs without copying")
	}
	mustPanicWith(t, "data: example 5 out of range [0, 5)", func() { ds.Example(5) })
	mustPanicWith(t, "data: example -1 out of range [0, 5)", func() { ds.Example(-1) })
}

func TestUint8DatasetTargets(t *testing.T) {
	// Float32 targets of shape [2], given as a non-contiguous tensor that
	// requires gradients: the dataset holds a detached contiguous copy.
	yt := seq(2, 3).SetRequiresGrad(true).T() // rows [0 3], [1 4], [2 5]
	ds := mustUint8(t, []byte{7, 8, 9}, nil, yt, 1)
	if ds.Y().RequiresGrad() || !ds.Y().IsContiguous() {
		t.Fatalf("Y() requires grad %v, contiguous %v; want a detached contiguous tensor", ds.Y().RequiresGrad(), ds.Y().IsContiguous())
	}
	if got := ds.Y().Float32s(); !slices.Equal(got, []float32{0, 3, 1, 4, 2, 5}) {
		t.Fatalf("Y() = %v", got)
	}
	x, y := ds.Example(1)
	if x.Dim() != 0 || x.Item() != 8 || !slices.Equal(y.Float32s(), []float32{1, 4}) {
		t.Fatalf("Example(1) = (%v, %v), want (8, [1 4])", x, y)
	}
	bx, by := tensor.Zeros(tensor.Float32, 2), tensor.Zeros(tensor.Float32, 2, 2)
	ds.Batch([]int{2, 0}, bx, by)
	if !slices.Equal(bx.Float32s(), []float32{9, 7}) || !slices.Equal(by.Float32s(), []float32{2, 5, 0, 3}) {
		t.Fatalf("Batch gives %v and %v", bx.Float32s(), by.Float32s())
	}
}

func TestUint8DatasetBatch(t *testing.T) {
	const n = 50
	cases := []struct {
		name  string
		shape []int
		y     *tensor.Tensor
		scale float64
	}{
		{"images", []int{1, 4, 5}, labels(n), 1.0 / 255},
		{"flat", []int{13}, labels(n), 1},
		{"negative scale", []int{3, 3}, labels(n), -1.0 / 3},
		{"vector targets", []int{7}, seq(n, 2), 0.25},
		{"scalar inputs", nil, labels(n), 2},
	}
	indices := [][]int{{0}, {n - 1, 0, 17, 17, 3}, data.Permutation(n, rand.New(rand.NewPCG(3, 4))), {}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := randomBytes(n*tensor.Numel(c.shape), 5)
			ds := mustUint8(t, x, c.shape, c.y, c.scale)
			twin := floatTwin(t, x, c.shape, c.y, c.scale)
			for _, idx := range indices {
				m := len(idx)
				bx := tensor.Zeros(tensor.Float32, append([]int{m}, c.shape...)...)
				by := tensor.Zeros(c.y.DType(), append([]int{m}, c.y.Shape()[1:]...)...)
				tx, ty := tensor.ZerosLike(bx), tensor.ZerosLike(by)
				ds.Batch(idx, bx, by)
				twin.Batch(idx, tx, ty)
				if !sameBits(bx, tx) || !tensor.Equal(by, ty) {
					t.Fatalf("indices %v: Batch differs from the TensorDataset's", idx)
				}
				for k, i := range idx {
					ex, ey := ds.Example(i)
					if !sameBits(bx.Narrow(0, k, 1).Reshape(c.shape...), ex) || !tensor.Equal(by.Narrow(0, k, 1).Reshape(ey.Shape()...), ey) {
						t.Fatalf("indices %v: row %d differs from Example(%d)", idx, k, i)
					}
				}
			}
		})
	}
}

func TestUint8DatasetBatchPanics(t *testing.T) {
	ds := mustUint8(t, randomBytes(10, 1), []int{2}, labels(5), 1)
	cases := []struct {
		name string
		idx  []int
		x, y *tensor.Tensor
		want string
	}{
		{"index", []int{1, 7}, tensor.Zeros(tensor.Float32, 2, 2), tensor.Zeros(tensor.Int64, 2), "data: example 7 out of range [0, 5)"},
		{"negative index", []int{-1}, tensor.Zeros(tensor.Float32, 1, 2), tensor.Zeros(tensor.Int64, 1), "data: example -1 out of range [0, 5)"},
		{"input dtype", []int{1, 2}, tensor.Zeros(tensor.Float64, 2, 2), tensor.Zeros(tensor.Int64, 2), "data: Batch: inputs buffer has dtype float64, dataset has float32"},
		{"input shape", []int{1, 2}, tensor.Zeros(tensor.Float32, 2, 3), tensor.Zeros(tensor.Int64, 2), "data: Batch: inputs buffer of shape [2 3] does not hold 2 examples of 2 elements"},
		{"input rows", []int{1, 2}, tensor.Zeros(tensor.Float32, 4), tensor.Zeros(tensor.Int64, 2), "data: Batch: inputs buffer of shape [4] does not hold 2 examples of 2 elements"},
		{"scalar input buffer", []int{1}, tensor.Scalar(0, tensor.Float32), tensor.Zeros(tensor.Int64, 1), "data: Batch: inputs buffer of shape [] does not hold 1 examples of 2 elements"},
		{"target dtype", []int{1, 2}, tensor.Zeros(tensor.Float32, 2, 2), tensor.Zeros(tensor.Float32, 2), "data: Batch: targets buffer has dtype float32, dataset has int64"},
		{"target shape", []int{1, 2}, tensor.Zeros(tensor.Float32, 2, 2), tensor.Zeros(tensor.Int64, 3), "data: Batch: targets buffer of shape [3] does not hold 2 examples of 1 elements"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mustPanicWith(t, c.want, func() { ds.Batch(c.idx, c.x, c.y) })
		})
	}
}

func TestUint8DatasetReshapeX(t *testing.T) {
	x := make([]byte, 24)
	for i := range x {
		x[i] = byte(i)
	}
	ds := mustUint8(t, x, []int{1, 2, 3}, labels(4), 1)
	for _, c := range []struct{ shape, want []int }{
		{[]int{-1}, []int{6}},
		{[]int{6}, []int{6}},
		{[]int{3, -1}, []int{3, 2}},
		{[]int{-1, 1, 3}, []int{2, 1, 3}},
	} {
		shape := c.shape
		flat := ds.ReshapeX(shape...)
		ex, _ := flat.Example(2)
		if got, want := ex.Shape(), c.want; !slices.Equal(got, want) {
			t.Fatalf("ReshapeX(%v): example shape %v, want %v", shape, got, want)
		}
		if got := ex.Float32s(); !slices.Equal(got, []float32{12, 13, 14, 15, 16, 17}) {
			t.Fatalf("ReshapeX(%v): x = %v", shape, got)
		}
		if &flat.Bytes()[0] != &x[0] || flat.Y() != ds.Y() || flat.Scale() != ds.Scale() {
			t.Fatalf("ReshapeX(%v) does not share the dataset's memory", shape)
		}
	}
	// The original keeps its shape.
	if ex, _ := ds.Example(0); !slices.Equal(ex.Shape(), []int{1, 2, 3}) {
		t.Fatalf("original example shape %v", ex.Shape())
	}
	// Changing the caller's slice does not change the dataset's shape.
	shape := []int{2, 3}
	r := ds.ReshapeX(shape...)
	shape[0] = 6
	if ex, _ := r.Example(0); !slices.Equal(ex.Shape(), []int{2, 3}) {
		t.Fatalf("reshaped example shape %v after changing the argument", ex.Shape())
	}
	for _, c := range []struct {
		shape []int
		want  string
	}{
		{[]int{4}, "data: ReshapeX: shape [4] needs 4 elements, inputs of shape [1 2 3] have 6"},
		{[]int{0, 6}, "data: ReshapeX: shape [0 6] needs 0 elements"},
		{[]int{-1, 4}, "data: ReshapeX: cannot infer the -1 dimension of [-1 4] for 6 elements"},
		{[]int{-1, -1}, "data: ReshapeX: invalid dimension -1 in [-1 -1]"},
		{[]int{-2, 3}, "data: ReshapeX: invalid dimension -2 in [-2 3]"},
		{[]int{0, -1}, "data: ReshapeX: cannot infer the -1 dimension of [0 -1]"},
	} {
		mustPanicWith(t, c.want, func() { ds.ReshapeX(c.shape...) })
	}
}

func TestUint8DatasetLoader(t *testing.T) {
	const n = 37
	x := randomBytes(n*25, 9)
	shape := []int{1, 5, 5}
	ds := mustUint8(t, x, shape, labels(n), 1.0/255)
	twin := floatTwin(t, x, shape, labels(n), 1.0/255)
	tr := data.Compose(data.RandomCrop(5, 1), data.RandomHorizontalFlip(0.5), data.Normalize([]float64{0.5}, []float64{0.25}))
	for _, cfg := range []data.LoaderConfig{
		{BatchSize: 4, Shuffle: true, Seed: 3},
		{BatchSize: 8, Shuffle: true, Seed: 5, Transform: tr},
		{BatchSize: 5},
	} {
		want := epoch(t, mustLoader(t, twin, cfg), 2)
		for _, workers := range []int{0, 2} {
			c := cfg
			c.Workers = workers
			got := epoch(t, mustLoader(t, ds, c), 2)
			if len(got) != len(want) {
				t.Fatalf("workers %d: %d batches, want %d", workers, len(got), len(want))
			}
			for k := range got {
				if !slices.Equal(got[k].indices, want[k].indices) || !sameBits(got[k].x, want[k].x) || !tensor.Equal(got[k].y, want[k].y) {
					t.Fatalf("workers %d, config %+v: batch %d differs from the TensorDataset's", workers, cfg, k)
				}
			}
		}
	}
}

func TestUint8DatasetSplit(t *testing.T) {
	const n = 20
	x := randomBytes(n*3, 11)
	ds := mustUint8(t, x, []int{3}, labels(n), 0.5)
	twin := floatTwin(t, x, []int{3}, labels(n), 0.5)
	check := func(name string, got, want data.Dataset) {
		t.Helper()
		if got.Len() != want.Len() {
			t.Fatalf("%s: %d examples, want %d", name, got.Len(), want.Len())
		}
		all := make([]int, got.Len())
		for i := range all {
			all[i] = got.Len() - 1 - i
		}
		gx, gy := tensor.Zeros(tensor.Float32, len(all), 3), tensor.Zeros(tensor.Int64, len(all))
		wx, wy := tensor.ZerosLike(gx), tensor.ZerosLike(gy)
		got.(data.Batcher).Batch(all, gx, gy)
		want.(data.Batcher).Batch(all, wx, wy)
		if !sameBits(gx, wx) || !tensor.Equal(gy, wy) {
			t.Fatalf("%s: batch differs from the TensorDataset's", name)
		}
		for i := range got.Len() {
			ex, ey := got.Example(i)
			tx, ty := want.Example(i)
			if !sameBits(ex, tx) || !tensor.Equal(ey, ty) {
				t.Fatalf("%s: example %d differs from the TensorDataset's", name, i)
			}
		}
	}
	sel := []int{19, 4, 4, 0, 11}
	check("Subset", data.Subset(ds, sel), data.Subset(twin, sel))
	parts, err := data.RandomSplit(ds, []float64{0.7, 0.3}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	twinParts, err := data.RandomSplit(twin, []float64{0.7, 0.3}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	for k := range parts {
		check(fmt.Sprintf("RandomSplit part %d", k), parts[k], twinParts[k])
	}
}

func TestUint8DatasetConcurrent(t *testing.T) {
	const n = 100
	x := randomBytes(n*6, 13)
	ds := mustUint8(t, x, []int{6}, labels(n), 1)
	done := make(chan error)
	for g := range 4 {
		go func() {
			bx, by := tensor.Zeros(tensor.Float32, 10, 6), tensor.Zeros(tensor.Int64, 10)
			idx := make([]int, 10)
			for rep := range 100 {
				for k := range idx {
					idx[k] = (g*31 + rep*7 + k*13) % n
				}
				ds.Batch(idx, bx, by)
				for k, i := range idx {
					ex, ey := ds.Example(i)
					if by.At(k) != ey.Item() || bx.At(k, 5) != ex.At(5) || ex.At(5) != float64(x[6*i+5]) {
						done <- fmt.Errorf("goroutine %d: row %d does not hold example %d", g, k, i)
						return
					}
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestUint8DatasetBatchAllocs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts")
	}
	ds := mustUint8(t, randomBytes(1000*784, 1), []int{1, 28, 28}, labels(1000), 1.0/255)
	idx := data.Permutation(1000, rand.New(rand.NewPCG(1, 2)))[:64]
	x, y := tensor.Zeros(tensor.Float32, 64, 1, 28, 28), tensor.Zeros(tensor.Int64, 64)
	if a := testing.AllocsPerRun(100, func() { ds.Batch(idx, x, y) }); a != 0 {
		t.Fatalf("%v allocations per Batch, want 0", a)
	}
	l := mustLoader(t, ds, data.LoaderConfig{BatchSize: 64, Shuffle: true})
	it := l.Epoch(0)
	defer it.Close()
	it.Next()
	if a := testing.AllocsPerRun(10, func() { it.Next() }); a != 0 {
		t.Fatalf("%v allocations per loader batch, want 0", a)
	}
}

// benchBatch measures gathering random batches of 64 MNIST-sized examples
// (784 elements) out of 10,000.
func benchBatch(b *testing.B, ds data.Batcher) {
	idx := data.Permutation(ds.Len(), rand.New(rand.NewPCG(1, 2)))
	x, y := tensor.Zeros(tensor.Float32, 64, 784), tensor.Zeros(tensor.Int64, 64)
	b.ReportAllocs()
	b.SetBytes(64 * 784 * 4)
	k := 0
	for b.Loop() {
		if k+64 > len(idx) {
			k = 0
		}
		ds.Batch(idx[k:k+64], x, y)
		k += 64
	}
}

func BenchmarkUint8Batch(b *testing.B) {
	benchBatch(b, mustUint8(b, randomBytes(10000*784, 1), []int{784}, labels(10000), 1.0/255))
}

func BenchmarkTensorDatasetBatch(b *testing.B) {
	benchBatch(b, floatTwin(b, randomBytes(10000*784, 1), []int{784}, labels(10000), 1.0/255))
}
