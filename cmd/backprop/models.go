package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/backprop-go/backprop/nn"
)

// buildModel returns the model described by spec for inputs of the given
// per-example shape and the given number of outputs. spec is "mlp" (the
// multi-layer perceptron inputs-256-relu-128-relu-outputs, 784-256-128-10
// on MNIST), "cnn" (LeNet-5) or a layer spec: sizes of Linear layers
// separated by '-', with activation names (relu, tanh, sigmoid, gelu,
// silu, elu, leakyrelu), "bn" (batch norm) and "dropoutP" (e.g.
// dropout0.2) between them, such as "784-256-relu-128-relu-10". The input
// is flattened first; the first size must equal the number of input
// features and the last the number of outputs. Specs are stored in
// checkpoints, so eval and predict rebuild exactly the trained
// architecture.
func buildModel(spec string, inShape []int, outputs int, r *rand.Rand) (nn.Module, error) {
	feats := 1
	for _, d := range inShape {
		feats *= d
	}
	if spec == "mlp" {
		spec = fmt.Sprintf("%d-256-relu-128-relu-%d", feats, outputs)
	}
	if spec == "cnn" {
		return buildLeNet(inShape, outputs, r)
	}
	tokens := strings.Split(spec, "-")
	seq := nn.NewSequential(nn.NewFlatten())
	prev := -1
	for i, tok := range tokens {
		tok = strings.ToLower(strings.TrimSpace(tok))
		if n, err := strconv.Atoi(tok); err == nil {
			if n <= 0 {
				return nil, fmt.Errorf("model %q: layer size %d must be positive", spec, n)
			}
			if prev < 0 {
				if n != feats {
					return nil, fmt.Errorf("model %q: first size %d does not match the %d input features %v of the data", spec, n, feats, inShape)
				}
			} else {
				seq.Append(nn.NewLinear(r, prev, n, true))
			}
			prev = n
			continue
		}
		if prev < 0 {
			return nil, fmt.Errorf("model %q: must start with the input size, got %q", spec, tok)
		}
		switch {
		case tok == "relu":
			seq.Append(nn.ReLU{})
		case tok == "tanh":
			seq.Append(nn.Tanh{})
		case tok == "sigmoid":
			seq.Append(nn.Sigmoid{})
		case tok == "gelu":
			seq.Append(nn.GELU{})
		case tok == "silu":
			seq.Append(nn.SiLU{})
		case tok == "elu":
			seq.Append(nn.ELU{Alpha: 1})
		case tok == "leakyrelu":
			seq.Append(nn.LeakyReLU{Slope: 0.01})
		case tok == "bn":
			seq.Append(nn.NewBatchNorm1d(prev))
		case strings.HasPrefix(tok, "dropout"):
			p, err := strconv.ParseFloat(strings.TrimPrefix(tok, "dropout"), 64)
			if err != nil || p < 0 || p >= 1 {
				return nil, fmt.Errorf("model %q: bad dropout %q (want e.g. dropout0.2, probability in [0, 1))", spec, tok)
			}
			seq.Append(nn.NewDropout(p, r))
		default:
			return nil, fmt.Errorf("model %q: unknown layer %q at position %d (want a size, relu, tanh, sigmoid, gelu, silu, elu, leakyrelu, bn or dropoutP)", spec, tok, i+1)
		}
	}
	if prev != outputs {
		return nil, fmt.Errorf("model %q: last size %d does not match the %d classes of the data", spec, prev, outputs)
	}
	if len(seq.Members().Children) == 1 {
		return nil, fmt.Errorf("model %q: has no layers", spec)
	}
	return seq, nil
}

// buildLeNet returns LeNet-5 as in the anchor benchmark: conv 6@5×5, ReLU,
// max-pool 2, conv 16@5×5, ReLU, max-pool 2, then Linear layers 120, 84 and
// outputs. The input must be [C, H, W] with H, W ≥ 16.
func buildLeNet(inShape []int, outputs int, r *rand.Rand) (nn.Module, error) {
	if len(inShape) != 3 {
		return nil, fmt.Errorf("model cnn: needs image inputs [channels height width], data has examples of shape %v", inShape)
	}
	c, h, w := inShape[0], inShape[1], inShape[2]
	// conv 5×5: h-4; pool: (h-4)/2; conv 5×5: (h-4)/2-4; pool: ((h-4)/2-4)/2.
	oh, ow := ((h-4)/2-4)/2, ((w-4)/2-4)/2
	if oh < 1 || ow < 1 {
		return nil, fmt.Errorf("model cnn: images of %d×%d are too small (need at least 16×16)", h, w)
	}
	return nn.NewSequential(
		nn.NewConv2d(r, nn.Conv2dConfig{In: c, Out: 6, Kernel: [2]int{5, 5}}),
		nn.ReLU{},
		nn.NewMaxPool2d([2]int{2, 2}, [2]int{2, 2}, [2]int{}),
		nn.NewConv2d(r, nn.Conv2dConfig{In: 6, Out: 16, Kernel: [2]int{5, 5}}),
		nn.ReLU{},
		nn.NewMaxPool2d([2]int{2, 2}, [2]int{2, 2}, [2]int{}),
		nn.NewFlatten(),
		nn.NewLinear(r, 16*oh*ow, 120, true),
		nn.ReLU{},
		nn.NewLinear(r, 120, 84, true),
		nn.ReLU{},
		nn.NewLinear(r, 84, outputs, true),
	), nil
}
