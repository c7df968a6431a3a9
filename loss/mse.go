package loss

import "github.com/backprop-go/backprop/tensor"

// MSE returns the mean squared error (pred − target)², reduced by red, as
// torch.nn.functional.mse_loss. pred and target must have the same shape
// and dtype.
func MSE(pred, target *tensor.Tensor, red Reduction) *tensor.Tensor {
	checkPair("MSE", "pred", "target", pred, target)
	d := pred.Sub(target)
	return reduce("MSE", d.Mul(d), red)
}
