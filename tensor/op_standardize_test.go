package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestStandardizeGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 2, 3, 4)) }
	std := func(eps float64, axes ...int) func(x []*tensor.Tensor) *tensor.Tensor {
		return func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Standardize(eps, axes...) }
	}
	runGradCases(t, []gradCase{
		{"last axis", mk, std(1e-5, -1), nil},
		{"batch-norm axes", mk, std(1e-3, 0, 2), nil},
		{"middle axis", mk, std(0.1, 1), nil},
		{"all axes", mk, std(1e-5), nil},
		{"permuted", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(2, 0, 1).Standardize(1e-5, 0, 2) }, nil},
		{"sliced", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(2, 0, 4, 2).Standardize(1e-5, 0) }, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3, 1, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 2, 4).Standardize(1e-5, 0, 1) }, nil},
		{"used twice", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Standardize(1e-5, 1).Mul(x[0]) }, nil},
		{"weighted output", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3, 4), in(r, -1, 1, 3, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Standardize(1e-5, 0, 2).Mul(x[1]) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 4), constIn(r, -1, 1, 3, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1].Standardize(1e-5, 1)) }, nil},
	})
	runSecondCases(t, []gradCase{
		{"last axis", mk, std(1e-5, -1), nil},
		{"batch-norm axes", mk, std(1e-3, 0, 2), nil},
		{"times x", mk, func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Standardize(1e-5, 1).Mul(x[0]) }, nil},
	})
}

// standardizeRef standardizes the rows of a row-major [rows, n] slice by
// the defining two-pass loop.
func standardizeRef(x []float64, n int, eps float64) (y, mean, variance []float64) {
	y = make([]float64, len(x))
	for r := 0; r < len(x)/n; r++ {
		row := x[r*n : (r+1)*n]
		m, v := 0.0, 0.0
		for _, a := range row {
			m += a
		}
		m /= float64(n)
		for _, a := range row {
			v += (a - m) * (a - m)
		}
		v /= float64(n)
		for i, a := range row {
			y[r*n+i] = (a - m) / math.Sqrt(v+eps)
		}
		mean, variance = append(mean, m), append(variance, v)
	}
	return y, mean, variance
}

func TestStandardizeValues(t *testing.T) {
	// Hand-computed: [1 2 3 4] has mean 2.5 and variance 1.25.
	x := tensor.FromSlice([]float64{1, 2, 3, 4})
	s := 1 / math.Sqrt(1.25)
	want := []float64{-1.5 * s, -0.5 * s, 0.5 * s, 1.5 * s}
	y, mean, variance := x.StandardizeStats(0)
	for i, v := range y.Float64s() {
		if math.Abs(v-want[i]) > 1e-15 {
			t.Errorf("Standardize([1 2 3 4])[%d] = %v, want %v", i, v, want[i])
		}
	}
	if mean.Item() != 2.5 || variance.Item() != 1.25 || mean.Dim() != 1 || mean.RequiresGrad() {
		t.Errorf("stats %v %v, want 2.5 and 1.25 of shape [1]", mean, variance)
	}

	r := rand.New(rand.NewPCG(5, 6))
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		// Axes 0 and 2 of [N, C, L]: move C first and compare row by row.
		x := tensor.Uniform(r, tensor.Float64, -3, 7, 4, 3, 5).To(dt)
		y, mean, variance := x.StandardizeStats(1e-3, 0, 2)
		rows := x.Permute(1, 0, 2).Contiguous().Float64s()
		wy, wm, wv := standardizeRef(rows, 20, 1e-3)
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = 1e-6
		}
		gy := y.Permute(1, 0, 2).Contiguous().Float64s()
		for i := range wy {
			if math.Abs(gy[i]-wy[i]) > tol {
				t.Fatalf("%v: element %d = %v, want %v", dt, i, gy[i], wy[i])
			}
		}
		if got := mean.Shape(); len(got) != 3 || got[0] != 1 || got[1] != 3 || got[2] != 1 || mean.DType() != dt {
			t.Errorf("%v: mean has shape %v and dtype %v", dt, got, mean.DType())
		}
		for i := range wm {
			if math.Abs(mean.Float64s()[i]-wm[i]) > tol*10 || math.Abs(variance.Float64s()[i]-wv[i]) > tol*100 {
				t.Errorf("%v: channel %d stats %v %v, want %v %v", dt, i, mean.Float64s()[i], variance.Float64s()[i], wm[i], wv[i])
			}
		}
	}

	// A constant group with eps 0 gives NaN (0/0), as PyTorch does.
	if v := tensor.Full(tensor.Float64, 3, 4).Standardize(0).Float64s()[0]; !math.IsNaN(v) {
		t.Errorf("constant group with eps 0: %v, want NaN", v)
	}
	// Large offsets: the two-pass statistics keep float32 accurate.
	big := tensor.FromSlice([]float32{1e4 + 1, 1e4 + 2, 1e4 + 3, 1e4 + 4})
	for i, v := range big.Standardize(0).Float64s() {
		if math.Abs(v-want[i]) > 1e-6 {
			t.Errorf("offset input: element %d = %v, want %v", i, v, want[i])
		}
	}
}

func TestStandardizeFusedMatchesRecordedBackward(t *testing.T) {
	// The fused backward (plain pass) and the recorded one (CreateGraph)
	// give the same gradient.
	r := rand.New(rand.NewPCG(7, 8))
	x := in(r, -2, 2, 3, 4, 5)
	w := constIn(r, -1, 1, 3, 4, 5)
	plain := tensor.Gradients(x.Standardize(1e-5, 0, 2).Mul(w).Sum(), inputs(x))[0]
	recorded := tensor.Gradients(x.Standardize(1e-5, 0, 2).Mul(w).Sum(), inputs(x), tensor.CreateGraph())[0]
	if !tensor.AllClose(plain, recorded, 1e-12, 1e-12) {
		t.Errorf("fused gradient %v, recorded %v", plain, recorded)
	}
	if plain.RequiresGrad() || !recorded.RequiresGrad() {
		t.Error("only the CreateGraph gradient should be recorded")
	}
}

func TestStandardizeErrors(t *testing.T) {
	x := tensor.Zeros(tensor.Float64, 2, 3)
	mustPanic(t, "tensor.Standardize: needs a floating-point tensor, got int64 (shapes [2])", func() {
		tensor.Zeros(tensor.Int64, 2).Standardize(1e-5)
	})
	mustPanic(t, "tensor.Standardize: axis 2 out of range for 2 dimensions (shapes [2 3])", func() { x.Standardize(1e-5, 2) })
	mustPanic(t, "tensor.StandardizeStats: eps must be non-negative, got -1 (shapes [2 3])", func() { x.StandardizeStats(-1, 1) })
}
