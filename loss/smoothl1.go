package loss

import "github.com/backprop-go/backprop/tensor"

// SmoothL1 returns the smooth L1 loss, as torch.nn.functional.smooth_l1_loss:
// with d = |pred − target|, the per-element loss is 0.5·d²/beta where
// d < beta and d − 0.5·beta elsewhere, reduced by red. PyTorch's default
// beta is 1; beta 0 gives the L1 loss, and a negative beta panics. pred
// and target must have the same shape and dtype.
func SmoothL1(pred, target *tensor.Tensor, beta float64, red Reduction) *tensor.Tensor {
	const op = "SmoothL1"
	checkPair(op, "pred", "target", pred, target)
	if !(beta >= 0) {
		panicf(op, shapesOf(pred, target), "beta must be non-negative, got %v", beta)
	}
	if beta == 0 {
		return reduce(op, pred.Sub(target).Abs(), red)
	}
	d := pred.Sub(target)
	ad := d.Abs()
	l := tensor.Where(ad.LtScalar(beta), d.Mul(d).MulScalar(0.5/beta), ad.SubScalar(0.5*beta))
	return reduce(op, l, red)
}
