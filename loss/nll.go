package loss

import "github.com/backprop-go/backprop/tensor"

// NLLOptions configures NLL. The zero value is PyTorch's default except
// that no target index is ignored.
type NLLOptions struct {
	// Weight, if not nil, is a 1-D tensor of one weight per class.
	Weight *tensor.Tensor

	// IgnoreIndex, if not nil, is a class index whose targets contribute
	// neither to the loss nor to the mean's denominator (PyTorch's
	// ignore_index, by default -100: set it with new(-100)).
	IgnoreIndex *int

	// Reduction combines the per-position losses; Mean divides by the
	// summed weights of the targets that count, as PyTorch.
	Reduction Reduction
}

// NLL returns the negative log-likelihood loss of the log-probabilities
// logProbs (typically a LogSoftmax output) at the Int64 class indices
// target, as torch.nn.functional.nll_loss: the per-position loss is
// −w[t]·logProbs[t] (w = 1 without Weight). logProbs has shape [N, C] or
// [N, C, d1, …] (or [C]), and target the same shape without the class
// axis.
func NLL(logProbs, target *tensor.Tensor, opt NLLOptions) *tensor.Tensor {
	const op = "NLL"
	axis := classAxis(op, logProbs, target)
	checkClassWeight(op, opt.Weight, logProbs, axis)
	safe, valid := classTargets(op, logProbs, target, axis, opt.IgnoreIndex)
	var picked *tensor.Tensor
	if axis == 0 {
		picked = logProbs.Gather(0, safe.Reshape(1)).Reshape()
	} else {
		picked = logProbs.Gather(1, safe.Unsqueeze(1)).Squeeze(1)
	}
	l := picked.Neg()
	wt := positionWeights(opt.Weight, safe, valid)
	if wt != nil {
		l = l.Mul(wt)
	}
	return reduceClasses(op, l, wt, opt.Reduction)
}
