package loss_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// gradCase is one numerical gradient check of a loss.
type gradCase struct {
	name   string
	mk     func(r *rand.Rand) []*tensor.Tensor
	f      gradcheck.Func
	second bool // also check second derivatives
}

func runGradCases(t *testing.T, cases []gradCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			if err := gradcheck.Check(c.f, c.mk(r), nil); err != nil {
				t.Fatal(err)
			}
			if c.second {
				if err := gradcheck.CheckSecond(c.f, c.mk(r), nil); err != nil {
					t.Fatalf("second derivatives: %v", err)
				}
			}
		})
	}
}

// in returns a Float64 leaf requiring a gradient, uniform in [lo, hi).
func in(r *rand.Rand, lo, hi float64, shape ...int) *tensor.Tensor {
	return gradcheck.Input(r, lo, hi, shape...)
}

// constIn returns a Float64 tensor that requires no gradient.
func constIn(r *rand.Rand, lo, hi float64, shape ...int) *tensor.Tensor {
	return tensor.Uniform(r, tensor.Float64, lo, hi, shape...)
}

func pair(lo, hi float64, shape ...int) func(r *rand.Rand) []*tensor.Tensor {
	return func(r *rand.Rand) []*tensor.Tensor {
		return []*tensor.Tensor{in(r, lo, hi, shape...), in(r, lo, hi, shape...)}
	}
}

var reductions = []loss.Reduction{loss.Mean, loss.Sum, loss.None}

func TestElementwiseGrad(t *testing.T) {
	var cases []gradCase
	for _, red := range reductions {
		r := red
		cases = append(cases,
			gradCase{"MSE " + r.String(), pair(-2, 2, 3, 4), func(x []*tensor.Tensor) *tensor.Tensor { return loss.MSE(x[0], x[1], r) }, true},
			gradCase{"L1 " + r.String(), pair(-2, 2, 3, 4), func(x []*tensor.Tensor) *tensor.Tensor { return loss.L1(x[0], x[1], r) }, false},
			gradCase{"SmoothL1 " + r.String(), pair(-2, 2, 3, 4), func(x []*tensor.Tensor) *tensor.Tensor { return loss.SmoothL1(x[0], x[1], 1, r) }, false},
			gradCase{"Huber " + r.String(), pair(-2, 2, 3, 4), func(x []*tensor.Tensor) *tensor.Tensor { return loss.Huber(x[0], x[1], 0.5, r) }, false},
		)
	}
	cases = append(cases,
		gradCase{"SmoothL1 beta 0", pair(-2, 2, 3, 4), func(x []*tensor.Tensor) *tensor.Tensor { return loss.SmoothL1(x[0], x[1], 0, loss.Mean) }, false},
		gradCase{"SmoothL1 beta 3", pair(-2, 2, 3, 4), func(x []*tensor.Tensor) *tensor.Tensor { return loss.SmoothL1(x[0], x[1], 3, loss.Sum) }, false},
		gradCase{"Huber delta 2", pair(-2, 2, 3, 4), func(x []*tensor.Tensor) *tensor.Tensor { return loss.Huber(x[0], x[1], 2, loss.Mean) }, false},
		gradCase{"MSE constant target", func(r *rand.Rand) []*tensor.Tensor { return []*tensor.Tensor{in(r, -2, 2, 5), constIn(r, -2, 2, 5)} },
			func(x []*tensor.Tensor) *tensor.Tensor { return loss.MSE(x[0], x[1], loss.Mean) }, true},
		gradCase{"MSE transposed", pair(-2, 2, 3, 4), func(x []*tensor.Tensor) *tensor.Tensor { return loss.MSE(x[0].T(), x[1].T(), loss.Sum) }, true},
	)
	runGradCases(t, cases)
}

func TestCrossEntropyGrad(t *testing.T) {
	target := tensor.FromSlice([]int64{1, 0, 4, 2, 4, 3}, 6)
	ignored := tensor.FromSlice([]int64{1, -100, 4, 2, -100, 3}, 6)
	kTarget := tensor.FromSlice([]int64{0, 3, -1, 2, 1, 1, 2, -1, 3, 0, 0, 2}, 2, 3, 2)
	logits := func(shape ...int) func(r *rand.Rand) []*tensor.Tensor {
		return func(r *rand.Rand) []*tensor.Tensor { return []*tensor.Tensor{in(r, -3, 3, shape...)} }
	}
	withWeight := func(r *rand.Rand) []*tensor.Tensor {
		return []*tensor.Tensor{in(r, -3, 3, 6, 5), in(r, 0.2, 2, 5)}
	}
	withProbs := func(r *rand.Rand) []*tensor.Tensor {
		return []*tensor.Tensor{in(r, -3, 3, 4, 5), in(r, 0, 1, 4, 5)}
	}
	ce := func(tg *tensor.Tensor, opt loss.CrossEntropyOptions) gradcheck.Func {
		return func(x []*tensor.Tensor) *tensor.Tensor {
			o := opt
			if len(x) > 1 && tg != nil {
				o.Weight = x[1]
			}
			return loss.CrossEntropy(x[0], tg, o)
		}
	}
	var cases []gradCase
	for _, red := range reductions {
		cases = append(cases,
			gradCase{"indices " + red.String(), logits(6, 5), ce(target, loss.CrossEntropyOptions{Reduction: red}), true},
			gradCase{"weight " + red.String(), withWeight, ce(target, loss.CrossEntropyOptions{Reduction: red}), true},
			gradCase{"weight ignore smoothing " + red.String(), withWeight,
				ce(ignored, loss.CrossEntropyOptions{IgnoreIndex: new(-100), LabelSmoothing: 0.2, Reduction: red}), true},
			gradCase{"probabilities " + red.String(), withProbs,
				func(x []*tensor.Tensor) *tensor.Tensor {
					return loss.CrossEntropy(x[0], x[1], loss.CrossEntropyOptions{Reduction: red})
				}, true},
		)
	}
	cases = append(cases,
		gradCase{"ignore", logits(6, 5), ce(ignored, loss.CrossEntropyOptions{IgnoreIndex: new(-100)}), false},
		gradCase{"smoothing", logits(6, 5), ce(target, loss.CrossEntropyOptions{LabelSmoothing: 0.1}), true},
		gradCase{"K-dim weight ignore smoothing", func(r *rand.Rand) []*tensor.Tensor {
			return []*tensor.Tensor{in(r, -3, 3, 2, 4, 3, 2), in(r, 0.2, 2, 4)}
		}, ce(kTarget, loss.CrossEntropyOptions{IgnoreIndex: new(-1), LabelSmoothing: 0.15}), true},
		gradCase{"1-D", logits(5), ce(tensor.Scalar(2, tensor.Int64), loss.CrossEntropyOptions{}), true},
		gradCase{"probabilities weight smoothing", func(r *rand.Rand) []*tensor.Tensor {
			return []*tensor.Tensor{in(r, -3, 3, 4, 5), in(r, 0, 1, 4, 5), in(r, 0.2, 2, 5)}
		}, func(x []*tensor.Tensor) *tensor.Tensor {
			return loss.CrossEntropy(x[0], x[1], loss.CrossEntropyOptions{Weight: x[2], LabelSmoothing: 0.3, Reduction: loss.Sum})
		}, true},
		gradCase{"probabilities K-dim", func(r *rand.Rand) []*tensor.Tensor {
			return []*tensor.Tensor{in(r, -3, 3, 2, 3, 4), in(r, 0, 1, 2, 3, 4)}
		}, func(x []*tensor.Tensor) *tensor.Tensor {
			return loss.CrossEntropy(x[0], x[1], loss.CrossEntropyOptions{})
		}, false},
	)
	runGradCases(t, cases)
}

func TestNLLGrad(t *testing.T) {
	target := tensor.FromSlice([]int64{1, 0, 4, 2, 4, 3}, 6)
	ignored := tensor.FromSlice([]int64{1, 7, 4, 2, 7, 3}, 6)
	mk := func(r *rand.Rand) []*tensor.Tensor { return []*tensor.Tensor{in(r, -3, 0, 6, 5), in(r, 0.2, 2, 5)} }
	var cases []gradCase
	for _, red := range reductions {
		cases = append(cases,
			gradCase{"plain " + red.String(), mk, func(x []*tensor.Tensor) *tensor.Tensor {
				return loss.NLL(x[0], target, loss.NLLOptions{Reduction: red})
			}, false},
			gradCase{"weight ignore " + red.String(), mk, func(x []*tensor.Tensor) *tensor.Tensor {
				return loss.NLL(x[0], ignored, loss.NLLOptions{Weight: x[1], IgnoreIndex: new(7), Reduction: red})
			}, false},
		)
	}
	cases = append(cases,
		gradCase{"K-dim", func(r *rand.Rand) []*tensor.Tensor { return []*tensor.Tensor{in(r, -3, 0, 2, 5, 3)} },
			func(x []*tensor.Tensor) *tensor.Tensor {
				return loss.NLL(x[0], tensor.FromSlice([]int64{0, 4, 2, 1, 1, 3}, 2, 3), loss.NLLOptions{})
			}, false},
		gradCase{"1-D", func(r *rand.Rand) []*tensor.Tensor { return []*tensor.Tensor{in(r, -3, 0, 5)} },
			func(x []*tensor.Tensor) *tensor.Tensor {
				return loss.NLL(x[0], tensor.Scalar(4, tensor.Int64), loss.NLLOptions{})
			}, false},
	)
	runGradCases(t, cases)
}

func TestBinaryGrad(t *testing.T) {
	probs := func(r *rand.Rand) []*tensor.Tensor {
		return []*tensor.Tensor{in(r, 0.05, 0.95, 3, 4), in(r, 0, 1, 3, 4), in(r, 0.2, 2, 4), in(r, 0.5, 3, 4)}
	}
	logits := func(r *rand.Rand) []*tensor.Tensor {
		return []*tensor.Tensor{in(r, -4, 4, 3, 4), in(r, 0, 1, 3, 4), in(r, 0.2, 2, 3, 1), in(r, 0.5, 3, 4)}
	}
	var cases []gradCase
	for _, red := range reductions {
		cases = append(cases,
			gradCase{"BCE " + red.String(), probs, func(x []*tensor.Tensor) *tensor.Tensor { return loss.BCE(x[0], x[1], nil, red) }, false},
			gradCase{"BCE weight " + red.String(), probs, func(x []*tensor.Tensor) *tensor.Tensor { return loss.BCE(x[0], x[1], x[2], red) }, false},
			gradCase{"BCEWithLogits " + red.String(), logits, func(x []*tensor.Tensor) *tensor.Tensor {
				return loss.BCEWithLogits(x[0], x[1], loss.BCEWithLogitsOptions{Reduction: red})
			}, false},
			gradCase{"BCEWithLogits weight pos weight " + red.String(), logits, func(x []*tensor.Tensor) *tensor.Tensor {
				return loss.BCEWithLogits(x[0], x[1], loss.BCEWithLogitsOptions{Weight: x[2], PosWeight: x[3], Reduction: red})
			}, false},
		)
	}
	cases = append(cases, gradCase{"BCEWithLogits pos weight", logits, func(x []*tensor.Tensor) *tensor.Tensor {
		return loss.BCEWithLogits(x[0], x[1], loss.BCEWithLogitsOptions{PosWeight: x[3]})
	}, false})
	runGradCases(t, cases)
}

func TestKLDivGrad(t *testing.T) {
	mk := func(r *rand.Rand) []*tensor.Tensor { return []*tensor.Tensor{in(r, -3, 0, 3, 4), in(r, 0.05, 1, 3, 4)} }
	mkLog := func(r *rand.Rand) []*tensor.Tensor { return []*tensor.Tensor{in(r, -3, 0, 3, 4), in(r, -3, 0, 3, 4)} }
	var cases []gradCase
	for _, red := range []loss.KLReduction{loss.KLMean, loss.KLSum, loss.KLNone, loss.KLBatchMean} {
		cases = append(cases,
			gradCase{red.String(), mk, func(x []*tensor.Tensor) *tensor.Tensor { return loss.KLDiv(x[0], x[1], red, false) }, false},
			gradCase{"log target " + red.String(), mkLog, func(x []*tensor.Tensor) *tensor.Tensor { return loss.KLDiv(x[0], x[1], red, true) }, false},
		)
	}
	runGradCases(t, cases)
}

// TestValuesByHand pins a few losses computed by hand.
func TestValuesByHand(t *testing.T) {
	f := func(v ...float64) *tensor.Tensor { return tensor.FromSlice(v) }
	l3 := math.Log(3)
	// softmax([0, ln 3]) = [1/4, 3/4].
	logits := tensor.FromSlice([]float64{0, l3, 0, l3}, 2, 2)
	cases := []struct {
		name string
		got  *tensor.Tensor
		want float64
	}{
		{"MSE mean", loss.MSE(f(1, 2), f(0, 0), loss.Mean), 2.5},
		{"MSE sum", loss.MSE(f(1, 2), f(0, 0), loss.Sum), 5},
		{"L1", loss.L1(f(1, -3), f(0, 0), loss.Mean), 2},
		{"SmoothL1", loss.SmoothL1(f(0.5, 3), f(0, 0), 1, loss.Sum), 0.125 + 2.5},
		{"Huber", loss.Huber(f(0.5, 3), f(0, 0), 2, loss.Sum), 0.125 + 4},
		{"CrossEntropy", loss.CrossEntropy(logits, tensor.FromSlice([]int64{0, 1}, 2), loss.CrossEntropyOptions{}), (math.Log(4) + math.Log(4.0/3)) / 2},
		// Weights 1 and 3: (1·ln 4 + 3·ln 4/3) / (1 + 3).
		{"CrossEntropy weight", loss.CrossEntropy(logits, tensor.FromSlice([]int64{0, 1}, 2),
			loss.CrossEntropyOptions{Weight: f(1, 3)}), (math.Log(4) + 3*math.Log(4.0/3)) / 4},
		{"CrossEntropy ignore", loss.CrossEntropy(logits, tensor.FromSlice([]int64{0, -100}, 2),
			loss.CrossEntropyOptions{IgnoreIndex: new(-100)}), math.Log(4)},
		// The smoothed target of class 1 is [ε/2, 1 − ε/2].
		{"CrossEntropy smoothing", loss.CrossEntropy(f(0, l3), tensor.Scalar(1, tensor.Int64),
			loss.CrossEntropyOptions{LabelSmoothing: 0.5}), 0.25*math.Log(4) + 0.75*math.Log(4.0/3)},
		{"CrossEntropy probabilities", loss.CrossEntropy(logits, tensor.FromSlice([]float64{0.5, 0.5, 1, 0}, 2, 2),
			loss.CrossEntropyOptions{}), (0.5*math.Log(4) + 0.5*math.Log(4.0/3) + math.Log(4)) / 2},
		{"NLL", loss.NLL(f(-1, -2, -3), tensor.Scalar(2, tensor.Int64), loss.NLLOptions{}), 3},
		{"BCE", loss.BCE(f(0.25, 0.5), f(1, 1), f(2, 1), loss.Sum), 2*math.Log(4) + math.Log(2)},
		{"BCEWithLogits", loss.BCEWithLogits(f(0, 0), f(1, 0), loss.BCEWithLogitsOptions{PosWeight: f(3, 3), Reduction: loss.Sum}), 4 * math.Log(2)},
		// Large logits stay finite: log(1 + e⁻¹⁰⁰⁰) ≈ 0 and (1 − 0)·1000.
		{"BCEWithLogits large", loss.BCEWithLogits(f(1000, 1000), f(1, 0), loss.BCEWithLogitsOptions{Reduction: loss.Sum}), 1000},
		{"KLDiv", loss.KLDiv(f(math.Log(0.5), math.Log(0.5)), f(1, 0), loss.KLSum, false), math.Log(2)},
		{"KLDiv batchmean", loss.KLDiv(tensor.FromSlice([]float64{-1, -1, -1, -1}, 2, 2), tensor.FromSlice([]float64{0, 0, 0, -1}, 2, 2),
			loss.KLBatchMean, true), (3*1 + math.Exp(-1)*0) / 2},
	}
	for _, c := range cases {
		if got := c.got.Item(); math.Abs(got-c.want) > 1e-12*math.Max(1, math.Abs(c.want)) {
			t.Errorf("%s = %.15g, want %.15g", c.name, got, c.want)
		}
	}
	// Every target ignored: the mean is 0/0, NaN, as PyTorch's.
	if got := loss.CrossEntropy(logits, tensor.FromSlice([]int64{-100, -100}, 2), loss.CrossEntropyOptions{IgnoreIndex: new(-100)}); !math.IsNaN(got.Item()) {
		t.Errorf("all ignored: %v, want NaN", got.Item())
	}
	if got := loss.MSE(f(1, 2), f(0, 0), loss.None); !tensor.Equal(got, f(1, 4)) {
		t.Errorf("MSE none = %v, want [1 4]", got)
	}
}

func TestErrors(t *testing.T) {
	x := tensor.Zeros(tensor.Float64, 2, 3)
	f32 := tensor.Zeros(tensor.Float32, 2, 3)
	idx := tensor.FromSlice([]int64{0, 2}, 2)
	cases := []struct {
		name, want string
		f          func()
	}{
		{"MSE shapes", "tensor.loss.MSE: pred and target shapes differ (shapes [2 3], [3 2])", func() { loss.MSE(x, x.T(), loss.Mean) }},
		{"L1 dtypes", "tensor.loss.L1: pred and target must be floating-point tensors of one dtype, got float64 and float32 (shapes [2 3], [2 3])",
			func() { loss.L1(x, f32, loss.Mean) }},
		{"reduction", "tensor.loss.MSE: invalid reduction 7", func() { loss.MSE(x, x, loss.Reduction(7)) }},
		{"SmoothL1 beta", "tensor.loss.SmoothL1: beta must be non-negative, got -1 (shapes [2 3], [2 3])", func() { loss.SmoothL1(x, x, -1, loss.Mean) }},
		{"Huber delta", "tensor.loss.Huber: delta must be positive, got 0 (shapes [2 3], [2 3])", func() { loss.Huber(x, x, 0, loss.Mean) }},
		{"CE target range", "tensor.loss.CrossEntropy: target 3 out of range for 3 classes (shapes [2 3], [2])",
			func() { loss.CrossEntropy(x, tensor.FromSlice([]int64{0, 3}, 2), loss.CrossEntropyOptions{}) }},
		{"CE default keeps -100", "tensor.loss.CrossEntropy: target -100 out of range for 3 classes (shapes [2 3], [2])",
			func() { loss.CrossEntropy(x, tensor.FromSlice([]int64{0, -100}, 2), loss.CrossEntropyOptions{}) }},
		{"CE target shape", "tensor.loss.CrossEntropy: target must have shape [2]: the input's shape without the class dimension 1 (shapes [2 3], [3])",
			func() { loss.CrossEntropy(x, tensor.FromSlice([]int64{0, 1, 2}, 3), loss.CrossEntropyOptions{}) }},
		{"CE weight", "tensor.loss.CrossEntropy: weight must be a float64 tensor of shape [3], one weight per class; got float64 (shapes [2 3], [2])",
			func() { loss.CrossEntropy(x, idx, loss.CrossEntropyOptions{Weight: tensor.Ones(tensor.Float64, 2)}) }},
		{"CE probabilities ignore", "tensor.loss.CrossEntropy: IgnoreIndex is not supported with probability targets (shapes [2 3], [2 3])",
			func() { loss.CrossEntropy(x, x, loss.CrossEntropyOptions{IgnoreIndex: new(-100)}) }},
		{"CE probabilities dtype", "tensor.loss.CrossEntropy: a probability target must have the logits' shape and dtype (float64), got float32 (shapes [2 3], [2 3])",
			func() { loss.CrossEntropy(x, f32, loss.CrossEntropyOptions{}) }},
		{"CE smoothing", "tensor.loss.CrossEntropy: label smoothing must lie in [0, 1], got 1.5 (shapes [2 3], [2])",
			func() { loss.CrossEntropy(x, idx, loss.CrossEntropyOptions{LabelSmoothing: 1.5}) }},
		{"CE scalar logits", "tensor.loss.CrossEntropy: input needs a class dimension (shapes [], [])",
			func() {
				loss.CrossEntropy(tensor.Scalar(1, tensor.Float64), tensor.Scalar(0, tensor.Int64), loss.CrossEntropyOptions{})
			}},
		{"NLL int input", "tensor.loss.NLL: input must be floating-point, not int64 (shapes [2 3], [2])",
			func() { loss.NLL(tensor.Zeros(tensor.Int64, 2, 3), idx, loss.NLLOptions{}) }},
		{"NLL float target", "tensor.loss.NLL: target must hold int64 class indices, not float64 (shapes [2 3], [2])",
			func() { loss.NLL(x, tensor.Zeros(tensor.Float64, 2), loss.NLLOptions{}) }},
		{"BCE range", "tensor.BinaryCrossEntropy: probability 2 outside [0, 1] (shapes [2 3], [2 3])",
			func() { loss.BCE(tensor.Full(tensor.Float64, 2, 2, 3), x, nil, loss.Mean) }},
		{"BCE weight", "tensor.loss.BCE: weight does not broadcast to the input's shape (shapes [2 3], [2])",
			func() { loss.BCE(x, x, tensor.Ones(tensor.Float64, 2), loss.Mean) }},
		{"BCEWithLogits pos weight", "tensor.loss.BCEWithLogits: pos_weight has dtype float32, input float64 (shapes [2 3], [3])",
			func() {
				loss.BCEWithLogits(x, x, loss.BCEWithLogitsOptions{PosWeight: tensor.Ones(tensor.Float32, 3)})
			}},
		{"KLDiv shapes", "tensor.loss.KLDiv: input and target shapes differ (shapes [2 3], [3])",
			func() { loss.KLDiv(x, tensor.Zeros(tensor.Float64, 3), loss.KLMean, false) }},
		{"KLDiv reduction", "tensor.loss.KLDiv: invalid reduction 9", func() { loss.KLDiv(x, x, loss.KLReduction(9), false) }},
		{"CE reduction", "tensor.loss.CrossEntropy: invalid reduction 7",
			func() { loss.CrossEntropy(x, idx, loss.CrossEntropyOptions{Reduction: 7}) }},
		{"CE probabilities reduction", "tensor.loss.CrossEntropy: invalid reduction 7",
			func() { loss.CrossEntropy(x, x, loss.CrossEntropyOptions{Reduction: 7}) }},
		{"NLL weighted reduction", "tensor.loss.NLL: invalid reduction 7",
			func() { loss.NLL(x, idx, loss.NLLOptions{Weight: tensor.Ones(tensor.Float64, 3), Reduction: 7}) }},
		{"NLL no classes", "tensor.loss.NLL: input has no classes (shapes [2 0], [2])",
			func() {
				loss.NLL(tensor.Zeros(tensor.Float64, 2, 0), tensor.FromSlice([]int64{-1, -1}, 2), loss.NLLOptions{IgnoreIndex: new(-1)})
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := tensor.Try(c.f)
			if err == nil {
				t.Fatalf("no panic, want %q", c.want)
			}
			if err.Error() != c.want {
				t.Fatalf("error\n  %q\nwant\n  %q", err.Error(), c.want)
			}
		})
	}
}

func TestNoGradInputs(t *testing.T) {
	x := tensor.Ones(tensor.Float32, 2, 3).SetRequiresGrad(true)
	y := loss.CrossEntropy(x.NoGrad(), tensor.FromSlice([]int64{0, 2}, 2), loss.CrossEntropyOptions{LabelSmoothing: 0.1})
	if y.RequiresGrad() {
		t.Error("a loss of NoGrad inputs requires a gradient")
	}
	if got, want := y.Item(), math.Log(3); math.Abs(got-want) > 1e-6 {
		t.Errorf("uniform logits: loss %v, want ln 3", got)
	}
}
