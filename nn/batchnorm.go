package nn

import (
	"github.com/backprop-go/backprop/tensor"
)

// BatchNorm normalizes each channel (axis 1) of its input over the batch
// and any spatial axes, then scales and shifts it, as torch.nn.BatchNorm1d
// and BatchNorm2d:
//
//	y = (x − mean) / √(var + Eps) · Weight + Bias
//
// In training mode mean and var are the statistics of the batch (var
// biased), and the running estimates are updated as
//
//	running = (1 − momentum)·running + momentum·batch statistic
//
// with the unbiased variance (n/(n−1) times the biased one) for
// RunningVar, momentum being Momentum, or 1/NumBatchesTracked when
// CumulativeAverage is set (PyTorch's momentum=None). In evaluation mode
// the running estimates are used instead. A layer without running
// statistics (see NoRunningStats) always uses the batch statistics.
//
// Weight and Bias are [C] parameters (nil without affine transformation,
// see NoAffine); RunningMean and RunningVar are [C] buffers and
// NumBatchesTracked a 0-d Int64 buffer, named "running_mean",
// "running_var" and "num_batches_tracked" as in PyTorch.
//
// Forward in training mode updates the running statistics in place, so a
// BatchNorm must not be trained from several goroutines at once; in
// evaluation mode it only reads them.
type BatchNorm struct {
	Weight, Bias            *tensor.Tensor
	RunningMean, RunningVar *tensor.Tensor
	NumBatchesTracked       *tensor.Tensor

	Features          int
	Eps               float64
	Momentum          float64
	CumulativeAverage bool

	spatial  int // 1 for BatchNorm1d (0 or 1 spatial axes), 2 for BatchNorm2d
	training bool
}

// NewBatchNorm1d returns a BatchNorm for inputs [N, C] or [N, C, L] with
// C = features and PyTorch's defaults: Eps 1e-5, Momentum 0.1, an affine
// transformation initialized to the identity (weight 1, bias 0), running
// statistics starting at mean 0 and variance 1, and training mode. The
// tensors are Float32; use ToDType for another dtype.
func NewBatchNorm1d(features int) *BatchNorm { return newBatchNorm(features, 1) }

// NewBatchNorm2d is NewBatchNorm1d for inputs [N, C, H, W].
func NewBatchNorm2d(features int) *BatchNorm { return newBatchNorm(features, 2) }

func newBatchNorm(features, spatial int) *BatchNorm {
	if features <= 0 {
		misuse(batchNormName(spatial), nil, "number of features must be positive, got %d", features)
	}
	return &BatchNorm{
		Weight:            Param(tensor.Ones(tensor.Float32, features)),
		Bias:              Param(tensor.Zeros(tensor.Float32, features)),
		RunningMean:       tensor.Zeros(tensor.Float32, features),
		RunningVar:        tensor.Ones(tensor.Float32, features),
		NumBatchesTracked: tensor.Zeros(tensor.Int64),
		Features:          features,
		Eps:               1e-5,
		Momentum:          0.1,
		spatial:           spatial,
		training:          true,
	}
}

func batchNormName(spatial int) string {
	if spatial == 2 {
		return "BatchNorm2d"
	}
	return "BatchNorm1d"
}

// NoAffine removes the affine transformation (PyTorch's affine=False) and
// returns b.
func (b *BatchNorm) NoAffine() *BatchNorm {
	b.Weight, b.Bias = nil, nil
	return b
}

// NoRunningStats removes the running statistics (PyTorch's
// track_running_stats=False), so that the batch statistics are used in
// evaluation mode too, and returns b.
func (b *BatchNorm) NoRunningStats() *BatchNorm {
	b.RunningMean, b.RunningVar, b.NumBatchesTracked = nil, nil, nil
	return b
}

// Affine reports whether b has a learnable affine transformation.
func (b *BatchNorm) Affine() bool { return b.Weight != nil }

// TrackRunningStats reports whether b keeps running statistics.
func (b *BatchNorm) TrackRunningStats() bool { return b.RunningMean != nil }

// SetTraining switches between training mode (batch statistics, running
// estimates updated) and evaluation mode (running estimates used).
func (b *BatchNorm) SetTraining(training bool) { b.training = training }

// Training reports whether b is in training mode.
func (b *BatchNorm) Training() bool { return b.training }

// Members lists weight and bias (with affine) and the running statistics
// (when tracked).
func (b *BatchNorm) Members() Members {
	var m Members
	if b.Weight != nil {
		m.Params = []Named{{Name: "weight", Tensor: b.Weight}, {Name: "bias", Tensor: b.Bias}}
	}
	if b.RunningMean != nil {
		m.Buffers = []Named{
			{Name: "running_mean", Tensor: b.RunningMean},
			{Name: "running_var", Tensor: b.RunningVar},
			{Name: "num_batches_tracked", Tensor: b.NumBatchesTracked},
		}
	}
	return m
}

// Forward normalizes x; see BatchNorm.
func (b *BatchNorm) Forward(x *tensor.Tensor) *tensor.Tensor {
	op := batchNormName(b.spatial)
	switch {
	case b.spatial == 1 && x.Dim() != 2 && x.Dim() != 3:
		misuse(op, [][]int{x.Shape()}, "expected a 2-D or 3-D input, got %d-D", x.Dim())
	case b.spatial == 2 && x.Dim() != 4:
		misuse(op, [][]int{x.Shape()}, "expected a 4-D input, got %d-D", x.Dim())
	}
	c := x.Size(1)
	if c != b.Features {
		misuse(op, [][]int{x.Shape()}, "input has %d channels, layer has %d", c, b.Features)
	}
	axes := []int{0}
	pshape := []int{1, c}
	for d := 2; d < x.Dim(); d++ {
		axes = append(axes, d)
		pshape = append(pshape, 1)
	}
	checkFloat(op, x)
	if b.training || b.RunningMean == nil {
		n := x.Numel() / c
		if b.training && n <= 1 {
			misuse(op, [][]int{x.Shape()}, "expected more than 1 value per channel when training")
		}
		y, mean, bvar := x.StandardizeStats(b.Eps, axes...)
		if b.training && b.RunningMean != nil {
			b.updateRunningStats(mean, bvar, n)
		}
		if b.Weight != nil {
			y = y.Mul(b.Weight.Reshape(pshape...)).Add(b.Bias.Reshape(pshape...))
		}
		return y
	}
	// Evaluation: y = x·scale + shift with per-channel scale = w/√(rv + ε)
	// and shift = b − rm·scale, two passes over x.
	scale := b.RunningVar.AddScalar(b.Eps).Rsqrt()
	if b.Weight != nil {
		scale = scale.Mul(b.Weight)
	}
	shift := b.RunningMean.Mul(scale).Neg()
	if b.Bias != nil {
		shift = shift.Add(b.Bias)
	}
	return x.Mul(scale.Reshape(pshape...)).Add(shift.Reshape(pshape...))
}

// updateRunningStats folds the batch mean and biased variance over n
// values per channel into the running estimates, without recording.
func (b *BatchNorm) updateRunningStats(mean, bvar *tensor.Tensor, n int) {
	if b.NumBatchesTracked != nil {
		b.NumBatchesTracked.CopyFrom(b.NumBatchesTracked.AddScalar(1))
	}
	f := b.Momentum
	if b.CumulativeAverage && b.NumBatchesTracked != nil {
		f = 1 / float64(b.NumBatchesTracked.Item())
	}
	blend := func(run, stat *tensor.Tensor, scale float64) {
		s := stat.Detach().Reshape(-1).To(run.DType())
		run.CopyFrom(run.MulScalar(1 - f).Add(s.MulScalar(f * scale)))
	}
	blend(b.RunningMean, mean, 1)
	blend(b.RunningVar, bvar, float64(n)/float64(n-1))
}
