package main

import (
	"fmt"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// BenchmarkTrainStep measures one training step of the anchor recipe per
// iteration: gather a batch from the in-memory dataset into preallocated
// buffers, forward, cross-entropy, zero_grad, backward and the SGD update,
// with each operation split over the processors and (…/shards2) as two
// shards of the batch (train.Shards).
// It reports samples/s and the heap allocations per step, which a
// steady state should bring to (nearly) zero.
//
//	go test ./bench/train -run '^$' -bench TrainStep -cpu 2
func BenchmarkTrainStep(b *testing.B) {
	cases := []struct {
		name, model string
		batches     []int
	}{
		{"MLP", "mlp", []int{64, 256}},
		{"LeNet", "cnn", []int{64}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for _, batch := range c.batches {
				b.Run(fmt.Sprintf("b%d", batch), func(b *testing.B) {
					benchStep(b, c.model, batch, 1)
				})
				b.Run(fmt.Sprintf("b%d/shards2", batch), func(b *testing.B) {
					benchStep(b, c.model, batch, 2)
				})
			}
		})
	}
}

// benchSamples is the size of the benchmarks' dataset: enough batches
// that consecutive steps see different examples.
const benchSamples = 4096

func benchStep(b *testing.B, model string, batch, shards int) {
	r, err := newRecipe(model, benchSamples, batch, 0, 1, storageFloat32, shards)
	if err != nil {
		b.Fatal(err)
	}
	order := r.loader.Order(0)
	x := tensor.Zeros(tensor.Float32, append([]int{batch}, inputShape(model)...)...)
	y := tensor.Zeros(tensor.Int64, batch)
	nb := len(order) / batch
	// A few steps first, so that lazily allocated state (momentum buffers,
	// kernel scratch) is in place before the measurement.
	for i := range 3 {
		k := i % nb
		r.ds.Batch(order[k*batch:(k+1)*batch], x, y)
		r.step(x, y)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := i % nb
		r.ds.Batch(order[k*batch:(k+1)*batch], x, y)
		r.step(x, y)
		i++
	}
	b.ReportMetric(float64(i*batch)/b.Elapsed().Seconds(), "samples/s")
}
