package tensor

// AvgPool2d returns the mean of x over sliding kernel[0]×kernel[1] windows,
// with torch.nn.functional.avg_pool2d's defaults (floor rounding,
// count_include_pad true): x is [N, C, H, W] (or [C, H, W]), a zero stride
// means the kernel size, and the input is padded with zeros on each side
// by padding, which must be at most half the kernel; the zeros count in
// the mean. The result is [N, C, OH, OW] with
// OH = ⌊(H + 2·padding − kernel) / stride⌋ + 1 and OW likewise.
func AvgPool2d(x *Tensor, kernel, stride, padding [2]int) *Tensor {
	p := preparePool("AvgPool2d", x, kernel, stride, padding)
	if !p.batched {
		return AvgPool2d(x.Unsqueeze(0), kernel, stride, padding).Squeeze(0)
	}
	win := &avgWindows{name: "AvgPool2d", n: p.n, c: p.c, h: p.h, w: p.w}
	win.h0, win.h1, win.hd = avgPoolRanges(p.oh, p.kh, p.sh, p.ph, p.h)
	win.w0, win.w1, win.wd = avgPoolRanges(p.ow, p.kw, p.sw, p.pw, p.w)
	return avgPoolRec(x, win)
}

// avgPoolRanges returns, for each of n outputs along one axis of an average
// pooling with count_include_pad, the input range [lo, hi) it averages and
// the size of its window including the padding (PyTorch's pool_size).
func avgPoolRanges(n, k, s, pad, size int) (lo, hi, div []int) {
	lo, hi, div = make([]int, n), make([]int, n), make([]int, n)
	for o := range n {
		start := o*s - pad
		end := min(start+k, size+pad)
		div[o] = end - start
		lo[o], hi[o] = max(start, 0), min(end, size)
	}
	return lo, hi, div
}

// avgWindows describes an average pooling of [n, c, h, w] into
// [n, c, len(h0), len(w0)] with separable windows: output (i, j) is the
// sum of the input rows [h0[i], h1[i]) and columns [w0[j], w1[j]) divided
// by hd[i]·wd[j]. AvgPool2d and AdaptiveAvgPool2d are both of this form.
type avgWindows struct {
	name       string
	n, c, h, w int
	h0, h1, hd []int
	w0, w1, wd []int
}

func (a *avgWindows) inShape() []int  { return []int{a.n, a.c, a.h, a.w} }
func (a *avgWindows) outShape() []int { return []int{a.n, a.c, len(a.h0), len(a.w0)} }

// avgPoolOp is the average pooling y = A·x, a linear map: dL/dx = Aᵀ·dL/dy
// spreads each output gradient evenly over its window (avgUnpoolOp).
type avgPoolOp struct{ win *avgWindows }

func (o *avgPoolOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{avgUnpoolRec(g, o.win)}
}

// avgUnpoolOp is x = Aᵀ·y, the adjoint of avgPoolOp; its own derivative is
// the pooling A again.
type avgUnpoolOp struct{ win *avgWindows }

func (o *avgUnpoolOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{avgPoolRec(g, o.win)}
}

// avgPoolRec computes and records the pooling win of the 4-D x.
func avgPoolRec(x *Tensor, win *avgWindows) *Tensor {
	y := newLike(x.dtype, win.outShape(), true, x)
	switch x.dtype {
	case Float32:
		avgPool(win, x, y.st.f32)
	case Float64:
		avgPool(win, x, y.st.f64)
	}
	return record(y, win.name, &avgPoolOp{win: win}, x)
}

// avgUnpoolRec computes and records the adjoint of the pooling win applied
// to the output-shaped y.
func avgUnpoolRec(y *Tensor, win *avgWindows) *Tensor {
	x := newLike(y.dtype, win.inShape(), true, y)
	switch y.dtype {
	case Float32:
		avgUnpool(win, convElems[float32](y), x.st.f32)
	case Float64:
		avgUnpool(win, convElems[float64](y), x.st.f64)
	}
	return record(x, win.name+"Backward", &avgUnpoolOp{win: win}, y)
}

// avgPlanes runs fn over the n·c planes of the pooling win in parallel
// chunks.
func avgPlanes(win *avgWindows, fn func(plane int)) {
	p := poolGeom{n: win.n, c: win.c, oh: len(win.h0), ow: len(win.w0), kh: 1, kw: 1}
	if len(win.hd) > 0 && len(win.wd) > 0 {
		p.kh, p.kw = win.hd[0], win.wd[0]
	}
	poolPlanes(&p, fn)
}

// avgPool writes the window means of x (read through its strides) into y.
// The sums accumulate in float64.
func avgPool[T float](win *avgWindows, x *Tensor, y []T) {
	xs := elems[T](x)
	sn, sc, sh, sw := x.strides[0], x.strides[1], x.strides[2], x.strides[3]
	oh, ow := len(win.h0), len(win.w0)
	avgPlanes(win, func(plane int) {
		n, c := plane/win.c, plane%win.c
		base := x.offset + n*sn + c*sc
		yp := y[plane*oh*ow : (plane+1)*oh*ow]
		for i := range oh {
			for j := range ow {
				s := 0.0
				for h := win.h0[i]; h < win.h1[i]; h++ {
					p := base + h*sh + win.w0[j]*sw
					for w := win.w0[j]; w < win.w1[j]; w++ {
						s += float64(xs[p])
						p += sw
					}
				}
				yp[i*ow+j] = T(s / float64(win.hd[i]*win.wd[j]))
			}
		}
	})
}

// avgUnpool adds each element of the contiguous output-shaped y, divided
// by its window's size, to every element of its window in the zeroed
// contiguous x.
func avgUnpool[T float](win *avgWindows, y, x []T) {
	oh, ow := len(win.h0), len(win.w0)
	hw := win.h * win.w
	avgPlanes(win, func(plane int) {
		yp := y[plane*oh*ow : (plane+1)*oh*ow]
		xp := x[plane*hw : (plane+1)*hw]
		for i := range oh {
			for j := range ow {
				v := yp[i*ow+j] / T(win.hd[i]*win.wd[j])
				for h := win.h0[i]; h < win.h1[i]; h++ {
					row := xp[h*win.w+win.w0[j] : h*win.w+win.w1[j]]
					for k := range row {
						row[k] += v
					}
				}
			}
		}
	})
}
