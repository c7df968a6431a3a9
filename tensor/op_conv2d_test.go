package tensor_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/tensor"
)

// convRef is a plain-loop reference of torch.nn.functional.conv2d on
// contiguous float64 data: x [n, c, h, w], w [o, c/groups, kh, kw], b [o] or
// nil.
func convRef(x []float64, xs []int, w []float64, ws []int, b []float64, stride, pad, dil [2]int, groups int) ([]float64, []int) {
	n, c, h, wd := xs[0], xs[1], xs[2], xs[3]
	o, cg, kh, kw := ws[0], ws[1], ws[2], ws[3]
	oh := (h+2*pad[0]-dil[0]*(kh-1)-1)/stride[0] + 1
	ow := (wd+2*pad[1]-dil[1]*(kw-1)-1)/stride[1] + 1
	og := o / groups
	y := make([]float64, n*o*oh*ow)
	for ni := 0; ni < n; ni++ {
		for oc := 0; oc < o; oc++ {
			gi := oc / og
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					s := 0.0
					if b != nil {
						s = b[oc]
					}
					for ci := 0; ci < cg; ci++ {
						ic := gi*cg + ci
						for p := 0; p < kh; p++ {
							for q := 0; q < kw; q++ {
								ih := i*stride[0] - pad[0] + p*dil[0]
								iw := j*stride[1] - pad[1] + q*dil[1]
								if ih < 0 || ih >= h || iw < 0 || iw >= wd {
									continue
								}
								s += x[((ni*c+ic)*h+ih)*wd+iw] * w[((oc*cg+ci)*kh+p)*kw+q]
							}
						}
					}
					y[((ni*o+oc)*oh+i)*ow+j] = s
				}
			}
		}
	}
	return y, []int{n, o, oh, ow}
}

// convCase is one convolution configuration of the tests.
type convCase struct {
	name   string
	x, w   []int // shapes
	bias   bool
	stride [2]int
	pad    [2]int
	dil    [2]int
	groups int
}

func (c convCase) opts() tensor.Conv2dOptions {
	return tensor.Conv2dOptions{Stride: c.stride, Padding: c.pad, Dilation: c.dil, Groups: c.groups}
}

// one returns v with zeros replaced by 1.
func convOne(v [2]int) [2]int {
	for i := range v {
		if v[i] == 0 {
			v[i] = 1
		}
	}
	return v
}

var convCases = []convCase{
	{"plain", []int{2, 3, 5, 6}, []int{4, 3, 3, 3}, true, [2]int{}, [2]int{}, [2]int{}, 0},
	{"no bias", []int{2, 3, 5, 5}, []int{2, 3, 2, 3}, false, [2]int{}, [2]int{}, [2]int{}, 0},
	{"stride and padding", []int{2, 2, 7, 6}, []int{3, 2, 3, 2}, true, [2]int{2, 3}, [2]int{1, 2}, [2]int{}, 0},
	{"dilation", []int{1, 2, 7, 8}, []int{3, 2, 3, 2}, true, [2]int{1, 2}, [2]int{2, 1}, [2]int{2, 3}, 0},
	{"groups", []int{2, 4, 5, 5}, []int{6, 2, 3, 3}, true, [2]int{}, [2]int{1, 1}, [2]int{}, 2},
	{"depthwise", []int{2, 3, 5, 4}, []int{3, 1, 2, 2}, false, [2]int{2, 1}, [2]int{1, 0}, [2]int{}, 3},
	{"1x1", []int{2, 3, 4, 4}, []int{5, 3, 1, 1}, true, [2]int{}, [2]int{}, [2]int{}, 0},
	{"1x1 strided", []int{2, 4, 5, 5}, []int{2, 2, 1, 1}, true, [2]int{2, 2}, [2]int{}, [2]int{}, 2},
	{"kernel covers input", []int{3, 2, 3, 3}, []int{2, 2, 3, 3}, true, [2]int{}, [2]int{}, [2]int{}, 0},
}

func TestConv2dValues(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range convCases {
		t.Run(c.name, func(t *testing.T) {
			x := tensor.Randn(r, tensor.Float64, c.x...)
			w := tensor.Randn(r, tensor.Float64, c.w...)
			var b *tensor.Tensor
			var bv []float64
			if c.bias {
				b = tensor.Randn(r, tensor.Float64, c.w[0])
				bv = b.Float64s()
			}
			g := max(c.groups, 1)
			want, shape := convRef(x.Float64s(), c.x, w.Float64s(), c.w, bv, convOne(c.stride), c.pad, convOne(c.dil), g)
			wantT := tensor.FromSlice(want, shape...)
			got := tensor.Conv2d(x, w, b, c.opts())
			if !tensor.AllClose(got, wantT, 1e-12, 1e-12) {
				t.Fatalf("Conv2d differs from the reference loop:\n%v\nwant\n%v", got, wantT)
			}
			// A channels-last input read through a permuted view.
			xp := x.Permute(0, 2, 3, 1).Contiguous().Permute(0, 3, 1, 2)
			if !tensor.AllClose(tensor.Conv2d(xp, w, b, c.opts()), wantT, 1e-12, 1e-12) {
				t.Fatal("Conv2d of a permuted view differs")
			}
			// Float32 agrees to single precision.
			var b32 *tensor.Tensor
			if b != nil {
				b32 = b.To(tensor.Float32)
			}
			got32 := tensor.Conv2d(x.To(tensor.Float32), w.To(tensor.Float32), b32, c.opts())
			if got32.DType() != tensor.Float32 || !tensor.AllClose(got32.To(tensor.Float64), wantT, 1e-5, 1e-5) {
				t.Fatal("float32 Conv2d differs from the reference loop")
			}
			// An unbatched input gives the batch's first sample.
			un := tensor.Conv2d(x.Narrow(0, 0, 1).Squeeze(0), w, b, c.opts())
			if !tensor.AllClose(un, wantT.Narrow(0, 0, 1).Squeeze(0), 1e-12, 1e-12) {
				t.Fatal("unbatched Conv2d differs from the batched one")
			}
		})
	}
}

func TestConv2dGrad(t *testing.T) {
	var gc []gradCase
	for _, c := range convCases {
		f := func(x []*tensor.Tensor) *tensor.Tensor {
			var b *tensor.Tensor
			if len(x) > 2 {
				b = x[2]
			}
			return tensor.Conv2d(x[0], x[1], b, c.opts())
		}
		gc = append(gc, gradCase{c.name, func(r *rand.Rand) []*tensor.Tensor {
			ts := inputs(in(r, -1, 1, c.x...), in(r, -1, 1, c.w...))
			if c.bias {
				ts = append(ts, in(r, -1, 1, c.w[0]))
			}
			return ts
		}, f, nil})
	}
	s := convCases[2]
	gc = append(gc,
		gradCase{"permuted input", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, 2, 7, 6, 2), in(r, -1, 1, s.w...), in(r, -1, 1, s.w[0]))
		}, func(x []*tensor.Tensor) *tensor.Tensor {
			return tensor.Conv2d(x[0].Permute(0, 3, 1, 2), x[1], x[2], s.opts())
		}, nil},
		gradCase{"sliced weight", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, s.x...), in(r, -1, 1, 3, 2, 6, 2))
		}, func(x []*tensor.Tensor) *tensor.Tensor {
			return tensor.Conv2d(x[0], x[1].Slice(2, 0, 6, 2), nil, s.opts())
		}, nil},
		gradCase{"input needs no grad", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(constIn(r, -1, 1, s.x...), in(r, -1, 1, s.w...), in(r, -1, 1, s.w[0]))
		}, func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Conv2d(x[0], x[1], x[2], s.opts()) }, nil},
		gradCase{"weight needs no grad", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, s.x...), constIn(r, -1, 1, s.w...), constIn(r, -1, 1, s.w[0]))
		}, func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Conv2d(x[0], x[1], x[2], s.opts()) }, nil},
		gradCase{"unbatched", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, 2, 6, 5), in(r, -1, 1, s.w...), in(r, -1, 1, s.w[0]))
		}, func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Conv2d(x[0], x[1], x[2], s.opts()) }, nil},
		gradCase{"used twice", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, 1, 2, 2, 2))
		}, func(x []*tensor.Tensor) *tensor.Tensor {
			return tensor.Conv2d(x[0], x[0], nil, tensor.Conv2dOptions{Padding: [2]int{1, 1}})
		}, nil},
	)
	runGradCases(t, gc)
}

func TestConv2dSecond(t *testing.T) {
	for _, c := range []convCase{convCases[0], convCases[2], convCases[3], convCases[4], convCases[7]} {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, 8))
			xs := inputs(in(r, -1, 1, c.x...), in(r, -1, 1, c.w...), in(r, -1, 1, c.w[0]))
			f := func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Conv2d(x[0], x[1], x[2], c.opts()) }
			if err := gradcheck.CheckSecond(f, xs, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestConv2dWorkers checks that the result does not depend on the number
// of workers, bit for bit.
func TestConv2dWorkers(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	x := tensor.Randn(r, tensor.Float32, 11, 3, 6, 6).SetRequiresGrad(true)
	w := tensor.Randn(r, tensor.Float32, 4, 3, 3, 3).SetRequiresGrad(true)
	gy := tensor.Randn(r, tensor.Float32, 11, 4, 4, 4)
	run := func(procs int) []*tensor.Tensor {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		y := tensor.Conv2d(x, w, nil, tensor.Conv2dOptions{})
		return append([]*tensor.Tensor{y}, tensor.Gradients(y, []*tensor.Tensor{x, w}, tensor.WithGrad(gy))...)
	}
	one, four := run(1), run(4)
	for i := range one {
		if !tensor.Equal(one[i], four[i]) {
			t.Fatalf("result %d differs between 1 and 4 workers", i)
		}
	}
}

func TestConv2dErrors(t *testing.T) {
	f32 := func(s ...int) *tensor.Tensor { return tensor.Zeros(tensor.Float32, s...) }
	x, w := f32(1, 4, 5, 5), f32(6, 2, 3, 3)
	cases := []struct {
		want string
		f    func()
	}{
		{"tensor.Conv2d: input must be 3-D (C, H, W) or 4-D (N, C, H, W), got 2-D (shapes [4 5], [6 2 3 3])",
			func() { tensor.Conv2d(f32(4, 5), w, nil, tensor.Conv2dOptions{Groups: 2}) }},
		{"tensor.Conv2d: weight must be 4-D (out, in/groups, kH, kW), got 3-D (shapes [1 4 5 5], [6 2 3])",
			func() { tensor.Conv2d(x, f32(6, 2, 3), nil, tensor.Conv2dOptions{}) }},
		{"tensor.Conv2d: input has 4 channels, weight expects 2 (in/groups 2 × groups 1) (shapes [1 4 5 5], [6 2 3 3])",
			func() { tensor.Conv2d(x, w, nil, tensor.Conv2dOptions{}) }},
		{"tensor.Conv2d: groups 3 must divide the input channels 4 (shapes [1 4 5 5], [6 2 3 3])",
			func() { tensor.Conv2d(x, w, nil, tensor.Conv2dOptions{Groups: 3}) }},
		{"tensor.Conv2d: groups 4 must divide the output channels 6 (shapes [1 4 5 5], [6 1 3 3])",
			func() { tensor.Conv2d(x, f32(6, 1, 3, 3), nil, tensor.Conv2dOptions{Groups: 4}) }},
		{"tensor.Conv2d: bias must have shape [6], got [4] (shapes [1 4 5 5], [6 2 3 3], [4])",
			func() { tensor.Conv2d(x, w, f32(4), tensor.Conv2dOptions{Groups: 2}) }},
		{"tensor.Conv2d: output size [0 1] is too small (input [2 3], kernel [3 3], stride [1 1], padding [0 0], dilation [1 1]) (shapes [1 2 2 3], [6 2 3 3])",
			func() { tensor.Conv2d(f32(1, 2, 2, 3), w, nil, tensor.Conv2dOptions{}) }},
		{"tensor.Conv2d: output size [1 -3] is too small (input [5 5], kernel [3 3], stride [1 1], padding [0 0], dilation [2 4]) (shapes [1 4 5 5], [6 2 3 3])",
			func() { tensor.Conv2d(x, w, nil, tensor.Conv2dOptions{Groups: 2, Dilation: [2]int{2, 4}}) }},
		{"tensor.Conv2d: dtypes differ: input float32, weight float64 (shapes [1 4 5 5], [6 2 3 3])",
			func() {
				tensor.Conv2d(x, tensor.Zeros(tensor.Float64, 6, 2, 3, 3), nil, tensor.Conv2dOptions{Groups: 2})
			}},
		{"tensor.Conv2d: dtypes differ: input float32, bias float64 (shapes [1 4 5 5], [6 2 3 3], [6])",
			func() { tensor.Conv2d(x, w, tensor.Zeros(tensor.Float64, 6), tensor.Conv2dOptions{Groups: 2}) }},
		{"tensor.Conv2d: not supported for dtype int64 (shapes [1 4 5 5], [6 2 3 3])",
			func() {
				tensor.Conv2d(tensor.Zeros(tensor.Int64, 1, 4, 5, 5), tensor.Zeros(tensor.Int64, 6, 2, 3, 3), nil, tensor.Conv2dOptions{Groups: 2})
			}},
		{"tensor.Conv2d: stride must be positive, got [1 -1] (shapes [1 4 5 5], [6 2 3 3])",
			func() { tensor.Conv2d(x, w, nil, tensor.Conv2dOptions{Groups: 2, Stride: [2]int{1, -1}}) }},
		{"tensor.Conv2d: padding must be non-negative, got [-1 0] (shapes [1 4 5 5], [6 2 3 3])",
			func() { tensor.Conv2d(x, w, nil, tensor.Conv2dOptions{Groups: 2, Padding: [2]int{-1, 0}}) }},
		{"tensor.Conv2d: groups must be positive, got -2 (shapes [1 4 5 5], [6 2 3 3])",
			func() { tensor.Conv2d(x, w, nil, tensor.Conv2dOptions{Groups: -2}) }},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) { mustPanic(t, c.want, c.f) })
	}
}
