package nn_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

// block is a hand-made module with parameters, buffers and children, to
// pin the order of names independently of the library's layers.
type block struct {
	p, q     *tensor.Tensor
	buf      *tensor.Tensor
	children []nn.Child
	training bool
}

func newBlock(children ...nn.Child) *block {
	return &block{
		p:        nn.Param(tensor.Zeros(tensor.Float32, 2, 3)),
		q:        nn.Param(tensor.Zeros(tensor.Float32, 3)),
		buf:      tensor.Zeros(tensor.Int64),
		children: children,
		training: true,
	}
}

func (b *block) Forward(x *tensor.Tensor) *tensor.Tensor { return x }
func (b *block) SetTraining(t bool)                      { b.training = t }
func (b *block) Training() bool                          { return b.training }

func (b *block) Members() nn.Members {
	return nn.Members{
		Params:   []nn.Named{{Name: "p", Tensor: b.p}, {Name: "q", Tensor: b.q}},
		Buffers:  []nn.Named{{Name: "buf", Tensor: b.buf}},
		Children: b.children,
	}
}

func names(list []nn.Named) []string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.Name
	}
	return out
}

func TestNamesOfNestedSequential(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	inner := nn.NewSequential(nn.NewLinear(r, 3, 4, true), nn.Identity{}, nn.NewLinear(r, 4, 2, false))
	m := nn.NewSequential(nn.NewLinear(r, 5, 3, true), inner, nn.Identity{})
	want := []string{"0.weight", "0.bias", "1.0.weight", "1.0.bias", "1.2.weight"}
	if got := names(nn.NamedParameters(m)); !slices.Equal(got, want) {
		t.Errorf("NamedParameters = %v, want %v", got, want)
	}
	if got := names(nn.StateDict(m)); !slices.Equal(got, want) {
		t.Errorf("StateDict = %v, want %v", got, want)
	}
	if got, want := nn.NumParameters(m), 5*3+3+3*4+4+4*2; got != want {
		t.Errorf("NumParameters = %d, want %d", got, want)
	}
	ps := nn.Parameters(m)
	if len(ps) != 5 || ps[2] != inner.At(0).(*nn.Linear).Weight {
		t.Errorf("Parameters does not return the modules' own tensors in order")
	}
}

func TestStateDictOrder(t *testing.T) {
	// PyTorch's state_dict order: per module its parameters, its buffers,
	// then its children recursively; named_parameters skips buffers.
	leaf := newBlock()
	root := newBlock(nn.Child{Name: "a", Module: leaf}, nn.Child{Name: "b", Module: newBlock(nn.Child{Name: "c", Module: newBlock()})})
	wantSD := []string{"p", "q", "buf", "a.p", "a.q", "a.buf", "b.p", "b.q", "b.buf", "b.c.p", "b.c.q", "b.c.buf"}
	if got := names(nn.StateDict(root)); !slices.Equal(got, wantSD) {
		t.Errorf("StateDict = %v, want %v", got, wantSD)
	}
	wantP := []string{"p", "q", "a.p", "a.q", "b.p", "b.q", "b.c.p", "b.c.q"}
	if got := names(nn.NamedParameters(root)); !slices.Equal(got, wantP) {
		t.Errorf("NamedParameters = %v, want %v", got, wantP)
	}
	wantB := []string{"buf", "a.buf", "b.buf", "b.c.buf"}
	if got := names(nn.NamedBuffers(root)); !slices.Equal(got, wantB) {
		t.Errorf("NamedBuffers = %v, want %v", got, wantB)
	}
}

func TestSharedModulesAndTensors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	shared := nn.NewLinear(r, 2, 2, true)
	m := nn.NewSequential(shared, nn.Identity{}, shared)
	// Parameters lists each tensor once (so an optimizer updates it once);
	// the state dict, as PyTorch's, lists it under both names.
	if got, want := names(nn.NamedParameters(m)), []string{"0.weight", "0.bias"}; !slices.Equal(got, want) {
		t.Errorf("NamedParameters = %v, want %v", got, want)
	}
	if got, want := names(nn.StateDict(m)), []string{"0.weight", "0.bias", "2.weight", "2.bias"}; !slices.Equal(got, want) {
		t.Errorf("StateDict = %v, want %v", got, want)
	}
	if got := nn.NumParameters(m); got != 6 {
		t.Errorf("NumParameters = %d, want 6", got)
	}
}

func TestLoadStateDictRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	src := nn.NewSequential(nn.NewLinear(r, 4, 3, true), newBlock(), nn.NewLinear(r, 3, 2, true))
	src.At(1).(*block).buf.Set(7)
	dst := nn.NewSequential(nn.NewLinear(r, 4, 3, true), newBlock(), nn.NewLinear(r, 3, 2, true))
	sd := map[string]*tensor.Tensor{}
	for _, e := range nn.StateDict(src) {
		sd[e.Name] = e.Tensor.To(tensor.Float64) // loading converts the dtype back
		if e.Tensor.DType() == tensor.Int64 {
			sd[e.Name] = e.Tensor
		}
	}
	before := nn.Parameters(dst)
	if err := nn.LoadStateDict(dst, sd, true); err != nil {
		t.Fatal(err)
	}
	got, want := nn.StateDict(dst), nn.StateDict(src)
	for i := range want {
		if !tensor.Equal(got[i].Tensor, want[i].Tensor) {
			t.Errorf("%s: loaded %v, want %v", want[i].Name, got[i].Tensor, want[i].Tensor)
		}
	}
	for i, p := range nn.Parameters(dst) {
		if p != before[i] || !p.RequiresGrad() || p.DType() != tensor.Float32 {
			t.Errorf("parameter %d replaced, lost requires-grad or changed dtype", i)
		}
	}
	// The loaded values are copies: changing the source leaves dst alone.
	src.At(0).(*nn.Linear).Weight.Set(100, 0, 0)
	if dst.At(0).(*nn.Linear).Weight.At(0, 0) == 100 {
		t.Error("LoadStateDict shares storage with the state dict")
	}
}

func TestLoadStateDictErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	mk := func() *nn.Sequential {
		return nn.NewSequential(nn.NewLinear(r, 5, 10, true), nn.Identity{}, nn.NewLinear(r, 10, 2, true))
	}
	good := map[string]*tensor.Tensor{}
	for _, e := range nn.StateDict(mk()) {
		good[e.Name] = e.Tensor
	}
	bad := map[string]*tensor.Tensor{
		"0.weight": tensor.Zeros(tensor.Float32, 10, 4),
		"2.weight": tensor.Zeros(tensor.Float32, 2, 10),
		"2.bias":   tensor.Zeros(tensor.Float32, 3),
		"x":        tensor.Zeros(tensor.Float32, 1),
		"1.weight": tensor.Zeros(tensor.Float32, 1),
	}
	cases := []struct {
		name   string
		sd     map[string]*tensor.Tensor
		strict bool
		want   string
	}{
		{"strict", bad, true, "nn: load state dict: missing keys [0.bias]; unexpected keys [1.weight x]; " +
			"shape mismatch 0.weight: model [10 5], state dict [10 4]; shape mismatch 2.bias: model [2], state dict [3]"},
		{"non-strict", bad, false, "nn: load state dict: " +
			"shape mismatch 0.weight: model [10 5], state dict [10 4]; shape mismatch 2.bias: model [2], state dict [3]"},
		{"only missing", map[string]*tensor.Tensor{"0.weight": good["0.weight"]}, true,
			"nn: load state dict: missing keys [0.bias 2.weight 2.bias]"},
		{"only missing non-strict", map[string]*tensor.Tensor{"0.weight": good["0.weight"]}, false, ""},
		{"good", good, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mk()
			before := nn.StateDict(m)
			snap := make([]*tensor.Tensor, len(before))
			for i, e := range before {
				snap[i] = e.Tensor.Clone()
			}
			err := nn.LoadStateDict(m, c.sd, c.strict)
			if c.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || err.Error() != c.want {
				t.Fatalf("error\n  %v\nwant\n  %s", err, c.want)
			}
			for i, e := range before {
				if !tensor.Equal(e.Tensor, snap[i]) {
					t.Errorf("%s changed by a failed load", e.Name)
				}
			}
		})
	}
	// Non-strict loading of a subset changes exactly that subset.
	m := mk()
	w := tensor.Full(tensor.Float32, 0.5, 10, 5)
	if err := nn.LoadStateDict(m, map[string]*tensor.Tensor{"0.weight": w, "extra": w}, false); err != nil {
		t.Fatal(err)
	}
	if !tensor.Equal(m.At(0).(*nn.Linear).Weight, w) {
		t.Error("non-strict load did not copy 0.weight")
	}
}

func TestSetTrainingWalksTree(t *testing.T) {
	a, b := newBlock(), newBlock()
	d := nn.NewDropout(0.5, rand.New(rand.NewPCG(1, 1)))
	m := nn.NewSequential(a, nn.NewSequential(b, d))
	nn.SetTraining(m, false)
	if a.Training() || b.Training() || d.Training() {
		t.Error("SetTraining(false) left a module in training mode")
	}
	nn.SetTraining(m, true)
	if !a.Training() || !b.Training() || !d.Training() {
		t.Error("SetTraining(true) left a module in evaluation mode")
	}
}

func TestToDTypeAndZeroGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	lin := nn.NewLinear(r, 3, 2, true)
	blk := newBlock()
	m := nn.NewSequential(lin, blk)
	w := lin.Weight
	want := w.Float64s()
	nn.ToDType(m, tensor.Float64)
	if lin.Weight != w || w.DType() != tensor.Float64 || !w.RequiresGrad() {
		t.Fatalf("ToDType: weight replaced, dtype %v, requires grad %v", w.DType(), w.RequiresGrad())
	}
	if !slices.Equal(w.Float64s(), want) {
		t.Error("ToDType changed the values")
	}
	if blk.buf.DType() != tensor.Int64 {
		t.Errorf("integer buffer converted to %v", blk.buf.DType())
	}
	x := tensor.Ones(tensor.Float64, 4, 3)
	m.Forward(x).Sum().Backward()
	if w.Grad() == nil || lin.Bias.Grad() == nil {
		t.Fatal("no gradient after Backward")
	}
	nn.ZeroGrad(m)
	for _, p := range nn.NamedParameters(m) {
		if p.Tensor.Grad() != nil {
			t.Errorf("%s: gradient not cleared", p.Name)
		}
	}
	err := tensor.Try(func() { nn.ToDType(m, tensor.Int64) })
	if err == nil || !strings.Contains(err.Error(), "floating point") {
		t.Errorf("ToDType(Int64): error %v", err)
	}
}
