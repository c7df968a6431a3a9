package tensor_test

import (
	"fmt"

	"github.com/backprop-go/backprop/tensor"
)

func ExampleFromSlice() {
	a := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	fmt.Println(a.Shape(), a.DType())
	fmt.Println(a)
	fmt.Println(a.At(1, 0))

	labels := tensor.FromSlice([]int64{3, 1, 4})
	fmt.Println(labels)
	// Output:
	// [2 3] float32
	// tensor([[1., 2., 3.],
	//         [4., 5., 6.]])
	// 4
	// tensor([3, 1, 4])
}

func ExampleTensor_Backward() {
	// f(x, w) = Σ (w·x + w)² for a vector x and a scalar w.
	x := tensor.FromSlice([]float64{1, 2, 3}).SetRequiresGrad(true)
	w := tensor.Scalar(0.5, tensor.Float64).SetRequiresGrad(true)
	y := w.Mul(x).Add(w)
	f := y.Mul(y).Sum()
	f.Backward()
	fmt.Println(f)
	// ∂f/∂x = 2(w·x + w)·w and ∂f/∂w = Σ 2(w·x + w)(x + 1).
	fmt.Println(x.Grad())
	fmt.Println(w.Grad())
	// Output:
	// tensor(7.2500, dtype=float64, grad_fn=<SumBackward>)
	// tensor([1.0000, 1.5000, 2.0000], dtype=float64)
	// tensor(29., dtype=float64)
}

func ExampleGradients() {
	// The second derivative of x³ is 6x: differentiate the first
	// derivative, computed with CreateGraph so that it is recorded.
	x := tensor.FromSlice([]float64{-1, 0.5, 2}).SetRequiresGrad(true)
	y := x.Mul(x).Mul(x).Sum()
	dx := tensor.Gradients(y, []*tensor.Tensor{x}, tensor.CreateGraph())[0]
	d2x := tensor.Gradients(dx.Sum(), []*tensor.Tensor{x})[0]
	fmt.Println(dx.RequiresGrad(), dx.Detach())
	fmt.Println(d2x)
	fmt.Println(x.Grad()) // Gradients leaves Grad alone
	// Output:
	// true tensor([ 3.0000,  0.7500, 12.0000], dtype=float64)
	// tensor([-6.,  3., 12.], dtype=float64)
	// <nil>
}

func ExampleTensor_NoGrad() {
	w := tensor.FromSlice([]float32{1, -1, 2}).SetRequiresGrad(true)
	x := tensor.FromSlice([]float32{3, 4, 5})

	// Training records the operations...
	train := w.Mul(x).Sum()
	fmt.Println(train.RequiresGrad())

	// ...inference from a NoGrad view of the weights records nothing, and
	// changes nothing for other computations with w.
	pred := w.NoGrad().Mul(x).Sum()
	fmt.Println(pred.RequiresGrad(), pred.IsNoGrad(), pred)
	fmt.Println(w.Mul(x).Sum().RequiresGrad())
	// Output:
	// true
	// false true tensor(9.)
	// true
}

func ExampleTensor_MatMul() {
	a := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := tensor.FromSlice([]float32{1, 0, 0, 1, 1, 1}, 3, 2)
	fmt.Println(a.MatMul(b))

	// A batch of two 2×3 matrices times one 3×2 matrix: the batch axis
	// broadcasts.
	batch := tensor.Arange(tensor.Float32, 0, 12, 1).Reshape(2, 2, 3)
	fmt.Println(batch.MatMul(b).Shape())

	// A matrix times a vector, and the dot product of two vectors.
	v := tensor.FromSlice([]float32{1, 1, 1})
	fmt.Println(a.MatMul(v))
	fmt.Println(v.MatMul(v))
	// Output:
	// tensor([[ 4.,  5.],
	//         [10., 11.]])
	// [2 2 2]
	// tensor([ 6., 15.])
	// tensor(3.)
}

func ExampleTry() {
	err := tensor.Try(func() {
		a := tensor.Zeros(tensor.Float32, 2, 3)
		b := tensor.Zeros(tensor.Float32, 4, 5)
		a.MatMul(b)
	})
	fmt.Println(err)
	// Output:
	// tensor.MatMul: inner sizes differ: 3 columns vs 4 rows (shapes [2 3], [4 5])
}

// The gradient of a mean over a batch, computed as two halves at once,
// each backward pass into its own GradSet, then added to the weight's Grad.
func ExampleGradSet() {
	w := tensor.FromSlice([]float64{2, -1}, 2).SetRequiresGrad(true)
	x := tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6, 7, 8}, 4, 2)
	loss := func(x *tensor.Tensor, share float64) *tensor.Tensor {
		y := x.MatMul(w) // one output per example
		return y.Mul(y).Mean().MulScalar(share)
	}
	sets := []*tensor.GradSet{tensor.NewGradSet([]*tensor.Tensor{w}), tensor.NewGradSet([]*tensor.Tensor{w})}
	done := make(chan bool)
	for k, s := range sets {
		go func() {
			loss(x.Narrow(0, 2*k, 2), 0.5).Backward(tensor.AccumulateInto(s))
			done <- true
		}()
	}
	<-done
	<-done
	for _, s := range sets {
		s.AddToGrad()
	}
	fmt.Println(w.Grad())
	w.ZeroGrad()
	loss(x, 1).Backward()
	fmt.Println(w.Grad())
	// y = x·w is 0, 2, 4, 6, so dL/dw = (2/4)·Σ yᵢ·xᵢ = [34, 40], both ways.

	// Output:
	// tensor([34., 40.], dtype=float64)
	// tensor([34., 40.], dtype=float64)
}
