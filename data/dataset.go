package data

import (
	"fmt"
	"sync"

	"github.com/backprop-go/backprop/tensor"
)

// Dataset is an indexable collection of examples.
//
// Example returns the input x and the target y of example i, for
// 0 ≤ i < Len(). The tensors may share memory with the dataset and must be
// treated as read-only. All examples of a dataset have the same input shape
// and dtype, and the same target shape and dtype: class labels are Int64
// scalars (shape []), regression targets are Float32.
//
// Implementations must be safe for concurrent calls of Example: the
// Loader's workers call it from several goroutines.
type Dataset interface {
	Len() int
	Example(i int) (x, y *tensor.Tensor)
}

// Batcher is a Dataset that copies many examples at once into preallocated
// tensors, which is how the Loader gathers batches without allocating.
//
// Batch writes example indices[k] into row k of x and of y. x has shape
// [len(indices)] followed by the input shape of one example, y likewise
// with the target shape; both are contiguous and have the dtypes of the
// dataset's examples. Batch must be safe for concurrent calls with distinct
// x and y, should not allocate, and panics with an error value when an index
// is out of range or a tensor does not fit.
type Batcher interface {
	Dataset
	Batch(indices []int, x, y *tensor.Tensor)
}

// panicf panics with an error value whose message starts with "data: ".
func panicf(format string, args ...any) {
	panic(fmt.Errorf("data: "+format, args...))
}

// TensorDataset is a dataset held in two tensors whose first axis indexes
// the examples: example i is (X[i], Y[i]). It implements Batcher.
type TensorDataset struct {
	x, y   *tensor.Tensor // contiguous, detached
	xs, ys []int          // shapes of one example
	xn, yn int            // elements of one example
}

// NewTensorDataset returns the dataset of the examples (x[i], y[i]). The
// tensors are used without copying when they are contiguous (a contiguous
// copy is made otherwise) and detached from any graph. It returns an error
// when x or y is nil or 0-dimensional, or when their first axes differ in
// length.
func NewTensorDataset(x, y *tensor.Tensor) (*TensorDataset, error) {
	if x == nil || y == nil {
		return nil, fmt.Errorf("data: NewTensorDataset: nil tensor")
	}
	if x.Dim() == 0 || y.Dim() == 0 {
		return nil, fmt.Errorf("data: NewTensorDataset: inputs %v and targets %v need a first axis indexing the examples", x.Shape(), y.Shape())
	}
	if x.Size(0) != y.Size(0) {
		return nil, fmt.Errorf("data: NewTensorDataset: %d inputs (shape %v) but %d targets (shape %v)", x.Size(0), x.Shape(), y.Size(0), y.Shape())
	}
	d := &TensorDataset{x: x.Detach().Contiguous(), y: y.Detach().Contiguous()}
	d.xs, d.ys = x.Shape()[1:], y.Shape()[1:]
	d.xn, d.yn = tensor.Numel(d.xs), tensor.Numel(d.ys)
	return d, nil
}

// Len returns the number of examples.
func (d *TensorDataset) Len() int { return d.x.Size(0) }

// Example returns views of x[i] and y[i]. It panics if i is out of range.
func (d *TensorDataset) Example(i int) (x, y *tensor.Tensor) {
	if i < 0 || i >= d.Len() {
		panicf("example %d out of range [0, %d)", i, d.Len())
	}
	return d.x.Narrow(0, i, 1).Reshape(d.xs...), d.y.Narrow(0, i, 1).Reshape(d.ys...)
}

// Batch copies the examples at indices into x and y (see Batcher).
func (d *TensorDataset) Batch(indices []int, x, y *tensor.Tensor) {
	n := d.Len()
	for _, i := range indices {
		if i < 0 || i >= n {
			panicf("example %d out of range [0, %d)", i, n)
		}
	}
	gatherRows("inputs", x, d.x, indices, d.xn)
	gatherRows("targets", y, d.y, indices, d.yn)
}

// X returns the tensor of all inputs, [Len, input shape...]. It shares
// memory with the dataset.
func (d *TensorDataset) X() *tensor.Tensor { return d.x }

// Y returns the tensor of all targets, [Len, target shape...]. It shares
// memory with the dataset.
func (d *TensorDataset) Y() *tensor.Tensor { return d.y }

// ReshapeX returns a dataset sharing d's memory whose inputs have the given
// per-example shape, such as 784 for 1×28×28 images. One dimension may be
// -1 and is then inferred. It panics with a *tensor.Error if the number of
// elements differs.
func (d *TensorDataset) ReshapeX(shape ...int) *TensorDataset {
	x := d.x.Reshape(append([]int{d.Len()}, shape...)...)
	nd := *d
	nd.x, nd.xs = x, x.Shape()[1:]
	return &nd
}

// gatherRows copies the rows idx of src (rows of n elements) into the
// contiguous dst.
func gatherRows(what string, dst, src *tensor.Tensor, idx []int, n int) {
	if dst.DType() != src.DType() {
		panicf("Batch: %s buffer has dtype %v, dataset has %v", what, dst.DType(), src.DType())
	}
	if dst.Dim() == 0 || dst.Size(0) != len(idx) || dst.Numel() != len(idx)*n {
		panicf("Batch: %s buffer of shape %v does not hold %d examples of %d elements", what, dst.Shape(), len(idx), n)
	}
	switch src.DType() {
	case tensor.Float32:
		copyRows(dst.RawFloat32(), src.RawFloat32(), idx, n)
	case tensor.Float64:
		copyRows(dst.RawFloat64(), src.RawFloat64(), idx, n)
	case tensor.Int64:
		copyRows(dst.RawInt64(), src.RawInt64(), idx, n)
	}
}

func copyRows[T any](dst, src []T, idx []int, n int) {
	for k, i := range idx {
		copy(dst[k*n:(k+1)*n], src[i*n:(i+1)*n])
	}
}

// Gather copies the examples at indices of ds into row k of x and y, as
// Batcher.Batch does; it uses ds's Batch method when ds is a Batcher and
// copies Example(i) otherwise. It panics with an error value when an
// example does not fit its row.
func Gather(ds Dataset, indices []int, x, y *tensor.Tensor) {
	if b, ok := ds.(Batcher); ok {
		b.Batch(indices, x, y)
		return
	}
	if x.Dim() == 0 || y.Dim() == 0 || x.Size(0) != len(indices) || y.Size(0) != len(indices) {
		panicf("Gather: buffers of shapes %v and %v do not hold %d examples", x.Shape(), y.Shape(), len(indices))
	}
	xn, yn := x.Numel()/max(len(indices), 1), y.Numel()/max(len(indices), 1)
	for k, i := range indices {
		ex, ey := ds.Example(i)
		copyExample("input", x, k, xn, ex, i)
		copyExample("target", y, k, yn, ey, i)
	}
}

// copyExample copies the example tensor e into row k (of n elements) of the
// contiguous dst.
func copyExample(what string, dst *tensor.Tensor, k, n int, e *tensor.Tensor, i int) {
	if e.DType() != dst.DType() || e.Numel() != n || e.Dim() != dst.Dim()-1 {
		panicf("example %d: %s has dtype %v and shape %v, batch wants %v and %v", i, what, e.DType(), e.Shape(), dst.DType(), dst.Shape()[1:])
	}
	for a := range e.Dim() {
		if e.Size(a) != dst.Size(a+1) {
			panicf("example %d: %s has shape %v, batch wants %v", i, what, e.Shape(), dst.Shape()[1:])
		}
	}
	e = e.Contiguous()
	switch e.DType() {
	case tensor.Float32:
		copy(dst.RawFloat32()[k*n:(k+1)*n], e.RawFloat32())
	case tensor.Float64:
		copy(dst.RawFloat64()[k*n:(k+1)*n], e.RawFloat64())
	case tensor.Int64:
		copy(dst.RawInt64()[k*n:(k+1)*n], e.RawInt64())
	}
}

// subset is the dataset returned by Subset.
type subset struct {
	ds   Dataset
	idx  []int
	pool sync.Pool // *[]int scratch for mapped indices
}

// Subset returns the dataset whose example k is example indices[k] of ds,
// without copying ds. The indices are copied. A subset of a subset refers
// to the original dataset directly. The result implements Batcher. Subset
// panics with an error value if an index is out of range.
func Subset(ds Dataset, indices []int) Dataset {
	n := ds.Len()
	idx := make([]int, len(indices))
	for k, i := range indices {
		if i < 0 || i >= n {
			panicf("Subset: index %d out of range [0, %d)", i, n)
		}
		idx[k] = i
	}
	if s, ok := ds.(*subset); ok {
		for k, i := range idx {
			idx[k] = s.idx[i]
		}
		ds = s.ds
	}
	return &subset{ds: ds, idx: idx}
}

// Len returns the number of selected examples.
func (s *subset) Len() int { return len(s.idx) }

// Example returns the selected example i.
func (s *subset) Example(i int) (x, y *tensor.Tensor) {
	if i < 0 || i >= len(s.idx) {
		panicf("example %d out of range [0, %d)", i, len(s.idx))
	}
	return s.ds.Example(s.idx[i])
}

// Batch maps indices to the underlying dataset and gathers from it.
func (s *subset) Batch(indices []int, x, y *tensor.Tensor) {
	p, _ := s.pool.Get().(*[]int)
	if p == nil {
		p = new([]int)
	}
	m := (*p)[:0]
	for _, i := range indices {
		if i < 0 || i >= len(s.idx) {
			panicf("example %d out of range [0, %d)", i, len(s.idx))
		}
		m = append(m, s.idx[i])
	}
	Gather(s.ds, m, x, y)
	*p = m
	s.pool.Put(p)
}
