package tensor_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/tensor"
)

// convTransposeRef is a plain-loop reference of
// torch.nn.functional.conv_transpose2d: every input element scatters its
// products with the kernel into the output. x is [n, c, h, w], w is
// [c, o/groups, kh, kw], b is [o] or nil.
func convTransposeRef(x []float64, xs []int, w []float64, ws []int, b []float64, stride, pad, outPad, dil [2]int, groups int) ([]float64, []int) {
	n, c, h, wd := xs[0], xs[1], xs[2], xs[3]
	og, kh, kw := ws[1], ws[2], ws[3]
	o := og * groups
	cg := c / groups
	oh := (h-1)*stride[0] - 2*pad[0] + dil[0]*(kh-1) + outPad[0] + 1
	ow := (wd-1)*stride[1] - 2*pad[1] + dil[1]*(kw-1) + outPad[1] + 1
	y := make([]float64, n*o*oh*ow)
	for ni := 0; ni < n; ni++ {
		for oc := 0; oc < o; oc++ {
			for i := 0; i < oh*ow; i++ {
				if b != nil {
					y[(ni*o+oc)*oh*ow+i] = b[oc]
				}
			}
		}
		for ic := 0; ic < c; ic++ {
			gi := ic / cg
			for i := 0; i < h; i++ {
				for j := 0; j < wd; j++ {
					v := x[((ni*c+ic)*h+i)*wd+j]
					for oc := 0; oc < og; oc++ {
						for p := 0; p < kh; p++ {
							for q := 0; q < kw; q++ {
								yh := i*stride[0] - pad[0] + p*dil[0]
								yw := j*stride[1] - pad[1] + q*dil[1]
								if yh < 0 || yh >= oh || yw < 0 || yw >= ow {
									continue
								}
								y[((ni*o+gi*og+oc)*oh+yh)*ow+yw] += v * w[((ic*og+oc)*kh+p)*kw+q]
							}
						}
					}
				}
			}
		}
	}
	return y, []int{n, o, oh, ow}
}

type convTCase struct {
	name                     string
	x, w                     []int
	bias                     bool
	stride, pad, outPad, dil [2]int
	groups                   int
}

func (c convTCase) opts() tensor.ConvTranspose2dOptions {
	return tensor.ConvTranspose2dOptions{Stride: c.stride, Padding: c.pad, OutputPadding: c.outPad, Dilation: c.dil, Groups: c.groups}
}

var convTCases = []convTCase{
	{"plain", []int{2, 3, 4, 5}, []int{3, 2, 3, 3}, true, [2]int{}, [2]int{}, [2]int{}, [2]int{}, 0},
	{"no bias", []int{2, 2, 3, 3}, []int{2, 3, 2, 3}, false, [2]int{}, [2]int{}, [2]int{}, [2]int{}, 0},
	{"stride and padding", []int{2, 2, 4, 3}, []int{2, 3, 3, 2}, true, [2]int{2, 3}, [2]int{1, 1}, [2]int{}, [2]int{}, 0},
	{"output padding", []int{1, 2, 3, 4}, []int{2, 2, 3, 3}, true, [2]int{2, 3}, [2]int{1, 0}, [2]int{1, 2}, [2]int{}, 0},
	{"dilation", []int{2, 2, 4, 4}, []int{2, 2, 2, 3}, true, [2]int{1, 2}, [2]int{1, 2}, [2]int{}, [2]int{2, 2}, 0},
	{"output padding below dilation", []int{1, 2, 3, 3}, []int{2, 2, 2, 2}, true, [2]int{1, 1}, [2]int{}, [2]int{1, 2}, [2]int{2, 3}, 0},
	{"groups", []int{2, 4, 3, 4}, []int{4, 3, 3, 2}, true, [2]int{2, 1}, [2]int{1, 1}, [2]int{1, 0}, [2]int{}, 2},
	{"1x1", []int{2, 3, 3, 4}, []int{3, 2, 1, 1}, true, [2]int{}, [2]int{}, [2]int{}, [2]int{}, 0},
}

func TestConvTranspose2dValues(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, c := range convTCases {
		t.Run(c.name, func(t *testing.T) {
			g := max(c.groups, 1)
			x := tensor.Randn(r, tensor.Float64, c.x...)
			w := tensor.Randn(r, tensor.Float64, c.w...)
			var b *tensor.Tensor
			var bv []float64
			if c.bias {
				b = tensor.Randn(r, tensor.Float64, c.w[1]*g)
				bv = b.Float64s()
			}
			want, shape := convTransposeRef(x.Float64s(), c.x, w.Float64s(), c.w, bv, convOne(c.stride), c.pad, c.outPad, convOne(c.dil), g)
			wantT := tensor.FromSlice(want, shape...)
			got := tensor.ConvTranspose2d(x, w, b, c.opts())
			if !tensor.AllClose(got, wantT, 1e-12, 1e-12) {
				t.Fatalf("ConvTranspose2d differs from the reference loop:\n%v\nwant\n%v", got, wantT)
			}
			xp := x.Permute(0, 2, 3, 1).Contiguous().Permute(0, 3, 1, 2)
			if !tensor.AllClose(tensor.ConvTranspose2d(xp, w, b, c.opts()), wantT, 1e-12, 1e-12) {
				t.Fatal("ConvTranspose2d of a permuted view differs")
			}
			var b32 *tensor.Tensor
			if b != nil {
				b32 = b.To(tensor.Float32)
			}
			got32 := tensor.ConvTranspose2d(x.To(tensor.Float32), w.To(tensor.Float32), b32, c.opts())
			if !tensor.AllClose(got32.To(tensor.Float64), wantT, 1e-5, 1e-5) {
				t.Fatal("float32 ConvTranspose2d differs from the reference loop")
			}
			un := tensor.ConvTranspose2d(x.Narrow(0, 0, 1).Squeeze(0), w, b, c.opts())
			if !tensor.AllClose(un, wantT.Narrow(0, 0, 1).Squeeze(0), 1e-12, 1e-12) {
				t.Fatal("unbatched ConvTranspose2d differs from the batched one")
			}
		})
	}
}

// TestConvTranspose2dIsConvGradient checks the defining identity: the
// transposed convolution is the gradient of Conv2d with respect to its
// input.
func TestConvTranspose2dIsConvGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	x := tensor.Randn(r, tensor.Float64, 2, 4, 9, 8).SetRequiresGrad(true)
	w := tensor.Randn(r, tensor.Float64, 6, 2, 3, 2)
	opt := tensor.Conv2dOptions{Stride: [2]int{2, 3}, Padding: [2]int{1, 1}, Dilation: [2]int{1, 2}, Groups: 2}
	y := tensor.Conv2d(x, w, nil, opt)
	gy := tensor.Randn(r, tensor.Float64, y.Shape()...)
	gx := tensor.Gradients(y, []*tensor.Tensor{x}, tensor.WithGrad(gy))[0]
	// y is 5×3. Transposed back, height (5−1)·2 − 2 + 2 + 1 = 9 needs no
	// output padding; width (3−1)·3 − 2 + 2 + 1 = 7 needs one column to
	// reach 8.
	got := tensor.ConvTranspose2d(gy, w, nil, tensor.ConvTranspose2dOptions{
		Stride: opt.Stride, Padding: opt.Padding, Dilation: opt.Dilation, Groups: opt.Groups,
		OutputPadding: [2]int{0, 1},
	})
	if !tensor.AllClose(got, gx, 1e-12, 1e-12) {
		t.Fatalf("ConvTranspose2d is not the input gradient of Conv2d: shapes %v and %v", got.Shape(), gx.Shape())
	}
}

func TestConvTranspose2dGrad(t *testing.T) {
	var gc []gradCase
	for _, c := range convTCases {
		g := max(c.groups, 1)
		f := func(x []*tensor.Tensor) *tensor.Tensor {
			var b *tensor.Tensor
			if len(x) > 2 {
				b = x[2]
			}
			return tensor.ConvTranspose2d(x[0], x[1], b, c.opts())
		}
		gc = append(gc, gradCase{c.name, func(r *rand.Rand) []*tensor.Tensor {
			ts := inputs(in(r, -1, 1, c.x...), in(r, -1, 1, c.w...))
			if c.bias {
				ts = append(ts, in(r, -1, 1, c.w[1]*g))
			}
			return ts
		}, f, nil})
	}
	s := convTCases[3]
	f := func(x []*tensor.Tensor) *tensor.Tensor { return tensor.ConvTranspose2d(x[0], x[1], x[2], s.opts()) }
	gc = append(gc,
		gradCase{"permuted input", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, 1, 3, 4, 2), in(r, -1, 1, s.w...), in(r, -1, 1, s.w[1]))
		}, func(x []*tensor.Tensor) *tensor.Tensor {
			return tensor.ConvTranspose2d(x[0].Permute(0, 3, 1, 2), x[1], x[2], s.opts())
		}, nil},
		gradCase{"input needs no grad", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(constIn(r, -1, 1, s.x...), in(r, -1, 1, s.w...), in(r, -1, 1, s.w[1]))
		}, f, nil},
		gradCase{"weight needs no grad", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, s.x...), constIn(r, -1, 1, s.w...), in(r, -1, 1, s.w[1]))
		}, f, nil},
		gradCase{"unbatched", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, 2, 3, 4), in(r, -1, 1, s.w...), in(r, -1, 1, s.w[1]))
		}, f, nil},
	)
	runGradCases(t, gc)
}

func TestConvTranspose2dSecond(t *testing.T) {
	for _, c := range []convTCase{convTCases[0], convTCases[3], convTCases[5], convTCases[6]} {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(15, 16))
			xs := inputs(in(r, -1, 1, c.x...), in(r, -1, 1, c.w...), in(r, -1, 1, c.w[1]*max(c.groups, 1)))
			f := func(x []*tensor.Tensor) *tensor.Tensor { return tensor.ConvTranspose2d(x[0], x[1], x[2], c.opts()) }
			if err := gradcheck.CheckSecond(f, xs, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestConvTranspose2dErrors(t *testing.T) {
	f32 := func(s ...int) *tensor.Tensor { return tensor.Zeros(tensor.Float32, s...) }
	x, w := f32(1, 4, 3, 3), f32(4, 3, 3, 3)
	cases := []struct {
		want string
		f    func()
	}{
		{"tensor.ConvTranspose2d: input must be 3-D (C, H, W) or 4-D (N, C, H, W), got 5-D (shapes [1 1 4 3 3], [4 3 3 3])",
			func() { tensor.ConvTranspose2d(f32(1, 1, 4, 3, 3), w, nil, tensor.ConvTranspose2dOptions{}) }},
		{"tensor.ConvTranspose2d: weight must be 4-D (in, out/groups, kH, kW), got 2-D (shapes [1 4 3 3], [4 3])",
			func() { tensor.ConvTranspose2d(x, f32(4, 3), nil, tensor.ConvTranspose2dOptions{}) }},
		{"tensor.ConvTranspose2d: input has 4 channels, weight has 3 (weight is in, out/groups, kH, kW) (shapes [1 4 3 3], [3 3 3 3])",
			func() { tensor.ConvTranspose2d(x, f32(3, 3, 3, 3), nil, tensor.ConvTranspose2dOptions{}) }},
		{"tensor.ConvTranspose2d: groups 3 must divide the input channels 4 (shapes [1 4 3 3], [4 3 3 3])",
			func() { tensor.ConvTranspose2d(x, w, nil, tensor.ConvTranspose2dOptions{Groups: 3}) }},
		{"tensor.ConvTranspose2d: bias must have shape [6], got [3] (shapes [1 4 3 3], [4 3 3 3], [3])",
			func() { tensor.ConvTranspose2d(x, w, f32(3), tensor.ConvTranspose2dOptions{Groups: 2}) }},
		{"tensor.ConvTranspose2d: output padding must be smaller than either stride or dilation, got output padding [0 2], stride [1 2], dilation [1 1] (shapes [1 4 3 3], [4 3 3 3])",
			func() {
				tensor.ConvTranspose2d(x, w, nil, tensor.ConvTranspose2dOptions{Stride: [2]int{1, 2}, OutputPadding: [2]int{0, 2}})
			}},
		{"tensor.ConvTranspose2d: output size [-1 5] is too small (input [3 3], kernel [3 3], stride [1 1], padding [3 0], output padding [0 0], dilation [1 1]) (shapes [1 4 3 3], [4 3 3 3])",
			func() { tensor.ConvTranspose2d(x, w, nil, tensor.ConvTranspose2dOptions{Padding: [2]int{3, 0}}) }},
		{"tensor.ConvTranspose2d: dtypes differ: input float32, weight float64 (shapes [1 4 3 3], [4 3 3 3])",
			func() {
				tensor.ConvTranspose2d(x, tensor.Zeros(tensor.Float64, 4, 3, 3, 3), nil, tensor.ConvTranspose2dOptions{})
			}},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) { mustPanic(t, c.want, c.f) })
	}
}
