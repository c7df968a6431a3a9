package loss

import (
	"fmt"

	"github.com/backprop-go/backprop/tensor"
)

// KLReduction says how KLDiv combines its per-element values.
type KLReduction int

// The reductions of KLDiv. KLMean, the zero value and PyTorch's default,
// averages over all elements; KLBatchMean divides the sum by the batch
// size (the first dimension), which gives the true KL divergence per
// sample; KLSum adds; KLNone returns the per-element values.
const (
	KLMean KLReduction = iota
	KLSum
	KLNone
	KLBatchMean
)

// String returns PyTorch's name of the reduction: "mean", "sum", "none" or
// "batchmean".
func (r KLReduction) String() string {
	switch r {
	case KLMean:
		return "mean"
	case KLSum:
		return "sum"
	case KLNone:
		return "none"
	case KLBatchMean:
		return "batchmean"
	}
	return fmt.Sprintf("KLReduction(%d)", int(r))
}

// KLDiv returns the Kullback-Leibler divergence between the target
// distribution and the distribution whose log-probabilities are input, as
// torch.nn.functional.kl_div: the per-element value is
// t·(log t − input), with 0 where t = 0, or, with logTarget (the target
// given as log-probabilities l), eˡ·(l − input). input and target must
// have the same shape and dtype.
func KLDiv(input, target *tensor.Tensor, red KLReduction, logTarget bool) *tensor.Tensor {
	const op = "KLDiv"
	checkPair(op, "input", "target", input, target)
	var l *tensor.Tensor
	if logTarget {
		l = target.Exp().Mul(target.Sub(input))
	} else {
		nz := target.NeScalar(0)
		zero := tensor.Scalar(0, target.DType())
		one := tensor.Scalar(1, target.DType())
		ent := tensor.Where(nz, target.Mul(tensor.Where(nz, target, one).Log()), zero) // xlogy(t, t)
		l = ent.Sub(target.Mul(input))
	}
	switch red {
	case KLMean:
		return l.Mean()
	case KLSum:
		return l.Sum()
	case KLNone:
		return l
	case KLBatchMean:
		if input.Dim() == 0 {
			return l.Sum()
		}
		return l.Sum().DivScalar(float64(input.Size(0)))
	}
	panicf(op, nil, "invalid reduction %d", int(red))
	return nil
}
