package tensor

// Conv1dOptions are the hyper-parameters of Conv1d, as in
// torch.nn.functional.conv1d. A zero Stride or Dilation means 1, and a
// zero Groups means 1.
type Conv1dOptions struct {
	Stride   int // step between windows
	Padding  int // implicit zeros added on both sides
	Dilation int // spacing between kernel taps
	Groups   int // input and output channels are split into this many groups
}

// Conv1d returns the one-dimensional cross-correlation of x with the
// filters w plus the bias b, with torch.nn.functional.conv1d's semantics: x
// is [N, C, L] (or [C, L] without a batch axis), w is [O, C/groups, K] and
// b, which may be nil, is [O]. The result is [N, O, OL] with
// OL = ⌊(L + 2·padding − dilation·(K − 1) − 1) / stride⌋ + 1. It is Conv2d
// over inputs of height 1, with the same forward and backward kernels.
func Conv1d(x, w, b *Tensor, opt Conv1dOptions) *Tensor {
	a := convArgs{op: "Conv1d", nd: 1, stride: []int{opt.Stride}, pad: []int{opt.Padding}, dil: []int{opt.Dilation}, groups: opt.Groups}
	s, batched := a.prepare(x, w, b)
	if !batched {
		x = x.Unsqueeze(0)
	}
	y := convRec(x.Unsqueeze(2), w.Unsqueeze(2), b, s).Squeeze(2)
	if !batched {
		y = y.Squeeze(0)
	}
	return y
}
