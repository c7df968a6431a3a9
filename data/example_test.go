package data_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/tensor"
)

func ExampleLoader() {
	// Ten examples x = [i, 10·i] with label i mod 2.
	xs := make([]float32, 0, 20)
	ys := make([]int64, 0, 10)
	for i := range 10 {
		xs = append(xs, float32(i), float32(10*i))
		ys = append(ys, int64(i%2))
	}
	ds, err := data.NewTensorDataset(tensor.FromSlice(xs, 10, 2), tensor.FromSlice(ys))
	if err != nil {
		fmt.Println(err)
		return
	}
	l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: 4, Workers: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	it := l.Epoch(0)
	defer it.Close()
	for it.Next() {
		b := it.Batch()
		fmt.Println(b.Index, b.Indices, b.X.Shape(), b.Y.Int64s())
	}
	if err := it.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 0 [0 1 2 3] [4 2] [0 1 0 1]
	// 1 [4 5 6 7] [4 2] [0 1 0 1]
	// 2 [8 9] [2 2] [0 1]
}

func ExampleRandomSplit() {
	ds, _ := data.NewTensorDataset(tensor.Zeros(tensor.Float32, 100, 3), tensor.Zeros(tensor.Int64, 100))
	parts, err := data.RandomSplit(ds, []float64{0.8, 0.2}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(parts[0].Len(), parts[1].Len())
	// Output: 80 20
}

func ExampleApply() {
	// Normalize a two-channel 1×2 image, then flip it horizontally.
	x := tensor.FromSlice([]float32{0, 1, 2, 4}, 2, 1, 2)
	t := data.Compose(
		data.Normalize([]float64{0.5, 2}, []float64{0.5, 2}),
		data.RandomHorizontalFlip(1),
	)
	y, err := data.Apply(t, x, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(y.Float32s())
	// Output: [1 -1 1 0]
}
