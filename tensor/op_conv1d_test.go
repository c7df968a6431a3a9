package tensor_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/tensor"
)

type conv1dCase struct {
	name                     string
	x, w                     []int
	bias                     bool
	stride, pad, dil, groups int
}

func (c conv1dCase) opts() tensor.Conv1dOptions {
	return tensor.Conv1dOptions{Stride: c.stride, Padding: c.pad, Dilation: c.dil, Groups: c.groups}
}

var conv1dCases = []conv1dCase{
	{"plain", []int{2, 3, 8}, []int{4, 3, 3}, true, 0, 0, 0, 0},
	{"no bias", []int{2, 2, 6}, []int{3, 2, 2}, false, 0, 0, 0, 0},
	{"stride and padding", []int{2, 3, 9}, []int{2, 3, 3}, true, 2, 2, 0, 0},
	{"dilation", []int{1, 2, 10}, []int{3, 2, 3}, true, 3, 1, 2, 0},
	{"groups", []int{2, 4, 7}, []int{6, 2, 2}, true, 1, 1, 1, 2},
	{"pointwise", []int{2, 3, 5}, []int{2, 3, 1}, true, 0, 0, 0, 0},
}

func TestConv1dValues(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, c := range conv1dCases {
		t.Run(c.name, func(t *testing.T) {
			x := tensor.Randn(r, tensor.Float64, c.x...)
			w := tensor.Randn(r, tensor.Float64, c.w...)
			var b *tensor.Tensor
			var bv []float64
			if c.bias {
				b = tensor.Randn(r, tensor.Float64, c.w[0])
				bv = b.Float64s()
			}
			// The reference is the 2-D loop over images of height 1.
			want, shape := convRef(x.Float64s(), []int{c.x[0], c.x[1], 1, c.x[2]}, w.Float64s(), []int{c.w[0], c.w[1], 1, c.w[2]}, bv,
				convOne([2]int{1, c.stride}), [2]int{0, c.pad}, convOne([2]int{1, c.dil}), max(c.groups, 1))
			wantT := tensor.FromSlice(want, shape[0], shape[1], shape[3])
			got := tensor.Conv1d(x, w, b, c.opts())
			if !tensor.AllClose(got, wantT, 1e-12, 1e-12) {
				t.Fatalf("Conv1d differs from the reference loop:\n%v\nwant\n%v", got, wantT)
			}
			if !tensor.AllClose(tensor.Conv1d(x.Transpose(1, 2).Contiguous().Transpose(1, 2), w, b, c.opts()), wantT, 1e-12, 1e-12) {
				t.Fatal("Conv1d of a transposed view differs")
			}
			un := tensor.Conv1d(x.Narrow(0, c.x[0]-1, 1).Squeeze(0), w, b, c.opts())
			if !tensor.AllClose(un, wantT.Narrow(0, c.x[0]-1, 1).Squeeze(0), 1e-12, 1e-12) {
				t.Fatal("unbatched Conv1d differs from the batched one")
			}
		})
	}
}

func TestConv1dGrad(t *testing.T) {
	var gc []gradCase
	for _, c := range conv1dCases {
		f := func(x []*tensor.Tensor) *tensor.Tensor {
			var b *tensor.Tensor
			if len(x) > 2 {
				b = x[2]
			}
			return tensor.Conv1d(x[0], x[1], b, c.opts())
		}
		gc = append(gc, gradCase{c.name, func(r *rand.Rand) []*tensor.Tensor {
			ts := inputs(in(r, -1, 1, c.x...), in(r, -1, 1, c.w...))
			if c.bias {
				ts = append(ts, in(r, -1, 1, c.w[0]))
			}
			return ts
		}, f, nil})
	}
	s := conv1dCases[2]
	f := func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Conv1d(x[0], x[1], x[2], s.opts()) }
	gc = append(gc,
		gradCase{"transposed input", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, 2, 9, 3), in(r, -1, 1, s.w...), in(r, -1, 1, s.w[0]))
		}, func(x []*tensor.Tensor) *tensor.Tensor {
			return tensor.Conv1d(x[0].Transpose(1, 2), x[1], x[2], s.opts())
		}, nil},
		gradCase{"input needs no grad", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(constIn(r, -1, 1, s.x...), in(r, -1, 1, s.w...), in(r, -1, 1, s.w[0]))
		}, f, nil},
		gradCase{"unbatched", func(r *rand.Rand) []*tensor.Tensor {
			return inputs(in(r, -1, 1, 3, 9), in(r, -1, 1, s.w...), in(r, -1, 1, s.w[0]))
		}, f, nil},
	)
	runGradCases(t, gc)
}

func TestConv1dSecond(t *testing.T) {
	c := conv1dCases[4]
	r := rand.New(rand.NewPCG(23, 24))
	xs := inputs(in(r, -1, 1, c.x...), in(r, -1, 1, c.w...), in(r, -1, 1, c.w[0]))
	f := func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Conv1d(x[0], x[1], x[2], c.opts()) }
	if err := gradcheck.CheckSecond(f, xs, nil); err != nil {
		t.Fatal(err)
	}
}

func TestConv1dErrors(t *testing.T) {
	f32 := func(s ...int) *tensor.Tensor { return tensor.Zeros(tensor.Float32, s...) }
	x, w := f32(2, 4, 6), f32(6, 2, 3)
	cases := []struct {
		want string
		f    func()
	}{
		{"tensor.Conv1d: input must be 2-D (C, L) or 3-D (N, C, L), got 4-D (shapes [2 4 6 1], [6 2 3])",
			func() { tensor.Conv1d(f32(2, 4, 6, 1), w, nil, tensor.Conv1dOptions{Groups: 2}) }},
		{"tensor.Conv1d: weight must be 3-D (out, in/groups, k), got 4-D (shapes [2 4 6], [6 2 3 1])",
			func() { tensor.Conv1d(x, f32(6, 2, 3, 1), nil, tensor.Conv1dOptions{Groups: 2}) }},
		{"tensor.Conv1d: input has 4 channels, weight expects 2 (in/groups 2 × groups 1) (shapes [2 4 6], [6 2 3])",
			func() { tensor.Conv1d(x, w, nil, tensor.Conv1dOptions{}) }},
		{"tensor.Conv1d: output size [0] is too small (input [6], kernel [3], stride [1], padding [0], dilation [3]) (shapes [2 4 6], [6 2 3])",
			func() { tensor.Conv1d(x, w, nil, tensor.Conv1dOptions{Groups: 2, Dilation: 3}) }},
		{"tensor.Conv1d: dilation must be positive, got [-1] (shapes [2 4 6], [6 2 3])",
			func() { tensor.Conv1d(x, w, nil, tensor.Conv1dOptions{Groups: 2, Dilation: -1}) }},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) { mustPanic(t, c.want, c.f) })
	}
}
