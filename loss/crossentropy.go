package loss

import (
	"slices"

	"github.com/backprop-go/backprop/tensor"
)

// CrossEntropyOptions configures CrossEntropy. The zero value is
// PyTorch's default except that no target index is ignored.
type CrossEntropyOptions struct {
	// Weight, if not nil, is a 1-D tensor of one weight per class.
	Weight *tensor.Tensor

	// IgnoreIndex, if not nil, is a class index whose targets contribute
	// neither to the loss nor to the mean's denominator (PyTorch's
	// ignore_index, by default -100: set it with new(-100)). It applies
	// to class-index targets only.
	IgnoreIndex *int

	// LabelSmoothing in [0, 1] mixes the target distribution with the
	// uniform one: the target becomes (1 − ε)·target + ε/C.
	LabelSmoothing float64

	// Reduction combines the per-position losses; with class-index
	// targets Mean divides by the summed weights of the targets that
	// count, as PyTorch.
	Reduction Reduction
}

// CrossEntropy returns the cross-entropy between the class probabilities
// softmax(logits) and the target, as torch.nn.functional.cross_entropy.
//
// logits has shape [N, C] or [N, C, d1, …] (or [C] for one sample), the
// classes along axis 1 (axis 0 for 1-D logits). The target is either
//
//   - Int64 class indices, of the logits' shape without the class axis
//     ([N], [N, d1, …], or a scalar): the per-position loss is
//     −w[t]·log softmax(logits)[t] (w = 1 without Weight), computed by the
//     fused, stable tensor.SoftmaxCrossEntropy; or
//   - class probabilities of the logits' shape and dtype: the loss is
//     −Σ_c w_c·target_c·log softmax(logits)_c, and Mean divides by the
//     number of positions (N·d1·…), not by the weights, as PyTorch.
//
// With label smoothing ε a class-index target t becomes the distribution
// (1 − ε)·onehot(t) + ε/C; a probability target p becomes (1 − ε)·p + ε/C.
func CrossEntropy(logits, target *tensor.Tensor, opt CrossEntropyOptions) *tensor.Tensor {
	const op = "CrossEntropy"
	axis := classAxis(op, logits, target)
	checkClassWeight(op, opt.Weight, logits, axis)
	eps := opt.LabelSmoothing
	if !(eps >= 0 && eps <= 1) {
		panicf(op, shapesOf(logits, target), "label smoothing must lie in [0, 1], got %v", eps)
	}
	c := float64(logits.Size(axis))
	if target.DType().IsFloat() {
		if target.DType() != logits.DType() || !slices.Equal(target.Shape(), logits.Shape()) {
			panicf(op, shapesOf(logits, target), "a probability target must have the logits' shape and dtype (%v), got %v", logits.DType(), target.DType())
		}
		if opt.IgnoreIndex != nil {
			panicf(op, shapesOf(logits, target), "IgnoreIndex is not supported with probability targets")
		}
		q := target
		if eps > 0 {
			q = q.MulScalar(1 - eps).AddScalar(eps / c)
		}
		l := logits.LogSoftmax(axis).Mul(q)
		if opt.Weight != nil {
			l = l.Mul(classWeightView(opt.Weight, logits, axis))
		}
		switch opt.Reduction {
		case Mean:
			return l.Sum().MulScalar(-c / float64(logits.Numel()))
		case Sum:
			return l.Sum().Neg()
		case None:
			return l.Sum(axis).Neg()
		}
		panicf(op, nil, "invalid reduction %d", int(opt.Reduction))
	}
	safe, valid := classTargets(op, logits, target, axis, opt.IgnoreIndex)
	wt := positionWeights(opt.Weight, safe, valid)
	l := tensor.SoftmaxCrossEntropy(logits, safe)
	if wt != nil {
		l = l.Mul(wt)
	}
	if eps > 0 {
		lp := logits.LogSoftmax(axis)
		if opt.Weight != nil {
			lp = lp.Mul(classWeightView(opt.Weight, logits, axis))
		}
		smooth := lp.Sum(axis).Neg()
		if valid != nil {
			smooth = smooth.Mul(valid)
		}
		l = l.MulScalar(1 - eps).Add(smooth.MulScalar(eps / c))
	}
	return reduceClasses(op, l, wt, opt.Reduction)
}
