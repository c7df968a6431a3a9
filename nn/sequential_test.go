package nn_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

func TestSequential(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	a, b := nn.NewLinear(r, 3, 4, true), nn.NewLinear(r, 4, 2, true)
	s := nn.NewSequential(a)
	if s.Append(nn.Identity{}, b) != s || s.Len() != 3 || s.At(-1) != b || s.At(0) != a {
		t.Fatal("Append, Len or At wrong")
	}
	x := tensor.Uniform(r, tensor.Float32, -1, 1, 5, 3)
	if got, want := s.Forward(x), b.Forward(a.Forward(x)); !tensor.Equal(got, want) {
		t.Errorf("Forward = %v, want %v", got, want)
	}
	if got := nn.NewSequential().Forward(x); got != x {
		t.Error("an empty Sequential is not the identity")
	}
	checkModuleGrad(t, s, x, nil)
}

func TestIdentityAndFlatten(t *testing.T) {
	x := tensor.Arange(tensor.Float32, 0, 24, 1).Reshape(2, 3, 2, 2)
	if (nn.Identity{}).Forward(x) != x {
		t.Error("Identity changed its input")
	}
	cases := []struct {
		f    *nn.Flatten
		want []int
	}{
		{nn.NewFlatten(), []int{2, 12}},
		{&nn.Flatten{Start: 0, End: -1}, []int{24}},
		{&nn.Flatten{Start: 1, End: 2}, []int{2, 6, 2}},
		{&nn.Flatten{Start: -2, End: -1}, []int{2, 3, 4}},
	}
	for _, c := range cases {
		y := c.f.Forward(x)
		if !slices.Equal(y.Shape(), c.want) || !slices.Equal(y.Float32s(), x.Float32s()) {
			t.Errorf("Flatten{%d, %d}: shape %v, want %v", c.f.Start, c.f.End, y.Shape(), c.want)
		}
	}
	// Non-contiguous input: the elements follow the logical order.
	xt := x.Permute(0, 2, 3, 1)
	if got, want := nn.NewFlatten().Forward(xt).Float32s(), xt.Contiguous().Float32s(); !slices.Equal(got, want) {
		t.Errorf("Flatten of a permuted input = %v, want %v", got, want)
	}
	r := rand.New(rand.NewPCG(1, 1))
	checkModuleGrad(t, nn.NewFlatten(), tensor.Uniform(r, tensor.Float64, -1, 1, 2, 3, 2).Permute(0, 2, 1), nil)
	if err := tensor.Try(func() { (&nn.Flatten{Start: 2, End: 1}).Forward(x) }); err == nil {
		t.Error("start after end did not panic")
	}
}

// makeMoons returns n points of two interleaving half circles with
// Gaussian noise of standard deviation noise, and their labels (0 for the
// upper moon, 1 for the lower), as sklearn.datasets.make_moons.
func makeMoons(r *rand.Rand, n int, noise float64) (*tensor.Tensor, *tensor.Tensor) {
	nOut := n / 2
	nIn := n - nOut
	xy := make([]float32, 0, 2*n)
	labels := make([]int64, 0, n)
	step := func(i, m int) float64 {
		if m == 1 {
			return 0
		}
		return math.Pi * float64(i) / float64(m-1)
	}
	for i := 0; i < nOut; i++ {
		a := step(i, nOut)
		xy = append(xy, float32(math.Cos(a)+noise*r.NormFloat64()), float32(math.Sin(a)+noise*r.NormFloat64()))
		labels = append(labels, 0)
	}
	for i := 0; i < nIn; i++ {
		a := step(i, nIn)
		xy = append(xy, float32(1-math.Cos(a)+noise*r.NormFloat64()), float32(1-math.Sin(a)-0.5+noise*r.NormFloat64()))
		labels = append(labels, 1)
	}
	return tensor.FromSlice(xy, n, 2), tensor.FromSlice(labels, n)
}

// accuracy returns the fraction of rows of logits whose largest entry is
// at the label.
func accuracy(logits, labels *tensor.Tensor) float64 {
	pred := logits.ArgMax(1).Int64s()
	ok := 0
	for i, l := range labels.Int64s() {
		if pred[i] == l {
			ok++
		}
	}
	return float64(ok) / float64(len(pred))
}

func TestMLPLearnsTwoMoons(t *testing.T) {
	r := rand.New(rand.NewPCG(2024, 6))
	x, y := makeMoons(r, 256, 0.1)
	testX, testY := makeMoons(r, 1000, 0.1)
	model := nn.NewSequential(
		nn.NewLinear(r, 2, 32, true), nn.Tanh{},
		nn.NewLinear(r, 32, 32, true), nn.Tanh{},
		nn.NewLinear(r, 32, 2, true),
	)
	target := tensor.OneHot(y, 2).To(tensor.Float32)
	n := float64(x.Size(0))
	params := nn.Parameters(model)
	const lr = 0.5
	var loss float64
	for step := 0; step < 600; step++ {
		// Mean cross-entropy: −Σ onehot · log softmax(logits) / n.
		l := model.Forward(x).LogSoftmax(1).Mul(target).Sum().MulScalar(-1 / n)
		nn.ZeroGrad(model)
		l.Backward()
		loss = l.Item()
		for _, p := range params {
			w, g := p.RawFloat32(), p.Grad().RawFloat32()
			for i := range w {
				w[i] -= lr * g[i]
			}
		}
	}
	trainAcc := accuracy(model.Forward(x.NoGrad()), y)
	testAcc := accuracy(model.Forward(testX.NoGrad()), testY)
	t.Logf("loss %.4f, train accuracy %.3f, test accuracy %.3f", loss, trainAcc, testAcc)
	if testAcc < 0.97 || trainAcc < 0.97 {
		t.Errorf("accuracy train %.3f, test %.3f, want ≥ 0.97", trainAcc, testAcc)
	}
}
