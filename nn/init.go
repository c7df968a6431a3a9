package nn

import (
	"math"
	"math/rand/v2"

	"github.com/backprop-go/backprop/tensor"
)

// This file holds weight initialization, after torch.nn.init. Every
// function fills its Float32 or Float64 tensor in place, without recording,
// drawing one value per element in row-major order from the given source.

// Gain returns the recommended gain for a nonlinearity, as
// torch.nn.init.calculate_gain: 1 for "linear", "identity", "sigmoid" and
// the convolutions ("conv1d", "conv2d", "conv3d", "conv_transpose1d",
// "conv_transpose2d", "conv_transpose3d"), 5/3 for "tanh", √2 for "relu",
// √(2/(1+slope²)) for "leaky_relu" with param as the negative slope (pass
// 0.01 for PyTorch's default), and 3/4 for "selu". It panics for any other
// name.
func Gain(nonlinearity string, param float64) float64 {
	switch nonlinearity {
	case "linear", "identity", "sigmoid",
		"conv1d", "conv2d", "conv3d",
		"conv_transpose1d", "conv_transpose2d", "conv_transpose3d":
		return 1
	case "tanh":
		return 5.0 / 3
	case "relu":
		return math.Sqrt2
	case "leaky_relu":
		return math.Sqrt(2 / (1 + param*param))
	case "selu":
		return 3.0 / 4
	}
	misuse("Gain", nil, "unsupported nonlinearity %q", nonlinearity)
	return 0
}

// FanInOut returns the fan-in and fan-out of a weight tensor with at least
// two dimensions, as PyTorch computes them: for a [out, in, k...] weight,
// fanIn = in·∏k and fanOut = out·∏k.
func FanInOut(t *tensor.Tensor) (fanIn, fanOut int) {
	if t.Dim() < 2 {
		misuse("FanInOut", [][]int{t.Shape()}, "fan in and fan out need at least 2 dimensions")
	}
	recept := 1
	for _, d := range t.Shape()[2:] {
		recept *= d
	}
	return t.Size(1) * recept, t.Size(0) * recept
}

// fill copies src into t without recording.
func fill(t, src *tensor.Tensor) {
	t.Detach().CopyFrom(src)
}

// mustFloat panics unless t is floating point.
func mustFloat(op string, t *tensor.Tensor) {
	if !t.DType().IsFloat() {
		misuse(op, [][]int{t.Shape()}, "needs a floating-point tensor, got %v", t.DType())
	}
}

// Uniform fills t with values drawn uniformly from [lo, hi).
func Uniform(r *rand.Rand, t *tensor.Tensor, lo, hi float64) {
	mustFloat("Uniform", t)
	fill(t, tensor.Uniform(r, t.DType(), lo, hi, t.Shape()...))
}

// Normal fills t with values drawn from the normal distribution with the
// given mean and standard deviation.
func Normal(r *rand.Rand, t *tensor.Tensor, mean, std float64) {
	mustFloat("Normal", t)
	src := tensor.Randn(r, tensor.Float64, t.Shape()...)
	raw := src.RawFloat64()
	for i := range raw {
		raw[i] = mean + std*raw[i]
	}
	fill(t, src.To(t.DType()))
}

// Constant fills t with v.
func Constant(t *tensor.Tensor, v float64) {
	mustFloat("Constant", t)
	fill(t, tensor.Scalar(v, t.DType()))
}

// XavierUniform fills t with Glorot's uniform initialization: values from
// U(−a, a) with a = gain·√(6/(fanIn+fanOut)).
func XavierUniform(r *rand.Rand, t *tensor.Tensor, gain float64) {
	fanIn, fanOut := FanInOut(t)
	std := gain * math.Sqrt(2/float64(fanIn+fanOut))
	a := math.Sqrt(3) * std
	Uniform(r, t, -a, a)
}

// XavierNormal fills t with Glorot's normal initialization: values from
// N(0, std²) with std = gain·√(2/(fanIn+fanOut)).
func XavierNormal(r *rand.Rand, t *tensor.Tensor, gain float64) {
	fanIn, fanOut := FanInOut(t)
	Normal(r, t, 0, gain*math.Sqrt(2/float64(fanIn+fanOut)))
}

// kaimingStd returns the standard deviation of He's initialization.
func kaimingStd(op string, t *tensor.Tensor, a float64, fanMode, nonlinearity string) float64 {
	fanIn, fanOut := FanInOut(t)
	var fan int
	switch fanMode {
	case "fan_in":
		fan = fanIn
	case "fan_out":
		fan = fanOut
	default:
		misuse(op, nil, "fan mode must be \"fan_in\" or \"fan_out\", got %q", fanMode)
	}
	if fan == 0 {
		return 0
	}
	return Gain(nonlinearity, a) / math.Sqrt(float64(fan))
}

// KaimingUniform fills t with He's uniform initialization, as
// torch.nn.init.kaiming_uniform_: values from U(−b, b) with
// b = gain·√(3/fan), where fan is the fan-in or fan-out (fanMode "fan_in"
// or "fan_out") and gain is Gain(nonlinearity, a); a is the negative
// slope of a following leaky ReLU (0 for ReLU).
//
// PyTorch's default initialization of Linear and Conv weights is
// KaimingUniform(r, w, math.Sqrt(5), "fan_in", "leaky_relu"), which gives
// b = 1/√fanIn.
func KaimingUniform(r *rand.Rand, t *tensor.Tensor, a float64, fanMode, nonlinearity string) {
	b := math.Sqrt(3) * kaimingStd("KaimingUniform", t, a, fanMode, nonlinearity)
	Uniform(r, t, -b, b)
}

// KaimingNormal fills t with He's normal initialization, as
// torch.nn.init.kaiming_normal_: values from N(0, std²) with
// std = gain/√fan; the arguments are those of KaimingUniform.
func KaimingNormal(r *rand.Rand, t *tensor.Tensor, a float64, fanMode, nonlinearity string) {
	Normal(r, t, 0, kaimingStd("KaimingNormal", t, a, fanMode, nonlinearity))
}
