package nn_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

func ExampleLinear() {
	r := rand.New(rand.NewPCG(1, 2))
	l := nn.NewLinear(r, 3, 2, true) // weight [2, 3], bias [2]

	// Replace the random initialization with known values.
	l.Weight.CopyFrom(tensor.FromSlice([]float32{1, 0, -1, 0.5, 0.5, 0.5}, 2, 3))
	l.Bias.CopyFrom(tensor.FromSlice([]float32{0, 1}))

	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	y := l.Forward(x) // x·Wᵀ + b
	fmt.Println(y.Detach())

	y.Sum().Backward()
	for _, p := range nn.NamedParameters(l) {
		fmt.Println(p.Name, p.Tensor.Shape(), "gradient", p.Tensor.Grad())
	}
	// Output:
	// tensor([[-2.0000,  4.0000],
	//         [-2.0000,  8.5000]])
	// weight [2 3] gradient tensor([[5., 7., 9.],
	//         [5., 7., 9.]])
	// bias [2] gradient tensor([2., 2.])
}

func ExampleSequential() {
	r := rand.New(rand.NewPCG(1, 2))
	model := nn.NewSequential(
		nn.NewLinear(r, 4, 8, true),
		nn.NewBatchNorm1d(8),
		nn.ReLU{},
		nn.NewSequential(nn.NewDropout(0.5, r), nn.NewLinear(r, 8, 3, false)),
	)
	for _, e := range nn.StateDict(model) {
		fmt.Println(e.Name, e.Tensor.Shape())
	}
	fmt.Println("parameters:", nn.NumParameters(model))

	x := tensor.Randn(r, tensor.Float32, 5, 4)
	fmt.Println("training output:", model.Forward(x).Shape())

	nn.SetTraining(model, false) // BatchNorm uses its running statistics, Dropout is off
	y := model.Forward(x.NoGrad())
	fmt.Println("inference output:", y.Shape(), "records a graph:", y.RequiresGrad())
	// Output:
	// 0.weight [8 4]
	// 0.bias [8]
	// 1.weight [8]
	// 1.bias [8]
	// 1.running_mean [8]
	// 1.running_var [8]
	// 1.num_batches_tracked []
	// 3.1.weight [3 8]
	// parameters: 80
	// training output: [5 3]
	// inference output: [5 3] records a graph: false
}
