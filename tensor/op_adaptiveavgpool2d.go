package tensor

// AdaptiveAvgPool2d returns the mean of x over outH×outW windows that tile
// the input, with torch.nn.functional.adaptive_avg_pool2d's semantics: x is
// [N, C, H, W] (or [C, H, W]), and output row i averages the input rows
// ⌊i·H/outH⌋ to ⌈(i+1)·H/outH⌉ − 1 (columns likewise), so windows may
// differ in size and overlap. The result is [N, C, outH, outW].
func AdaptiveAvgPool2d(x *Tensor, outH, outW int) *Tensor {
	const op = "AdaptiveAvgPool2d"
	fail := func(format string, args ...any) { panicf(op, shapesOf(x), format, args...) }
	if !x.dtype.IsFloat() {
		fail("not supported for dtype %v", x.dtype)
	}
	if x.Dim() != 3 && x.Dim() != 4 {
		fail("input must be 3-D (C, H, W) or 4-D (N, C, H, W), got %d-D", x.Dim())
	}
	if outH < 1 || outW < 1 {
		fail("output size must be positive, got [%d %d]", outH, outW)
	}
	if x.Dim() == 3 {
		return AdaptiveAvgPool2d(x.Unsqueeze(0), outH, outW).Squeeze(0)
	}
	if x.shape[2] < 1 || x.shape[3] < 1 {
		fail("input height and width must be positive")
	}
	win := &avgWindows{name: op, n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3]}
	win.h0, win.h1, win.hd = adaptiveRanges(outH, win.h)
	win.w0, win.w1, win.wd = adaptiveRanges(outW, win.w)
	return avgPoolRec(x, win)
}

// adaptiveRanges returns PyTorch's adaptive pooling windows of n outputs
// over size inputs: output o averages [⌊o·size/n⌋, ⌈(o+1)·size/n⌉).
func adaptiveRanges(n, size int) (lo, hi, div []int) {
	lo, hi, div = make([]int, n), make([]int, n), make([]int, n)
	for o := range n {
		lo[o] = o * size / n
		hi[o] = ((o+1)*size + n - 1) / n
		div[o] = hi[o] - lo[o]
	}
	return lo, hi, div
}
