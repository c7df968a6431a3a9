package loss

import "github.com/backprop-go/backprop/tensor"

// L1 returns the absolute error |pred − target|, reduced by red, as
// torch.nn.functional.l1_loss. pred and target must have the same shape
// and dtype. The gradient at pred = target is 0.
func L1(pred, target *tensor.Tensor, red Reduction) *tensor.Tensor {
	checkPair("L1", "pred", "target", pred, target)
	return reduce("L1", pred.Sub(target).Abs(), red)
}
