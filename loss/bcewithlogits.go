package loss

import "github.com/backprop-go/backprop/tensor"

// BCEWithLogitsOptions configures BCEWithLogits. The zero value is
// PyTorch's default.
type BCEWithLogitsOptions struct {
	// Weight, if not nil, rescales each element's loss; it broadcasts to
	// the logits' shape.
	Weight *tensor.Tensor

	// PosWeight, if not nil, weighs the positive term of each class (the
	// last dimension, by broadcasting): values above 1 favour recall.
	PosWeight *tensor.Tensor

	// Reduction combines the per-element losses.
	Reduction Reduction
}

// BCEWithLogits returns the binary cross-entropy between sigmoid(logits)
// and the target, as torch.nn.functional.binary_cross_entropy_with_logits:
// with x the logit, t the target and p the positive weight (1 by
// default), the per-element loss is
//
//	−w·(p·t·log σ(x) + (1 − t)·log(1 − σ(x)))
//	  = w·((1 − t)·x + (1 + (p − 1)·t)·log(1 + e⁻ˣ))
//
// computed in the second, stable form (log(1 + e⁻ˣ) by tensor.Softplus),
// so large logits of either sign stay finite. logits and target must have
// the same shape and dtype.
func BCEWithLogits(logits, target *tensor.Tensor, opt BCEWithLogitsOptions) *tensor.Tensor {
	const op = "BCEWithLogits"
	checkPair(op, "logits", "target", logits, target)
	checkWeight(op, "weight", opt.Weight, logits)
	checkWeight(op, "pos_weight", opt.PosWeight, logits)
	sp := logits.Neg().Softplus(1, 20) // log(1 + e⁻ˣ)
	if opt.PosWeight != nil {
		sp = sp.Mul(opt.PosWeight.SubScalar(1).Mul(target).AddScalar(1))
	}
	l := target.Neg().AddScalar(1).Mul(logits).Add(sp)
	if opt.Weight != nil {
		l = l.Mul(opt.Weight)
	}
	return reduce(op, l, opt.Reduction)
}
