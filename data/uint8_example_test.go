package data_test

import (
	"fmt"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/tensor"
)

func ExampleUint8Dataset() {
	// Three 2×2 grey images, one byte per pixel, read as pixel/255.
	pixels := []byte{
		0, 51, 102, 255,
		255, 255, 0, 0,
		9, 9, 9, 9,
	}
	ds, err := data.NewUint8Dataset(pixels, []int{1, 2, 2}, tensor.FromSlice([]int64{5, 0, 4}), 1.0/255)
	if err != nil {
		fmt.Println(err)
		return
	}
	x, y := ds.Example(0)
	fmt.Println(x.Shape(), x.Float32s(), y.Item())

	// A batch of the flat inputs, gathered into preallocated tensors.
	flat := ds.ReshapeX(-1)
	bx, by := tensor.Zeros(tensor.Float32, 2, 4), tensor.Zeros(tensor.Int64, 2)
	flat.Batch([]int{1, 0}, bx, by)
	fmt.Println(bx.Shape(), bx.Float32s(), by.Int64s())
	// Output:
	// [1 2 2] [0 0.2 0.4 1] 5
	// [2 4] [1 1 0 0 0 0.2 0.4 1] [0 5]
}
