package checkpoint

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// torchGolden is one model of testdata/checkpoint_torch.json, written by
// testdata/checkpoint_torch.py.
type torchGolden struct {
	File   string            `json:"file"`
	Keys   []json.RawMessage `json:"keys"` // [name, shape] pairs
	Input  goldenTensor      `json:"input"`
	Output goldenTensor      `json:"output"`
}

type goldenTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (g goldenTensor) tensor() *tensor.Tensor {
	v := make([]float32, len(g.Data))
	for i, x := range g.Data {
		v[i] = float32(x)
	}
	return tensor.FromSlice(v, g.Shape...)
}

// keys returns the state-dict names and shapes PyTorch reported.
func (g torchGolden) keys(t *testing.T) ([]string, [][]int) {
	t.Helper()
	var names []string
	var shapes [][]int
	for _, raw := range g.Keys {
		var pair []json.RawMessage
		var name string
		var shape []int
		if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 {
			t.Fatalf("bad key entry %s", raw)
		}
		if json.Unmarshal(pair[0], &name) != nil || json.Unmarshal(pair[1], &shape) != nil {
			t.Fatalf("bad key entry %s", raw)
		}
		names = append(names, name)
		shapes = append(shapes, shape)
	}
	return names, shapes
}

func readTorchGolden(t *testing.T) map[string]torchGolden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "checkpoint_torch.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]torchGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// torchModels builds the models of checkpoint_torch.py with package nn,
// with their own (different) initial weights.
func torchModels() map[string]nn.Module {
	r := rand.New(rand.NewPCG(9, 9))
	return map[string]nn.Module{
		"mlp": nn.NewSequential(nn.NewLinear(r, 4, 8, true), nn.ReLU{}, nn.NewLinear(r, 8, 3, true)),
		"cnn": nn.NewSequential(
			nn.NewConv2d(r, nn.Conv2dConfig{In: 1, Out: 4, Kernel: [2]int{3, 3}, Padding: [2]int{1, 1}}),
			nn.NewBatchNorm2d(4),
			nn.ReLU{},
			nn.NewMaxPool2d([2]int{2, 2}, [2]int{2, 2}, [2]int{}),
			nn.NewFlatten(),
			nn.NewLinear(r, 36, 5, true),
		),
	}
}

func TestLoadTorchStateDict(t *testing.T) {
	golden := readTorchGolden(t)
	for name, m := range torchModels() {
		t.Run(name, func(t *testing.T) {
			g, ok := golden[name]
			if !ok {
				t.Fatalf("no golden entry %s", name)
			}
			// Our names and shapes are PyTorch's, in PyTorch's order.
			names, shapes := g.keys(t)
			sd := nn.StateDict(m)
			if len(sd) != len(names) {
				t.Fatalf("state dict of %d entries, PyTorch's has %d", len(sd), len(names))
			}
			for i, e := range sd {
				if e.Name != names[i] || !slices.Equal(e.Tensor.Shape(), shapes[i]) {
					t.Errorf("entry %d: %s %v, PyTorch has %s %v", i, e.Name, e.Tensor.Shape(), names[i], shapes[i])
				}
			}
			st := State{Model: m}
			if err := Load(filepath.Join("..", "testdata", g.File), &st, LoadOptions{}); err != nil {
				t.Fatal(err)
			}
			if st.Metadata["source"] != "testdata/checkpoint_torch.py" {
				t.Errorf("metadata %v", st.Metadata)
			}
			nn.SetTraining(m, false)
			got := m.Forward(g.Input.tensor().NoGrad())
			if !slices.Equal(got.Shape(), g.Output.Shape) {
				t.Fatalf("output shape %v, PyTorch's %v", got.Shape(), g.Output.Shape)
			}
			for i, v := range got.Float32s() {
				if d := math.Abs(float64(v) - g.Output.Data[i]); d > 1e-5 {
					t.Errorf("output %d: %v, PyTorch %v (|diff| %.3g)", i, v, g.Output.Data[i], d)
				}
			}
		})
	}
}

// TestCheckpointLoadsIntoTorch checks that a checkpoint written by Save is
// what load_backprop_checkpoint in testdata/checkpoint_torch.py accepts: a
// little-endian header length, a JSON object of entries with exactly
// dtype, shape and data_offsets (dtypes the reader knows), string
// metadata, and, once the names starting with "__" are dropped, exactly
// the keys and shapes of PyTorch's state dict, so that
// model.load_state_dict(sd, strict=True) succeeds.
//
// With BACKPROP_TORCH_CHECK=FILE it also leaves the checkpoint in FILE,
// with the model's output in the metadata, for
// `testdata/checkpoint_torch.py --check FILE` to verify in PyTorch.
func TestCheckpointLoadsIntoTorch(t *testing.T) {
	g := readTorchGolden(t)["mlp"]
	m := torchModels()["mlp"]
	opt := optim.NewAdam(nn.Parameters(m), optim.AdamConfig{})
	x := g.Input.tensor()
	opt.ZeroGrad()
	m.Forward(x).Sum().Backward()
	opt.Step()
	out := m.Forward(x.NoGrad()).Float32s()
	outJSON, _ := json.Marshal(out)

	path := filepath.Join(t.TempDir(), "ours.safetensors")
	if p := os.Getenv("BACKPROP_TORCH_CHECK"); p != "" {
		path = p
	}
	pcg := rand.NewPCG(1, 2)
	rng, _ := pcg.MarshalBinary()
	st := State{Model: m, Optimizer: opt, Epoch: 1, Step: 1, RNG: rng, Metadata: map[string]string{"check_output": string(outJSON)}}
	if err := Save(path, st); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	var header map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &header); err != nil {
		t.Fatalf("header is not a JSON object: %v", err)
	}
	var meta map[string]string
	if err := json.Unmarshal(header["__metadata__"], &meta); err != nil {
		t.Fatalf("metadata is not a map of strings: %v", err)
	}
	known := map[string]bool{"F64": true, "F32": true, "F16": true, "BF16": true, "I64": true, "I32": true, "I16": true, "I8": true, "U8": true, "BOOL": true}
	model := map[string][]int{}
	dataLen := int64(len(raw)) - 8 - int64(n)
	for name, entry := range header {
		if name == "__metadata__" {
			continue
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(entry, &fields); err != nil || len(fields) != 3 {
			t.Fatalf("entry %s: %s", name, entry)
		}
		var e struct {
			DType   string   `json:"dtype"`
			Shape   []int    `json:"shape"`
			Offsets [2]int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(entry, &e); err != nil || !known[e.DType] || e.Offsets[1] > dataLen {
			t.Fatalf("entry %s: %s", name, entry)
		}
		if !strings.HasPrefix(name, "__") {
			model[name] = e.Shape
		}
	}
	names, shapes := g.keys(t)
	if len(model) != len(names) {
		t.Fatalf("file holds model tensors %v, PyTorch's state dict has %v", model, names)
	}
	for i, name := range names {
		if s, ok := model[name]; !ok || !slices.Equal(s, shapes[i]) {
			t.Errorf("tensor %s: file has %v, PyTorch's state dict %v", name, s, shapes[i])
		}
	}
}
