// Command xor trains a two-layer neural network on the XOR function with
// nothing but tensors: the forward pass is built from tensor operations,
// Backward computes the gradients, and plain gradient descent updates the
// parameters in place.
//
// The network maps the two inputs through 8 tanh units to one logit; the
// loss is the binary cross-entropy of the logit, written as
// softplus(z) − y·z, which is log(1 + e^z) − y·z and stays finite for
// large |z|. The predictions are sigmoid(z).
//
// Usage:
//
//	go run ./examples/xor
package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"

	"github.com/backprop-go/backprop/tensor"
)

// config holds the settings of one training run.
type config struct {
	seed     uint64  // seed of the parameter initialization
	hidden   int     // number of hidden units
	steps    int     // number of gradient-descent steps
	lr       float64 // learning rate
	logEvery int     // print the loss every logEvery steps
}

// result is the outcome of a training run.
type result struct {
	firstLoss, finalLoss float64
	predictions          []float32 // sigmoid outputs for the four inputs, in order
}

// The four XOR examples and their labels.
var (
	inputs = []float32{0, 0, 0, 1, 1, 0, 1, 1}
	labels = []float32{0, 1, 1, 0}
)

// train fits the network to XOR, printing the loss every cfg.logEvery
// steps and the final predictions to w.
func train(w io.Writer, cfg config) result {
	r := rand.New(rand.NewPCG(cfg.seed, 0))
	x := tensor.FromSlice(inputs, 4, 2)
	y := tensor.FromSlice(labels, 4, 1)

	// Weights drawn from N(0, 1/fan_in), biases zero.
	w1 := tensor.Randn(r, tensor.Float32, 2, cfg.hidden).MulScalar(math.Sqrt(1.0 / 2)).SetRequiresGrad(true)
	b1 := tensor.Zeros(tensor.Float32, cfg.hidden).SetRequiresGrad(true)
	w2 := tensor.Randn(r, tensor.Float32, cfg.hidden, 1).MulScalar(math.Sqrt(1 / float64(cfg.hidden))).SetRequiresGrad(true)
	b2 := tensor.Zeros(tensor.Float32, 1).SetRequiresGrad(true)
	params := []*tensor.Tensor{w1, b1, w2, b2}

	logits := func(x *tensor.Tensor) *tensor.Tensor {
		h := x.MatMul(w1).Add(b1).Tanh()
		return h.MatMul(w2).Add(b2)
	}

	var res result
	for step := 1; step <= cfg.steps; step++ {
		z := logits(x)
		loss := z.Softplus(1, 20).Sub(y.Mul(z)).Mean()
		for _, p := range params {
			p.ZeroGrad()
		}
		loss.Backward()
		for _, p := range params {
			data, grad := p.RawFloat32(), p.Grad().RawFloat32()
			for i, g := range grad {
				data[i] -= float32(cfg.lr) * g
			}
		}
		l := loss.Item()
		if step == 1 {
			res.firstLoss = l
		}
		res.finalLoss = l
		if cfg.logEvery > 0 && (step%cfg.logEvery == 0 || step == 1) {
			fmt.Fprintf(w, "step %5d  loss %.6f\n", step, l)
		}
	}

	// Inference records nothing: start from NoGrad views of the data.
	p := logits(x.NoGrad()).Sigmoid()
	res.predictions = p.Float32s()
	for i, v := range res.predictions {
		fmt.Fprintf(w, "%v xor %v = %.4f (want %v)\n", inputs[2*i], inputs[2*i+1], v, labels[i])
	}
	return res
}

func main() {
	res := train(os.Stdout, config{seed: 1, hidden: 8, steps: 1000, lr: 1, logEvery: 200})
	if res.finalLoss >= 0.01 {
		fmt.Fprintf(os.Stderr, "xor: did not converge: final loss %.4f\n", res.finalLoss)
		os.Exit(1)
	}
}
