// Command regression fits a small multilayer perceptron to a noisy 1-D
// curve with the mean squared error and the Adam optimizer, and reports
// the result as numbers only.
//
// The data are a few hundred points x drawn uniformly from [−1, 1] with
// targets y = x·sin(2πx) + 0.1·ε, ε ~ N(0, 1), so the noise variance, the
// best test MSE any model can expect, is 0.01. The points are split at
// random into a training and a test set. The model is
//
//	Linear(1, 64) → Tanh → Linear(64, 64) → Tanh → Linear(64, 1)
//
// built from nn layers, trained on shuffled mini-batches with loss.MSE and
// optim.Adam, whose learning rate decays to zero over the run by cosine
// annealing (optim.CosineAnnealingLR). It prints the training and test MSE every few epochs, the
// variance of the test targets for comparison, and at the end a table of
// the noise-free curve and the model's prediction at evenly spaced x.
// Everything random (data, split, initialization, shuffling) comes from
// one seeded *rand.Rand, so a run is reproducible.
//
// Usage:
//
//	go run ./examples/regression
package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"

	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// The settings of the example.
const (
	numPoints = 400   // samples drawn in all
	numTrain  = 300   // of which used for training; the rest are the test set
	noiseStd  = 0.1   // standard deviation of the noise added to the curve
	batchSize = 50    // mini-batch size
	lr        = 0.01  // Adam's initial learning rate
	logEvery  = 50    // print the losses every logEvery epochs
	tablePts  = 10    // rows of the final table, at the midpoints of equal parts of [−1, 1]
	seed      = 1     // seed of the run started by main
	epochs    = 300   // epochs of the run started by main
	maxTest   = 0.015 // the test MSE main accepts as converged
)

// curve is the noise-free function the model learns.
func curve(x float64) float64 { return x * math.Sin(2*math.Pi*x) }

// result is the outcome of a training run.
type result struct {
	firstTrainMSE float64 // training MSE after the first epoch
	trainMSE      float64 // final training MSE
	testMSE       float64 // final test MSE
	testVar       float64 // variance of the test targets (the MSE of predicting their mean)
}

// makeData draws n points x ~ U(−1, 1) with y = curve(x) + noiseStd·ε from
// r and returns them as [n, 1] tensors.
func makeData(r *rand.Rand, n int) (x, y *tensor.Tensor) {
	xs := make([]float32, n)
	ys := make([]float32, n)
	for i := range xs {
		v := 2*r.Float64() - 1
		xs[i] = float32(v)
		ys[i] = float32(curve(v) + noiseStd*r.NormFloat64())
	}
	return tensor.FromSlice(xs, n, 1), tensor.FromSlice(ys, n, 1)
}

// mse returns the mean squared error of model on (x, y) without recording
// anything.
func mse(model nn.Module, x, y *tensor.Tensor) float64 {
	return loss.MSE(model.Forward(x.NoGrad()), y, loss.Mean).Item()
}

// run trains the model for the given number of epochs with randomness from
// seed, writing the losses every logEvery epochs and the final table to w.
// It returns an error if epochs is not positive or the loss stops being
// finite.
func run(w io.Writer, seed uint64, epochs int) (result, error) {
	if epochs < 1 {
		return result{}, fmt.Errorf("regression: epochs must be positive, got %d", epochs)
	}
	r := rand.New(rand.NewPCG(seed, 0))

	// Data, shuffled split into training and test sets.
	x, y := makeData(r, numPoints)
	perm := make([]int64, numPoints)
	for i, p := range r.Perm(numPoints) {
		perm[i] = int64(p)
	}
	trainIdx := tensor.FromSlice(perm[:numTrain], numTrain)
	testIdx := tensor.FromSlice(perm[numTrain:], numPoints-numTrain)
	xTrain, yTrain := x.IndexSelect(0, trainIdx), y.IndexSelect(0, trainIdx)
	xTest, yTest := x.IndexSelect(0, testIdx), y.IndexSelect(0, testIdx)

	model := nn.NewSequential(
		nn.NewLinear(r, 1, 64, true), nn.Tanh{},
		nn.NewLinear(r, 64, 64, true), nn.Tanh{},
		nn.NewLinear(r, 64, 1, true),
	)
	opt := optim.NewAdam(nn.Parameters(model), optim.AdamConfig{LR: lr})
	sched := optim.NewCosineAnnealingLR(opt, epochs, 0)

	res := result{testVar: yTest.Var(0).Item()}
	fmt.Fprintf(w, "%d training and %d test points; test target variance %.5f, noise variance %.5f\n",
		numTrain, numPoints-numTrain, res.testVar, noiseStd*noiseStd)
	fmt.Fprintf(w, "%6s  %10s  %10s\n", "epoch", "train MSE", "test MSE")

	idx := make([]int64, numTrain)
	for epoch := 1; epoch <= epochs; epoch++ {
		for i, p := range r.Perm(numTrain) {
			idx[i] = int64(p)
		}
		for start := 0; start < numTrain; start += batchSize {
			end := min(start+batchSize, numTrain)
			b := tensor.FromSlice(idx[start:end], end-start)
			xb, yb := xTrain.IndexSelect(0, b), yTrain.IndexSelect(0, b)
			l := loss.MSE(model.Forward(xb), yb, loss.Mean)
			if v := l.Item(); math.IsNaN(v) || math.IsInf(v, 0) {
				return res, fmt.Errorf("regression: loss is %v at epoch %d, batch %d", v, epoch, start/batchSize+1)
			}
			opt.ZeroGrad()
			l.Backward()
			opt.Step()
		}
		sched.Step()
		res.trainMSE = mse(model, xTrain, yTrain)
		res.testMSE = mse(model, xTest, yTest)
		if epoch == 1 {
			res.firstTrainMSE = res.trainMSE
		}
		if epoch == 1 || epoch%logEvery == 0 || epoch == epochs {
			fmt.Fprintf(w, "%6d  %10.5f  %10.5f\n", epoch, res.trainMSE, res.testMSE)
		}
	}

	// The learned curve against the true one at evenly spaced points.
	const h = 1.0 / tablePts
	grid := tensor.Linspace(tensor.Float32, -1+h, 1-h, tablePts).Reshape(tablePts, 1)
	pred := model.Forward(grid.NoGrad()).Float32s()
	fmt.Fprintf(w, "%6s  %10s  %10s\n", "x", "true y", "predicted")
	for i, gx := range grid.Float32s() {
		fmt.Fprintf(w, "%6.2f  %10.5f  %10.5f\n", gx, curve(float64(gx)), pred[i])
	}
	return res, nil
}

func main() {
	res, err := run(os.Stdout, seed, epochs)
	if err == nil && !(res.testMSE < maxTest) {
		err = errors.New("regression: did not converge")
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v (test MSE %.5f)\n", err, res.testMSE)
		os.Exit(1)
	}
}
