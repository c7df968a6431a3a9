package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// ewBenchSizes are an L1-sized, an L2-sized and a large vector (16 MiB per
// operand).
var ewBenchSizes = []int{4 << 10, 64 << 10, 4 << 20}

// BenchmarkElementwise reports throughput in GB/s (bytes read plus
// written) for each kernel next to copy() of the same length, the
// bandwidth the kernels are measured against.
func BenchmarkElementwise(b *testing.B) {
	type kern struct {
		name    string
		streams int // arrays touched: reads plus writes
		run     func(dst, x, y []float32)
	}
	kerns := []kern{
		{"copy", 2, func(dst, x, _ []float32) { copy(dst, x) }},
		{"Add", 3, func(dst, x, y []float32) { Add(dst, x, y) }},
		{"Mul", 3, func(dst, x, y []float32) { Mul(dst, x, y) }},
		{"Axpy", 3, func(_, x, y []float32) { Axpy(0.5, x, y) }},
		{"Scale", 2, func(dst, x, _ []float32) { Scale(0.5, dst, x) }},
		{"ReLU", 2, func(dst, x, _ []float32) { ReLU(dst, x) }},
		{"ReLUBackward", 3, func(dst, x, y []float32) { ReLUBackward(dst, x, y) }},
		{"Sum", 1, func(_, x, _ []float32) { Sum(x) }},
		{"Max", 1, func(_, x, _ []float32) { Max(x) }},
		{"Exp", 2, func(dst, x, _ []float32) { Exp(dst, x) }},
		{"Log", 2, func(dst, x, _ []float32) { Log(dst, x) }},
		{"Tanh", 2, func(dst, x, _ []float32) { Tanh(dst, x) }},
		{"Sigmoid", 2, func(dst, x, _ []float32) { Sigmoid(dst, x) }},
		{"Softmax/cols=10", 2, func(dst, x, _ []float32) { Softmax(dst[:len(x)/10*10], x[:len(x)/10*10], 10) }},
		{"LogSoftmax/cols=10", 2, func(dst, x, _ []float32) { LogSoftmax(dst[:len(x)/10*10], x[:len(x)/10*10], 10) }},
	}
	for _, n := range ewBenchSizes {
		rng := rand.New(rand.NewPCG(1, 2))
		x, y, dst := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = rng.Float32()*4 - 2
			y[i] = rng.Float32()*4 - 2
		}
		for _, k := range kerns {
			b.Run(fmt.Sprintf("%s/n=%d", k.name, n), func(b *testing.B) {
				for range b.N {
					k.run(dst, x, y)
				}
				bytes := float64(k.streams) * 4 * float64(n) * float64(b.N)
				b.ReportMetric(bytes/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}
