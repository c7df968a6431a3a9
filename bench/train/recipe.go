package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// The anchor recipe's constants (../shared/anchors/torch_train.py).
const (
	classes  = 10
	features = 28 * 28
	lr       = 0.01
	momentum = 0.9
)

// Seed streams: the data, the weights and the loader's shuffle draw from
// independent sources derived from one seed.
const (
	streamData    = 1
	streamWeights = 2
)

// newModel returns the anchor's model: "mlp" is
// Linear(784,256)-ReLU-Linear(256,128)-ReLU-Linear(128,10) on [N, 784]
// inputs, "cnn" is LeNet-5, Conv2d(1,6,5)-ReLU-MaxPool2d(2)-Conv2d(6,16,5)-
// ReLU-MaxPool2d(2)-Flatten-Linear(256,120)-ReLU-Linear(120,84)-ReLU-
// Linear(84,10) on [N, 1, 28, 28] inputs. Weights have PyTorch's default
// initialization, drawn from r.
func newModel(name string, r *rand.Rand) (nn.Module, error) {
	switch name {
	case "mlp":
		return nn.NewSequential(
			nn.NewLinear(r, features, 256, true),
			nn.ReLU{},
			nn.NewLinear(r, 256, 128, true),
			nn.ReLU{},
			nn.NewLinear(r, 128, classes, true),
		), nil
	case "cnn":
		pool := func() nn.Module { return nn.NewMaxPool2d([2]int{2, 2}, [2]int{2, 2}, [2]int{}) }
		return nn.NewSequential(
			nn.NewConv2d(r, nn.Conv2dConfig{In: 1, Out: 6, Kernel: [2]int{5, 5}}),
			nn.ReLU{},
			pool(),
			nn.NewConv2d(r, nn.Conv2dConfig{In: 6, Out: 16, Kernel: [2]int{5, 5}}),
			nn.ReLU{},
			pool(),
			nn.NewFlatten(),
			nn.NewLinear(r, 16*4*4, 120, true),
			nn.ReLU{},
			nn.NewLinear(r, 120, 84, true),
			nn.ReLU{},
			nn.NewLinear(r, 84, classes, true),
		), nil
	}
	return nil, fmt.Errorf("unknown model %q (want mlp or cnn)", name)
}

// inputShape returns the shape of one example for the model: [784] for
// "mlp" and [1, 28, 28] for "cnn".
func inputShape(model string) []int {
	if model == "cnn" {
		return []int{1, 28, 28}
	}
	return []int{features}
}

// newData returns n synthetic MNIST-shaped examples drawn from r, as the
// anchor makes them: inputs uniform in [0, 1) (Float32, shape [n, 784] or
// [n, 1, 28, 28]) and Int64 labels uniform in 0..9. The inputs are written
// in place into one allocation, so the dataset costs n·784·4 bytes plus
// n·8 for the labels.
func newData(model string, n int, r *rand.Rand) (*data.TensorDataset, error) {
	x := tensor.Zeros(tensor.Float32, append([]int{n}, inputShape(model)...)...)
	xs := x.RawFloat32()
	for i := range xs {
		xs[i] = r.Float32()
	}
	return data.NewTensorDataset(x, newLabels(n, r))
}

// newLabels returns n Int64 labels drawn uniformly from 0..9 by r.
func newLabels(n int, r *rand.Rand) *tensor.Tensor {
	y := tensor.Zeros(tensor.Int64, n)
	ys := y.RawInt64()
	for i := range ys {
		ys[i] = r.Int64N(classes)
	}
	return y
}

// Input storage of the synthetic data: the anchor's Float32, or one byte
// per element read as Float32 (data.Uint8Dataset).
const (
	storageFloat32 = "float32"
	storageUint8   = "uint8"
)

// newByteData returns n synthetic MNIST-shaped examples drawn from r whose
// inputs are stored as bytes (data.Uint8Dataset): byte k is read as k/256,
// so the inputs are uniform on the 256 values 0, 1/256, …, 255/256 in
// [0, 1) (the anchor's torch.rand draws from 2²⁴ values in [0, 1)), in a
// quarter of the memory of newData's. Labels are Int64, uniform in 0..9.
func newByteData(model string, n int, r *rand.Rand) (*data.Uint8Dataset, error) {
	shape := inputShape(model)
	x := make([]byte, n*tensor.Numel(shape))
	for i := 0; i < len(x); i += 8 {
		v := r.Uint64()
		for k := i; k < min(i+8, len(x)); k++ {
			x[k] = byte(v)
			v >>= 8
		}
	}
	return data.NewUint8Dataset(x, shape, newLabels(n, r), 1.0/256)
}

// recipe is one training run of the anchor: a model, its optimizer and
// the loader that gathers its batches.
type recipe struct {
	model  nn.Module
	params int
	opt    *optim.SGD
	ds     data.Batcher // *data.TensorDataset or *data.Uint8Dataset
	loader *data.Loader

	// The step's forward and backward passes run as train.Shards: one
	// shard on the caller (each operation split over the processors), or
	// several at once. Each shard's buffers live in its own arena, reset
	// when it is done.
	shards  *train.Shards
	losses  []float64 // loss of each shard, scaled by its share
	shardFn train.ShardFunc
}

// newRecipe builds the model, n examples of synthetic data, a loader that
// shuffles every epoch and keeps the last partial batch, and
// SGD(lr 0.01, momentum 0.9), all seeded from seed. workers is the
// loader's number of worker goroutines (0 gathers in the caller's
// goroutine, as the anchor does). storage is storageFloat32 (newData, the
// anchor's recipe) or storageUint8 (newByteData).
func newRecipe(model string, n, batch, workers int, seed uint64, storage string, shards int) (*recipe, error) {
	m, err := newModel(model, rand.New(rand.NewPCG(seed, streamWeights)))
	if err != nil {
		return nil, err
	}
	if n <= 0 || batch <= 0 {
		return nil, fmt.Errorf("samples (%d) and batch size (%d) must be positive", n, batch)
	}
	var ds data.Batcher
	switch storage {
	case storageFloat32:
		ds, err = newData(model, n, rand.New(rand.NewPCG(seed, streamData)))
	case storageUint8:
		ds, err = newByteData(model, n, rand.New(rand.NewPCG(seed, streamData)))
	default:
		err = fmt.Errorf("unknown storage %q (want %s or %s)", storage, storageFloat32, storageUint8)
	}
	if err != nil {
		return nil, err
	}
	ld, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: batch, Shuffle: true, Seed: seed, Workers: workers})
	if err != nil {
		return nil, err
	}
	r := &recipe{
		model:  m,
		params: nn.NumParameters(m),
		opt:    optim.NewSGD(nn.Parameters(m), optim.SGDConfig{LR: lr, Momentum: momentum}),
		ds:     ds,
		loader: ld,
	}
	if shards < 1 {
		return nil, fmt.Errorf("%d shards: need at least 1", shards)
	}
	if r.shards, err = train.NewShards(nn.Parameters(m), shards); err != nil {
		return nil, err
	}
	r.losses = make([]float64, shards)
	r.shardFn = func(k int, x, y *tensor.Tensor, share float64, opts ...tensor.BackwardOption) {
		l := loss.CrossEntropy(r.model.Forward(x), y, loss.CrossEntropyOptions{})
		if share != 1 {
			l = l.MulScalar(share)
		}
		l.Backward(opts...)
		r.losses[k] = l.Item()
	}
	return r, nil
}

// step runs one training step on the batch (x, y): gradients zeroed (in
// place, as torch 1.13's zero_grad), forward, loss and backward (as
// r.shards: one shard, or several at once), and the SGD update; it
// returns the loss. Everything the passes compute lives in the shards'
// arenas, so a steady-state step allocates almost nothing.
func (r *recipe) step(x, y *tensor.Tensor) float64 {
	optim.ZeroGradInPlace(r.opt)
	clear(r.losses)
	r.shards.Step(x, y, r.shardFn)
	r.opt.Step()
	v := 0.0
	for _, l := range r.losses {
		v += l
	}
	return v
}

// epoch runs the steps of one epoch, over every example once in the
// loader's shuffled order for that epoch, and returns the number of steps
// and the last step's loss.
func (r *recipe) epoch(e int) (steps int, last float64, err error) {
	it := r.loader.Epoch(e)
	defer it.Close()
	for it.Next() {
		b := it.Batch()
		last = r.step(b.X, b.Y)
		steps++
	}
	if err := it.Err(); err != nil {
		return steps, 0, fmt.Errorf("epoch %d: %w", e, err)
	}
	return steps, last, nil
}
