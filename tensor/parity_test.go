package tensor_test

import (
	"encoding/json"
	"os"
	"slices"
	"sort"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// parityFile is the golden file written by testdata/tensor_parity.py with
// PyTorch.
const parityFile = "../testdata/tensor_parity.json"

type parityTensor struct {
	DType        string    `json:"dtype"`
	Shape        []int     `json:"shape"`
	Data         []float64 `json:"data"`
	RequiresGrad bool      `json:"requires_grad"`
}

type parityCase struct {
	Name    string          `json:"name"`
	Inputs  []parityTensor  `json:"inputs"`
	Output  parityTensor    `json:"output"`
	OutGrad parityTensor    `json:"out_grad"`
	Grads   []*parityTensor `json:"grads"`
}

// parityExprs rebuilds every expression of tensor_parity.py with this
// package's API, by case name. The Python expression is in the comment.
var parityExprs = map[string]func(x []*tensor.Tensor) *tensor.Tensor{
	// a * b + c
	"broadcast_mul_add": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Mul(x[1]).Add(x[2]) },
	// (a - b) / c.exp()
	"broadcast_sub_div": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Sub(x[1]).Div(x[2].Exp()) },
	// a.pow(b) * 2.5 - a.pow(3)
	"broadcast_scalar_pow": func(x []*tensor.Tensor) *tensor.Tensor {
		return x[0].Pow(x[1]).MulScalar(2.5).Sub(x[0].PowScalar(3))
	},
	// (x.exp() + 1).log() * x.pow(2) / (1 + x * x).sqrt() + x.tanh() * x.sigmoid()
	"unary_chain": func(x []*tensor.Tensor) *tensor.Tensor {
		v := x[0]
		a := v.Exp().AddScalar(1).Log().Mul(v.PowScalar(2)).Div(v.Mul(v).AddScalar(1).Sqrt())
		return a.Add(v.Tanh().Mul(v.Sigmoid()))
	},
	// a @ b
	"matmul_2d": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MatMul(x[1]) },
	// a @ b with a [2 1 3 4] and b [3 4 5]
	"matmul_batched_broadcast": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MatMul(x[1]) },
	// torch.cat([a @ v, u @ a, (v @ v).reshape(1)])
	"matmul_vectors": func(x []*tensor.Tensor) *tensor.Tensor {
		a, v, u := x[0], x[1], x[2]
		return tensor.Concat([]*tensor.Tensor{a.MatMul(v), u.MatMul(a), v.MatMul(v).Reshape(1)}, 0)
	},
	// a.t() @ b.t()
	"matmul_transposed": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].T().MatMul(x[1].T()) },
	// x.softmax(1)
	"softmax": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Softmax(1) },
	// x.permute(2, 0, 1).softmax(1)
	"softmax_permuted": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(2, 0, 1).Softmax(1) },
	// x.log_softmax(1)
	"log_softmax": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].LogSoftmax(1) },
	// x.logsumexp(1) + x.t().logsumexp(0) * 0.5
	"logsumexp": func(x []*tensor.Tensor) *tensor.Tensor {
		return x[0].LogSumExp(1).Add(x[0].T().LogSumExp(0).MulScalar(0.5))
	},
	// -x.log_softmax(1).gather(1, labels).mean()
	"cross_entropy": func(x []*tensor.Tensor) *tensor.Tensor {
		return x[0].LogSoftmax(1).Gather(1, x[1]).Mean().Neg()
	},
	// x.gather(1, idx)
	"gather": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Gather(1, x[1]) },
	// x.gather(0, idx)
	"gather_dim0": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Gather(0, x[1]) },
	// x.index_select(0, idx) * y
	"index_select": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].IndexSelect(0, x[1]).Mul(x[2]) },
	// base.scatter_add(1, idx, src)
	"scatter_add": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].ScatterAdd(1, x[1], x[2]) },
	// x.masked_fill(mask.bool(), -1.5) * y
	"masked_fill": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].MaskedFill(x[1], -1.5).Mul(x[2]) },
	// x.permute(2, 0, 1) * y
	"permute": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Permute(2, 0, 1).Mul(x[1]) },
	// x.expand(3, 4).t() * y
	"transpose_expand": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Expand(3, 4).T().Mul(x[1]) },
	// x[1::2, ::2].exp()
	"slice_step": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Slice(0, 1, 6, 2).Slice(1, 0, 5, 2).Exp() },
	// x.permute(1, 0, 2).reshape(6, 4) @ w
	"reshape_noncontiguous": func(x []*tensor.Tensor) *tensor.Tensor {
		return x[0].Permute(1, 0, 2).Reshape(6, 4).MatMul(x[1])
	},
	// a, b = x.split([2, 3], 1); a.exp().sum(1) * b.sum(1)
	"split": func(x []*tensor.Tensor) *tensor.Tensor {
		p := x[0].SplitSizes([]int{2, 3}, 1)
		return p[0].Exp().Sum(1).Mul(p[1].Sum(1))
	},
	// x.var(1) + x.std(0).sum() + x.var(1, unbiased=False) * 2
	"var_std": func(x []*tensor.Tensor) *tensor.Tensor {
		return x[0].Var(1, 1).Add(x[0].Std(1, 0).Sum()).Add(x[0].Var(0, 1).MulScalar(2))
	},
	// (x - x.mean(-1, keepdim)) / (x.var(-1, unbiased=False, keepdim) + 1e-5).sqrt() * w + b
	"layer_norm": func(x []*tensor.Tensor) *tensor.Tensor {
		v, w, b := x[0], x[1], x[2]
		mu := v.MeanKeepDim(-1)
		variance := v.VarKeepDim(0, -1)
		return v.Sub(mu).Div(variance.AddScalar(1e-5).Sqrt()).Mul(w).Add(b)
	},
	// x.amax(dim=(0, 2)).sum() + x.amin(dim=1)
	"amax": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Max(0, 2).Sum().Add(x[0].Min(1)) },
	// torch.where(a > b, a * b, a - b)
	"where": func(x []*tensor.Tensor) *tensor.Tensor {
		a, b := x[0], x[1]
		return tensor.Where(a.Gt(b), a.Mul(b), a.Sub(b))
	},
	// torch.maximum(a, b) + 2 * torch.minimum(a, c)
	"maximum_minimum": func(x []*tensor.Tensor) *tensor.Tensor {
		return x[0].Maximum(x[1]).Add(x[0].Minimum(x[2]).MulScalar(2))
	},
	// torch.cat([a, b], 0) * c
	"concat": func(x []*tensor.Tensor) *tensor.Tensor {
		return tensor.Concat([]*tensor.Tensor{x[0], x[1]}, 0).Mul(x[2])
	},
	// torch.stack([a, b.t()], 1)
	"stack": func(x []*tensor.Tensor) *tensor.Tensor { return tensor.Stack([]*tensor.Tensor{x[0], x[1].T()}, 1) },
	// F.pad(x, (1, 2, 0, 1), value=0.5) * y
	"pad": func(x []*tensor.Tensor) *tensor.Tensor { return x[0].Pad([]int{1, 2, 0, 1}, 0.5).Mul(x[1]) },
	// ((x @ w1 + b1).tanh() @ w2 + b2).sigmoid()
	"mlp": func(x []*tensor.Tensor) *tensor.Tensor {
		return x[0].MatMul(x[1]).Add(x[2]).Tanh().MatMul(x[3]).Add(x[4]).Sigmoid()
	},
}

// build returns the tensor p describes.
func (p *parityTensor) build(t *testing.T) *tensor.Tensor {
	t.Helper()
	switch p.DType {
	case "float64", "":
		return tensor.FromSlice(p.Data, p.Shape...).SetRequiresGrad(p.RequiresGrad)
	case "int64":
		d := make([]int64, len(p.Data))
		for i, v := range p.Data {
			d[i] = int64(v)
		}
		return tensor.FromSlice(d, p.Shape...)
	}
	t.Fatalf("unknown dtype %q", p.DType)
	return nil
}

func loadParity(t *testing.T) []parityCase {
	t.Helper()
	b, err := os.ReadFile(parityFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []parityCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", parityFile, err)
	}
	return doc.Cases
}

// TestParityCasesMatch fails when a case exists in the golden file or in
// parityExprs only.
func TestParityCasesMatch(t *testing.T) {
	cases := loadParity(t)
	inFile := map[string]bool{}
	for _, c := range cases {
		if inFile[c.Name] {
			t.Errorf("case %q appears twice in %s", c.Name, parityFile)
		}
		inFile[c.Name] = true
		if parityExprs[c.Name] == nil {
			t.Errorf("case %q of %s has no Go expression in parityExprs", c.Name, parityFile)
		}
	}
	var names []string
	for name := range parityExprs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !inFile[name] {
			t.Errorf("Go expression %q has no case in %s", name, parityFile)
		}
	}
	if len(cases) < 20 {
		t.Errorf("%s has %d cases, want at least 20", parityFile, len(cases))
	}
}

// TestParity compares values and gradients with PyTorch's (float64,
// relative tolerance 1e-6).
func TestParity(t *testing.T) {
	const rtol, atol = 1e-6, 1e-9
	for _, c := range loadParity(t) {
		f := parityExprs[c.Name]
		if f == nil {
			continue // reported by TestParityCasesMatch
		}
		t.Run(c.Name, func(t *testing.T) {
			if len(c.Grads) != len(c.Inputs) {
				t.Fatalf("%d gradients for %d inputs", len(c.Grads), len(c.Inputs))
			}
			xs := make([]*tensor.Tensor, len(c.Inputs))
			for i := range c.Inputs {
				xs[i] = c.Inputs[i].build(t)
			}
			out := f(xs)
			want := c.Output.build(t)
			if !slices.Equal(out.Shape(), want.Shape()) {
				t.Fatalf("output shape %v, PyTorch %v", out.Shape(), want.Shape())
			}
			if !tensor.AllClose(out, want, rtol, atol) {
				t.Fatalf("output\n%v\nPyTorch\n%v", out, want)
			}
			out.Backward(tensor.WithGrad(c.OutGrad.build(t)))
			for i, x := range xs {
				wg := c.Grads[i]
				g := x.Grad()
				switch {
				case wg == nil && g != nil:
					t.Errorf("input %d: got a gradient, PyTorch has none", i)
				case wg == nil:
				case g == nil:
					t.Errorf("input %d: no gradient", i)
				case !slices.Equal(g.Shape(), wg.Shape):
					t.Errorf("input %d: gradient shape %v, PyTorch %v", i, g.Shape(), wg.Shape)
				case !tensor.AllClose(g, wg.build(t), rtol, atol):
					t.Errorf("input %d: gradient\n%v\nPyTorch\n%v", i, g, wg.build(t))
				}
			}
		})
	}
}
