package nn_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

func TestGain(t *testing.T) {
	// Values of torch.nn.init.calculate_gain.
	cases := []struct {
		name  string
		param float64
		want  float64
	}{
		{"linear", 0, 1},
		{"conv2d", 0, 1},
		{"conv_transpose1d", 0, 1},
		{"sigmoid", 0, 1},
		{"tanh", 0, 5.0 / 3},
		{"relu", 0, math.Sqrt(2)},
		{"leaky_relu", 0.01, math.Sqrt(2 / (1 + 0.01*0.01))},
		{"leaky_relu", math.Sqrt(5), math.Sqrt(1.0 / 3)},
		{"selu", 0, 0.75},
	}
	for _, c := range cases {
		if got := nn.Gain(c.name, c.param); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("Gain(%q, %v) = %v, want %v", c.name, c.param, got, c.want)
		}
	}
	if err := tensor.Try(func() { nn.Gain("swish", 0) }); err == nil {
		t.Error("Gain of an unknown nonlinearity did not panic")
	}
}

func TestFanInOut(t *testing.T) {
	cases := []struct {
		shape         []int
		fanIn, fanOut int
	}{
		{[]int{3, 4}, 4, 3},
		{[]int{8, 3, 5, 5}, 75, 200},
		{[]int{6, 2, 7}, 14, 42},
	}
	for _, c := range cases {
		fi, fo := nn.FanInOut(tensor.Zeros(tensor.Float32, c.shape...))
		if fi != c.fanIn || fo != c.fanOut {
			t.Errorf("FanInOut(%v) = %d, %d, want %d, %d", c.shape, fi, fo, c.fanIn, c.fanOut)
		}
	}
	if err := tensor.Try(func() { nn.FanInOut(tensor.Zeros(tensor.Float32, 5)) }); err == nil {
		t.Error("FanInOut of a 1-D tensor did not panic")
	}
}

// moments returns the mean, the standard deviation and the largest
// absolute value of the elements of t.
func moments(t *tensor.Tensor) (mean, std, maxAbs float64) {
	v := t.Float64s()
	for _, x := range v {
		mean += x
		maxAbs = max(maxAbs, math.Abs(x))
	}
	mean /= float64(len(v))
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(v))), maxAbs
}

func TestInitDistributions(t *testing.T) {
	// 256×512 weights: the sample standard deviation is within 1% of the
	// true one with overwhelming probability.
	const out, in = 256, 512
	uniformStd := func(b float64) float64 { return b / math.Sqrt(3) }
	cases := []struct {
		name  string
		init  func(r *rand.Rand, w *tensor.Tensor)
		std   float64
		bound float64 // 0 for unbounded distributions
	}{
		{"Uniform", func(r *rand.Rand, w *tensor.Tensor) { nn.Uniform(r, w, -0.3, 0.3) }, uniformStd(0.3), 0.3},
		{"Normal", func(r *rand.Rand, w *tensor.Tensor) { nn.Normal(r, w, 0, 0.7) }, 0.7, 0},
		{"XavierUniform", func(r *rand.Rand, w *tensor.Tensor) { nn.XavierUniform(r, w, 2) },
			2 * math.Sqrt(2.0/(in+out)), 2 * math.Sqrt(6.0/(in+out))},
		{"XavierNormal", func(r *rand.Rand, w *tensor.Tensor) { nn.XavierNormal(r, w, 1) }, math.Sqrt(2.0 / (in + out)), 0},
		{"KaimingUniform relu fan_in", func(r *rand.Rand, w *tensor.Tensor) { nn.KaimingUniform(r, w, 0, "fan_in", "relu") },
			math.Sqrt(2.0 / in), math.Sqrt(6.0 / in)},
		{"KaimingUniform Linear default", func(r *rand.Rand, w *tensor.Tensor) {
			nn.KaimingUniform(r, w, math.Sqrt(5), "fan_in", "leaky_relu")
		}, uniformStd(1 / math.Sqrt(in)), 1 / math.Sqrt(in)},
		{"KaimingNormal relu fan_out", func(r *rand.Rand, w *tensor.Tensor) { nn.KaimingNormal(r, w, 0, "fan_out", "relu") },
			math.Sqrt(2.0 / out), 0},
		{"KaimingNormal leaky fan_in", func(r *rand.Rand, w *tensor.Tensor) {
			nn.KaimingNormal(r, w, 0.2, "fan_in", "leaky_relu")
		}, math.Sqrt(2/(1+0.04)) / math.Sqrt(in), 0},
	}
	for _, c := range cases {
		for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				w := tensor.Zeros(dt, out, in)
				c.init(rand.New(rand.NewPCG(1, 2)), w)
				mean, std, maxAbs := moments(w)
				if math.Abs(mean) > 0.02*c.std {
					t.Errorf("mean %v, want 0", mean)
				}
				if math.Abs(std-c.std) > 0.01*c.std {
					t.Errorf("std %v, want %v", std, c.std)
				}
				if c.bound > 0 && (maxAbs > c.bound || maxAbs < 0.99*c.bound) {
					t.Errorf("largest |w| %v, want just below %v", maxAbs, c.bound)
				}
				again := tensor.Zeros(dt, out, in)
				c.init(rand.New(rand.NewPCG(1, 2)), again)
				if !tensor.Equal(w, again) {
					t.Error("the same seed gave different values")
				}
			})
		}
	}
}

func TestInitMisuse(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	w := tensor.Zeros(tensor.Float32, 3, 4)
	for name, f := range map[string]func(){
		"bad fan mode":   func() { nn.KaimingUniform(r, w, 0, "fan_avg", "relu") },
		"int tensor":     func() { nn.Uniform(r, tensor.Zeros(tensor.Int64, 3), 0, 1) },
		"1-d xavier":     func() { nn.XavierNormal(r, tensor.Zeros(tensor.Float32, 3), 1) },
		"unknown gain":   func() { nn.KaimingNormal(r, w, 0, "fan_in", "mish") },
		"int constant":   func() { nn.Constant(tensor.Zeros(tensor.Int64, 2), 1) },
		"int normal":     func() { nn.Normal(r, tensor.Zeros(tensor.Int64, 2), 0, 1) },
		"negative sizes": func() { nn.NewLinear(r, -1, 2, true) },
	} {
		if err := tensor.Try(f); err == nil {
			t.Errorf("%s: no panic", name)
		}
	}
}

func TestConstant(t *testing.T) {
	w := tensor.Zeros(tensor.Float64, 2, 3)
	nn.Constant(w, 0.25)
	if !slices.Equal(w.Float64s(), []float64{0.25, 0.25, 0.25, 0.25, 0.25, 0.25}) {
		t.Errorf("Constant: %v", w)
	}
	// A view: only its elements change.
	m := tensor.Zeros(tensor.Float32, 3, 2)
	nn.Constant(m.Narrow(0, 1, 1), 2)
	if !slices.Equal(m.Float32s(), []float32{0, 0, 2, 2, 0, 0}) {
		t.Errorf("Constant on a view: %v", m)
	}
}

func TestNewLinearInit(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	l := nn.NewLinear(r, 100, 300, true)
	if got := l.Weight.Shape(); !slices.Equal(got, []int{300, 100}) {
		t.Fatalf("weight shape %v", got)
	}
	if l.Weight.DType() != tensor.Float32 || !l.Weight.RequiresGrad() || !l.Bias.RequiresGrad() {
		t.Fatal("parameters must be float32 and require gradients")
	}
	// PyTorch: weight and bias ~ U(−1/√in, 1/√in).
	b := 1 / math.Sqrt(100)
	for _, p := range []*tensor.Tensor{l.Weight, l.Bias} {
		_, _, maxAbs := moments(p)
		if maxAbs > b {
			t.Errorf("|value| %v above the bound %v", maxAbs, b)
		}
	}
	_, std, maxAbs := moments(l.Weight)
	if math.Abs(std-b/math.Sqrt(3)) > 0.02*b || maxAbs < 0.99*b {
		t.Errorf("weight std %v, max %v: not U(±%v)", std, maxAbs, b)
	}
	if nl := nn.NewLinear(r, 3, 2, false); nl.Bias != nil || len(nn.StateDict(nl)) != 1 {
		t.Error("a Linear without bias lists a bias")
	}
}
