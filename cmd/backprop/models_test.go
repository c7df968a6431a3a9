package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

// stateShapes returns the state dict of m as "name [shape]" strings.
func stateShapes(m nn.Module) []string {
	var out []string
	for _, nt := range nn.StateDict(m) {
		out = append(out, fmt.Sprintf("%s %v", nt.Name, nt.Tensor.Shape()))
	}
	return out
}

func TestBuildModel(t *testing.T) {
	cases := []struct {
		spec    string
		in      []int
		outputs int
		params  int      // number of parameters, counted by hand
		state   []string // state dict, PyTorch names (0 is the Flatten of layer specs)
	}{
		{"64-16-relu-3", []int{1, 8, 8}, 3, 16*64 + 16 + 3*16 + 3,
			[]string{"1.weight [16 64]", "1.bias [16]", "3.weight [3 16]", "3.bias [3]"}},
		{"4-3", []int{4}, 3, 4*3 + 3, []string{"1.weight [3 4]", "1.bias [3]"}},
		{"64-ReLU-8-TANH-2", []int{64}, 2, 64*8 + 8 + 8*2 + 2,
			[]string{"2.weight [8 64]", "2.bias [8]", "4.weight [2 8]", "4.bias [2]"}},
		{"8-bn-relu-dropout0.5-4-sigmoid-gelu-silu-elu-leakyrelu-2", []int{8}, 2, 8 + 8 + 8*4 + 4 + 4*2 + 2,
			[]string{"1.weight [8]", "1.bias [8]", "1.running_mean [8]", "1.running_var [8]", "1.num_batches_tracked []",
				"4.weight [4 8]", "4.bias [4]", "10.weight [2 4]", "10.bias [2]"}},
		// mlp: inputs-256-relu-128-relu-outputs; 784-256-128-10 on MNIST.
		{"mlp", []int{1, 28, 28}, 10, 784*256 + 256 + 256*128 + 128 + 128*10 + 10,
			[]string{"1.weight [256 784]", "1.bias [256]", "3.weight [128 256]", "3.bias [128]", "5.weight [10 128]", "5.bias [10]"}},
		{"mlp", []int{5}, 2, 5*256 + 256 + 256*128 + 128 + 128*2 + 2,
			[]string{"1.weight [256 5]", "1.bias [256]", "3.weight [128 256]", "3.bias [128]", "5.weight [2 128]", "5.bias [2]"}},
		// LeNet-5 on 28×28: conv 5×5 → 24, pool → 12, conv 5×5 → 8, pool → 4.
		{"cnn", []int{1, 28, 28}, 10, 6*25 + 6 + 16*6*25 + 16 + 16*4*4*120 + 120 + 120*84 + 84 + 84*10 + 10,
			[]string{"0.weight [6 1 5 5]", "0.bias [6]", "3.weight [16 6 5 5]", "3.bias [16]",
				"7.weight [120 256]", "7.bias [120]", "9.weight [84 120]", "9.bias [84]", "11.weight [10 84]", "11.bias [10]"}},
		// 3×16×20: 16 → 12 → 6 → 2 → 1 rows, 20 → 16 → 8 → 4 → 2 columns.
		{"cnn", []int{3, 16, 20}, 2, 6*3*25 + 6 + 16*6*25 + 16 + 16*1*2*120 + 120 + 120*84 + 84 + 84*2 + 2,
			[]string{"0.weight [6 3 5 5]", "0.bias [6]", "3.weight [16 6 5 5]", "3.bias [16]",
				"7.weight [120 32]", "7.bias [120]", "9.weight [84 120]", "9.bias [84]", "11.weight [2 84]", "11.bias [2]"}},
	}
	for _, c := range cases {
		t.Run(c.spec, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			m, err := buildModel(c.spec, c.in, c.outputs, r)
			if err != nil {
				t.Fatal(err)
			}
			if got := nn.NumParameters(m); got != c.params {
				t.Errorf("%d parameters, want %d", got, c.params)
			}
			if got := stateShapes(m); !slices.Equal(got, c.state) {
				t.Errorf("state dict\n%v\nwant\n%v", got, c.state)
			}
			// A batch of two examples gives two rows of class scores.
			nn.SetTraining(m, false)
			x := tensor.Rand(r, tensor.Float32, append([]int{2}, c.in...)...)
			if got := m.Forward(x).Shape(); !slices.Equal(got, []int{2, c.outputs}) {
				t.Errorf("output shape %v, want [2 %d]", got, c.outputs)
			}
		})
	}
}

func TestBuildModelErrors(t *testing.T) {
	cases := []struct {
		spec    string
		in      []int
		outputs int
		want    string
	}{
		{"", []int{4}, 3, `must start with the input size, got ""`},
		{"relu-4-3", []int{4}, 3, `must start with the input size, got "relu"`},
		{"5-3", []int{4}, 3, "first size 5 does not match the 4 input features [4]"},
		{"4-16-relu-2", []int{4}, 3, "last size 2 does not match the 3 classes"},
		{"4-16-swish-3", []int{4}, 3, `unknown layer "swish" at position 3`},
		{"4--3", []int{4}, 3, `unknown layer "" at position 2`},
		{"4-0-3", []int{4}, 3, "layer size 0 must be positive"},
		{"4--1-3", []int{4}, 3, `unknown layer ""`},
		{"4-dropout1.5-3", []int{4}, 3, `bad dropout "dropout1.5"`},
		{"4-dropoutx-3", []int{4}, 3, `bad dropout "dropoutx"`},
		{"3", []int{3}, 3, "has no layers"},
		{"cnn", []int{64}, 3, "needs image inputs"},
		{"cnn", []int{1, 15, 28}, 3, "15×28 are too small"},
	}
	for _, c := range cases {
		_, err := buildModel(c.spec, c.in, c.outputs, rand.New(rand.NewPCG(1, 2)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("buildModel(%q, %v, %d): error %v, want one containing %q", c.spec, c.in, c.outputs, err, c.want)
		}
	}
}
