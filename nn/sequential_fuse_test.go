package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

// unfused applies the modules of s one by one, as Sequential did before
// it fused Linear with a following ReLU.
func unfused(s *nn.Sequential, x *tensor.Tensor) *tensor.Tensor {
	for _, m := range s.Modules {
		x = m.Forward(x)
	}
	return x
}

// fuseModel returns an MLP whose Linear layers are followed by ReLU, a
// *ReLU, nothing, and another activation.
func fuseModel(dt tensor.DType) *nn.Sequential {
	r := rand.New(rand.NewPCG(7, 8))
	s := nn.NewSequential(
		nn.ReLU{}, // not after a Linear
		nn.NewLinear(r, 6, 8, true), nn.ReLU{},
		nn.NewLinear(r, 8, 7, false), &nn.ReLU{},
		nn.NewLinear(r, 7, 5, true), nn.Tanh{},
		nn.NewLinear(r, 5, 4, true), nn.ReLU{},
		nn.NewLinear(r, 4, 3, true),
	)
	nn.ToDType(s, dt)
	return s
}

// TestSequentialFusesLinearReLU checks that Sequential's fused Linear +
// ReLU gives the values and gradients (of the input and of every
// parameter) of the modules applied one by one, bit for bit, also where
// pre-activations are exactly zero, negative zero or NaN.
func TestSequentialFusesLinearReLU(t *testing.T) {
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		r := rand.New(rand.NewPCG(9, 10))
		data := tensor.Randn(r, tensor.Float64, 5, 6).Float64s()
		data[3], data[10] = math.NaN(), math.Copysign(0, -1)
		var outs [2][]uint64
		var grads [2][][]float64
		for k, f := range []func(*nn.Sequential, *tensor.Tensor) *tensor.Tensor{(*nn.Sequential).Forward, unfused} {
			m := fuseModel(dt)
			x := tensor.FromSlice(data, 5, 6).To(dt).SetRequiresGrad(true)
			y := f(m, x)
			y.Mul(tensor.Randn(rand.New(rand.NewPCG(1, 1)), dt, 5, 3)).Sum().Backward()
			for _, v := range y.Float64s() {
				outs[k] = append(outs[k], math.Float64bits(v))
			}
			grads[k] = append(grads[k], x.Grad().Float64s())
			for _, p := range nn.Parameters(m) {
				grads[k] = append(grads[k], p.Grad().Float64s())
			}
		}
		for i := range outs[0] {
			if outs[0][i] != outs[1][i] {
				t.Fatalf("%v: output %d: fused %v, unfused %v", dt, i, math.Float64frombits(outs[0][i]), math.Float64frombits(outs[1][i]))
			}
		}
		for j := range grads[0] {
			for i := range grads[0][j] {
				a, b := grads[0][j][i], grads[1][j][i]
				if math.Float64bits(a) != math.Float64bits(b) {
					t.Fatalf("%v: gradient %d element %d: fused %v, unfused %v", dt, j, i, a, b)
				}
			}
		}
	}
}

// BenchmarkSequentialMLP times forward and backward of the MLP
// 784-256-128-10 at batch 64, in an arena and on the heap, through
// Sequential (which fuses Linear with ReLU) and with the modules applied
// one by one.
func BenchmarkSequentialMLP(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	m := nn.NewSequential(
		nn.NewLinear(r, 784, 256, true), nn.ReLU{},
		nn.NewLinear(r, 256, 128, true), nn.ReLU{},
		nn.NewLinear(r, 128, 10, true))
	x := tensor.Rand(r, tensor.Float32, 64, 784)
	y := tensor.RandInt(r, 0, 10, 64)
	for _, arena := range []bool{true, false} {
		var a *tensor.Arena
		mode := "heap"
		if arena {
			a, mode = tensor.NewArena(), "arena"
		}
		for _, c := range []struct {
			name string
			f    func(*nn.Sequential, *tensor.Tensor) *tensor.Tensor
		}{{"fused", (*nn.Sequential).Forward}, {"unfused", unfused}} {
			b.Run(mode+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					tensor.SoftmaxCrossEntropy(c.f(m, x.InArena(a)), y).Mean().Backward()
					for _, p := range nn.Parameters(m) {
						p.ZeroGradInPlace()
					}
					if a != nil {
						a.Reset()
					}
				}
			})
		}
	}
}
