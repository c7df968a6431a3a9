package tensor

import (
	"github.com/backprop-go/backprop/internal/kernel"
	"github.com/backprop-go/backprop/internal/parallel"
)

// Conv2dOptions are the hyper-parameters of Conv2d, as in
// torch.nn.functional.conv2d. A zero Stride or Dilation entry means 1, and
// a zero Groups means 1.
type Conv2dOptions struct {
	Stride   [2]int // step between windows along height and width
	Padding  [2]int // implicit zeros added on both sides of height and width
	Dilation [2]int // spacing between kernel taps along height and width
	Groups   int    // input and output channels are split into this many groups
}

// Conv2d returns the two-dimensional cross-correlation of x with the
// filters w plus the bias b, with torch.nn.functional.conv2d's semantics: x
// is [N, C, H, W] (or [C, H, W] without a batch axis), w is
// [O, C/groups, KH, KW] and b, which may be nil, is [O]. The result is
// [N, O, OH, OW] with OH = ⌊(H + 2·padding − dilation·(KH − 1) − 1) / stride⌋ + 1
// and OW likewise.
func Conv2d(x, w, b *Tensor, opt Conv2dOptions) *Tensor {
	a := convArgs{op: "Conv2d", nd: 2, stride: opt.Stride[:], pad: opt.Padding[:], dil: opt.Dilation[:], groups: opt.Groups}
	s, batched := a.prepare(x, w, b)
	if !batched {
		return convRec(x.Unsqueeze(0), w, b, s).Squeeze(0)
	}
	return convRec(x, w, b, s)
}

// convShape describes one convolution y = conv(x, w) as a 2-D convolution:
// x is [N, C, H, W], w is [O, C/groups, KH, KW] and y is [N, O, OH, OW].
// The same shape describes the transposed convolution (which maps y-shaped
// tensors to x-shaped ones) and the weight gradient.
type convShape struct {
	n, o, groups int
	g            kernel.ConvGeom
}

func (s *convShape) xShape() []int { return []int{s.n, s.g.C, s.g.H, s.g.W} }
func (s *convShape) yShape() []int { return []int{s.n, s.o, s.g.OH, s.g.OW} }
func (s *convShape) wShape() []int {
	return []int{s.o, s.g.C / s.groups, s.g.KH, s.g.KW}
}

// direct reports whether the column matrix of an image is the image
// itself (a 1×1 kernel with unit stride and no padding).
func (s *convShape) direct() bool {
	g := &s.g
	return g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PH == 0 && g.PW == 0 && g.OH == g.H && g.OW == g.W
}

// convArgs are the user-facing arguments of a convolution with nd spatial
// dimensions (1 or 2), before validation.
type convArgs struct {
	op                       string
	nd                       int
	transposed               bool
	stride, pad, dil, outPad []int
	groups                   int
}

// prepare validates the operands of the convolution and returns its shape
// as a 2-D convolution (for a transposed convolution, the convolution whose
// adjoint it is), and whether x has a batch axis.
func (a *convArgs) prepare(x, w, b *Tensor) (*convShape, bool) {
	op, nd := a.op, a.nd
	x.live(op)
	w.live(op)
	if b != nil {
		b.live(op)
	}
	// The shapes for an error message are built only when one is raised.
	fail := func(format string, args ...any) {
		shapes := shapesOf(x, w)
		if b != nil {
			shapes = append(shapes, b.Shape())
		}
		panicf(op, shapes, format, args...)
	}
	if !x.dtype.IsFloat() {
		fail("not supported for dtype %v", x.dtype)
	}
	if w.dtype != x.dtype {
		fail("dtypes differ: input %v, weight %v", x.dtype, w.dtype)
	}
	if b != nil && b.dtype != x.dtype {
		fail("dtypes differ: input %v, bias %v", x.dtype, b.dtype)
	}
	if x.Dim() != nd+1 && x.Dim() != nd+2 {
		fail("input must be %d-D (%s) or %d-D (N, %s), got %d-D", nd+1, convAxes(nd, "C"), nd+2, convAxes(nd, "C"), x.Dim())
	}
	wAxes := func() string {
		if a.transposed {
			return convAxes(nd, "in", "out/groups")
		}
		return convAxes(nd, "out", "in/groups")
	}
	if w.Dim() != nd+2 {
		fail("weight must be %d-D (%s), got %d-D", nd+2, wAxes(), w.Dim())
	}
	// Sizes live in arrays on the stack (nd ≤ 2); error messages get
	// copies (ints), so that nothing here escapes to the heap.
	var strideA, padA, dilA, outPadA, outA, convInA, convOutA [2]int
	stride, pad, dil, outPad := strideA[:nd], padA[:nd], dilA[:nd], outPadA[:nd]
	for i := 0; i < nd; i++ {
		stride[i], pad[i], dil[i] = a.stride[i], a.pad[i], a.dil[i]
		if a.outPad != nil {
			outPad[i] = a.outPad[i]
		}
		if stride[i] < 0 {
			fail("stride must be positive, got %v", ints(a.stride))
		}
		if dil[i] < 0 {
			fail("dilation must be positive, got %v", ints(a.dil))
		}
		if pad[i] < 0 {
			fail("padding must be non-negative, got %v", ints(a.pad))
		}
		if outPad[i] < 0 {
			fail("output padding must be non-negative, got %v", ints(a.outPad))
		}
		if stride[i] == 0 {
			stride[i] = 1
		}
		if dil[i] == 0 {
			dil[i] = 1
		}
	}
	groups := a.groups
	if groups < 0 {
		fail("groups must be positive, got %d", groups)
	}
	if groups == 0 {
		groups = 1
	}
	batched := x.Dim() == nd+2
	xs := x.shape
	if !batched {
		xs = append([]int{1}, xs...)
	}
	c := xs[1]
	if c%groups != 0 {
		fail("groups %d must divide the input channels %d", groups, c)
	}
	var o int // output channels of the convolution (input channels of a transposed one)
	if a.transposed {
		if w.shape[0] != c {
			fail("input has %d channels, weight has %d (weight is %s)", c, w.shape[0], wAxes())
		}
		o, c = c, w.shape[1]*groups
	} else {
		o = w.shape[0]
		if o%groups != 0 {
			fail("groups %d must divide the output channels %d", groups, o)
		}
		if c != w.shape[1]*groups {
			fail("input has %d channels, weight expects %d (in/groups %d × groups %d)", c, w.shape[1]*groups, w.shape[1], groups)
		}
	}
	nb := c
	if !a.transposed {
		nb = o
	}
	if b != nil && (b.Dim() != 1 || b.shape[0] != nb) {
		fail("bias must have shape [%d], got %v", nb, ints(b.shape))
	}
	k := w.shape[2:]
	for _, v := range k {
		if v < 1 {
			fail("kernel size must be positive, got %v", ints(k))
		}
	}
	in := xs[2:]
	out := outA[:nd]       // size of the result
	convIn := convInA[:nd] // input size of the convolution
	convOut := convOutA[:nd]
	small := false
	for i := 0; i < nd; i++ {
		if a.transposed {
			out[i] = (in[i]-1)*stride[i] - 2*pad[i] + dil[i]*(k[i]-1) + outPad[i] + 1
			if outPad[i] >= stride[i] && outPad[i] >= dil[i] {
				fail("output padding must be smaller than either stride or dilation, got output padding %v, stride %v, dilation %v", ints(outPad), ints(stride), ints(dil))
			}
			convIn[i], convOut[i] = out[i], in[i]
		} else {
			out[i] = convFloorDiv(in[i]+2*pad[i]-dil[i]*(k[i]-1)-1, stride[i]) + 1
			convIn[i], convOut[i] = in[i], out[i]
		}
		small = small || out[i] < 1
	}
	if small {
		if a.transposed {
			fail("output size %v is too small (input %v, kernel %v, stride %v, padding %v, output padding %v, dilation %v)", ints(out), ints(in), ints(k), ints(stride), ints(pad), ints(outPad), ints(dil))
		}
		fail("output size %v is too small (input %v, kernel %v, stride %v, padding %v, dilation %v)", ints(out), ints(in), ints(k), ints(stride), ints(pad), ints(dil))
	}
	s := &convShape{n: xs[0], o: o, groups: groups}
	g := kernel.ConvGeom{C: c, H: 1, KH: 1, SH: 1, DH: 1, OH: 1}
	if nd == 2 {
		g.H, g.KH, g.SH, g.PH, g.DH, g.OH = convIn[0], k[0], stride[0], pad[0], dil[0], convOut[0]
	}
	g.W, g.KW, g.SW, g.PW, g.DW, g.OW = convIn[nd-1], k[nd-1], stride[nd-1], pad[nd-1], dil[nd-1], convOut[nd-1]
	s.g = g
	return s, batched
}

// ints returns a copy of s, for error messages: passing the copy keeps s
// itself from escaping to the heap.
func ints(s []int) []int { return append([]int(nil), s...) }

// convAxes names the axes of a convolution operand: the leading names then
// the spatial axes.
func convAxes(nd int, lead ...string) string {
	sp := "L"
	if nd == 2 {
		sp = "H, W"
		if len(lead) == 2 {
			sp = "kH, kW"
		}
	} else if len(lead) == 2 {
		sp = "k"
	}
	r := ""
	for _, l := range lead {
		r += l + ", "
	}
	return r + sp
}

func convFloorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// conv2dOp is y = conv(x, w) + b. The convolution is bilinear in x and w,
// so dL/dx is the transposed convolution of dL/dy with w, dL/dw is the
// weight gradient of x and dL/dy (convWeightGradOp), and dL/db is dL/dy
// summed over the batch and spatial axes.
type conv2dOp struct {
	x, w *Tensor
	s    *convShape
	cols *Tensor // the column matrices of x from the forward pass, or nil
}

func (o *conv2dOp) backward(g *Tensor, needs []bool) []*Tensor {
	r := make([]*Tensor, 3)
	if needs[0] {
		r[0] = convTransposeRec(g, o.w, nil, o.s)
	}
	if needs[1] {
		r[1] = convWeightGradRec(o.x, g, o.s, o.cols)
	}
	if needs[2] {
		r[2] = convBiasGrad(g)
	}
	return r
}

// convBiasGrad returns the bias gradient of a convolution, dL/dy summed
// over the batch and spatial axes of the 4-D g. In a plain backward pass
// over a contiguous float32 g it is one vector sum per row, accumulated in
// float64 as Sum does; otherwise it is the recorded g.Sum(0, 2, 3).
func convBiasGrad(g *Tensor) *Tensor {
	if !g.noGrad || g.dtype != Float32 || !g.IsContiguous() {
		return g.Sum(0, 2, 3)
	}
	n, c, l := g.shape[0], g.shape[1], g.shape[2]*g.shape[3]
	r := newLike(Float32, []int{c}, false, g)
	r.noGrad = true
	src, dst := g.st.f32[g.offset:g.offset+n*c*l], r.st.f32[:c]
	for ch := range dst {
		var acc float64
		for i := 0; i < n; i++ {
			o := (i*c + ch) * l
			acc += float64(kernel.Sum(src[o : o+l]))
		}
		dst[ch] = float32(acc)
	}
	return r
}

// convWeightGradOp is dw = Σₙ dyₙ·colₙ(x)ᵀ, the weight gradient of the
// convolution s for input x and output gradient dy. It is bilinear with
// ⟨G, dw(x, dy)⟩ = ⟨dy, conv(x, G)⟩, so dL/dx is the transposed
// convolution of dy with G = dL/d(dw) and dL/d(dy) = conv(x, G).
type convWeightGradOp struct {
	x, dy *Tensor
	s     *convShape
}

func (o *convWeightGradOp) backward(g *Tensor, needs []bool) []*Tensor {
	r := make([]*Tensor, 2)
	if needs[0] {
		r[0] = convTransposeRec(o.dy, g, nil, o.s)
	}
	if needs[1] {
		r[1] = convRec(o.x, g, nil, o.s)
	}
	return r
}

// convRec computes the convolution s of x (4-D) with w plus b and records
// it. When the weight's gradient will be needed, the column matrices of x
// built for the product are kept for it.
func convRec(x, w, b *Tensor, s *convShape) *Tensor {
	y := newLike(x.dtype, s.yShape(), false, x, w, b)
	keep := s.keepCols(x.dtype) && (w.requiresGrad && !w.noGrad && !x.noGrad && (b == nil || !b.noGrad)) && !s.wgradWindowed(x)
	cols := convScratch(s, x, !keep, x, w, b)
	switch x.dtype {
	case Float32:
		convForward(s, x, convElems[float32](w), convBias[float32](b), y.st.f32, colsOf[float32](cols), !keep)
	case Float64:
		convForward(s, x, convElems[float64](w), convBias[float64](b), y.st.f64, colsOf[float64](cols), !keep)
	}
	op := &conv2dOp{x: x, w: w, s: s}
	out := record(y, "Conv2d", op, x, w, b)
	if keep && out.requiresGrad {
		op.cols = cols
	} else {
		releaseScratch(cols)
	}
	return out
}

// convKeepMax is the largest size in bytes of the column matrices of a
// batch that the forward pass keeps for the weight gradient. Bigger ones
// do not stay in the caches between the passes: writing them out and
// reading them back costs more than building each sample's again, in a
// per-chunk buffer that stays in L2, in the backward pass.
var convKeepMax = 1 << 20

// keepCols reports whether the forward pass of s keeps its column matrices
// for the weight gradient.
func (s *convShape) keepCols(dt DType) bool {
	return s.n*s.g.ColRows()*s.g.ColCols()*dt.Size() <= convKeepMax
}

// convSlots returns the samples per chunk and the number of chunks in
// which the convolution's passes take the samples of a batch of n when
// they build column matrices in one buffer per chunk.
func convSlots(n int) (per, chunks int) {
	per = convChunk(n)
	return per, (n + per - 1) / per
}

// release hands the saved column matrices back when the graph is freed.
func (o *conv2dOp) release() {
	releaseScratch(o.cols)
	o.cols = nil
}

// convScratch returns a buffer for the column matrices of the n images of
// the convolution s ([n·C·KH·KW·OH·OW] elements), or with slots for one
// per chunk of convSlots(n), in the arena of like or, outside any, from a
// pool to which releaseScratch returns it; or nil when the convolution
// reads x itself (a 1×1 kernel over a contiguous image).
func convScratch(s *convShape, x *Tensor, slots bool, like ...*Tensor) *Tensor {
	if s.direct() && isContig(x.shape[1:], x.strides[1:]) {
		return nil
	}
	m := s.n
	if slots {
		_, m = convSlots(s.n)
	}
	return scratchLike(x.dtype, m*s.g.ColRows()*s.g.ColCols(), like...)
}

// colsOf returns the storage of the column buffer c, or nil.
func colsOf[T float](c *Tensor) []T {
	if c == nil {
		return nil
	}
	return elems[T](c)
}

// convWeightGradRec computes the weight gradient of the convolution s for
// input x and output gradient dy and records it. cols, when not nil, holds
// the column matrices of x (from the forward pass).
func convWeightGradRec(x, dy *Tensor, s *convShape, cols *Tensor) *Tensor {
	dw := newLike(x.dtype, s.wShape(), true, x, dy)
	windowed := s.wgradWindowed(x)
	fill := cols == nil && !windowed
	if fill {
		cols = convScratch(s, x, true, x, dy)
		defer releaseScratch(cols)
	}
	// Partial sums of all chunks but the first (of every chunk when the
	// products are transposed), zeroed.
	per := convChunk(s.n)
	nw := numel(s.wShape())
	np := (s.n+per-1)/per - 1
	if s.wgradTransposed() && !windowed {
		np++
	}
	part := scratchLike(x.dtype, np*nw, x, dy)
	defer releaseScratch(part)
	part.fillZero()
	switch x.dtype {
	case Float32:
		if windowed {
			convWeightGradWindowed(s, x, convElems[float32](dy), dw.st.f32, part.st.f32)
			break
		}
		convWeightGrad(s, x, convElems[float32](dy), dw.st.f32, colsOf[float32](cols), fill, part.st.f32)
	case Float64:
		convWeightGrad(s, x, convElems[float64](dy), dw.st.f64, colsOf[float64](cols), fill, part.st.f64)
	}
	return record(dw, "Conv2dWeightGrad", &convWeightGradOp{x: x, dy: dy, s: s}, x, dy)
}

// convElems returns the elements of t in row-major order, without a copy
// when t is contiguous.
func convElems[T float](t *Tensor) []T {
	if !t.IsContiguous() {
		t = t.Detach().Contiguous()
	}
	return elems[T](t)[t.offset : t.offset+t.Numel()]
}

// convBias is convElems for an optional bias.
func convBias[T float](b *Tensor) []T {
	if b == nil {
		return nil
	}
	return convElems[T](b)
}

// convChunk is the number of batch samples per unit of parallel work in the
// weight gradient. It depends on the batch size only, so the order of the
// floating-point sums, and the result, do not depend on the number of
// workers.
func convChunk(n int) int { return max(1, (n+7)/8) }

// convForward writes y = conv(x, w) + b for the convolution s. x is read
// through its strides; w, b and y are contiguous. cols receives the column
// matrices of the images, one after the other, or with slots one per
// chunk of convSlots (nil when the convolution reads x directly).
func convForward[T kernel.Float](s *convShape, x *Tensor, w, b, y, cols []T, slots bool) {
	g := &s.g // a pointer: the chunks' closures would move a copy to the heap
	xs := elems[T](x)
	L := g.OH * g.OW
	cl := g.ColRows() * L
	og, kk := s.o/s.groups, g.ColRows()/s.groups
	per, chunks := 1, s.n
	if slots {
		per, chunks = convSlots(s.n)
	}
	parallel.For(chunks, 1, func(clo, chi int) {
		for n := clo * per; n < min(s.n, chi*per); n++ {
			xo := x.offset + n*x.strides[0]
			var col []T
			if cols == nil {
				col = xs[xo : xo+g.C*L]
			} else {
				slot := n
				if slots {
					slot = n / per
				}
				col = cols[slot*cl : (slot+1)*cl]
				kernel.Im2col(g, xs[xo:], x.strides[1], x.strides[2], x.strides[3], col)
			}
			yn := y[n*s.o*L : (n+1)*s.o*L]
			for gi := 0; gi < s.groups; gi++ {
				kernel.Gemm(false, false, og, L, kk, 1, w[gi*og*kk:], max(kk, 1), col[gi*kk*L:], L, 0, yn[gi*og*L:], L)
			}
			for o, bv := range b {
				convAddBias(yn[o*L:o*L+L], bv)
			}
		}
	})
}

// convOnes is a run of float32 ones: convAddBias adds a bias to float32
// rows as bias·1 with the vector kernel.Axpy, which rounds exactly as
// row[i] + bias does (bias·1 is exact).
var convOnes = func() (o [1024]float32) {
	for i := range o {
		o[i] = 1
	}
	return o
}()

// convAddBias adds bv to every element of row.
func convAddBias[T kernel.Float](row []T, bv T) {
	if r, ok := any(row).([]float32); ok {
		for len(r) > 0 {
			n := min(len(r), len(convOnes))
			kernel.Axpy(float32(bv), convOnes[:n], r[:n])
			r = r[n:]
		}
		return
	}
	for i := range row {
		row[i] += bv
	}
}

// convTranspose writes x = convᵀ(y, w) + b, the adjoint of the convolution
// s applied to y, into the zeroed contiguous x. y and w are contiguous; b
// has one entry per channel of x. cols is scratch for one column matrix
// per chunk of convSlots(n) (nil when the convolution reads x directly).
func convTranspose[T kernel.Float](s *convShape, y, w, b, x, cols []T) {
	g := &s.g // a pointer: the chunks' closures would move a copy to the heap
	L := g.OH * g.OW
	hw := g.H * g.W
	cl := g.ColRows() * L
	og, kk := s.o/s.groups, g.ColRows()/s.groups
	per, chunks := convSlots(s.n)
	parallel.For(chunks, 1, func(clo, chi int) {
		for n := clo * per; n < min(s.n, chi*per); n++ {
			xn := x[n*g.C*hw : (n+1)*g.C*hw]
			col := xn
			if cols != nil {
				slot := n / per
				col = cols[slot*cl : (slot+1)*cl]
			}
			yn := y[n*s.o*L:]
			for gi := 0; gi < s.groups; gi++ {
				kernel.Gemm(true, false, kk, L, og, 1, w[gi*og*kk:], max(kk, 1), yn[gi*og*L:], L, 0, col[gi*kk*L:], L)
			}
			if cols != nil {
				// col is scratch: Col2imScratch may overwrite it.
				kernel.Col2imScratch(g, col, xn)
			}
			for c, bv := range b {
				convAddBias(xn[c*hw:c*hw+hw], bv)
			}
		}
	})
}

// wgradTransposed reports whether convWeightGrad computes the transposed
// weight gradient dwᵀ = col·dyᵀ rather than dw = dy·colᵀ. Either product
// packs its transposed operand, the column matrix (C·KH·KW/groups rows)
// or the output gradient (O/groups rows) of every sample: the transposed
// form packs less when there are fewer output channels than kernel taps,
// as in the first layers of a small network.
func (s *convShape) wgradTransposed() bool {
	return s.o < s.g.ColRows()
}

// convWeightGrad writes dw = Σₙ dyₙ·colₙ(x)ᵀ for the convolution s into the
// zeroed contiguous dw. x is read through its strides; dy is contiguous.
// cols holds the column matrices of the images (nil when the convolution
// reads x directly); with fill it has one per chunk of convSlots, built
// here sample by sample, otherwise those of all samples are already
// there. part holds zeroed room for the partial sums of every
// chunk of samples but the first, or of every chunk when
// s.wgradTransposed().
func convWeightGrad[T kernel.Float](s *convShape, x *Tensor, dy, dw, cols []T, fill bool, part []T) {
	g := &s.g // a pointer: the chunks' closures would move a copy to the heap
	xs := elems[T](x)
	L := g.OH * g.OW
	cl := g.ColRows() * L
	og, kk := s.o/s.groups, g.ColRows()/s.groups
	per := convChunk(s.n)
	chunks := (s.n + per - 1) / per
	trans := s.wgradTransposed()
	nw := len(dw)
	parallel.For(chunks, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			var acc []T
			switch {
			case trans:
				acc = part[ch*nw : (ch+1)*nw]
			case ch == 0:
				acc = dw
			default:
				acc = part[(ch-1)*nw : ch*nw]
			}
			for n := ch * per; n < min(s.n, (ch+1)*per); n++ {
				xo := x.offset + n*x.strides[0]
				var col []T
				if cols == nil {
					col = xs[xo : xo+g.C*L]
				} else if fill {
					col = cols[ch*cl : (ch+1)*cl]
					kernel.Im2col(g, xs[xo:], x.strides[1], x.strides[2], x.strides[3], col)
				} else {
					col = cols[n*cl : (n+1)*cl]
				}
				dyn := dy[n*s.o*L:]
				for gi := 0; gi < s.groups; gi++ {
					if trans {
						// Group gi's dwᵀ, [kk, og], at the group's offset.
						kernel.Gemm(false, true, kk, og, L, 1, col[gi*kk*L:], L, dyn[gi*og*L:], L, 1, acc[gi*og*kk:], max(og, 1))
						continue
					}
					kernel.Gemm(false, true, og, kk, L, 1, dyn[gi*og*L:], L, col[gi*kk*L:], L, 1, acc[gi*og*kk:], max(kk, 1))
				}
			}
		}
	})
	if trans {
		// dw[gi, o, p] = Σ over chunks of dwᵀ[gi, p, o], chunk by chunk in
		// order, so the result does not depend on the number of workers.
		for gi := 0; gi < s.groups; gi++ {
			base := gi * og * kk
			for ch := 0; ch < chunks; ch++ {
				src := part[ch*nw+base : ch*nw+base+og*kk]
				dst := dw[base : base+og*kk]
				for p := 0; p < kk; p++ {
					row := src[p*og : p*og+og]
					for o, v := range row {
						dst[o*kk+p] += v
					}
				}
			}
		}
		return
	}
	for ch := 1; ch < chunks; ch++ {
		for i, v := range part[(ch-1)*nw : ch*nw] {
			dw[i] += v
		}
	}
}

// wgradWindowed reports whether the weight gradient of s for the input x
// is computed from x itself rather than from its column matrices:
// dw[o][c][kh][kw] = Σₙ Σ_{oh,ow} dyₙ[o][oh][ow]·xₙ[c][oh+kh][ow+kw] as
// kernel.DotAcc over the output rows, with the 16-lane vectors along the
// output width. That needs a float32 convolution with one group, unit
// stride and dilation and no padding, an input with unit stride along its
// width, output rows of at least 16 elements (so that the vectors are
// mostly full) and DotAcc's vector kernel. It is the case of the first
// layer of small image networks (LeNet-5's conv1: one input channel, 24
// outputs per row), where the products of the column matrices have only a
// few output channels and fill a GEMM tile's vectors poorly, and where
// building the column matrices costs as much as the products.
func (s *convShape) wgradWindowed(x *Tensor) bool {
	g := &s.g
	return x.dtype == Float32 && s.groups == 1 && g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1 &&
		g.PH == 0 && g.PW == 0 && g.OW >= 16 && x.strides[3] == 1 && kernel.DotAccFast()
}

// convWeightGradWindowed writes dw = Σₙ dyₙ·colₙ(x)ᵀ for the convolution s
// into the zeroed contiguous dw as wgradWindowed describes, reading x
// through its strides; dy is contiguous. The samples are taken in chunks
// of convChunk, each summed into its own part (the first into dw, the
// others into the zeroed part) and the parts added in order, so the
// result does not depend on the number of workers.
func convWeightGradWindowed(s *convShape, x *Tensor, dy, dw, part []float32) {
	g := s.g
	xs := x.st.f32
	L := g.OH * g.OW
	kk := g.C * g.KH * g.KW
	per := convChunk(s.n)
	chunks := (s.n + per - 1) / per
	nw := len(dw)
	parallel.For(chunks, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			acc := dw
			if ch > 0 {
				acc = part[(ch-1)*nw : ch*nw]
			}
			for n := ch * per; n < min(s.n, (ch+1)*per); n++ {
				dyn := dy[n*s.o*L : (n+1)*s.o*L]
				for c := 0; c < g.C; c++ {
					for kh := 0; kh < g.KH; kh++ {
						xo := x.offset + n*x.strides[0] + c*x.strides[1] + kh*x.strides[2]
						kernel.DotAcc(s.o, g.KW, g.OH, g.OW, dyn, L, g.OW, xs[xo:], 1, x.strides[2],
							acc[(c*g.KH+kh)*g.KW:], kk)
					}
				}
			}
		}
	})
	for ch := 1; ch < chunks; ch++ {
		kernel.Add(dw, dw, part[(ch-1)*nw:ch*nw])
	}
}
