package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestSoftmaxCrossEntropyGrad(t *testing.T) {
	t2 := tensor.FromSlice([]int64{2, 0, 3}, 3)             // for logits [3 4]
	t3 := tensor.FromSlice([]int64{1, 0, 2, 2, 0, 1}, 2, 3) // for logits [2 3 3]
	ce := func(target *tensor.Tensor) func(x []*tensor.Tensor) *tensor.Tensor {
		return func(x []*tensor.Tensor) *tensor.Tensor { return tensor.SoftmaxCrossEntropy(x[0], target) }
	}
	mk2 := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 3, 4)) }
	mk3 := func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 2, 3, 3)) }
	runGradCases(t, []gradCase{
		{"2-D", mk2, ce(t2), nil},
		{"K-dim", mk3, ce(t3), nil},
		{"1-D", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 5)) }, ce(tensor.Scalar(3, tensor.Int64)), nil},
		{"transposed logits", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 4, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.SoftmaxCrossEntropy(x[0].T(), t2) }, nil},
		{"sliced logits and target", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 6, 5)) },
			func(x []*tensor.Tensor) *tensor.Tensor {
				return tensor.SoftmaxCrossEntropy(x[0].Slice(0, 0, 6, 2).Narrow(1, 1, 4), t3.Reshape(-1).Slice(0, 0, 6, 2))
			}, nil},
		{"broadcast logits", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 1, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.SoftmaxCrossEntropy(x[0].Expand(3, 4), t2) }, nil},
		{"used twice", mk2, func(x []*tensor.Tensor) *tensor.Tensor {
			return tensor.SoftmaxCrossEntropy(x[0], t2).Mul(x[0].Sum(1))
		}, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -2, 2, 3, 4), constIn(r, -2, 2, 3, 4)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return tensor.SoftmaxCrossEntropy(x[0].Mul(x[1]), t2) }, nil},
		{"large logits", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -500, 500, 3, 4)) }, ce(t2), nil},
	})
	runSecondCases(t, []gradCase{
		{"2-D", mk2, ce(t2), nil},
		{"K-dim", mk3, ce(t3), nil},
		{"times input", mk2, func(x []*tensor.Tensor) *tensor.Tensor {
			return tensor.SoftmaxCrossEntropy(x[0], t2).Mul(x[0].Narrow(1, 0, 1).Squeeze(1))
		}, nil},
	})
}

func TestSoftmaxCrossEntropyValues(t *testing.T) {
	// softmax([0, ln 3]) = [1/4, 3/4]: the losses are ln 4 and ln 4/3.
	l3 := math.Log(3)
	cases := []struct {
		name   string
		logits *tensor.Tensor
		target *tensor.Tensor
		want   []float64
	}{
		{"rows", tensor.FromSlice([]float64{0, l3, 0, l3}, 2, 2), tensor.FromSlice([]int64{0, 1}, 2), []float64{math.Log(4), math.Log(4.0 / 3)}},
		{"1-D", tensor.FromSlice([]float64{l3, 0}), tensor.Scalar(1, tensor.Int64), []float64{math.Log(4)}},
		{"float32", tensor.FromSlice([]float32{0, float32(l3)}, 1, 2), tensor.FromSlice([]int64{1}, 1), []float64{math.Log(4.0 / 3)}},
		// Large logits: the shifted form keeps them finite.
		{"large", tensor.FromSlice([]float64{1000, -1000, 1000, 1000}, 2, 2), tensor.FromSlice([]int64{1, 0}, 2), []float64{2000, math.Log(2)}},
		{"equal logits", tensor.Zeros(tensor.Float64, 1, 5), tensor.FromSlice([]int64{4}, 1), []float64{math.Log(5)}},
		{"no positions", tensor.Zeros(tensor.Float64, 0, 3), tensor.Zeros(tensor.Int64, 0), nil},
	}
	for _, c := range cases {
		got := tensor.SoftmaxCrossEntropy(c.logits, c.target).Float64s()
		if len(got) != len(c.want) {
			t.Fatalf("%s: %d values, want %d", c.name, len(got), len(c.want))
		}
		for i := range got {
			if !closeTo(got[i], c.want[i], 1e-6) {
				t.Errorf("%s: element %d = %v, want %v", c.name, i, got[i], c.want[i])
			}
		}
	}
}

// TestSoftmaxCrossEntropyReference compares a K-dimensional case on a
// permuted input with −LogSoftmax gathered at the targets, values and
// gradients.
func TestSoftmaxCrossEntropyReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	x := tensor.Randn(r, tensor.Float64, 4, 2, 3, 5).MulScalar(3).Permute(1, 3, 0, 2).Contiguous().SetRequiresGrad(true) // [2 5 4 3]
	target := tensor.RandInt(r, 0, 5, 2, 4, 3)
	w := tensor.Randn(r, tensor.Float64, 2, 4, 3)
	got := tensor.SoftmaxCrossEntropy(x, target)
	got.Mul(w).Sum().Backward()
	g1 := x.Grad()
	x.ZeroGrad()
	want := x.LogSoftmax(1).Gather(1, target.Unsqueeze(1)).Squeeze(1).Neg()
	want.Mul(w).Sum().Backward()
	if !tensor.AllClose(got, want, 1e-12, 1e-12) {
		t.Errorf("values\n%v\nwant\n%v", got, want)
	}
	if !tensor.AllClose(g1, x.Grad(), 1e-12, 1e-12) {
		t.Errorf("gradient\n%v\nwant\n%v", g1, x.Grad())
	}
	// Gradient pinned by hand: softmax([0, ln 3]) − onehot(1) = [1/4, −1/4].
	y := tensor.FromSlice([]float64{0, math.Log(3)}, 1, 2).SetRequiresGrad(true)
	tensor.SoftmaxCrossEntropy(y, tensor.FromSlice([]int64{1}, 1)).Sum().Backward()
	if !tensor.AllClose(y.Grad(), tensor.FromSlice([]float64{0.25, -0.25}, 1, 2), 1e-15, 1e-15) {
		t.Errorf("gradient %v, want [[0.25 -0.25]]", y.Grad())
	}
}

func TestSoftmaxCrossEntropyNoGrad(t *testing.T) {
	x := tensor.Ones(tensor.Float32, 2, 3).SetRequiresGrad(true)
	y := tensor.SoftmaxCrossEntropy(x.NoGrad(), tensor.FromSlice([]int64{0, 2}, 2))
	if y.RequiresGrad() || !y.IsNoGrad() {
		t.Errorf("from a NoGrad input: requires grad %v, NoGrad %v", y.RequiresGrad(), y.IsNoGrad())
	}
}

func TestSoftmaxCrossEntropyErrors(t *testing.T) {
	x := tensor.Zeros(tensor.Float64, 2, 3)
	mustPanic(t, "tensor.SoftmaxCrossEntropy: target must have shape [2]: the logits' shape without the class dimension 1 (shapes [2 3], [3])", func() {
		tensor.SoftmaxCrossEntropy(x, tensor.Zeros(tensor.Int64, 3))
	})
	mustPanic(t, "tensor.SoftmaxCrossEntropy: target must hold int64 class indices, not float64 (shapes [2 3], [2])", func() {
		tensor.SoftmaxCrossEntropy(x, tensor.Zeros(tensor.Float64, 2))
	})
	mustPanic(t, "tensor.SoftmaxCrossEntropy: logits must be floating-point, not int64 (shapes [2 3], [2])", func() {
		tensor.SoftmaxCrossEntropy(tensor.Zeros(tensor.Int64, 2, 3), tensor.Zeros(tensor.Int64, 2))
	})
	mustPanic(t, "tensor.SoftmaxCrossEntropy: target 3 out of range for 3 classes (shapes [2 3], [2])", func() {
		tensor.SoftmaxCrossEntropy(x, tensor.FromSlice([]int64{0, 3}, 2))
	})
	mustPanic(t, "tensor.SoftmaxCrossEntropy: target -1 out of range for 3 classes (shapes [2 3], [2])", func() {
		tensor.SoftmaxCrossEntropy(x, tensor.FromSlice([]int64{-1, 0}, 2))
	})
	mustPanic(t, "tensor.SoftmaxCrossEntropy: logits need a class dimension (shapes [], [])", func() {
		tensor.SoftmaxCrossEntropy(tensor.Scalar(1, tensor.Float64), tensor.Scalar(0, tensor.Int64))
	})
}
