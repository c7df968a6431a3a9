package nn

import (
	"math/rand/v2"

	"github.com/backprop-go/backprop/tensor"
)

// Embedding is a lookup table of Num vectors of size Dim, as
// torch.nn.Embedding: an Int64 input of any shape gives an output of that
// shape with Dim appended, holding the rows of Weight ([Num, Dim]) that the
// input names.
//
// With a padding index (PaddingIdx ≥ 0) that row is initialized to zero
// and receives no gradient, so it stays whatever it is (PyTorch's
// padding_idx); PaddingIdx < 0 means none.
type Embedding struct {
	Weight     *tensor.Tensor
	Num, Dim   int
	PaddingIdx int
}

// NewEmbedding returns a Float32 Embedding of num vectors of size dim
// initialized from N(0, 1) with r, as PyTorch does, with the row
// paddingIdx zeroed (pass -1 for no padding index; a padding index must be
// below num).
func NewEmbedding(r *rand.Rand, num, dim, paddingIdx int) *Embedding {
	if num < 0 || dim < 0 {
		misuse("Embedding", nil, "negative size: num %d, dim %d", num, dim)
	}
	if paddingIdx >= num {
		misuse("Embedding", nil, "padding index %d out of range for %d embeddings", paddingIdx, num)
	}
	e := &Embedding{Num: num, Dim: dim, PaddingIdx: paddingIdx}
	e.Weight = Param(tensor.Zeros(tensor.Float32, num, dim))
	Normal(r, e.Weight, 0, 1)
	if paddingIdx >= 0 {
		Constant(e.Weight.Detach().Narrow(0, paddingIdx, 1), 0)
	}
	return e
}

// Forward looks up the rows of Weight named by the Int64 tensor x. An
// index outside [0, Num) panics.
func (e *Embedding) Forward(x *tensor.Tensor) *tensor.Tensor {
	if x.DType() != tensor.Int64 {
		misuse("Embedding", [][]int{x.Shape()}, "input must have dtype int64, not %v", x.DType())
	}
	num := e.Weight.Size(0)
	flat := x.Reshape(-1)
	out := e.Weight.IndexSelect(0, flat)
	if p := e.PaddingIdx; p >= 0 {
		if p >= num {
			misuse("Embedding", [][]int{e.Weight.Shape()}, "padding index %d out of range for %d embeddings", p, num)
		}
		// Positions holding the padding index take the padding row without
		// a gradient: out·keep + pad·(1−keep), where the second term is
		// skipped while the padding row is zero (its usual state).
		idx := flat.Int64s()
		keep := make([]float64, len(idx))
		for i, v := range idx {
			if v != int64(p) {
				keep[i] = 1
			}
		}
		k := tensor.FromSlice(keep, len(idx), 1).To(e.Weight.DType())
		out = out.Mul(k)
		padRow := e.Weight.Detach().Narrow(0, p, 1)
		if !allZero(padRow) {
			out = out.Add(padRow.Mul(k.MulScalar(-1).AddScalar(1)))
		}
	}
	return out.Reshape(append(x.Shape(), e.Weight.Size(1))...)
}

// allZero reports whether every element of t is zero.
func allZero(t *tensor.Tensor) bool {
	for _, v := range t.Float64s() {
		if v != 0 {
			return false
		}
	}
	return true
}

// Members lists the weight.
func (e *Embedding) Members() Members {
	return Members{Params: []Named{{Name: "weight", Tensor: e.Weight}}}
}
