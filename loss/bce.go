package loss

import "github.com/backprop-go/backprop/tensor"

// BCE returns the binary cross-entropy between the probabilities prob and
// the target, as torch.nn.functional.binary_cross_entropy: the
// per-element loss is −w·(t·log p + (1 − t)·log(1 − p)), with the
// logarithms clamped at −100 so that saturated probabilities give finite
// losses and gradients (see tensor.BinaryCrossEntropy). weight, if not
// nil, broadcasts to prob's shape. prob and target must have the same
// shape and dtype, and prob must lie in [0, 1]. For probabilities computed
// by a sigmoid, BCEWithLogits is more accurate.
func BCE(prob, target, weight *tensor.Tensor, red Reduction) *tensor.Tensor {
	const op = "BCE"
	checkPair(op, "prob", "target", prob, target)
	checkWeight(op, "weight", weight, prob)
	l := tensor.BinaryCrossEntropy(prob, target)
	if weight != nil {
		l = l.Mul(weight)
	}
	return reduce(op, l, red)
}
