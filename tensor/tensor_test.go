package tensor_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// expectValues fails unless x has the given shape and its elements, read as
// float64, are exactly want.
func expectValues(t *testing.T, name string, x *tensor.Tensor, shape []int, want []float64) {
	t.Helper()
	if !slices.Equal(x.Shape(), shape) {
		t.Fatalf("%s: shape %v, want %v", name, x.Shape(), shape)
	}
	if got := x.Float64s(); !slices.Equal(got, want) {
		t.Fatalf("%s: values %v, want %v", name, got, want)
	}
}

func TestCreate(t *testing.T) {
	cases := []struct {
		name  string
		x     *tensor.Tensor
		dtype tensor.DType
		shape []int
		want  []float64
	}{
		{"Zeros", tensor.Zeros(tensor.Float32, 2, 3), tensor.Float32, []int{2, 3}, []float64{0, 0, 0, 0, 0, 0}},
		{"Zeros 0-d", tensor.Zeros(tensor.Int64), tensor.Int64, []int{}, []float64{0}},
		{"Zeros empty", tensor.Zeros(tensor.Float64, 0, 4), tensor.Float64, []int{0, 4}, []float64{}},
		{"Ones", tensor.Ones(tensor.Int64, 3), tensor.Int64, []int{3}, []float64{1, 1, 1}},
		{"Full", tensor.Full(tensor.Float64, -2.5, 2, 1), tensor.Float64, []int{2, 1}, []float64{-2.5, -2.5}},
		{"Full int truncates", tensor.Full(tensor.Int64, 2.9, 2), tensor.Int64, []int{2}, []float64{2, 2}},
		{"Scalar", tensor.Scalar(7, tensor.Float32), tensor.Float32, []int{}, []float64{7}},
		{"ZerosLike", tensor.ZerosLike(tensor.Ones(tensor.Float64, 2)), tensor.Float64, []int{2}, []float64{0, 0}},
		{"OnesLike", tensor.OnesLike(tensor.Zeros(tensor.Int64, 1, 2)), tensor.Int64, []int{1, 2}, []float64{1, 1}},
		{"FullLike", tensor.FullLike(tensor.Zeros(tensor.Float32, 2), 4), tensor.Float32, []int{2}, []float64{4, 4}},
		{"FromSlice 1-D", tensor.FromSlice([]float32{1, 2, 3}), tensor.Float32, []int{3}, []float64{1, 2, 3}},
		{"FromSlice 2-D", tensor.FromSlice([]int64{1, 2, 3, 4, 5, 6}, 3, 2), tensor.Int64, []int{3, 2}, []float64{1, 2, 3, 4, 5, 6}},
		{"FromSlice 0-d", tensor.FromSlice([]float64{5}, []int{}...), tensor.Float64, []int{}, []float64{5}},
		// Reference values: torch.arange and torch.linspace with the same
		// arguments.
		{"Arange", tensor.Arange(tensor.Int64, 0, 5, 1), tensor.Int64, []int{5}, []float64{0, 1, 2, 3, 4}},
		{"Arange fractional", tensor.Arange(tensor.Float64, 0, 1, 0.25), tensor.Float64, []int{4}, []float64{0, 0.25, 0.5, 0.75}},
		{"Arange partial step", tensor.Arange(tensor.Float64, 1, 2.1, 0.5), tensor.Float64, []int{3}, []float64{1, 1.5, 2}},
		{"Arange negative step", tensor.Arange(tensor.Float64, 5, 0, -1.5), tensor.Float64, []int{4}, []float64{5, 3.5, 2, 0.5}},
		{"Arange negative int", tensor.Arange(tensor.Int64, 3, -3, -2), tensor.Int64, []int{3}, []float64{3, 1, -1}},
		{"Arange empty", tensor.Arange(tensor.Float32, 2, 1, 1), tensor.Float32, []int{0}, []float64{}},
		{"Linspace", tensor.Linspace(tensor.Float64, 0, 1, 5), tensor.Float64, []int{5}, []float64{0, 0.25, 0.5, 0.75, 1}},
		{"Linspace descending", tensor.Linspace(tensor.Float32, 2, -2, 3), tensor.Float32, []int{3}, []float64{2, 0, -2}},
		{"Linspace one point", tensor.Linspace(tensor.Float64, 3, 9, 1), tensor.Float64, []int{1}, []float64{3}},
		{"Linspace no points", tensor.Linspace(tensor.Float64, 3, 9, 0), tensor.Float64, []int{0}, []float64{}},
		{"Eye", tensor.Eye(tensor.Float32, 3), tensor.Float32, []int{3, 3}, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.x.DType() != c.dtype {
				t.Fatalf("dtype %v, want %v", c.x.DType(), c.dtype)
			}
			if !c.x.IsContiguous() || !c.x.IsLeaf() || c.x.RequiresGrad() {
				t.Fatalf("new tensor: contiguous %v, leaf %v, requires grad %v", c.x.IsContiguous(), c.x.IsLeaf(), c.x.RequiresGrad())
			}
			expectValues(t, c.name, c.x, c.shape, c.want)
			if c.x.Numel() != len(c.want) || c.x.Dim() != len(c.shape) {
				t.Fatalf("Numel %d, Dim %d, want %d, %d", c.x.Numel(), c.x.Dim(), len(c.want), len(c.shape))
			}
		})
	}
}

func TestArangeCount(t *testing.T) {
	// torch.arange(0, 1, 0.1) has 10 elements and torch.arange(-1, 1, 0.2)
	// has 10 as well: the count is ceil((end-start)/step) in float64.
	for _, c := range []struct {
		start, end, step float64
		n                int
	}{{0, 1, 0.1, 10}, {-1, 1, 0.2, 10}, {0, 10, 3, 4}, {10, 0, -3, 4}, {0, 1e-9, 1, 1}} {
		x := tensor.Arange(tensor.Float64, c.start, c.end, c.step)
		if x.Numel() != c.n {
			t.Errorf("Arange(%v, %v, %v) has %d elements, want %d", c.start, c.end, c.step, x.Numel(), c.n)
		}
		for i, v := range x.Float64s() {
			if want := c.start + float64(i)*c.step; math.Abs(v-want) > 1e-12 {
				t.Errorf("Arange(%v, %v, %v)[%d] = %v, want %v", c.start, c.end, c.step, i, v, want)
			}
		}
	}
}

func TestCreateErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name, want string
		f          func()
	}{
		{"FromSlice too few", "tensor.FromSlice: shape needs 6 elements, data has 5 (shapes [2 3])",
			func() { tensor.FromSlice([]float64{1, 2, 3, 4, 5}, 2, 3) }},
		{"FromSlice too many", "tensor.FromSlice: shape needs 1 elements, data has 2 (shapes [])",
			func() { tensor.FromSlice([]int64{1, 2}, []int{}...) }},
		{"FromSlice negative", "tensor.FromSlice: negative dimension -2 (shapes [-2 -1])",
			func() { tensor.FromSlice([]float32{1, 2}, -2, -1) }},
		{"Zeros negative", "tensor.New: negative dimension -1 (shapes [2 -1])",
			func() { tensor.Zeros(tensor.Float32, 2, -1) }},
		{"Arange zero step", "tensor.Arange: step must be finite and non-zero, got 0",
			func() { tensor.Arange(tensor.Float32, 0, 1, 0) }},
		{"Linspace negative", "tensor.Linspace: negative number of points -1",
			func() { tensor.Linspace(tensor.Float32, 0, 1, -1) }},
		{"Rand int", "tensor.Rand: dtype must be floating point, got int64 (shapes [2])",
			func() { tensor.Rand(r, tensor.Int64, 2) }},
		{"Randn int", "tensor.Randn: dtype must be floating point, got int64 (shapes [2])",
			func() { tensor.Randn(r, tensor.Int64, 2) }},
		{"Uniform int", "tensor.Uniform: dtype must be floating point, got int64 (shapes [2])",
			func() { tensor.Uniform(r, tensor.Int64, 0, 1, 2) }},
		{"RandInt empty range", "tensor.RandInt: empty range [3, 3) (shapes [2])",
			func() { tensor.RandInt(r, 3, 3, 2) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { mustPanic(t, c.want, c.f) })
	}
}

func TestRandom(t *testing.T) {
	const n = 20000
	gens := []struct {
		name   string
		f      func(r *rand.Rand) *tensor.Tensor
		lo, hi float64 // half-open range of the values
		mean   float64 // expected mean
		std    float64 // expected standard deviation
	}{
		{"Rand float32", func(r *rand.Rand) *tensor.Tensor { return tensor.Rand(r, tensor.Float32, n) }, 0, 1, 0.5, math.Sqrt(1.0 / 12)},
		{"Rand float64", func(r *rand.Rand) *tensor.Tensor { return tensor.Rand(r, tensor.Float64, 100, n/100) }, 0, 1, 0.5, math.Sqrt(1.0 / 12)},
		{"Uniform", func(r *rand.Rand) *tensor.Tensor { return tensor.Uniform(r, tensor.Float64, -3, 5, n) }, -3, 5, 1, 8 / math.Sqrt(12)},
		{"Randn", func(r *rand.Rand) *tensor.Tensor { return tensor.Randn(r, tensor.Float32, n) }, math.Inf(-1), math.Inf(1), 0, 1},
		// Integers in [-2, 3): the mean of {-2, ..., 2} is 0, the variance 2.
		{"RandInt", func(r *rand.Rand) *tensor.Tensor { return tensor.RandInt(r, -2, 3, n) }, -2, 3, 0, math.Sqrt(2)},
	}
	for _, g := range gens {
		t.Run(g.name, func(t *testing.T) {
			a := g.f(rand.New(rand.NewPCG(7, 8)))
			b := g.f(rand.New(rand.NewPCG(7, 8)))
			c := g.f(rand.New(rand.NewPCG(7, 9)))
			if !tensor.Equal(a, b) {
				t.Fatal("the same seed gave different tensors")
			}
			if tensor.Equal(a, c) {
				t.Fatal("different seeds gave the same tensor")
			}
			vals := a.Float64s()
			if len(vals) != n {
				t.Fatalf("%d values, want %d", len(vals), n)
			}
			var sum, sq float64
			seen := map[float64]bool{}
			for _, v := range vals {
				if v < g.lo || v >= g.hi {
					t.Fatalf("value %v outside [%v, %v)", v, g.lo, g.hi)
				}
				sum += v
				sq += v * v
				seen[v] = true
			}
			mean := sum / n
			std := math.Sqrt(sq/n - mean*mean)
			// The standard error of the mean is std/√n < 0.02·std.
			if math.Abs(mean-g.mean) > 0.03*g.std || math.Abs(std-g.std) > 0.03*g.std {
				t.Fatalf("mean %.4f, std %.4f; want %.4f, %.4f", mean, std, g.mean, g.std)
			}
			if a.DType() == tensor.Int64 && len(seen) != 5 {
				t.Fatalf("RandInt produced %d distinct values, want all 5", len(seen))
			}
		})
	}
}

func TestAccessors(t *testing.T) {
	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if got := x.At(1, 2); got != 6 {
		t.Errorf("At(1, 2) = %v, want 6", got)
	}
	if got := x.At(-1, -3); got != 4 {
		t.Errorf("At(-1, -3) = %v, want 4", got)
	}
	x.Set(-7.5, 0, -1)
	if got := x.Float32s(); !slices.Equal(got, []float32{1, 2, -7.5, 4, 5, 6}) {
		t.Errorf("after Set: %v", got)
	}
	// A transposed view reads and writes through its strides.
	xt := x.T()
	if got := xt.Float32s(); !slices.Equal(got, []float32{1, 4, 2, 5, -7.5, 6}) {
		t.Errorf("T().Float32s() = %v", got)
	}
	xt.Set(10, 2, 1)
	if got := x.At(1, 2); got != 10 {
		t.Errorf("Set through the transposed view: At(1, 2) = %v, want 10", got)
	}
	if got := tensor.Scalar(2.5, tensor.Float64).Item(); got != 2.5 {
		t.Errorf("Item = %v", got)
	}
	if got := tensor.FromSlice([]int64{-4}, 1, 1).Item(); got != -4 {
		t.Errorf("Item of [1 1] = %v", got)
	}
	i := tensor.FromSlice([]int64{1 << 60, -3}, 2)
	if got := i.Int64s(); !slices.Equal(got, []int64{1 << 60, -3}) {
		t.Errorf("Int64s = %v", got)
	}
	if got := i.Float64s(); !slices.Equal(got, []float64{1 << 60, -3}) {
		t.Errorf("Float64s of int64 = %v", got)
	}
	d := tensor.FromSlice([]float64{0.1, 0.2, 0.3, 0.4}, 2, 2)
	if got := d.Slice(1, 1, 2, 1).Float64s(); !slices.Equal(got, []float64{0.2, 0.4}) {
		t.Errorf("Float64s of a column = %v", got)
	}

	// Raw slices share storage with the tensor.
	raw := d.RawFloat64()
	raw[3] = 9
	if d.At(1, 1) != 9 {
		t.Errorf("write through RawFloat64 not visible")
	}
	row := d.Slice(0, 1, 2, 1) // contiguous, with an offset
	if got := row.RawFloat64(); !slices.Equal(got, []float64{0.3, 9}) {
		t.Errorf("RawFloat64 of the second row = %v", got)
	}
	f := tensor.Zeros(tensor.Float32, 3)
	f.RawFloat32()[1] = 2
	if f.At(1) != 2 {
		t.Errorf("write through RawFloat32 not visible")
	}
	n := tensor.Zeros(tensor.Int64, 2)
	n.RawInt64()[0] = 5
	if n.At(0) != 5 {
		t.Errorf("write through RawInt64 not visible")
	}

	// Size, Dim, Strides of a view.
	p := tensor.Zeros(tensor.Float32, 2, 3, 4).Permute(2, 0, 1)
	if p.Size(0) != 4 || p.Size(-1) != 3 || p.Dim() != 3 || !slices.Equal(p.Strides(), []int{1, 12, 4}) || p.IsContiguous() {
		t.Errorf("permuted view: sizes %d %d, dim %d, strides %v, contiguous %v", p.Size(0), p.Size(-1), p.Dim(), p.Strides(), p.IsContiguous())
	}
}

func TestAccessorErrors(t *testing.T) {
	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	cases := []struct {
		name, want string
		f          func()
	}{
		{"At index range", "tensor.At: index 2 out of range for dimension 0 of size 2 (shapes [2 3])", func() { x.At(2, 0) }},
		{"At negative range", "tensor.At: index -4 out of range for dimension 1 of size 3 (shapes [2 3])", func() { x.At(0, -4) }},
		{"At index count", "tensor.At: got 1 indices for 2 dimensions (shapes [2 3])", func() { x.At(1) }},
		{"Set index range", "tensor.Set: index 3 out of range for dimension 1 of size 3 (shapes [2 3])", func() { x.Set(1, 0, 3) }},
		{"Item", "tensor.Item: tensor has 6 elements, not 1 (shapes [2 3])", func() { x.Item() }},
		{"Float32s dtype", "tensor.Float32s: tensor has dtype float64, want float32 (shapes [1])", func() { tensor.Zeros(tensor.Float64, 1).Float32s() }},
		{"Int64s dtype", "tensor.Int64s: tensor has dtype float32, want int64 (shapes [2 3])", func() { x.Int64s() }},
		{"RawFloat32 non-contiguous", "tensor.RawFloat32: tensor is not contiguous; call Contiguous first (shapes [3 2])", func() { x.T().RawFloat32() }},
		{"RawFloat64 non-contiguous", "tensor.RawFloat64: tensor is not contiguous; call Contiguous first (shapes [2 2])", func() { tensor.Zeros(tensor.Float64, 2, 4).Slice(1, 0, 4, 2).RawFloat64() }},
		{"RawFloat64 dtype", "tensor.RawFloat64: tensor has dtype float32, want float64 (shapes [2 3])", func() { x.RawFloat64() }},
		{"RawInt64 broadcast", "tensor.RawInt64: tensor is not contiguous; call Contiguous first (shapes [3 2])", func() { tensor.Zeros(tensor.Int64, 2).Expand(3, 2).RawInt64() }},
		{"Size", "tensor.Size: axis 2 out of range for 2 dimensions (shapes [2 3])", func() { x.Size(2) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { mustPanic(t, c.want, c.f) })
	}
	// Contiguous makes the raw accessor usable.
	if got := x.T().Contiguous().RawFloat32(); !slices.Equal(got, []float32{1, 4, 2, 5, 3, 6}) {
		t.Errorf("T().Contiguous().RawFloat32() = %v", got)
	}
}

func TestTo(t *testing.T) {
	f := tensor.FromSlice([]float64{-1.75, -0.5, 0.5, 2.9, 1e10, 0.1}, 2, 3)
	cases := []struct {
		name  string
		x     *tensor.Tensor
		dtype tensor.DType
		want  []float64
	}{
		// Conversion to int64 rounds toward zero, as torch's .long().
		{"float64 to int64", f.To(tensor.Int64), tensor.Int64, []float64{-1, 0, 0, 2, 1e10, 0}},
		{"float64 to float32", f.To(tensor.Float32), tensor.Float32, []float64{-1.75, -0.5, 0.5, float64(float32(2.9)), 1e10, float64(float32(0.1))}},
		{"float32 to float64", f.To(tensor.Float32).To(tensor.Float64), tensor.Float64, []float64{-1.75, -0.5, 0.5, float64(float32(2.9)), 1e10, float64(float32(0.1))}},
		{"float32 to int64", tensor.FromSlice([]float32{-2.5, 3.99}).To(tensor.Int64), tensor.Int64, []float64{-2, 3}},
		{"int64 to float32", tensor.FromSlice([]int64{-3, 1 << 40}).To(tensor.Float32), tensor.Float32, []float64{-3, 1 << 40}},
		{"int64 to float64", tensor.FromSlice([]int64{7}).To(tensor.Float64), tensor.Float64, []float64{7}},
		{"transposed", f.T().To(tensor.Int64), tensor.Int64, []float64{-1, 2, 0, 1e10, 0, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.x.DType() != c.dtype {
				t.Fatalf("dtype %v, want %v", c.x.DType(), c.dtype)
			}
			if got := c.x.Float64s(); !slices.Equal(got, c.want) {
				t.Fatalf("values %v, want %v", got, c.want)
			}
		})
	}
	if f.To(tensor.Float64) != f {
		t.Error("To the same dtype must return the tensor itself")
	}
	// The cast between float types is differentiable: the gradient comes
	// back in the input's dtype.
	x := tensor.FromSlice([]float32{1, 2, 3}).SetRequiresGrad(true)
	x.To(tensor.Float64).MulScalar(2).Sum().Backward()
	if g := x.Grad(); g == nil || g.DType() != tensor.Float32 || !slices.Equal(g.Float32s(), []float32{2, 2, 2}) {
		t.Errorf("gradient through To: %v", g)
	}
	if x.To(tensor.Int64).RequiresGrad() {
		t.Error("a cast to int64 must not require a gradient")
	}
}

func TestCopyFrom(t *testing.T) {
	t.Run("broadcast row", func(t *testing.T) {
		x := tensor.Zeros(tensor.Float32, 2, 3)
		x.CopyFrom(tensor.FromSlice([]float32{1, 2, 3}))
		expectValues(t, "x", x, []int{2, 3}, []float64{1, 2, 3, 1, 2, 3})
	})
	t.Run("broadcast column into view", func(t *testing.T) {
		x := tensor.Zeros(tensor.Int64, 3, 4)
		x.Slice(1, 1, 4, 2).CopyFrom(tensor.FromSlice([]int64{5, 6, 7}, 3, 1))
		expectValues(t, "x", x, []int{3, 4}, []float64{0, 5, 0, 5, 0, 6, 0, 6, 0, 7, 0, 7})
	})
	t.Run("scalar", func(t *testing.T) {
		x := tensor.Zeros(tensor.Float64, 2, 2)
		x.CopyFrom(tensor.Scalar(4, tensor.Float64))
		expectValues(t, "x", x, []int{2, 2}, []float64{4, 4, 4, 4})
	})
	t.Run("transposed destination", func(t *testing.T) {
		x := tensor.Zeros(tensor.Float64, 2, 3)
		x.T().CopyFrom(tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 3, 2))
		expectValues(t, "x", x, []int{2, 3}, []float64{1, 3, 5, 2, 4, 6})
	})
	t.Run("overlapping shift right", func(t *testing.T) {
		// x[1:5] = x[0:4] must read the old values (memmove semantics).
		x := tensor.Arange(tensor.Float64, 0, 5, 1)
		x.Slice(0, 1, 5, 1).CopyFrom(x.Slice(0, 0, 4, 1))
		expectValues(t, "x", x, []int{5}, []float64{0, 0, 1, 2, 3})
	})
	t.Run("overlapping shift left", func(t *testing.T) {
		x := tensor.Arange(tensor.Float64, 0, 5, 1)
		x.Slice(0, 0, 4, 1).CopyFrom(x.Slice(0, 1, 5, 1))
		expectValues(t, "x", x, []int{5}, []float64{1, 2, 3, 4, 4})
	})
	t.Run("overlapping transpose in place", func(t *testing.T) {
		x := tensor.FromSlice([]float32{1, 2, 3, 4}, 2, 2)
		x.CopyFrom(x.T())
		expectValues(t, "x", x, []int{2, 2}, []float64{1, 3, 2, 4})
	})
	t.Run("not recorded", func(t *testing.T) {
		w := tensor.FromSlice([]float64{1, 2}).SetRequiresGrad(true)
		x := tensor.Zeros(tensor.Float64, 2)
		x.CopyFrom(w.MulScalar(3))
		if x.RequiresGrad() || !x.IsLeaf() {
			t.Fatal("CopyFrom recorded the copy")
		}
		expectValues(t, "x", x, []int{2}, []float64{3, 6})
	})
	x := tensor.Zeros(tensor.Float32, 2, 3)
	mustPanic(t, "tensor.CopyFrom: dtypes differ: float32 and float64 (shapes [2 3], [3])",
		func() { x.CopyFrom(tensor.Zeros(tensor.Float64, 3)) })
	mustPanic(t, "tensor.CopyFrom: source does not broadcast to the destination's shape (shapes [2 3], [4 2 3])",
		func() { x.CopyFrom(tensor.Zeros(tensor.Float32, 4, 2, 3)) })
	mustPanic(t, "tensor.CopyFrom: shapes cannot be broadcast together: size 3 vs 2 at dimension 1 (shapes [2 3], [2])",
		func() { x.CopyFrom(tensor.Zeros(tensor.Float32, 2)) })
}

func TestString(t *testing.T) {
	// The wanted strings are PyTorch 1.13's str() of the same tensors
	// (default print options), with "torch." dropped from dtypes, sizes
	// written as Go slices, "Backward0" as "Backward" and True as true.
	x := tensor.FromSlice([]float32{1, 2}).SetRequiresGrad(true)
	cases := []struct {
		name string
		x    *tensor.Tensor
		want string
	}{
		{"2x3 float32", tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3),
			"tensor([[1., 2., 3.],\n        [4., 5., 6.]])"},
		{"float64 decimals", tensor.FromSlice([]float64{1.5, -2.25, 3, 4, 5.125, 6}, 2, 3),
			"tensor([[ 1.5000, -2.2500,  3.0000],\n        [ 4.0000,  5.1250,  6.0000]], dtype=float64)"},
		{"int64", tensor.FromSlice([]int64{1, -20, 3, 4, 5, 6}, 2, 3),
			"tensor([[  1, -20,   3],\n        [  4,   5,   6]])"},
		{"0-d float", tensor.Scalar(3.5, tensor.Float32), "tensor(3.5000)"},
		{"0-d int", tensor.Scalar(-7, tensor.Int64), "tensor(-7)"},
		{"empty", tensor.Zeros(tensor.Float32, 0), "tensor([])"},
		{"empty 3-d", tensor.Zeros(tensor.Float32, 2, 0, 3), "tensor([], size=[2 0 3])"},
		{"empty float64", tensor.Zeros(tensor.Float64, 0), "tensor([], dtype=float64)"},
		{"empty int64", tensor.Zeros(tensor.Int64, 0, 4), "tensor([], size=[0 4], dtype=int64)"},
		{"big 2-d", tensor.Arange(tensor.Float32, 0, 2000, 1).Reshape(40, 50),
			"tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,\n         4.9000e+01],\n        [5.0000e+01, 5.1000e+01, 5.2000e+01,  ..., 9.7000e+01, 9.8000e+01,\n         9.9000e+01],\n        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.4700e+02, 1.4800e+02,\n         1.4900e+02],\n        ...,\n        [1.8500e+03, 1.8510e+03, 1.8520e+03,  ..., 1.8970e+03, 1.8980e+03,\n         1.8990e+03],\n        [1.9000e+03, 1.9010e+03, 1.9020e+03,  ..., 1.9470e+03, 1.9480e+03,\n         1.9490e+03],\n        [1.9500e+03, 1.9510e+03, 1.9520e+03,  ..., 1.9970e+03, 1.9980e+03,\n         1.9990e+03]])"},
		{"big int", tensor.Arange(tensor.Int64, 0, 3000, 1).Reshape(3, 1000),
			"tensor([[   0,    1,    2,  ...,  997,  998,  999],\n        [1000, 1001, 1002,  ..., 1997, 1998, 1999],\n        [2000, 2001, 2002,  ..., 2997, 2998, 2999]])"},
		{"big 1-d", tensor.Arange(tensor.Float32, 0, 1001, 1),
			"tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])"},
		{"big 3-d", tensor.Arange(tensor.Float32, 0, 1120, 1).MulScalar(0.125).Reshape(8, 2, 70),
			"tensor([[[0.0000e+00, 1.2500e-01, 2.5000e-01,  ..., 8.3750e+00,\n          8.5000e+00, 8.6250e+00],\n         [8.7500e+00, 8.8750e+00, 9.0000e+00,  ..., 1.7125e+01,\n          1.7250e+01, 1.7375e+01]],\n\n        [[1.7500e+01, 1.7625e+01, 1.7750e+01,  ..., 2.5875e+01,\n          2.6000e+01, 2.6125e+01],\n         [2.6250e+01, 2.6375e+01, 2.6500e+01,  ..., 3.4625e+01,\n          3.4750e+01, 3.4875e+01]],\n\n        [[3.5000e+01, 3.5125e+01, 3.5250e+01,  ..., 4.3375e+01,\n          4.3500e+01, 4.3625e+01],\n         [4.3750e+01, 4.3875e+01, 4.4000e+01,  ..., 5.2125e+01,\n          5.2250e+01, 5.2375e+01]],\n\n        ...,\n\n        [[8.7500e+01, 8.7625e+01, 8.7750e+01,  ..., 9.5875e+01,\n          9.6000e+01, 9.6125e+01],\n         [9.6250e+01, 9.6375e+01, 9.6500e+01,  ..., 1.0462e+02,\n          1.0475e+02, 1.0488e+02]],\n\n        [[1.0500e+02, 1.0512e+02, 1.0525e+02,  ..., 1.1338e+02,\n          1.1350e+02, 1.1362e+02],\n         [1.1375e+02, 1.1388e+02, 1.1400e+02,  ..., 1.2212e+02,\n          1.2225e+02, 1.2238e+02]],\n\n        [[1.2250e+02, 1.2262e+02, 1.2275e+02,  ..., 1.3088e+02,\n          1.3100e+02, 1.3112e+02],\n         [1.3125e+02, 1.3138e+02, 1.3150e+02,  ..., 1.3962e+02,\n          1.3975e+02, 1.3988e+02]]])"},
		{"big float64 int values", tensor.Arange(tensor.Float64, 0, 6000, 3).Reshape(2, 1000),
			"tensor([[0.0000e+00, 3.0000e+00, 6.0000e+00,  ..., 2.9910e+03, 2.9940e+03,\n         2.9970e+03],\n        [3.0000e+03, 3.0030e+03, 3.0060e+03,  ..., 5.9910e+03, 5.9940e+03,\n         5.9970e+03]], dtype=float64)"},
		{"sci small", tensor.FromSlice([]float32{1e-5, 1, 100}), "tensor([1.0000e-05, 1.0000e+00, 1.0000e+02])"},
		{"sci ratio", tensor.FromSlice([]float32{1e10, 1}), "tensor([1.0000e+10, 1.0000e+00])"},
		{"sci with zero", tensor.FromSlice([]float32{0, 1e-5, -2.5, 3}, 2, 2),
			"tensor([[ 0.0000e+00,  1.0000e-05],\n        [-2.5000e+00,  3.0000e+00]])"},
		{"sci large ints", tensor.FromSlice([]float32{1e9, 2e9}), "tensor([1.0000e+09, 2.0000e+09])"},
		{"nan inf", tensor.FromSlice([]float32{float32(math.NaN()), 1, float32(math.Inf(1))}), "tensor([nan, 1., inf])"},
		{"nan -inf decimals", tensor.FromSlice([]float32{float32(math.NaN()), 1.5, float32(math.Inf(-1))}), "tensor([   nan, 1.5000,   -inf])"},
		{"all zero", tensor.Zeros(tensor.Float32, 2, 2), "tensor([[0., 0.],\n        [0., 0.]])"},
		{"3-d", tensor.Arange(tensor.Float32, 0, 24, 1).Reshape(2, 3, 4),
			"tensor([[[ 0.,  1.,  2.,  3.],\n         [ 4.,  5.,  6.,  7.],\n         [ 8.,  9., 10., 11.]],\n\n        [[12., 13., 14., 15.],\n         [16., 17., 18., 19.],\n         [20., 21., 22., 23.]]])"},
		{"wrapped row", tensor.Arange(tensor.Float64, -12, 13, 1).MulScalar(0.125),
			"tensor([-1.5000, -1.3750, -1.2500, -1.1250, -1.0000, -0.8750, -0.7500, -0.6250,\n        -0.5000, -0.3750, -0.2500, -0.1250,  0.0000,  0.1250,  0.2500,  0.3750,\n         0.5000,  0.6250,  0.7500,  0.8750,  1.0000,  1.1250,  1.2500,  1.3750,\n         1.5000], dtype=float64)"},
		{"suffix wraps", tensor.Arange(tensor.Float64, -12, -4, 1).MulScalar(0.125),
			"tensor([-1.5000, -1.3750, -1.2500, -1.1250, -1.0000, -0.8750, -0.7500, -0.6250],\n       dtype=float64)"},
		{"transposed view", tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3).T(),
			"tensor([[1., 4.],\n        [2., 5.],\n        [3., 6.]])"},
		{"long suffix", tensor.Linspace(tensor.Float64, 0, 1, 11),
			"tensor([0.0000, 0.1000, 0.2000, 0.3000, 0.4000, 0.5000, 0.6000, 0.7000, 0.8000,\n        0.9000, 1.0000], dtype=float64)"},
		{"requires grad", x, "tensor([1., 2.], requires_grad=true)"},
		{"grad fn", x.Mul(x), "tensor([1., 4.], grad_fn=<MulBackward>)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.x.String(); got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
	// fmt uses String.
	if got := fmt.Sprint(tensor.FromSlice([]int64{4, 5})); got != "tensor([4, 5])" {
		t.Errorf("fmt.Sprint = %q", got)
	}
}

func TestEqualAllClose(t *testing.T) {
	nan := math.NaN()
	inf := math.Inf(1)
	a := tensor.FromSlice([]float64{1, 2, 3, 4}, 2, 2)
	cases := []struct {
		name      string
		x, y      *tensor.Tensor
		equal     bool
		close     bool // with rtol 1e-5, atol 1e-8
		closeLoss bool // with rtol 0.1, atol 0
	}{
		{"same", a, tensor.FromSlice([]float64{1, 2, 3, 4}, 2, 2), true, true, true},
		{"view equals copy", a.T(), tensor.FromSlice([]float64{1, 3, 2, 4}, 2, 2), true, true, true},
		{"tiny difference", a, tensor.FromSlice([]float64{1, 2, 3, 4 + 1e-9}, 2, 2), false, true, true},
		{"ten percent", a, tensor.FromSlice([]float64{1, 2, 3, 4.4}, 2, 2), false, false, true},
		{"twenty percent", a, tensor.FromSlice([]float64{1, 2, 3, 5}, 2, 2), false, false, false},
		{"shape", a, tensor.FromSlice([]float64{1, 2, 3, 4}, 4), false, false, false},
		{"dtype", a, tensor.FromSlice([]float32{1, 2, 3, 4}, 2, 2), false, true, true},
		{"nan", tensor.FromSlice([]float64{nan, 1}), tensor.FromSlice([]float64{nan, 1}), false, false, false},
		{"inf", tensor.FromSlice([]float64{inf, -inf}), tensor.FromSlice([]float64{inf, -inf}), true, true, true},
		{"inf vs large", tensor.FromSlice([]float64{inf}), tensor.FromSlice([]float64{1e308}), false, false, false},
		{"inf sign", tensor.FromSlice([]float64{inf}), tensor.FromSlice([]float64{-inf}), false, false, false},
		{"int64", tensor.FromSlice([]int64{1 << 62, 3}), tensor.FromSlice([]int64{1<<62 + 1, 3}), false, true, true},
		{"int64 same", tensor.FromSlice([]int64{1 << 62, 3}), tensor.FromSlice([]int64{1 << 62, 3}), true, true, true},
		{"empty", tensor.Zeros(tensor.Float32, 0, 3), tensor.Zeros(tensor.Float32, 0, 3), true, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := tensor.Equal(c.x, c.y); got != c.equal {
				t.Errorf("Equal = %v, want %v", got, c.equal)
			}
			if got := tensor.AllClose(c.x, c.y, 1e-5, 1e-8); got != c.close {
				t.Errorf("AllClose(1e-5, 1e-8) = %v, want %v", got, c.close)
			}
			if got := tensor.AllClose(c.x, c.y, 0.1, 0); got != c.closeLoss {
				t.Errorf("AllClose(0.1, 0) = %v, want %v", got, c.closeLoss)
			}
		})
	}
	// The tolerance is relative to the second argument, as torch.allclose.
	x, y := tensor.FromSlice([]float64{1.1}), tensor.FromSlice([]float64{1})
	if tensor.AllClose(x, y, 0.099, 0) || !tensor.AllClose(x, y, 0.101, 0) || !tensor.AllClose(y, x, 0.091, 0) {
		t.Error("AllClose does not measure relative to its second argument")
	}
	if !tensor.AllClose(tensor.FromSlice([]float64{0}), tensor.FromSlice([]float64{1e-9}), 0, 1e-8) {
		t.Error("AllClose ignores atol")
	}
}

func TestCommonErrors(t *testing.T) {
	cases := []struct {
		name, want string
		f          func()
	}{
		{"matmul inner sizes", "tensor.MatMul: inner sizes differ: 3 columns vs 4 rows (shapes [2 3], [4 5])",
			func() { tensor.Zeros(tensor.Float32, 2, 3).MatMul(tensor.Zeros(tensor.Float32, 4, 5)) }},
		{"broadcast", "tensor.Add: shapes cannot be broadcast together: size 3 vs 4 at dimension 1 (shapes [2 3], [4])",
			func() { tensor.Zeros(tensor.Float32, 2, 3).Add(tensor.Zeros(tensor.Float32, 4)) }},
		{"dtype", "tensor.Mul: dtypes differ: float32 and float64 (shapes [2], [2])",
			func() { tensor.Zeros(tensor.Float32, 2).Mul(tensor.Zeros(tensor.Float64, 2)) }},
		{"backward of non-scalar", "tensor.Backward: backward of a non-scalar output needs an output gradient (WithGrad) (shapes [2 3])",
			func() {
				x := tensor.Zeros(tensor.Float32, 2, 3).SetRequiresGrad(true)
				x.MulScalar(2).Backward()
			}},
		{"backward without grad", "tensor.Backward: tensor does not require a gradient (no input was marked with SetRequiresGrad, or it was computed from a NoGrad tensor) (shapes [])",
			func() { tensor.Zeros(tensor.Float32, 2).Sum().Backward() }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { mustPanic(t, c.want, c.f) })
	}
}

func TestTry(t *testing.T) {
	err := tensor.Try(func() { tensor.Zeros(tensor.Float32, 2).Reshape(3) })
	var te *tensor.Error
	if !errors.As(err, &te) {
		t.Fatalf("Try returned %T (%v), want *tensor.Error", err, err)
	}
	if te.Op != "Reshape" || !slices.Equal(te.Shapes[0], []int{2}) || !slices.Equal(te.Shapes[1], []int{3}) || te.Msg != "shape needs 3 elements, tensor has 2" {
		t.Errorf("error fields: %+v", *te)
	}
	if err.Error() != "tensor.Reshape: shape needs 3 elements, tensor has 2 (shapes [2], [3])" {
		t.Errorf("Error() = %q", err.Error())
	}
	if err := tensor.Try(func() { tensor.Zeros(tensor.Float32, 2).Reshape(2, 1) }); err != nil {
		t.Errorf("Try of a function that does not panic returned %v", err)
	}
	// An error without shapes prints none.
	if s := (&tensor.Error{Op: "X", Msg: "bad"}).Error(); s != "tensor.X: bad" {
		t.Errorf("Error() without shapes = %q", s)
	}
	// Other panics pass through unchanged.
	for _, v := range []any{"plain string", errors.New("an error"), 42} {
		got := func() (r any) {
			defer func() { r = recover() }()
			tensor.Try(func() { panic(v) })
			return nil
		}()
		if got != v {
			t.Errorf("Try re-panicked with %v, want %v", got, v)
		}
	}
}
