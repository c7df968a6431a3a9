// Package loss holds the loss functions of supervised training, with the
// semantics of torch.nn.functional (PyTorch 1.13): MSE, L1, SmoothL1,
// Huber, CrossEntropy, NLL, BCE, BCEWithLogits and KLDiv.
//
// Each loss is a function of tensors built from differentiable tensor
// operations, so calling Backward on its result fills the gradients of the
// predictions (and of the targets and weights, where they require one).
// CrossEntropy works from logits through the fused, numerically stable
// tensor.SoftmaxCrossEntropy, and BCE through tensor.BinaryCrossEntropy,
// whose gradients match PyTorch's even for saturated probabilities.
//
// A Reduction says how the per-element losses are combined: Mean (the zero
// value, PyTorch's default), Sum, or None, which returns them unreduced.
// KLDiv takes a KLReduction, which adds KLBatchMean.
//
// Class-index losses (CrossEntropy, NLL) ignore no target by default; set
// IgnoreIndex to skip one, e.g. IgnoreIndex: new(-100) for PyTorch's
// default.
//
// Misuse (mismatched shapes or dtypes, a class index out of range, an
// invalid option) panics with a *tensor.Error whose Op is "loss.<Name>",
// such as
//
//	tensor.loss.MSE: pred and target shapes differ (shapes [2 3], [3 2])
//
// which tensor.Try recovers as an error. Unlike PyTorch, which broadcasts
// with a warning, element-wise losses require the prediction and the
// target to have the same shape.
package loss
