package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

// poolModel returns a small CNN in which ReLU is followed by MaxPool2d
// (2×2 and, with padding, 3×3 stride 2), as in LeNet.
func poolModel(dt tensor.DType) *nn.Sequential {
	r := rand.New(rand.NewPCG(11, 12))
	s := nn.NewSequential(
		nn.NewConv2d(r, nn.Conv2dConfig{In: 2, Out: 3, Kernel: [2]int{3, 3}}),
		nn.ReLU{},
		nn.NewMaxPool2d([2]int{2, 2}, [2]int{2, 2}, [2]int{}),
		nn.NewConv2d(r, nn.Conv2dConfig{In: 3, Out: 4, Kernel: [2]int{2, 2}}),
		&nn.ReLU{},
		nn.NewMaxPool2d([2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}),
		nn.NewFlatten(),
	)
	nn.ToDType(s, dt)
	return s
}

// TestSequentialPoolsBeforeReLU checks that Sequential's reordering of
// ReLU + MaxPool2d gives the values and the gradients (of the input and of
// every parameter) of the modules applied one by one, bit for bit, with
// inputs that hold exact ties, zeros of both signs and negative windows,
// and with a NaN.
func TestSequentialPoolsBeforeReLU(t *testing.T) {
	const n, c, h, w = 3, 2, 11, 11
	for _, tc := range []struct {
		dt      tensor.DType
		withNaN bool
	}{{tensor.Float32, false}, {tensor.Float64, false}, {tensor.Float32, true}, {tensor.Float64, true}} {
		dt := tc.dt
		r := rand.New(rand.NewPCG(13, 14))
		data := tensor.Randn(r, tensor.Float64, n, c, h, w).Float64s()
		for i := range data {
			switch i % 17 {
			case 3:
				data[i] = data[i-1] // a tie
			case 5:
				data[i] = 0
			case 11:
				data[i] = math.Copysign(0, -1)
			}
		}
		if tc.withNaN {
			data[40] = math.NaN()
		}
		var outs [2][]float64
		var grads [2][][]float64
		for k, f := range []func(*nn.Sequential, *tensor.Tensor) *tensor.Tensor{(*nn.Sequential).Forward, unfused} {
			m := poolModel(dt)
			x := tensor.FromSlice(data, n, c, h, w).To(dt).SetRequiresGrad(true)
			y := f(m, x)
			y.Mul(tensor.Randn(rand.New(rand.NewPCG(1, 1)), dt, y.Shape()...)).Sum().Backward()
			outs[k] = y.Float64s()
			grads[k] = append(grads[k], x.Grad().Float64s())
			for _, p := range nn.Parameters(m) {
				grads[k] = append(grads[k], p.Grad().Float64s())
			}
		}
		nan := 0
		for i := range outs[0] {
			a, b := outs[0][i], outs[1][i]
			if math.IsNaN(a) {
				nan++
			}
			// Equal values; the sign of a zero may differ (see Forward).
			if a != b && !(math.IsNaN(a) && math.IsNaN(b)) {
				t.Fatalf("%v: output %d: reordered %v, one by one %v", dt, i, a, b)
			}
		}
		if (nan > 0) != tc.withNaN {
			t.Fatalf("%v: %d NaN outputs with NaN input %v", dt, nan, tc.withNaN)
		}
		for j := range grads[0] {
			for i := range grads[0][j] {
				a, b := grads[0][j][i], grads[1][j][i]
				if math.Float64bits(a) != math.Float64bits(b) && !(math.IsNaN(a) && math.IsNaN(b)) {
					t.Fatalf("%v: gradient %d element %d: reordered %v, one by one %v", dt, j, i, a, b)
				}
			}
		}
	}
}
