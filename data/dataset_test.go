package data_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/tensor"
)

// seq returns a Float32 tensor of the given shape holding 0, 1, 2, ...
func seq(shape ...int) *tensor.Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i)
	}
	return tensor.FromSlice(v, shape...)
}

// labels returns the Int64 tensor [0, 1, ..., n-1].
func labels(n int) *tensor.Tensor {
	v := make([]int64, n)
	for i := range v {
		v[i] = int64(i)
	}
	return tensor.FromSlice(v)
}

func mustDataset(t testing.TB, x, y *tensor.Tensor) *data.TensorDataset {
	t.Helper()
	ds, err := data.NewTensorDataset(x, y)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// mustPanicWith runs f and checks that it panics with an error containing
// want.
func mustPanicWith(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		p := recover()
		if p == nil {
			t.Fatalf("no panic, want one containing %q", want)
		}
		err, ok := p.(error)
		if !ok {
			t.Fatalf("panic value %T %v is not an error", p, p)
		}
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("panic %q, want it to contain %q", err, want)
		}
	}()
	f()
}

func TestNewTensorDatasetErrors(t *testing.T) {
	cases := []struct {
		name string
		x, y *tensor.Tensor
		want string
	}{
		{"nil", nil, labels(3), "nil tensor"},
		{"scalar", tensor.Scalar(1, tensor.Float32), labels(1), "need a first axis"},
		{"mismatch", seq(4, 2), labels(3), "4 inputs (shape [4 2]) but 3 targets (shape [3])"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := data.NewTensorDataset(c.x, c.y)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestTensorDatasetExample(t *testing.T) {
	ds := mustDataset(t, seq(5, 2, 3), labels(5))
	if ds.Len() != 5 {
		t.Fatalf("Len %d, want 5", ds.Len())
	}
	x, y := ds.Example(3)
	if got := x.Shape(); !slices.Equal(got, []int{2, 3}) {
		t.Fatalf("x shape %v, want [2 3]", got)
	}
	if got := y.Shape(); len(got) != 0 {
		t.Fatalf("y shape %v, want []", got)
	}
	// Example 3 holds the elements 3·6 .. 3·6+5.
	if got, want := x.Float32s(), []float32{18, 19, 20, 21, 22, 23}; !slices.Equal(got, want) {
		t.Fatalf("x = %v, want %v", got, want)
	}
	if y.Item() != 3 {
		t.Fatalf("y = %v, want 3", y.Item())
	}
	mustPanicWith(t, "example 5 out of range [0, 5)", func() { ds.Example(5) })
}

func TestTensorDatasetNonContiguous(t *testing.T) {
	// The transpose of [[0 1 2] [3 4 5]] has rows [0 3], [1 4], [2 5].
	ds := mustDataset(t, seq(2, 3).T(), labels(3))
	x, _ := ds.Example(1)
	if got := x.Float32s(); !slices.Equal(got, []float32{1, 4}) {
		t.Fatalf("x = %v, want [1 4]", got)
	}
}

func TestTensorDatasetBatch(t *testing.T) {
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int64} {
		t.Run(dt.String(), func(t *testing.T) {
			x := seq(5, 2).To(dt)
			y := seq(5).MulScalar(10).To(dt)
			ds := mustDataset(t, x, y)
			bx, by := tensor.Zeros(dt, 3, 2), tensor.Zeros(dt, 3)
			ds.Batch([]int{4, 0, 2}, bx, by)
			if got, want := bx.Float64s(), []float64{8, 9, 0, 1, 4, 5}; !slices.Equal(got, want) {
				t.Fatalf("x = %v, want %v", got, want)
			}
			if got, want := by.Float64s(), []float64{40, 0, 20}; !slices.Equal(got, want) {
				t.Fatalf("y = %v, want %v", got, want)
			}
		})
	}
}

func TestTensorDatasetBatchPanics(t *testing.T) {
	ds := mustDataset(t, seq(5, 2), labels(5))
	mustPanicWith(t, "example 7 out of range", func() {
		ds.Batch([]int{1, 7}, tensor.Zeros(tensor.Float32, 2, 2), tensor.Zeros(tensor.Int64, 2))
	})
	mustPanicWith(t, "inputs buffer of shape [2 3] does not hold 2 examples of 2 elements", func() {
		ds.Batch([]int{1, 2}, tensor.Zeros(tensor.Float32, 2, 3), tensor.Zeros(tensor.Int64, 2))
	})
	mustPanicWith(t, "targets buffer has dtype float32, dataset has int64", func() {
		ds.Batch([]int{1, 2}, tensor.Zeros(tensor.Float32, 2, 2), tensor.Zeros(tensor.Float32, 2))
	})
}

func TestReshapeX(t *testing.T) {
	ds := mustDataset(t, seq(4, 1, 2, 3), labels(4))
	flat := ds.ReshapeX(-1)
	x, _ := flat.Example(2)
	if got := x.Shape(); !slices.Equal(got, []int{6}) {
		t.Fatalf("shape %v, want [6]", got)
	}
	if got := x.Float32s(); !slices.Equal(got, []float32{12, 13, 14, 15, 16, 17}) {
		t.Fatalf("x = %v", got)
	}
	// The original keeps its shape.
	if x, _ := ds.Example(0); x.Dim() != 3 {
		t.Fatalf("original example shape %v", x.Shape())
	}
}

// plain is a Dataset that is not a Batcher: example i is ([i, -i], i%3).
type plain struct{ n int }

func (p plain) Len() int { return p.n }

func (p plain) Example(i int) (x, y *tensor.Tensor) {
	if i < 0 || i >= p.n {
		panic(fmt.Errorf("plain: example %d out of range", i))
	}
	return tensor.FromSlice([]float32{float32(i), float32(-i)}), tensor.Scalar(float64(i%3), tensor.Int64)
}

func TestGatherFallback(t *testing.T) {
	x, y := tensor.Zeros(tensor.Float32, 3, 2), tensor.Zeros(tensor.Int64, 3)
	data.Gather(plain{n: 6}, []int{5, 1, 3}, x, y)
	if got, want := x.Float32s(), []float32{5, -5, 1, -1, 3, -3}; !slices.Equal(got, want) {
		t.Fatalf("x = %v, want %v", got, want)
	}
	if got, want := y.Int64s(), []int64{2, 1, 0}; !slices.Equal(got, want) {
		t.Fatalf("y = %v, want %v", got, want)
	}
	mustPanicWith(t, "example 1: input has dtype float32 and shape [2], batch wants float32 and [3]", func() {
		data.Gather(plain{n: 6}, []int{1}, tensor.Zeros(tensor.Float32, 1, 3), tensor.Zeros(tensor.Int64, 1))
	})
}

func TestSubset(t *testing.T) {
	ds := mustDataset(t, seq(6, 2), labels(6))
	s := data.Subset(ds, []int{5, 3, 1, 0})
	if s.Len() != 4 {
		t.Fatalf("Len %d, want 4", s.Len())
	}
	_, y := s.Example(1)
	if y.Item() != 3 {
		t.Fatalf("example 1 has label %v, want 3", y.Item())
	}
	// A subset of the subset: elements 2 and 0 of [5 3 1 0].
	ss := data.Subset(s, []int{2, 0})
	bx, by := tensor.Zeros(tensor.Float32, 2, 2), tensor.Zeros(tensor.Int64, 2)
	ss.(data.Batcher).Batch([]int{0, 1}, bx, by)
	if got := by.Int64s(); !slices.Equal(got, []int64{1, 5}) {
		t.Fatalf("labels %v, want [1 5]", got)
	}
	if got := bx.Float32s(); !slices.Equal(got, []float32{2, 3, 10, 11}) {
		t.Fatalf("inputs %v, want [2 3 10 11]", got)
	}
	// A subset of a dataset that is not a Batcher still batches.
	ps := data.Subset(plain{n: 4}, []int{3, 2})
	px, py := tensor.Zeros(tensor.Float32, 2, 2), tensor.Zeros(tensor.Int64, 2)
	ps.(data.Batcher).Batch([]int{1, 0}, px, py)
	if got := px.Float32s(); !slices.Equal(got, []float32{2, -2, 3, -3}) {
		t.Fatalf("inputs %v", got)
	}
	mustPanicWith(t, "Subset: index 6 out of range [0, 6)", func() { data.Subset(ds, []int{6}) })
	mustPanicWith(t, "example 4 out of range [0, 4)", func() { s.Example(4) })
}

func TestSubsetConcurrentBatch(t *testing.T) {
	ds := mustDataset(t, seq(100, 2), labels(100))
	s := data.Subset(ds, data.Permutation(100, rand.New(rand.NewPCG(1, 2))))
	done := make(chan error)
	for g := range 4 {
		go func() {
			x, y := tensor.Zeros(tensor.Float32, 10, 2), tensor.Zeros(tensor.Int64, 10)
			idx := make([]int, 10)
			for rep := range 200 {
				for k := range idx {
					idx[k] = (g*31 + rep*7 + k*13) % 100
				}
				s.(data.Batcher).Batch(idx, x, y)
				for k, i := range idx {
					_, want := s.Example(i)
					if y.At(k) != want.Item() || x.At(k, 0) != 2*want.Item() {
						done <- fmt.Errorf("goroutine %d: row %d holds %v, want example %d", g, k, y.At(k), i)
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
