package nn_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

// channelStats returns, per channel of x ([N, C, *]), the mean, the biased
// and the unbiased variance, and the count, by plain loops.
func channelStats(x *tensor.Tensor) (mean, bvar, uvar []float64, n int) {
	shape := x.Shape()
	c := shape[1]
	inner := 1
	for _, d := range shape[2:] {
		inner *= d
	}
	v := x.Float64s()
	n = shape[0] * inner
	mean, bvar, uvar = make([]float64, c), make([]float64, c), make([]float64, c)
	at := func(i, ch, j int) float64 { return v[(i*c+ch)*inner+j] }
	for ch := 0; ch < c; ch++ {
		for i := 0; i < shape[0]; i++ {
			for j := 0; j < inner; j++ {
				mean[ch] += at(i, ch, j)
			}
		}
		mean[ch] /= float64(n)
		for i := 0; i < shape[0]; i++ {
			for j := 0; j < inner; j++ {
				d := at(i, ch, j) - mean[ch]
				bvar[ch] += d * d
			}
		}
		uvar[ch] = bvar[ch] / float64(n-1)
		bvar[ch] /= float64(n)
	}
	return mean, bvar, uvar, n
}

// applyChannels returns (x − m[c]) / √(v[c] + eps) · w[c] + b[c] by loops.
func applyChannels(x *tensor.Tensor, m, v, w, b []float64, eps float64) []float64 {
	shape := x.Shape()
	c := shape[1]
	inner := x.Numel() / (shape[0] * c)
	out := x.Float64s()
	for i := range out {
		ch := (i / inner) % c
		out[i] = (out[i]-m[ch])/math.Sqrt(v[ch]+eps)*w[ch] + b[ch]
	}
	return out
}

func closeSlices(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol*(1+math.Abs(b[i])) {
			return false
		}
	}
	return true
}

func TestBatchNormTrainEval(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name  string
		bn    *nn.BatchNorm
		shape []int
	}{
		{"1d [N C]", nn.NewBatchNorm1d(3), []int{5, 3}},
		{"1d [N C L]", nn.NewBatchNorm1d(3), []int{4, 3, 6}},
		{"2d", nn.NewBatchNorm2d(2), []int{3, 2, 4, 5}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := c.bn
			nn.ToDType(b, tensor.Float64)
			ch := c.shape[1]
			w := tensor.Uniform(r, tensor.Float64, 0.5, 2, ch)
			bias := tensor.Uniform(r, tensor.Float64, -1, 1, ch)
			b.Weight.CopyFrom(w)
			b.Bias.CopyFrom(bias)
			rm, rv := make([]float64, ch), slices.Repeat([]float64{1}, ch)
			for step := 1; step <= 3; step++ {
				x := tensor.Uniform(r, tensor.Float64, -3, 5, c.shape...)
				y := b.Forward(x)
				mean, bvar, uvar, _ := channelStats(x)
				want := applyChannels(x, mean, bvar, w.Float64s(), bias.Float64s(), b.Eps)
				if !closeSlices(y.Float64s(), want, 1e-12) {
					t.Fatalf("step %d: training output differs from the batch-statistics reference", step)
				}
				for i := range rm {
					rm[i] = 0.9*rm[i] + 0.1*mean[i]
					rv[i] = 0.9*rv[i] + 0.1*uvar[i]
				}
				if !closeSlices(b.RunningMean.Float64s(), rm, 1e-12) || !closeSlices(b.RunningVar.Float64s(), rv, 1e-12) {
					t.Fatalf("step %d: running stats %v %v, want %v %v", step, b.RunningMean, b.RunningVar, rm, rv)
				}
				if got := b.NumBatchesTracked.Item(); got != float64(step) {
					t.Fatalf("num_batches_tracked %v, want %d", got, step)
				}
			}
			nn.SetTraining(b, false)
			x := tensor.Uniform(r, tensor.Float64, -3, 5, c.shape...)
			y := b.Forward(x.NoGrad())
			want := applyChannels(x, rm, rv, w.Float64s(), bias.Float64s(), b.Eps)
			if !closeSlices(y.Float64s(), want, 1e-12) {
				t.Error("evaluation output does not use the running statistics")
			}
			if y.RequiresGrad() {
				t.Error("inference from a NoGrad input recorded a graph")
			}
			if !closeSlices(b.RunningMean.Float64s(), rm, 1e-12) || b.NumBatchesTracked.Item() != 3 {
				t.Error("evaluation mode changed the running statistics")
			}
		})
	}
}

func TestBatchNormOptions(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	// Cumulative average (momentum=None): the running mean is the plain
	// average of the batch means.
	b := nn.NewBatchNorm1d(2)
	b.CumulativeAverage = true
	avg := make([]float64, 2)
	for k := 1; k <= 4; k++ {
		x := tensor.Uniform(r, tensor.Float32, -1, 3, 6, 2)
		b.Forward(x)
		mean, _, _, _ := channelStats(x)
		for i := range avg {
			avg[i] += (mean[i] - avg[i]) / float64(k)
		}
	}
	if !closeSlices(b.RunningMean.Float64s(), avg, 1e-6) {
		t.Errorf("cumulative running mean %v, want %v", b.RunningMean, avg)
	}

	// Without running statistics the batch statistics serve in both modes
	// and there are no buffers.
	b = nn.NewBatchNorm2d(3).NoRunningStats().NoAffine()
	if b.TrackRunningStats() || b.Affine() || len(nn.StateDict(b)) != 0 {
		t.Fatalf("NoRunningStats/NoAffine left state %v", names(nn.StateDict(b)))
	}
	nn.SetTraining(b, false)
	x := tensor.Uniform(r, tensor.Float64, -1, 1, 2, 3, 2, 2)
	mean, bvar, _, _ := channelStats(x)
	ones, zeros := []float64{1, 1, 1}, []float64{0, 0, 0}
	if !closeSlices(b.Forward(x).Float64s(), applyChannels(x, mean, bvar, ones, zeros, 1e-5), 1e-12) {
		t.Error("evaluation without running statistics does not use the batch statistics")
	}

	want := []string{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}
	sd := nn.StateDict(nn.NewBatchNorm2d(4))
	if got := names(sd); !slices.Equal(got, want) {
		t.Errorf("state dict keys %v, want %v", got, want)
	}
	if nbt := sd[4].Tensor; nbt.DType() != tensor.Int64 || nbt.Dim() != 0 {
		t.Errorf("num_batches_tracked is %v %v-d, want a 0-d int64", nbt.DType(), nbt.Dim())
	}

	for name, f := range map[string]func(){
		"one value per channel": func() { nn.NewBatchNorm1d(2).Forward(tensor.Ones(tensor.Float32, 1, 2)) },
		"1d given 4-d":          func() { nn.NewBatchNorm1d(2).Forward(tensor.Ones(tensor.Float32, 2, 2, 2, 2)) },
		"2d given 3-d":          func() { nn.NewBatchNorm2d(2).Forward(tensor.Ones(tensor.Float32, 2, 2, 2)) },
		"wrong channels":        func() { nn.NewBatchNorm2d(3).Forward(tensor.Ones(tensor.Float32, 2, 2, 2, 2)) },
		"zero features":         func() { nn.NewBatchNorm2d(0) },
	} {
		if err := tensor.Try(f); err == nil {
			t.Errorf("%s: no panic", name)
		}
	}
	// One value per channel is fine in evaluation mode.
	e := nn.NewBatchNorm1d(2)
	nn.SetTraining(e, false)
	if err := tensor.Try(func() { e.Forward(tensor.Ones(tensor.Float32, 1, 2)) }); err != nil {
		t.Errorf("evaluation with one sample: %v", err)
	}
}

func TestBatchNormGrad(t *testing.T) {
	cases := []struct {
		name  string
		mk    func() *nn.BatchNorm
		shape []int
		train bool
	}{
		{"1d [N C] train", func() *nn.BatchNorm { return nn.NewBatchNorm1d(3) }, []int{4, 3}, true},
		{"1d [N C L] train", func() *nn.BatchNorm { return nn.NewBatchNorm1d(2) }, []int{3, 2, 4}, true},
		{"2d train", func() *nn.BatchNorm { return nn.NewBatchNorm2d(2) }, []int{2, 2, 3, 3}, true},
		{"2d train no affine", func() *nn.BatchNorm { return nn.NewBatchNorm2d(2).NoAffine() }, []int{2, 2, 2, 3}, true},
		{"2d eval", func() *nn.BatchNorm { return nn.NewBatchNorm2d(2) }, []int{2, 2, 3, 3}, false},
		{"1d eval no running stats", func() *nn.BatchNorm { return nn.NewBatchNorm1d(3).NoRunningStats() }, []int{5, 3}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(5, 6))
			b := c.mk()
			nn.ToDType(b, tensor.Float64)
			if b.Affine() {
				nn.Uniform(r, b.Weight, 0.5, 1.5)
				nn.Uniform(r, b.Bias, -1, 1)
			}
			if b.TrackRunningStats() {
				nn.Uniform(r, b.RunningMean, -1, 1)
				nn.Uniform(r, b.RunningVar, 0.5, 2)
			}
			nn.SetTraining(b, c.train)
			checkModuleGrad(t, b, tensor.Uniform(r, tensor.Float64, -2, 2, c.shape...), nil)
		})
	}
}
