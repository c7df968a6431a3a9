package checkpoint

import (
	"bytes"
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

// testModel returns Linear(4, 8) → BatchNorm1d(8) → ReLU → Linear(8, 3)
// initialized from seed.
func testModel(seed uint64) *nn.Sequential {
	r := rand.New(rand.NewPCG(seed, 1))
	return nn.NewSequential(nn.NewLinear(r, 4, 8, true), nn.NewBatchNorm1d(8), nn.ReLU{}, nn.NewLinear(r, 8, 3, true))
}

// trainSteps runs n Adam steps of a least-squares fit on fixed data.
func trainSteps(m nn.Module, opt optim.Optimizer, sched optim.Scheduler, n int) {
	r := rand.New(rand.NewPCG(7, 7))
	x := tensor.Randn(r, tensor.Float32, 6, 4)
	y := tensor.Randn(r, tensor.Float32, 6, 3)
	for range n {
		opt.ZeroGrad()
		d := m.Forward(x).Sub(y)
		d.Mul(d).Mean().Backward()
		opt.Step()
		sched.Step()
	}
}

// bitsEqual reports whether two tensors hold the same dtype, shape and
// bits.
func bitsEqual(a, b *tensor.Tensor) bool {
	if a.DType() != b.DType() || !slices.Equal(a.Shape(), b.Shape()) {
		return false
	}
	switch a.DType() {
	case tensor.Float32:
		x, y := a.Float32s(), b.Float32s()
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				return false
			}
		}
		return true
	case tensor.Float64:
		x, y := a.Float64s(), b.Float64s()
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
		return true
	}
	return slices.Equal(a.Int64s(), b.Int64s())
}

func checkSameModel(t *testing.T, got, want nn.Module) {
	t.Helper()
	a, b := nn.StateDict(got), nn.StateDict(want)
	if len(a) != len(b) {
		t.Fatalf("state dicts of %d and %d entries", len(a), len(b))
	}
	for i := range a {
		if a[i].Name != b[i].Name || !bitsEqual(a[i].Tensor, b[i].Tensor) {
			t.Errorf("tensor %s differs: %v vs %v", a[i].Name, a[i].Tensor, b[i].Tensor)
		}
	}
}

func checkSameState(t *testing.T, what string, got, want optim.State) {
	t.Helper()
	if got.Step != want.Step {
		t.Errorf("%s step %d, want %d", what, got.Step, want.Step)
	}
	if len(got.Scalars) != len(want.Scalars) || len(got.Tensors) != len(want.Tensors) {
		t.Errorf("%s: %d scalars and %d tensors, want %d and %d", what, len(got.Scalars), len(got.Tensors), len(want.Scalars), len(want.Tensors))
	}
	for k, v := range want.Scalars {
		if g, ok := got.Scalars[k]; !ok || math.Float64bits(g) != math.Float64bits(v) {
			t.Errorf("%s scalar %s = %v, want %v", what, k, g, v)
		}
	}
	for k, v := range want.Tensors {
		if g := got.Tensors[k]; g == nil || !bitsEqual(g, v) {
			t.Errorf("%s tensor %s differs", what, k)
		}
	}
}

// fixture is a model with its optimizer and schedule.
type fixture struct {
	model *nn.Sequential
	opt   *optim.Adam
	sched *optim.StepLR
}

func newFixture(seed uint64) fixture {
	m := testModel(seed)
	opt := optim.NewAdam(nn.Parameters(m), optim.AdamConfig{LR: 0.01, WeightDecay: 1e-3})
	return fixture{m, opt, optim.NewStepLR(opt, 2, 0.5)}
}

func (f fixture) state() State {
	return State{Model: f.model, Optimizer: f.opt, Scheduler: f.sched}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	src := newFixture(1)
	trainSteps(src.model, src.opt, src.sched, 5)
	pcg := rand.NewPCG(3, 4)
	rand.New(pcg).Uint64()
	rng, _ := pcg.MarshalBinary()
	st := src.state()
	st.Epoch, st.Step, st.RNG = 2, 5, rng
	st.Metadata = map[string]string{"lr": "0.01", "model": "mlp"}
	if err := Save(path, st); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("directory holds %d entries after Save, want 1", len(entries))
	}

	dst := newFixture(2) // other initial weights
	got := dst.state()
	got.Epoch, got.Step = 99, 99
	if err := Load(path, &got, LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	checkSameModel(t, dst.model, src.model)
	checkSameState(t, "optimizer", dst.opt.StateDict(), src.opt.StateDict())
	checkSameState(t, "schedule", dst.sched.StateDict(), src.sched.StateDict())
	if a, b := dst.opt.Groups()[0].LR, src.opt.Groups()[0].LR; a != b {
		t.Errorf("learning rate %v, want %v", a, b)
	}
	if got.Epoch != 2 || got.Step != 5 || !bytes.Equal(got.RNG, rng) {
		t.Errorf("epoch %d step %d rng %x, want 2, 5, %x", got.Epoch, got.Step, got.RNG, rng)
	}
	if len(got.Metadata) != 2 || got.Metadata["lr"] != "0.01" || got.Metadata["model"] != "mlp" {
		t.Errorf("metadata %v", got.Metadata)
	}
	// The restored RNG continues the saved stream.
	back := rand.NewPCG(0, 0)
	if err := back.UnmarshalBinary(got.RNG); err != nil {
		t.Fatal(err)
	}
	if a, b := back.Uint64(), pcg.Uint64(); a != b {
		t.Errorf("restored generator gives %d, original %d", a, b)
	}
	// Training on from both gives the same weights: the Adam moments and
	// step counts, and the schedule's position, were restored.
	trainSteps(src.model, src.opt, src.sched, 3)
	trainSteps(dst.model, dst.opt, dst.sched, 3)
	checkSameModel(t, dst.model, src.model)
}

func TestSaveUsesStateDictNames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	f := newFixture(1)
	trainSteps(f.model, f.opt, f.sched, 1)
	if err := Save(path, f.state()); err != nil {
		t.Fatal(err)
	}
	ts, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var model, other []string
	for name := range ts.Tensors {
		if strings.HasPrefix(name, "__") {
			other = append(other, name)
		} else {
			model = append(model, name)
		}
	}
	slices.Sort(model)
	want := []string{"0.bias", "0.weight", "1.bias", "1.num_batches_tracked", "1.running_mean", "1.running_var", "1.weight", "3.bias", "3.weight"}
	if !slices.Equal(model, want) {
		t.Errorf("model tensors %v, want %v", model, want)
	}
	// Adam keeps exp_avg and exp_avg_sq for each of the 6 parameters.
	if len(other) != 12 {
		t.Errorf("%d optimizer tensors, want 12: %v", len(other), other)
	}
	for _, name := range other {
		if !strings.HasPrefix(name, OptimizerPrefix+"state.") {
			t.Errorf("unexpected reserved tensor %s", name)
		}
	}
	if ts.Tensors["1.num_batches_tracked"].DType() != tensor.Int64 {
		t.Error("num_batches_tracked not stored as an integer")
	}
	for _, k := range []string{MetaFormat, MetaEpoch, MetaStep, OptimizerPrefix + "type", OptimizerPrefix + "param_groups.0.lr", SchedulerPrefix + "step"} {
		if _, ok := ts.Metadata[k]; !ok {
			t.Errorf("metadata lacks %s: %v", k, ts.Metadata)
		}
	}
}

func TestLoadStrictness(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	r := rand.New(rand.NewPCG(1, 1))
	saved := nn.NewSequential(nn.NewLinear(r, 4, 8, true), nn.ReLU{}, nn.NewLinear(r, 8, 3, true))
	if err := Save(path, State{Model: saved}); err != nil {
		t.Fatal(err)
	}
	// The loading model lacks the last layer's bias and has a third layer.
	r2 := rand.New(rand.NewPCG(2, 2))
	other := nn.NewSequential(nn.NewLinear(r2, 4, 8, true), nn.ReLU{}, nn.NewLinear(r2, 8, 3, false), nn.NewLinear(r2, 3, 2, true))
	before := nn.StateDict(other)[0].Tensor.Clone()

	err := Load(path, &State{Model: other}, LoadOptions{})
	want := "checkpoint: read " + path + ": tensor 3.weight: missing from the file; tensor 3.bias: missing from the file; tensor 2.bias: in the file but not in the model"
	if err == nil || err.Error() != want {
		t.Fatalf("strict load error\n%v\nwant\n%s", err, want)
	}
	if !bitsEqual(nn.StateDict(other)[0].Tensor, before) {
		t.Fatal("failed strict load changed the model")
	}

	if err := Load(path, &State{Model: other}, LoadOptions{NonStrict: true}); err != nil {
		t.Fatalf("non-strict load: %v", err)
	}
	sdSaved := map[string]*tensor.Tensor{}
	for _, e := range nn.StateDict(saved) {
		sdSaved[e.Name] = e.Tensor
	}
	for _, e := range nn.StateDict(other) {
		w := sdSaved[e.Name]
		switch e.Name {
		case "0.weight", "0.bias", "2.weight":
			if !bitsEqual(e.Tensor, w) {
				t.Errorf("%s not loaded", e.Name)
			}
		default:
			if w != nil && bitsEqual(e.Tensor, w) {
				t.Errorf("%s unexpectedly equal", e.Name)
			}
		}
	}
}

func TestLoadShapeMismatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.safetensors")
	r := rand.New(rand.NewPCG(1, 1))
	if err := Save(path, State{Model: nn.NewSequential(nn.NewLinear(r, 5, 8, true), nn.NewLinear(r, 8, 3, true))}); err != nil {
		t.Fatal(err)
	}
	m := nn.NewSequential(nn.NewLinear(r, 4, 8, true), nn.NewLinear(r, 8, 3, true))
	want := "checkpoint: read " + path + ": tensor 0.weight: shape [8 4], file has [8 5]"
	for _, opts := range []LoadOptions{{}, {NonStrict: true}} {
		err := Load(path, &State{Model: m}, opts)
		if err == nil || err.Error() != want {
			t.Errorf("%+v: error %v, want %s", opts, err, want)
		}
	}
}

func TestLoadOptimizerMismatch(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.safetensors")
	withSGD := filepath.Join(dir, "sgd.safetensors")
	f := newFixture(1)
	if err := Save(plain, State{Model: f.model}); err != nil {
		t.Fatal(err)
	}
	sgd := optim.NewSGD(nn.Parameters(f.model), optim.SGDConfig{LR: 0.1, Momentum: 0.9})
	if err := Save(withSGD, State{Model: f.model, Optimizer: sgd}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
		opts       LoadOptions
		want       string // "" for success
	}{
		{"no optimizer state, strict", plain, LoadOptions{}, "the file holds no optimizer state (load non-strictly to skip it); the file holds no schedule state"},
		{"no optimizer state, non-strict", plain, LoadOptions{NonStrict: true}, ""},
		{"other optimizer", withSGD, LoadOptions{NonStrict: true}, "optimizer: the file holds the state of a *optim.SGD, not of a *optim.Adam"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := newFixture(2)
			trainSteps(dst.model, dst.opt, dst.sched, 2)
			before := dst.opt.StateDict()
			st := dst.state()
			err := Load(c.path, &st, c.opts)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				checkSameState(t, "optimizer", dst.opt.StateDict(), before)
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			checkSameState(t, "optimizer", dst.opt.StateDict(), before)
		})
	}
}

func TestLoadCorruptFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	f := newFixture(1)
	trainSteps(f.model, f.opt, f.sched, 1)
	if err := Save(path, f.state()); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	rngFile := filepath.Join(dir, "rng.safetensors")
	ts, _ := ReadFile(path)
	ts.Metadata[MetaRNG] = "!!not base64"
	ts.Metadata[MetaEpoch] = "x"
	if err := WriteFile(rngFile, ts); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", good[:len(good)-10], "file truncated"},
		{"header only", good[:12], "runs past the end"},
		{"garbage", []byte("this is not a checkpoint at all"), "exceeds"},
		{"empty", nil, "too short"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, "bad.safetensors")
			if err := os.WriteFile(p, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			dst := newFixture(2)
			before := nn.StateDict(dst.model)[0].Tensor.Clone()
			st := dst.state()
			err := Load(p, &st, LoadOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("error %v, want one naming the file and containing %q", err, c.want)
			}
			if !bitsEqual(nn.StateDict(dst.model)[0].Tensor, before) {
				t.Fatal("failed load changed the model")
			}
		})
	}
	t.Run("bad metadata", func(t *testing.T) {
		dst := newFixture(2)
		st := dst.state()
		err := Load(rngFile, &st, LoadOptions{})
		for _, want := range []string{`metadata __epoch__: invalid count "x"`, "metadata __rng__: invalid base64"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want one containing %q", err, want)
			}
		}
	})
	t.Run("missing file", func(t *testing.T) {
		st := newFixture(2).state()
		if err := Load(filepath.Join(dir, "nope.safetensors"), &st, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "nope.safetensors") {
			t.Fatalf("error %v", err)
		}
	})
}

func TestSaveFailureLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	f := newFixture(1)
	cases := []struct {
		name string
		st   State
		want string
	}{
		{"reserved metadata", State{Model: f.model, Metadata: map[string]string{"__epoch__": "1"}}, "reserved"},
		{"nil model", State{}, "nil model"},
	}
	for _, c := range cases {
		err := Save(path, c.st)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming the file and containing %q", c.name, err, c.want)
		}
	}
	if err := Save(filepath.Join(dir, "no", "such", "dir", "ck.safetensors"), State{Model: f.model}); err == nil {
		t.Error("no error saving into a missing directory")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed saves left %d entries", len(entries))
	}
	// A failed save over an existing checkpoint keeps it.
	if err := Save(path, State{Model: f.model}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	Save(path, State{Model: f.model, Metadata: map[string]string{"__x": ""}})
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("failed save changed the existing checkpoint")
	}
}

func TestInspect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	f := newFixture(1)
	trainSteps(f.model, f.opt, f.sched, 1)
	st := f.state()
	st.Epoch, st.Step, st.Metadata = 1, 7, map[string]string{"note": "hi"}
	if err := Save(path, st); err != nil {
		t.Fatal(err)
	}
	info, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if info.Size != fi.Size() {
		t.Errorf("size %d, want %d", info.Size, fi.Size())
	}
	if len(info.Tensors) != 9+12 {
		t.Errorf("%d tensors, want 21", len(info.Tensors))
	}
	parts := map[string]int{}
	for i, ti := range info.Tensors {
		parts[ti.Part]++
		if i > 0 && info.Tensors[i-1].Name >= ti.Name {
			t.Errorf("tensors not in name order: %s before %s", info.Tensors[i-1].Name, ti.Name)
		}
		switch ti.Name {
		case "0.weight":
			if ti.DType != "F32" || !slices.Equal(ti.Shape, []int{8, 4}) || ti.Part != "model" {
				t.Errorf("0.weight described as %+v", ti)
			}
		case "1.num_batches_tracked":
			if ti.DType != "I64" || len(ti.Shape) != 0 {
				t.Errorf("num_batches_tracked described as %+v", ti)
			}
		}
	}
	if parts["model"] != 9 || parts["optimizer"] != 12 {
		t.Errorf("parts %v", parts)
	}
	if info.Metadata["note"] != "hi" || info.Metadata[MetaEpoch] != "1" || info.Metadata[MetaStep] != "7" || info.Metadata[MetaFormat] != Format {
		t.Errorf("metadata %v", info.Metadata)
	}
	if _, err := Inspect(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("no error for a missing file")
	}
	bad := filepath.Join(t.TempDir(), "bad.safetensors")
	os.WriteFile(bad, []byte{1, 0, 0, 0, 0, 0, 0, 0, '{'}, 0o644)
	if _, err := Inspect(bad); err == nil || !strings.Contains(err.Error(), "bad.safetensors") {
		t.Errorf("error %v for a corrupt file", err)
	}
}

// FuzzLoadState checks that restoring any decodable file returns an error
// or succeeds, never panics, and leaves the state unchanged on error.
func FuzzLoadState(f *testing.F) {
	fx := newFixture(1)
	trainSteps(fx.model, fx.opt, fx.sched, 2)
	ts, err := encodeState(State{Model: fx.model, Optimizer: fx.opt, Scheduler: fx.sched, Epoch: 1, Step: 2, RNG: []byte{1, 2, 3}})
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, ts); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := Decode(b)
		if err != nil {
			return
		}
		dst := newFixture(2)
		before := nn.StateDict(dst.model)[0].Tensor.Clone()
		beforeOpt := dst.opt.StateDict()
		st := dst.state()
		if err := loadState(ts, &st, LoadOptions{}); err != nil {
			if !bitsEqual(nn.StateDict(dst.model)[0].Tensor, before) {
				t.Fatal("failed load changed the model")
			}
			checkSameState(t, "optimizer", dst.opt.StateDict(), beforeOpt)
		}
	})
}
