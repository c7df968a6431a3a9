package nn

import "github.com/backprop-go/backprop/tensor"

// MaxPool2d takes the maximum over sliding windows, as torch.nn.MaxPool2d
// (dilation 1, floor rounding), with tensor.MaxPool2d. It has no
// parameters.
type MaxPool2d struct {
	Kernel, Stride, Padding [2]int
}

// NewMaxPool2d returns a MaxPool2d layer. A zero stride means the kernel
// size; the input is padded with −∞ by padding, at most half the kernel.
func NewMaxPool2d(kernel, stride, padding [2]int) *MaxPool2d {
	poolCheck("NewMaxPool2d", kernel, stride, padding)
	return &MaxPool2d{Kernel: kernel, Stride: stride, Padding: padding}
}

// Forward returns the window maxima of x, [N, C, H, W] or [C, H, W].
func (m *MaxPool2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.MaxPool2d(x, m.Kernel, m.Stride, m.Padding)
}

// Members is empty: MaxPool2d has no parameters or buffers.
func (m *MaxPool2d) Members() Members { return Members{} }

// AvgPool2d takes the mean over sliding windows, as torch.nn.AvgPool2d with
// its defaults (floor rounding, padded zeros counted in the mean), with
// tensor.AvgPool2d. It has no parameters.
type AvgPool2d struct {
	Kernel, Stride, Padding [2]int
}

// NewAvgPool2d returns an AvgPool2d layer. A zero stride means the kernel
// size; the input is padded with zeros by padding, at most half the
// kernel.
func NewAvgPool2d(kernel, stride, padding [2]int) *AvgPool2d {
	poolCheck("NewAvgPool2d", kernel, stride, padding)
	return &AvgPool2d{Kernel: kernel, Stride: stride, Padding: padding}
}

// Forward returns the window means of x, [N, C, H, W] or [C, H, W].
func (m *AvgPool2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.AvgPool2d(x, m.Kernel, m.Stride, m.Padding)
}

// Members is empty: AvgPool2d has no parameters or buffers.
func (m *AvgPool2d) Members() Members { return Members{} }

// AdaptiveAvgPool2d averages its input down to a fixed OutH×OutW size
// whatever the input's size, as torch.nn.AdaptiveAvgPool2d, with
// tensor.AdaptiveAvgPool2d. It has no parameters.
type AdaptiveAvgPool2d struct {
	OutH, OutW int
}

// NewAdaptiveAvgPool2d returns an AdaptiveAvgPool2d layer with the given
// output size.
func NewAdaptiveAvgPool2d(outH, outW int) *AdaptiveAvgPool2d {
	if outH < 1 || outW < 1 {
		misuse("NewAdaptiveAvgPool2d", nil, "output size must be positive, got [%d %d]", outH, outW)
	}
	return &AdaptiveAvgPool2d{OutH: outH, OutW: outW}
}

// Forward returns the adaptive window means of x, [N, C, H, W] or
// [C, H, W].
func (m *AdaptiveAvgPool2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.AdaptiveAvgPool2d(x, m.OutH, m.OutW)
}

// Members is empty: AdaptiveAvgPool2d has no parameters or buffers.
func (m *AdaptiveAvgPool2d) Members() Members { return Members{} }

// poolCheck validates the arguments of a pooling layer.
func poolCheck(op string, kernel, stride, padding [2]int) {
	for i := range 2 {
		if kernel[i] < 1 {
			misuse(op, nil, "kernel size must be positive, got %v", kernel)
		}
		if stride[i] < 0 {
			misuse(op, nil, "stride must be positive, got %v", stride)
		}
		if padding[i] < 0 || 2*padding[i] > kernel[i] {
			misuse(op, nil, "padding %v must be non-negative and at most half the kernel size %v", padding, kernel)
		}
	}
}
