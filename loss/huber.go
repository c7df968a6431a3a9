package loss

import "github.com/backprop-go/backprop/tensor"

// Huber returns the Huber loss, as torch.nn.functional.huber_loss: with
// d = |pred − target|, the per-element loss is 0.5·d² where d < delta and
// delta·(d − 0.5·delta) elsewhere, reduced by red. It equals delta times
// SmoothL1 with beta = delta. PyTorch's default delta is 1; delta must be
// positive. pred and target must have the same shape and dtype.
func Huber(pred, target *tensor.Tensor, delta float64, red Reduction) *tensor.Tensor {
	const op = "Huber"
	checkPair(op, "pred", "target", pred, target)
	if !(delta > 0) {
		panicf(op, shapesOf(pred, target), "delta must be positive, got %v", delta)
	}
	d := pred.Sub(target)
	ad := d.Abs()
	l := tensor.Where(ad.LtScalar(delta), d.Mul(d).MulScalar(0.5), ad.SubScalar(0.5*delta).MulScalar(delta))
	return reduce(op, l, red)
}
