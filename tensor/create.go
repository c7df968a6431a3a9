package tensor

import (
	"math"
	"math/rand/v2"
)

// FromSlice returns a new tensor holding a copy of data with the given
// shape. Without a shape the result is 1-D. The element type of data picks
// the dtype.
func FromSlice[T float32 | float64 | int64](data []T, shape ...int) *Tensor {
	if shape == nil {
		shape = []int{len(data)}
	}
	checkShape("FromSlice", shape)
	if numel(shape) != len(data) {
		panicf("FromSlice", [][]int{shape}, "shape needs %d elements, data has %d", numel(shape), len(data))
	}
	var t *Tensor
	switch d := any(data).(type) {
	case []float32:
		t = empty(Float32, shape)
		copy(t.st.f32, d)
	case []float64:
		t = empty(Float64, shape)
		copy(t.st.f64, d)
	case []int64:
		t = empty(Int64, shape)
		copy(t.st.i64, d)
	}
	return t
}

// Scalar returns a 0-dimensional tensor of dtype dt holding v.
func Scalar(v float64, dt DType) *Tensor { return Full(dt, v) }

// Zeros returns a tensor of zeros.
func Zeros(dt DType, shape ...int) *Tensor { return empty(dt, shape) }

// Ones returns a tensor of ones.
func Ones(dt DType, shape ...int) *Tensor { return Full(dt, 1, shape...) }

// Full returns a tensor with every element set to v.
func Full(dt DType, v float64, shape ...int) *Tensor {
	t := empty(dt, shape)
	t.fill(v)
	return t
}

// ZerosLike returns zeros with x's dtype and shape.
func ZerosLike(x *Tensor) *Tensor { return empty(x.dtype, x.shape) }

// OnesLike returns ones with x's dtype and shape.
func OnesLike(x *Tensor) *Tensor { return Full(x.dtype, 1, x.shape...) }

// FullLike returns a tensor with x's dtype and shape filled with v.
func FullLike(x *Tensor, v float64) *Tensor { return Full(x.dtype, v, x.shape...) }

// fillZero sets every element of t (any layout) to zero.
func (t *Tensor) fillZero() {
	if t.IsContiguous() {
		n := t.Numel()
		switch t.dtype {
		case Float32:
			clear(t.st.f32[t.offset : t.offset+n])
		case Float64:
			clear(t.st.f64[t.offset : t.offset+n])
		case Int64:
			clear(t.st.i64[t.offset : t.offset+n])
		}
		return
	}
	switch t.dtype {
	case Float32:
		stridedAssign(t.st.f32, t.offset, t.strides, t.st.f32, t.offset, t.strides, t.shape, func(_, _ float32) float32 { return 0 })
	case Float64:
		stridedAssign(t.st.f64, t.offset, t.strides, t.st.f64, t.offset, t.strides, t.shape, func(_, _ float64) float64 { return 0 })
	case Int64:
		stridedAssign(t.st.i64, t.offset, t.strides, t.st.i64, t.offset, t.strides, t.shape, func(_, _ int64) int64 { return 0 })
	}
}

// fill sets every element of the contiguous tensor t to v.
func (t *Tensor) fill(v float64) {
	switch t.dtype {
	case Float32:
		s := t.st.f32
		for i := range s {
			s[i] = float32(v)
		}
	case Float64:
		s := t.st.f64
		for i := range s {
			s[i] = v
		}
	case Int64:
		s := t.st.i64
		for i := range s {
			s[i] = int64(v)
		}
	}
}

// Arange returns the 1-D tensor [start, start+step, ...) of values below
// end (above end for a negative step), as torch.arange.
func Arange(dt DType, start, end, step float64) *Tensor {
	if step == 0 || math.IsNaN(step) || math.IsInf(step, 0) {
		panicf("Arange", nil, "step must be finite and non-zero, got %v", step)
	}
	n := int(math.Ceil((end - start) / step))
	if n < 0 {
		n = 0
	}
	t := empty(dt, []int{n})
	for i := 0; i < n; i++ {
		t.setFlat(i, start+float64(i)*step)
	}
	return t
}

// Linspace returns n evenly spaced values from start to end inclusive.
func Linspace(dt DType, start, end float64, n int) *Tensor {
	if n < 0 {
		panicf("Linspace", nil, "negative number of points %d", n)
	}
	t := empty(dt, []int{n})
	for i := 0; i < n; i++ {
		v := start
		if n > 1 {
			v = start + (end-start)*float64(i)/float64(n-1)
		}
		t.setFlat(i, v)
	}
	return t
}

// Eye returns the n×n identity matrix.
func Eye(dt DType, n int) *Tensor {
	t := empty(dt, []int{n, n})
	for i := 0; i < n; i++ {
		t.setFlat(i*n+i, 1)
	}
	return t
}

// Rand returns a tensor of values drawn uniformly from [0, 1) using r.
func Rand(r *rand.Rand, dt DType, shape ...int) *Tensor {
	if !dt.IsFloat() {
		panicf("Rand", [][]int{shape}, "dtype must be floating point, got %v", dt)
	}
	t := empty(dt, shape)
	for i := range t.Numel() {
		t.setFlat(i, r.Float64())
	}
	return t
}

// Uniform returns a tensor of values drawn uniformly from [low, high) using r.
func Uniform(r *rand.Rand, dt DType, low, high float64, shape ...int) *Tensor {
	if !dt.IsFloat() {
		panicf("Uniform", [][]int{shape}, "dtype must be floating point, got %v", dt)
	}
	t := empty(dt, shape)
	for i := range t.Numel() {
		t.setFlat(i, low+(high-low)*r.Float64())
	}
	return t
}

// Randn returns a tensor of standard normal values drawn using r.
func Randn(r *rand.Rand, dt DType, shape ...int) *Tensor {
	if !dt.IsFloat() {
		panicf("Randn", [][]int{shape}, "dtype must be floating point, got %v", dt)
	}
	t := empty(dt, shape)
	for i := range t.Numel() {
		t.setFlat(i, r.NormFloat64())
	}
	return t
}

// RandInt returns an Int64 tensor of integers drawn uniformly from
// [low, high) using r.
func RandInt(r *rand.Rand, low, high int64, shape ...int) *Tensor {
	if high <= low {
		panicf("RandInt", [][]int{shape}, "empty range [%d, %d)", low, high)
	}
	t := empty(Int64, shape)
	for i := range t.st.i64 {
		t.st.i64[i] = low + r.Int64N(high-low)
	}
	return t
}

// setFlat sets element i of the contiguous storage of t.
func (t *Tensor) setFlat(i int, v float64) {
	switch t.dtype {
	case Float32:
		t.st.f32[t.offset+i] = float32(v)
	case Float64:
		t.st.f64[t.offset+i] = v
	case Int64:
		t.st.i64[t.offset+i] = int64(v)
	}
}
