package checkpoint_test

import (
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/backprop-go/backprop/checkpoint"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/optim"
)

// Example saves a model with its optimizer and schedule, restores them into
// freshly built ones and lists the file's content.
func Example() {
	dir, err := os.MkdirTemp("", "checkpoint-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	build := func(seed uint64) (nn.Module, optim.Optimizer, optim.Scheduler) {
		r := rand.New(rand.NewPCG(seed, 0))
		m := nn.NewSequential(nn.NewLinear(r, 4, 8, true), nn.ReLU{}, nn.NewLinear(r, 8, 3, true))
		opt := optim.NewSGD(nn.Parameters(m), optim.SGDConfig{LR: 0.1, Momentum: 0.9})
		return m, opt, optim.NewStepLR(opt, 10, 0.5)
	}

	m, opt, sched := build(1)
	err = checkpoint.Save(path, checkpoint.State{
		Model: m, Optimizer: opt, Scheduler: sched,
		Epoch: 3, Step: 1200,
		Metadata: map[string]string{"model": "4-8-relu-3"},
	})
	if err != nil {
		log.Fatal(err)
	}

	m2, opt2, sched2 := build(2)
	st := checkpoint.State{Model: m2, Optimizer: opt2, Scheduler: sched2}
	if err := checkpoint.Load(path, &st, checkpoint.LoadOptions{}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("epoch", st.Epoch, "step", st.Step, "model", st.Metadata["model"])

	info, err := checkpoint.Inspect(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range info.Tensors {
		fmt.Println(t.Name, t.DType, t.Shape)
	}

	// Loading into a model of another shape names the problem.
	r := rand.New(rand.NewPCG(3, 0))
	wrong := nn.NewSequential(nn.NewLinear(r, 5, 8, true), nn.ReLU{}, nn.NewLinear(r, 8, 3, true))
	err = checkpoint.Load(path, &checkpoint.State{Model: wrong}, checkpoint.LoadOptions{})
	fmt.Println(strings.TrimPrefix(err.Error(), "checkpoint: read "+path+": "))
	// Output:
	// epoch 3 step 1200 model 4-8-relu-3
	// 0.bias F32 [8]
	// 0.weight F32 [8 4]
	// 2.bias F32 [3]
	// 2.weight F32 [3 8]
	// tensor 0.weight: shape [8 5], file has [8 4]
}
