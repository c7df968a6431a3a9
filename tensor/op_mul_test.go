package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestMulGrad(t *testing.T) {
	runGradCases(t, []gradCase{
		{"same", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3), in(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1]) }, nil},
		{"broadcast", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 1, 3), in(r, -1, 1, 4, 1)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1]) }, nil},
		{"used twice", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[0]) }, nil},
		{"sliced", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 4, 5), in(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(0, 0, 4, 2).Slice(1, 1, 4, 1).Mul(x[1]) }, nil},
		{"no grad input", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3), constIn(r, -1, 1, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1]) }, nil},
		{"scalar", func(r *rand.Rand) []*tensor.Tensor { return inputs(in(r, -1, 1, 2, 3)) },
			func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MulScalar(-1.5) }, nil},
	})
}
