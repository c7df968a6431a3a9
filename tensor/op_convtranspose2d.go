package tensor

// ConvTranspose2dOptions are the hyper-parameters of ConvTranspose2d, as in
// torch.nn.functional.conv_transpose2d. A zero Stride or Dilation entry
// means 1, and a zero Groups means 1. OutputPadding adds rows and columns
// at the bottom and right of the output to resolve the ambiguity of the
// output size when the stride is greater than 1; it must be smaller than
// either the stride or the dilation.
type ConvTranspose2dOptions struct {
	Stride        [2]int
	Padding       [2]int
	OutputPadding [2]int
	Dilation      [2]int
	Groups        int
}

// ConvTranspose2d returns the transposed convolution ("deconvolution") of x
// with the filters w plus the bias b, with
// torch.nn.functional.conv_transpose2d's semantics: it is the gradient of
// Conv2d with respect to its input. x is [N, C, H, W] (or [C, H, W]), w is
// [C, O/groups, KH, KW] and b, which may be nil, is [O]. The result is
// [N, O, OH, OW] with
// OH = (H − 1)·stride − 2·padding + dilation·(KH − 1) + output padding + 1
// and OW likewise.
func ConvTranspose2d(x, w, b *Tensor, opt ConvTranspose2dOptions) *Tensor {
	a := convArgs{op: "ConvTranspose2d", nd: 2, transposed: true, stride: opt.Stride[:], pad: opt.Padding[:],
		dil: opt.Dilation[:], outPad: opt.OutputPadding[:], groups: opt.Groups}
	s, batched := a.prepare(x, w, b)
	if !batched {
		return convTransposeRec(x.Unsqueeze(0), w, b, s).Squeeze(0)
	}
	return convTransposeRec(x, w, b, s)
}

// convTransposeOp is x = convᵀ(y, w) + b, the adjoint of the convolution
// s. It is bilinear with ⟨G, convᵀ(y, w)⟩ = ⟨conv(G, w), y⟩, so
// dL/dy = conv(G, w) for G = dL/dx, dL/dw is the convolution's weight
// gradient for input G and output gradient y, and dL/db is G summed over
// the batch and spatial axes.
type convTransposeOp struct {
	y, w *Tensor
	s    *convShape
}

func (o *convTransposeOp) backward(g *Tensor, needs []bool) []*Tensor {
	r := make([]*Tensor, 3)
	if needs[0] {
		r[0] = convRec(g, o.w, nil, o.s)
	}
	if needs[1] {
		r[1] = convWeightGradRec(g, o.y, o.s, nil)
	}
	if needs[2] {
		r[2] = g.Sum(0, 2, 3)
	}
	return r
}

// convTransposeRec computes the transposed convolution of the 4-D y with w
// plus b, the adjoint of the convolution s, and records it.
func convTransposeRec(y, w, b *Tensor, s *convShape) *Tensor {
	x := newLike(y.dtype, s.xShape(), true, y, w, b)
	var cols *Tensor
	if !s.direct() {
		_, chunks := convSlots(s.n)
		cols = scratchLike(y.dtype, chunks*s.g.ColRows()*s.g.ColCols(), y, w, b)
		defer releaseScratch(cols)
	}
	switch y.dtype {
	case Float32:
		convTranspose(s, convElems[float32](y), convElems[float32](w), convBias[float32](b), x.st.f32, colsOf[float32](cols))
	case Float64:
		convTranspose(s, convElems[float64](y), convElems[float64](w), convBias[float64](b), x.st.f64, colsOf[float64](cols))
	}
	return record(x, "ConvTranspose2d", &convTransposeOp{y: y, w: w, s: s}, y, w, b)
}
