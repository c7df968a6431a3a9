package loss_test

import (
	"fmt"

	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// ExampleCrossEntropy computes the loss of two samples over three classes
// and its gradient with respect to the logits, softmax − onehot averaged
// over the batch. The first sample's softmax is [e², 1, 1]/(e² + 2), so its
// loss is ln((e² + 2)/e²) ≈ 0.2395; the second's is ln 3 ≈ 1.0986.
func ExampleCrossEntropy() {
	logits := tensor.FromSlice([]float64{2, 0, 0, 0, 0, 0}, 2, 3).SetRequiresGrad(true)
	target := tensor.FromSlice([]int64{0, 2}, 2)
	l := loss.CrossEntropy(logits, target, loss.CrossEntropyOptions{})
	l.Backward()
	fmt.Printf("loss %.4f\n", l.Item())
	g := logits.Grad()
	for i := 0; i < 2; i++ {
		fmt.Printf("grad %.4f %.4f %.4f\n", g.At(i, 0), g.At(i, 1), g.At(i, 2))
	}
	// Output:
	// loss 0.6691
	// grad -0.1065 0.0533 0.0533
	// grad 0.1667 0.1667 -0.3333
}

// ExampleMSE compares the three reductions.
func ExampleMSE() {
	pred := tensor.FromSlice([]float32{1, 2, 3})
	target := tensor.FromSlice([]float32{1, 0, 0})
	fmt.Println(loss.MSE(pred, target, loss.Mean).Item())
	fmt.Println(loss.MSE(pred, target, loss.Sum).Item())
	fmt.Println(loss.MSE(pred, target, loss.None).Float32s())
	// Output:
	// 4.333333492279053
	// 13
	// [0 4 9]
}
