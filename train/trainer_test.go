package train

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/checkpoint"
	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// blobs returns n examples of three Gaussian clusters in four dimensions
// (centres ±2 apart, standard deviation sd), labels 0, 1, 2.
func blobs(n int, sd float64, seed uint64) *data.TensorDataset {
	r := rand.New(rand.NewPCG(seed, 99))
	centres := [3][4]float64{{2, 0, 0, 1}, {-2, 2, 0, 0}, {0, -2, 2, -1}}
	x := make([]float32, 4*n)
	y := make([]int64, n)
	for i := range n {
		c := i % 3
		y[i] = int64(c)
		for j := range 4 {
			x[4*i+j] = float32(centres[c][j] + sd*r.NormFloat64())
		}
	}
	ds, err := data.NewTensorDataset(tensor.FromSlice(x, n, 4), tensor.FromSlice(y, n))
	if err != nil {
		panic(err)
	}
	return ds
}

func crossEntropy(out, y *tensor.Tensor) *tensor.Tensor {
	return loss.CrossEntropy(out, y, loss.CrossEntropyOptions{})
}

func loader(t testing.TB, ds data.Dataset, batch int, shuffle bool, seed uint64) *data.Loader {
	t.Helper()
	return workerLoader(t, ds, batch, shuffle, seed, 0)
}

func workerLoader(t testing.TB, ds data.Dataset, batch int, shuffle bool, seed uint64, workers int) *data.Loader {
	t.Helper()
	l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: batch, Shuffle: shuffle, Seed: seed, Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// setup is a complete training configuration built from fixed seeds: an
// MLP with Dropout drawing from cfg.RNG, Adam, and a schedule stepped per
// epoch (StepLR) or per step (OneCycleLR).
func setup(t testing.TB, perStep bool) Config {
	t.Helper()
	pcg := rand.NewPCG(42, 0)
	r := rand.New(rand.NewPCG(1, 2))
	model := nn.NewSequential(nn.NewLinear(r, 4, 16, true), nn.ReLU{}, nn.NewDropout(0.3, rand.New(pcg)), nn.NewLinear(r, 16, 3, true))
	opt := optim.NewAdam(nn.Parameters(model), optim.AdamConfig{LR: 0.02})
	cfg := Config{
		Model:     model,
		Loss:      crossEntropy,
		Optimizer: opt,
		Train:     loader(t, blobs(60, 1, 1), 8, true, 5), // 8 batches, the last of 4
		Val:       loader(t, blobs(30, 1, 2), 16, false, 0),
		Epochs:    3,
		TopK:      2,
		RNG:       pcg,
	}
	if perStep {
		cfg.Scheduler = optim.NewOneCycleLR(opt, optim.OneCycleConfig{MaxLR: 0.05, TotalSteps: 24})
		cfg.SchedulePerStep = true
	} else {
		cfg.Scheduler = optim.NewStepLR(opt, 1, 0.5)
	}
	return cfg
}

// weightBits returns the bits of every tensor of the model's state dict.
func weightBits(m nn.Module) map[string][]uint64 {
	out := map[string][]uint64{}
	for _, e := range nn.StateDict(m) {
		var bits []uint64
		switch e.Tensor.DType() {
		case tensor.Float32:
			for _, v := range e.Tensor.Float32s() {
				bits = append(bits, uint64(math.Float32bits(v)))
			}
		default:
			for _, v := range e.Tensor.Int64s() {
				bits = append(bits, uint64(v))
			}
		}
		out[e.Name] = bits
	}
	return out
}

func sameBits(t *testing.T, got, want map[string][]uint64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d tensors, want %d", len(got), len(want))
	}
	for name, w := range want {
		if !slices.Equal(got[name], w) {
			t.Errorf("tensor %s differs from the uninterrupted run", name)
		}
	}
}

func mustNew(t testing.TB, cfg Config) *Trainer {
	t.Helper()
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestFitLearns(t *testing.T) {
	cfg := setup(t, false)
	cfg.Epochs = 6
	cfg.Scheduler = nil
	var steps []StepMetrics
	cfg.Callbacks = []Callback{CallbackFuncs{Step: func(m StepMetrics) error { steps = append(steps, m); return nil }}}
	hist, err := mustNew(t, cfg).Fit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Epochs) != 6 || hist.Stopped != "" {
		t.Fatalf("%d epochs, stopped %q", len(hist.Epochs), hist.Stopped)
	}
	first, last := hist.Epochs[0], hist.Epochs[5]
	if !(last.Train.Loss < first.Train.Loss/2) || !(last.Val.Loss < first.Val.Loss) {
		t.Errorf("loss did not fall: train %v → %v, val %v → %v", first.Train.Loss, last.Train.Loss, first.Val.Loss, last.Val.Loss)
	}
	if !(last.Val.Accuracy >= 0.9) || !(last.Val.Accuracy >= first.Val.Accuracy) {
		t.Errorf("validation accuracy %v → %v", first.Val.Accuracy, last.Val.Accuracy)
	}
	if !(last.Val.TopK >= last.Val.Accuracy) || last.Val.K != 2 {
		t.Errorf("top-2 accuracy %v below top-1 %v (k %d)", last.Val.TopK, last.Val.Accuracy, last.Val.K)
	}
	if last.Train.Samples != 60 || last.Train.Batches != 8 || last.Val.Samples != 30 || last.Step != 48 {
		t.Errorf("counts: %+v", last)
	}
	if len(steps) != 48 {
		t.Fatalf("%d step callbacks, want 48", len(steps))
	}
	// The epoch loss is the example-weighted mean of the step losses.
	sum, n := 0.0, 0
	for i, s := range steps[40:] {
		if s.Epoch != 6 || s.Batch != i+1 || s.Batches != 8 || s.Step != 41+i {
			t.Fatalf("step %d numbered %+v", 41+i, s)
		}
		sum += s.Loss * float64(s.Samples)
		n += s.Samples
	}
	if n != 60 || math.Abs(sum/float64(n)-last.Train.Loss) > 1e-12 {
		t.Errorf("epoch loss %v, mean of steps %v over %d samples", last.Train.Loss, sum/float64(n), n)
	}
	if s := steps[47]; math.Abs(s.EpochLoss-last.Train.Loss) > 1e-12 || s.ETA != 0 {
		t.Errorf("last step: running loss %v (epoch %v), ETA %v", s.EpochLoss, last.Train.Loss, s.ETA)
	}
	if v, ok := last.Value("val_top2_acc"); !ok || v != last.Val.TopK {
		t.Errorf("Value(val_top2_acc) = %v, %v", v, ok)
	}
	if _, ok := last.Value("val_top5_acc"); ok {
		t.Error("Value accepts a k that was not measured")
	}
}

// TestResumeIsExact stops runs at several points (mid-epoch, on the last
// batch of an epoch before its validation, at the very first step), by
// cancelling the context from a callback, resumes each in a trainer built
// from scratch, and compares the final weights with those of the
// uninterrupted run bit for bit.
func TestResumeIsExact(t *testing.T) {
	for _, perStep := range []bool{false, true} {
		ref := setup(t, perStep)
		refHist, err := mustNew(t, ref).Fit(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := weightBits(ref.Model)
		for _, stopAt := range []int{1, 8, 11, 16} {
			name := "per-epoch schedule"
			if perStep {
				name = "per-step schedule"
			}
			t.Run(name+"/stop at step "+strconv.Itoa(stopAt), func(t *testing.T) {
				dir := t.TempDir()
				metrics := filepath.Join(dir, "metrics.csv")
				cfg := setup(t, perStep)
				cfg.CheckpointDir, cfg.MetricsFile = dir, metrics
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				cfg.Callbacks = []Callback{CallbackFuncs{Step: func(m StepMetrics) error {
					if m.Step == stopAt {
						cancel()
					}
					return nil
				}}}
				hist1, err := mustNew(t, cfg).Fit(ctx)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Fit returned %v, want context.Canceled", err)
				}
				last := filepath.Join(dir, LastCheckpoint)
				if !strings.Contains(err.Error(), last) {
					t.Errorf("error %q does not name the checkpoint", err)
				}
				entries, _ := os.ReadDir(dir)
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				if !slices.Equal(names, []string{LastCheckpoint, "metrics.csv"}) {
					t.Errorf("directory holds %v", names)
				}
				info, err := checkpoint.Inspect(last)
				if err != nil {
					t.Fatal(err)
				}
				if info.Metadata[checkpoint.MetaStep] != strconv.Itoa(stopAt) {
					t.Errorf("checkpoint at step %s, want %d", info.Metadata[checkpoint.MetaStep], stopAt)
				}

				// A new trainer from scratch, with the RNG at its seed
				// and a loader with workers (which gives the same
				// batches).
				cfg2 := setup(t, perStep)
				cfg2.CheckpointDir, cfg2.MetricsFile = dir, metrics
				cfg2.Train = workerLoader(t, blobs(60, 1, 1), 8, true, 5, 2)
				tr := mustNew(t, cfg2)
				if err := tr.Resume(last); err != nil {
					t.Fatal(err)
				}
				if tr.Step() != stopAt || tr.Epoch() != (stopAt-1)/8 {
					t.Errorf("resumed at epoch %d step %d", tr.Epoch(), tr.Step())
				}
				hist2, err := tr.Fit(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				sameBits(t, weightBits(cfg2.Model), want)

				// The epochs' metrics match the uninterrupted run's,
				// the interrupted epoch's training loss included.
				all := append(hist1.Epochs, hist2.Epochs...)
				if len(all) != 3 {
					t.Fatalf("%d epochs in all", len(all))
				}
				for i, e := range all {
					r := refHist.Epochs[i]
					if e.Epoch != i+1 || e.Step != r.Step || e.Train.Loss != r.Train.Loss || e.Train.Accuracy != r.Train.Accuracy || e.Val.Loss != r.Val.Loss || e.LR != r.LR {
						t.Errorf("epoch %d: %+v\nwant %+v", i+1, e, r)
					}
				}
				// The metrics file has each epoch once.
				rows := readCSV(t, metrics)
				if len(rows) != 4 {
					t.Fatalf("metrics file has %d lines, want a header and 3 rows", len(rows))
				}
				for i, row := range rows[1:] {
					if row[0] != strconv.Itoa(i+1) || row[2] != strconv.FormatFloat(refHist.Epochs[i].Train.Loss, 'g', -1, 64) {
						t.Errorf("row %d: %v", i+1, row)
					}
				}
			})
		}
	}
}

// TestResumeNeedsRNG checks that a resumed run without the RNG's state
// would differ: the test above would catch an RNG that is not restored.
func TestResumeNeedsRNG(t *testing.T) {
	dir := t.TempDir()
	ref := setup(t, false)
	if _, err := mustNew(t, ref).Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg := setup(t, false)
	cfg.Epochs = 1
	cfg.CheckpointDir = dir
	if _, err := mustNew(t, cfg).Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg2 := setup(t, false)
	tr := mustNew(t, cfg2)
	if err := tr.Resume(filepath.Join(dir, LastCheckpoint)); err != nil {
		t.Fatal(err)
	}
	cfg2.RNG.Seed(42, 0) // undo the restored state
	if _, err := tr.Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, want := weightBits(cfg2.Model), weightBits(ref.Model)
	if slices.Equal(got["0.weight"], want["0.weight"]) {
		t.Error("the weights do not depend on the Dropout RNG's state")
	}
}

func TestResumeErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := setup(t, false)
	cfg.Epochs, cfg.CheckpointDir = 1, dir
	if _, err := mustNew(t, cfg).Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	last := filepath.Join(dir, LastCheckpoint)

	// Another model shape: the checkpoint error names the tensor.
	other := setup(t, false)
	r := rand.New(rand.NewPCG(1, 1))
	other.Model = nn.NewSequential(nn.NewLinear(r, 4, 10, true), nn.ReLU{}, nn.NewLinear(r, 10, 3, true))
	other.Optimizer = optim.NewAdam(nn.Parameters(other.Model), optim.AdamConfig{})
	other.Scheduler = optim.NewStepLR(other.Optimizer, 1, 0.5)
	err := mustNew(t, other).Resume(last)
	if err == nil || !strings.Contains(err.Error(), "tensor 0.weight: shape [10 4], file has [16 4]") {
		t.Errorf("error %v", err)
	}

	// A trainer without a schedule ignores the checkpoint's; one with a
	// schedule needs its state in the checkpoint.
	noSched := setup(t, false)
	noSched.Scheduler = nil
	tr0 := mustNew(t, noSched)
	if err := tr0.Resume(last); err != nil {
		t.Errorf("a checkpoint with schedule state does not load without a schedule: %v", err)
	}
	plain := filepath.Join(dir, "plain.safetensors")
	if err := tr0.SaveCheckpoint(plain); err != nil {
		t.Fatal(err)
	}
	if err := mustNew(t, setup(t, false)).Resume(plain); err == nil || !strings.Contains(err.Error(), "no schedule state") {
		t.Errorf("error %v", err)
	}

	// A loader with fewer batches than the checkpoint's position.
	mid := filepath.Join(dir, "mid.safetensors")
	cfg3 := setup(t, false)
	tr := mustNew(t, cfg3)
	if err := tr.Resume(last); err != nil {
		t.Fatal(err)
	}
	tr.batch = 7
	if err := tr.SaveCheckpoint(mid); err != nil {
		t.Fatal(err)
	}
	small := setup(t, false)
	small.Train = loader(t, blobs(12, 1, 1), 8, true, 5)
	if err := mustNew(t, small).Resume(mid); err == nil || !strings.Contains(err.Error(), "has 2 batches per epoch") {
		t.Errorf("error %v", err)
	}
	if err := mustNew(t, setup(t, false)).Resume(filepath.Join(dir, "missing.safetensors")); err == nil {
		t.Error("no error for a missing checkpoint")
	}
}

func TestCheckpointPosition(t *testing.T) {
	dir := t.TempDir()
	cfg := setup(t, false)
	cfg.Epochs, cfg.CheckpointDir = 1, dir
	tr := mustNew(t, cfg)
	if _, err := tr.Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	mid := filepath.Join(dir, "mid.safetensors")
	tr.batch = 3 // as if saved after the third batch of epoch 2
	if err := tr.SaveCheckpoint(mid); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path            string
		epochs, batches int
	}{
		{filepath.Join(dir, LastCheckpoint), 1, 0},
		{mid, 1, 3},
	} {
		info, err := checkpoint.Inspect(c.path)
		if err != nil {
			t.Fatal(err)
		}
		epochs, batches, err := CheckpointPosition(info.Metadata)
		if err != nil || epochs != c.epochs || batches != c.batches {
			t.Errorf("%s: position (%d, %d, %v), want (%d, %d, nil)", filepath.Base(c.path), epochs, batches, err, c.epochs, c.batches)
		}
	}

	for _, c := range []struct {
		name            string
		meta            map[string]string
		epochs, batches int
		err             string
	}{
		{"empty", nil, 0, 0, ""},
		{"epoch only", map[string]string{checkpoint.MetaEpoch: "4"}, 4, 0, ""},
		{"bad epoch", map[string]string{checkpoint.MetaEpoch: "x"}, 0, 0, "metadata __epoch__: invalid count"},
		{"negative batch", map[string]string{checkpoint.MetaEpoch: "2", metaBatch: "-1"}, 0, 0, "metadata train.batch: invalid count"},
	} {
		epochs, batches, err := CheckpointPosition(c.meta)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || epochs != c.epochs || batches != c.batches {
			t.Errorf("%s: position (%d, %d, %v), want (%d, %d, nil)", c.name, epochs, batches, err, c.epochs, c.batches)
		}
	}
}

func TestNaNLossStops(t *testing.T) {
	for _, value := range []float64{math.NaN(), math.Inf(1)} {
		dir := t.TempDir()
		cfg := setup(t, false)
		cfg.CheckpointDir, cfg.CheckpointEverySteps = dir, 1
		poison := false
		cfg.Loss = func(out, y *tensor.Tensor) *tensor.Tensor {
			l := crossEntropy(out, y)
			if poison && !out.IsNoGrad() { // a training step, not validation
				l = l.Add(tensor.Scalar(value, tensor.Float32))
			}
			return l
		}
		var before map[string][]uint64
		cfg.Callbacks = []Callback{CallbackFuncs{Step: func(m StepMetrics) error {
			if m.Step == 10 {
				before = weightBits(cfg.Model)
				poison = true
			}
			return nil
		}}}
		hist, err := mustNew(t, cfg).Fit(context.Background())
		want := "train: epoch 2 step 11 (batch 3/8): loss is " + strconv.FormatFloat(value, 'g', -1, 64)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Fatalf("error %v, want one starting with %q", err, want)
		}
		if len(hist.Epochs) != 1 {
			t.Errorf("history has %d epochs, want 1", len(hist.Epochs))
		}
		sameBits(t, weightBits(cfg.Model), before)
		info, err := checkpoint.Inspect(filepath.Join(dir, LastCheckpoint))
		if err != nil {
			t.Fatal(err)
		}
		if info.Metadata[checkpoint.MetaStep] != "10" {
			t.Errorf("last checkpoint at step %s, want 10", info.Metadata[checkpoint.MetaStep])
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("checkpoint directory holds %d entries", len(entries))
		}
	}
}

func TestGradientClipping(t *testing.T) {
	cfg := setup(t, false)
	cfg.Epochs = 1
	cfg.ClipNorm = 1e-3
	var norms []float64
	cfg.Callbacks = []Callback{CallbackFuncs{Step: func(m StepMetrics) error {
		norms = append(norms, m.GradNorm)
		// After clipping, the gradients' total norm is at most ClipNorm.
		s := 0.0
		for _, p := range nn.Parameters(cfg.Model) {
			for _, g := range p.Grad().Float32s() {
				s += float64(g) * float64(g)
			}
		}
		if math.Sqrt(s) > 1e-3*(1+1e-5) {
			t.Errorf("step %d: gradient norm %v after clipping", m.Step, math.Sqrt(s))
		}
		return nil
	}}}
	if _, err := mustNew(t, cfg).Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(norms) != 8 || !(norms[0] > 1e-3) {
		t.Errorf("norms before clipping %v", norms)
	}
}

func TestEarlyStopping(t *testing.T) {
	cfg := setup(t, false)
	cfg.Epochs = 10
	// Nothing improves on the first epoch by more than MinDelta: epochs 2,
	// 3 and 4 do not improve, and the third of them exceeds Patience 2.
	cfg.EarlyStopping = &EarlyStopping{Monitor: "val_loss", Patience: 2, MinDelta: 1e9}
	hist, err := mustNew(t, cfg).Fit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Epochs) != 4 || hist.Stopped != "early stopping" {
		t.Errorf("ran %d epochs, stopped %q; want 4 and early stopping", len(hist.Epochs), hist.Stopped)
	}

	// Patience 0 with accuracy, which only increases when it improves.
	cfg = setup(t, false)
	cfg.Epochs = 10
	cfg.EarlyStopping = &EarlyStopping{Monitor: "acc", Patience: 0, MinDelta: 2}
	hist, err = mustNew(t, cfg).Fit(context.Background())
	if err != nil || len(hist.Epochs) != 2 {
		t.Errorf("ran %d epochs (%v), want 2", len(hist.Epochs), err)
	}
}

func TestMonitorUpdate(t *testing.T) {
	cases := []struct {
		name     string
		minDelta float64
		values   []float64
		improved []bool
	}{
		{"loss", 0, []float64{1, 0.5, 0.5, 0.7, 0.4, math.NaN()}, []bool{true, true, false, false, true, false}},
		{"val_loss", 0.1, []float64{1, 0.95, 0.85, 0.8}, []bool{true, false, true, false}},
		{"val_acc", 0, []float64{0.5, 0.6, 0.6, 0.55, 0.9}, []bool{true, true, false, false, true}},
	}
	for _, c := range cases {
		m := newMonitor(c.name, c.minDelta)
		for i, v := range c.values {
			if got := m.update(v); got != c.improved[i] {
				t.Errorf("%s: value %d (%v): improved %v, want %v", c.name, i, v, got, c.improved[i])
			}
		}
	}
}

func TestKeepBestAndEpochCheckpoints(t *testing.T) {
	dir := t.TempDir()
	cfg := setup(t, false)
	cfg.Epochs = 4
	cfg.CheckpointDir, cfg.KeepBest, cfg.CheckpointEveryEpochs, cfg.Monitor = dir, true, 2, "val_acc"
	cfg.Metadata = map[string]string{"model": "4-16-relu-3"}
	var lastSaved []string
	cfg.Callbacks = []Callback{CallbackFuncs{Epoch: func(m EpochMetrics) error {
		info, err := checkpoint.Inspect(filepath.Join(dir, LastCheckpoint))
		if err == nil {
			lastSaved = append(lastSaved, info.Metadata[checkpoint.MetaEpoch])
		}
		return nil
	}}}
	hist, err := mustNew(t, cfg).Fit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Callbacks run before the epoch's checkpoint: at epochs 3 and 4 they
	// see the one written after epoch 2.
	if !slices.Equal(lastSaved, []string{"2", "2"}) {
		t.Errorf("last.safetensors seen at epochs %v", lastSaved)
	}
	bestEpoch, best := 0, -1.0
	for _, e := range hist.Epochs {
		if e.Val.Accuracy > best {
			bestEpoch, best = e.Epoch, e.Val.Accuracy
		}
	}
	info, err := checkpoint.Inspect(filepath.Join(dir, BestCheckpoint))
	if err != nil {
		t.Fatal(err)
	}
	if info.Metadata[checkpoint.MetaEpoch] != strconv.Itoa(bestEpoch) || info.Metadata["model"] != "4-16-relu-3" {
		t.Errorf("best checkpoint at epoch %s, want %d (metadata %v)", info.Metadata[checkpoint.MetaEpoch], bestEpoch, info.Metadata)
	}
	info, err = checkpoint.Inspect(filepath.Join(dir, LastCheckpoint))
	if err != nil || info.Metadata[checkpoint.MetaEpoch] != "4" {
		t.Errorf("final checkpoint: %v, %v", info.Metadata, err)
	}
}

func TestCallbackStops(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name    string
		cb      CallbackFuncs
		wantErr string
		epochs  int
	}{
		{"ErrStop at a step", CallbackFuncs{Step: func(m StepMetrics) error {
			if m.Step == 12 {
				return ErrStop
			}
			return nil
		}}, "", 1},
		{"ErrStop at an epoch", CallbackFuncs{Epoch: func(m EpochMetrics) error {
			if m.Epoch == 2 {
				return ErrStop
			}
			return nil
		}}, "", 2},
		{"error", CallbackFuncs{Step: func(m StepMetrics) error {
			if m.Step == 5 {
				return boom
			}
			return nil
		}}, "train: epoch 1 step 5: callback: boom", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := setup(t, false)
			cfg.CheckpointDir = dir
			cfg.Callbacks = []Callback{c.cb}
			hist, err := mustNew(t, cfg).Fit(context.Background())
			if c.wantErr != "" {
				if err == nil || err.Error() != c.wantErr || !errors.Is(err, boom) {
					t.Fatalf("error %v, want %s", err, c.wantErr)
				}
				return
			}
			if err != nil || hist.Stopped != "callback" || len(hist.Epochs) != c.epochs {
				t.Fatalf("err %v, stopped %q after %d epochs", err, hist.Stopped, len(hist.Epochs))
			}
			if _, err := os.Stat(filepath.Join(dir, LastCheckpoint)); err != nil {
				t.Error("no final checkpoint")
			}
		})
	}
}

func TestNewValidates(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no model", func(c *Config) { c.Model = nil }, "no model"},
		{"no loss", func(c *Config) { c.Loss = nil }, "no loss function"},
		{"no optimizer", func(c *Config) { c.Optimizer = nil }, "no optimizer"},
		{"no loader", func(c *Config) { c.Train = nil }, "no training loader"},
		{"epochs", func(c *Config) { c.Epochs = 0 }, "number of epochs must be positive"},
		{"clip", func(c *Config) { c.ClipNorm = math.NaN() }, "invalid ClipNorm"},
		{"two schedules", func(c *Config) {
			c.MetricScheduler = optim.NewReduceLROnPlateau(c.Optimizer, optim.ReduceLROnPlateauConfig{})
		}, "both Scheduler and MetricScheduler"},
		{"per step without schedule", func(c *Config) { c.Scheduler, c.SchedulePerStep = nil, true }, "SchedulePerStep without a Scheduler"},
		{"checkpoint without dir", func(c *Config) { c.KeepBest = true }, "without a CheckpointDir"},
		{"metrics format", func(c *Config) { c.MetricsFile = "m.txt" }, "want a .csv or .jsonl name"},
		{"monitor", func(c *Config) { c.Monitor = "val_f1" }, `unknown metric "val_f1"`},
		{"monitor needs val", func(c *Config) { c.Val, c.Monitor = nil, "val_acc" }, "needs a validation loader"},
		{"early stopping", func(c *Config) { c.EarlyStopping = &EarlyStopping{Monitor: "top5_acc"} }, `EarlyStopping: unknown metric "top5_acc"`},
		{"reserved metadata", func(c *Config) { c.Metadata = map[string]string{"train.batch": "1"} }, "reserved"},
	}
	for _, c := range cases {
		cfg := setup(t, false)
		c.edit(&cfg)
		_, err := New(cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "train: config: ") {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	cfg := setup(t, false)
	cfg.EarlyStopping = &EarlyStopping{Patience: 1}
	tr := mustNew(t, cfg)
	if tr.es.name != "val_loss" || tr.cfg.Monitor != "val_loss" {
		t.Errorf("default metrics %q, %q", tr.es.name, tr.cfg.Monitor)
	}
	if cfg.EarlyStopping.Monitor != "" {
		t.Error("New changed the caller's EarlyStopping")
	}
}

func TestModelMisuseIsAnError(t *testing.T) {
	cfg := setup(t, false)
	r := rand.New(rand.NewPCG(1, 1))
	cfg.Model = nn.NewSequential(nn.NewLinear(r, 5, 3, true))
	cfg.Optimizer = optim.NewSGD(nn.Parameters(cfg.Model), optim.SGDConfig{LR: 0.1})
	cfg.Scheduler = nil
	_, err := mustNew(t, cfg).Fit(context.Background())
	var te *tensor.Error
	if err == nil || !strings.HasPrefix(err.Error(), "train: epoch 1 step 1 (batch 1/8): ") || !errors.As(err, &te) {
		t.Fatalf("error %v", err)
	}
}

func TestProgressPlain(t *testing.T) {
	var buf bytes.Buffer
	cfg := setup(t, false)
	cfg.Epochs, cfg.Progress, cfg.LogEvery = 2, &buf, 4
	if _, err := mustNew(t, cfg).Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 2 step lines and a summary per epoch:\n%s", len(lines), buf.String())
	}
	prefixes := []string{
		"epoch 1/2 step 4/8 (total 4): loss ",
		"epoch 1/2 step 8/8 (total 8): loss ",
		"epoch 1/2 done (step 8): loss ",
		"epoch 2/2 step 4/8 (total 12): loss ",
		"epoch 2/2 step 8/8 (total 16): loss ",
		"epoch 2/2 done (step 16): loss ",
	}
	for i, p := range prefixes {
		if !strings.HasPrefix(lines[i], p) {
			t.Errorf("line %d: %q, want prefix %q", i, lines[i], p)
		}
		if strings.ContainsAny(lines[i], "\r\x1b") {
			t.Errorf("line %d has terminal control characters: %q", i, lines[i])
		}
	}
	for _, w := range []string{" acc ", " val_loss ", " val_acc ", " val_top2 ", " lr 0.01 ", "samples/s"} {
		if !strings.Contains(lines[5], w) {
			t.Errorf("summary %q lacks %q", lines[5], w)
		}
	}
	if !strings.Contains(lines[0], " ETA ") {
		t.Errorf("step line %q lacks the ETA", lines[0])
	}
}

func TestProgressTerminal(t *testing.T) {
	var buf bytes.Buffer
	cfg := setup(t, false)
	cfg.Epochs, cfg.Progress, cfg.Terminal = 2, &buf, true
	if _, err := mustNew(t, cfg).Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per epoch: %q", len(lines), out)
	}
	for i, line := range lines {
		// Each line holds redraws of the bar, the last one full, then the
		// cleared line and the summary.
		parts := strings.Split(line, "\r")
		if len(parts) < 3 || parts[0] != "" {
			t.Fatalf("line %d: %q", i, line)
		}
		full := parts[len(parts)-2]
		if !strings.HasPrefix(full, "epoch "+strconv.Itoa(i+1)+"/2 ["+strings.Repeat("=", barWidth)+"] 8/8 loss ") || !strings.Contains(full, "ETA 0:00") {
			t.Errorf("final bar %q", full)
		}
		first := parts[1]
		if !strings.Contains(first, "] 1/8 loss ") || !strings.Contains(first, ">") {
			t.Errorf("first bar %q", first)
		}
		if sum := parts[len(parts)-1]; !strings.HasPrefix(sum, "\x1b[Kepoch "+strconv.Itoa(i+1)+"/2 done") {
			t.Errorf("summary %q", sum)
		}
	}
}

func TestProgressTerminalInterrupted(t *testing.T) {
	var buf bytes.Buffer
	cfg := setup(t, false)
	cfg.Progress, cfg.Terminal = &buf, true
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg.Callbacks = []Callback{CallbackFuncs{Step: func(m StepMetrics) error {
		if m.Step == 3 {
			cancel()
		}
		return nil
	}}}
	if _, err := mustNew(t, cfg).Fit(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\repoch 1/3 [") || !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("output %q: want bars ended by one newline", out)
	}
}

func TestClock(t *testing.T) {
	for _, c := range []struct {
		secs float64
		want string
	}{{0, "0:00"}, {59.4, "0:59"}, {61, "1:01"}, {3600, "1:00:00"}, {3725, "1:02:05"}, {-3, "0:00"}} {
		if got := clock(secondsDur(c.secs)); got != c.want {
			t.Errorf("clock(%vs) = %q, want %q", c.secs, got, c.want)
		}
	}
}

func TestMetricScheduler(t *testing.T) {
	cfg := setup(t, false)
	cfg.Scheduler = nil
	cfg.Monitor = "loss"
	// An absolute threshold no change can beat: only the first epoch
	// improves, and with patience 0 every later epoch halves the rate.
	cfg.MetricScheduler = optim.NewReduceLROnPlateau(cfg.Optimizer, optim.ReduceLROnPlateauConfig{
		Factor: 0.5, Patience: 0, Threshold: 1e9, ThresholdMode: optim.ThresholdAbs,
	})
	hist, err := mustNew(t, cfg).Fit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var lrs []float64
	for _, e := range hist.Epochs {
		lrs = append(lrs, e.LR)
	}
	if want := []float64{0.02, 0.02, 0.01}; !slices.Equal(lrs, want) {
		t.Errorf("learning rates %v, want %v", lrs, want)
	}
	if lr := cfg.Optimizer.Groups()[0].LR; lr != 0.005 {
		t.Errorf("final learning rate %v, want 0.005", lr)
	}
}
