package main

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

func TestModelParameters(t *testing.T) {
	// Weights and biases of each layer, counted by hand from the anchor's
	// layer list.
	lin := func(in, out int) int { return in*out + out }
	conv := func(in, out, k int) int { return out*in*k*k + out }
	cases := []struct {
		model  string
		params int
		names  []string
	}{
		{"mlp", lin(784, 256) + lin(256, 128) + lin(128, 10),
			[]string{"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"}},
		{"cnn", conv(1, 6, 5) + conv(6, 16, 5) + lin(256, 120) + lin(120, 84) + lin(84, 10),
			[]string{"0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias", "11.weight", "11.bias"}},
	}
	for _, c := range cases {
		m, err := newModel(c.model, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		if got := nn.NumParameters(m); got != c.params {
			t.Errorf("%s: %d parameters, want %d", c.model, got, c.params)
		}
		var names []string
		for _, p := range nn.NamedParameters(m) {
			names = append(names, p.Name)
		}
		// PyTorch's nn.Sequential names for the same layer list.
		if !slices.Equal(names, c.names) {
			t.Errorf("%s: parameters %v, want %v", c.model, names, c.names)
		}
		x := tensor.Zeros(tensor.Float32, append([]int{3}, inputShape(c.model)...)...)
		if got := m.Forward(x).Shape(); !slices.Equal(got, []int{3, classes}) {
			t.Errorf("%s: output shape %v, want [3 10]", c.model, got)
		}
	}
	if _, err := newModel("rnn", rand.New(rand.NewPCG(1, 2))); err == nil {
		t.Error("newModel(rnn): no error")
	}
}

func TestNewData(t *testing.T) {
	const n = 5000
	for _, model := range []string{"mlp", "cnn"} {
		ds, err := newData(model, n, rand.New(rand.NewPCG(7, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ds.X().Shape(), append([]int{n}, inputShape(model)...); !slices.Equal(got, want) {
			t.Errorf("%s: inputs of shape %v, want %v", model, got, want)
		}
		xs := ds.X().RawFloat32()
		sum := 0.0
		for _, v := range xs {
			if v < 0 || v >= 1 {
				t.Fatalf("%s: input %v outside [0, 1)", model, v)
			}
			sum += float64(v)
		}
		// The mean of n·784 uniform values is 1/2 with standard deviation
		// 1/√(12·n·784) ≈ 1.5e-4.
		if mean := sum / float64(len(xs)); math.Abs(mean-0.5) > 1e-3 {
			t.Errorf("%s: mean input %v, want about 0.5", model, mean)
		}
		if ds.Y().DType() != tensor.Int64 || !slices.Equal(ds.Y().Shape(), []int{n}) {
			t.Errorf("%s: labels %v %v, want int64 [%d]", model, ds.Y().DType(), ds.Y().Shape(), n)
		}
		var count [classes]int
		for _, v := range ds.Y().RawInt64() {
			if v < 0 || v >= classes {
				t.Fatalf("%s: label %d outside 0..9", model, v)
			}
			count[v]++
		}
		// Each class has n/10 = 500 expected, standard deviation ≈ 21.
		for c, k := range count {
			if k < 400 || k > 600 {
				t.Errorf("%s: class %d has %d labels, want about 500", model, c, k)
			}
		}
		again, _ := newData(model, n, rand.New(rand.NewPCG(7, 1)))
		if !slices.Equal(again.X().RawFloat32(), xs) || !slices.Equal(again.Y().RawInt64(), ds.Y().RawInt64()) {
			t.Errorf("%s: the same seed gave different data", model)
		}
	}
}

// TestNewByteData checks the byte-stored inputs: k/256 for bytes k drawn
// uniformly (mean 255/512), the same labels' distribution as newData's,
// the same data for the same seed, and batches that read as Float32.
func TestNewByteData(t *testing.T) {
	const n = 5000
	for _, model := range []string{"mlp", "cnn"} {
		ds, err := newByteData(model, n, rand.New(rand.NewPCG(7, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if ds.Len() != n || len(ds.Bytes()) != n*features {
			t.Fatalf("%s: %d examples in %d bytes, want %d in %d", model, ds.Len(), len(ds.Bytes()), n, n*features)
		}
		var hist [256]int
		for _, b := range ds.Bytes() {
			hist[b]++
		}
		// n·784/256 ≈ 15,312 expected per value, standard deviation ≈ 124.
		for v, k := range hist {
			if k < 14500 || k > 16100 {
				t.Errorf("%s: byte %d occurs %d times, want about 15,312", model, v, k)
			}
		}
		x := tensor.Zeros(tensor.Float32, append([]int{3}, inputShape(model)...)...)
		y := tensor.Zeros(tensor.Int64, 3)
		ds.Batch([]int{0, 17, n - 1}, x, y)
		for k, i := range []int{0, 17, n - 1} {
			row := x.Narrow(0, k, 1).Float32s()
			for j, v := range row {
				if want := float32(ds.Bytes()[i*features+j]) / 256; v != want {
					t.Fatalf("%s: example %d element %d reads %v, want %v", model, i, j, v, want)
				}
			}
			if got, want := y.RawInt64()[k], ds.Y().RawInt64()[i]; got != want || got < 0 || got >= classes {
				t.Fatalf("%s: label %d of example %d, want %d in 0..9", model, got, i, want)
			}
		}
		again, _ := newByteData(model, n, rand.New(rand.NewPCG(7, 1)))
		if !slices.Equal(again.Bytes(), ds.Bytes()) || !slices.Equal(again.Y().RawInt64(), ds.Y().RawInt64()) {
			t.Errorf("%s: the same seed gave different data", model)
		}
	}
	if _, err := newRecipe("mlp", 10, 5, 0, 1, "float16", 1); err == nil || !strings.Contains(err.Error(), "float16") {
		t.Errorf("newRecipe with storage float16: error %v, want one naming it", err)
	}
	r, err := newRecipe("cnn", 130, 64, 0, 3, storageUint8, 1)
	if err != nil {
		t.Fatal(err)
	}
	if steps, last, err := r.epoch(0); err != nil || steps != 3 || math.IsNaN(last) || last <= 0 {
		t.Errorf("epoch(0) on byte storage = %d steps, loss %v, error %v; want 3 steps and a positive loss", steps, last, err)
	}
}

func TestEpochWalksEveryExampleOnce(t *testing.T) {
	const n, batch = 130, 64 // two full batches and one of 2
	r, err := newRecipe("mlp", n, batch, 0, 3, storageFloat32, 1)
	if err != nil {
		t.Fatal(err)
	}
	if r.loader.Len() != 3 {
		t.Fatalf("%d batches per epoch, want 3", r.loader.Len())
	}
	var orders [2][]int
	for e := range orders {
		it := r.loader.Epoch(e)
		var sizes []int
		for it.Next() {
			b := it.Batch()
			sizes = append(sizes, b.X.Size(0))
			orders[e] = append(orders[e], b.Indices...)
			// The batch holds the examples it names.
			for k, i := range b.Indices {
				want, _ := r.ds.Example(i)
				if !slices.Equal(b.X.Narrow(0, k, 1).Float32s(), want.Float32s()) {
					t.Fatalf("epoch %d: row %d of the batch is not example %d", e, k, i)
				}
			}
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(sizes, []int{64, 64, 2}) {
			t.Errorf("epoch %d: batch sizes %v, want [64 64 2]", e, sizes)
		}
		if got := slices.Sorted(slices.Values(orders[e])); !slices.Equal(got, seq(n)) {
			t.Errorf("epoch %d does not visit every example once: %v", e, orders[e])
		}
	}
	if slices.Equal(orders[0], orders[1]) || slices.Equal(orders[0], seq(n)) {
		t.Error("epochs are not shuffled, or not shuffled differently")
	}
	steps, last, err := r.epoch(0)
	if err != nil || steps != 3 || math.IsNaN(last) {
		t.Errorf("epoch(0) = %d steps, loss %v, error %v; want 3 steps and a loss", steps, last, err)
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// TestStepUpdates checks two steps against the SGD rule: on the first step
// the momentum buffer b is the gradient g₁, so every parameter moves by
// −0.01·g₁; on the second b = 0.9·g₁ + g₂ and the parameter moves by
// −0.01·b. The first loss is the mean cross-entropy of the logits.
func TestStepUpdates(t *testing.T) {
	for _, model := range []string{"mlp", "cnn"} {
		r, err := newRecipe(model, 16, 16, 0, 5, storageFloat32, 1)
		if err != nil {
			t.Fatal(err)
		}
		td := r.ds.(*data.TensorDataset)
		x, y := td.X(), td.Y()
		logits := r.model.Forward(x.NoGrad()).Float64s()
		want := 0.0
		for i, c := range y.RawInt64() {
			row := logits[i*classes : (i+1)*classes]
			m := slices.Max(row)
			s := 0.0
			for _, v := range row {
				s += math.Exp(v - m)
			}
			want += m + math.Log(s) - row[c]
		}
		want /= float64(y.Size(0))

		params := nn.Parameters(r.model)
		before := make([][]float32, len(params))
		for i, p := range params {
			before[i] = slices.Clone(p.RawFloat32())
		}
		if got := r.step(x, y); math.Abs(got-want) > 1e-5 {
			t.Errorf("%s: loss %v, want %v", model, got, want)
		}
		for i, p := range params {
			if p.Grad() == nil {
				t.Fatalf("%s: parameter %d has no gradient after the step", model, i)
			}
			g := p.Grad().RawFloat32()
			moved := false
			for j, v := range p.RawFloat32() {
				w := float32(float64(before[i][j]) - lr*float64(g[j]))
				if math.Abs(float64(v-w)) > 1e-7 {
					t.Fatalf("%s: parameter %d[%d] = %v after the step, want %v − 0.01·%v = %v", model, i, j, v, before[i][j], g[j], w)
				}
				moved = moved || g[j] != 0
			}
			if !moved {
				t.Errorf("%s: parameter %d has an all-zero gradient", model, i)
			}
		}

		var p1, g1 [][]float32
		for _, p := range params {
			p1 = append(p1, slices.Clone(p.RawFloat32()))
			g1 = append(g1, slices.Clone(p.Grad().RawFloat32()))
		}
		r.step(x, y)
		for i, p := range params {
			g2 := p.Grad().RawFloat32()
			for j, v := range p.RawFloat32() {
				b := float32(momentum*float64(g1[i][j]) + float64(g2[j]))
				w := float32(float64(p1[i][j]) - lr*float64(b))
				if math.Abs(float64(v-w)) > 1e-7 {
					t.Fatalf("%s: parameter %d[%d] = %v after the second step, want %v − 0.01·(0.9·%v + %v) = %v", model, i, j, v, p1[i][j], g1[i][j], g2[j], w)
				}
			}
		}
	}
}

// torchKeys are the fields of torch_train.py's JSON line that the
// comparison reads, all of which ours must have.
var torchKeys = []string{
	"model", "batch", "threads", "samples_per_s_median", "samples_per_s_min", "samples_per_s_max",
	"samples_per_cpu_s_median", "step_ms_median", "epochs", "warmup", "params",
	"rss_after_data_mib", "rss_peak_mib",
}

func TestRunPrintsEpochsAndJSON(t *testing.T) {
	var out bytes.Buffer
	prof := filepath.Join(t.TempDir(), "cpu.prof")
	c := config{model: "mlp", batch: 64, epochs: 2, warmup: 1, samples: 300, cpuProfile: prof}
	if err := run(c, &out); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(prof); err != nil || st.Size() == 0 {
		t.Errorf("no CPU profile written: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4:\n%s", len(lines), out.String())
	}
	for i, prefix := range []string{"warmup 0:", "epoch 1:", "epoch 2:"} {
		if !strings.HasPrefix(lines[i], prefix) || !strings.Contains(lines[i], "samples/s") {
			t.Errorf("line %d = %q, want %q… samples/s…", i, lines[i], prefix)
		}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[3]), &m); err != nil {
		t.Fatalf("last line is not JSON: %v", err)
	}
	for _, k := range torchKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON has no %q", k)
		}
	}
	num := func(k string) float64 { v, _ := m[k].(float64); return v }
	if med := num("samples_per_s_median"); med <= 0 || med < num("samples_per_s_min") || med > num("samples_per_s_max") {
		t.Errorf("median %v outside [min %v, max %v]", med, num("samples_per_s_min"), num("samples_per_s_max"))
	}
	if got := num("steps_per_epoch"); got != 5 {
		t.Errorf("steps_per_epoch %v, want 5 (300 examples in batches of 64)", got)
	}
	if got := num("params"); got != 235146 {
		t.Errorf("params %v, want 235146", got)
	}
	if num("allocs_per_step") < 0 || num("gc_cpu_fraction") < 0 || num("gc_cpu_fraction") > 1 {
		t.Errorf("allocs_per_step %v, gc_cpu_fraction %v", num("allocs_per_step"), num("gc_cpu_fraction"))
	}
	if runtime.GOOS == "linux" && (num("rss_peak_mib") <= 0 || num("rss_peak_mib") < num("rss_after_data_mib")) {
		t.Errorf("rss_peak_mib %v, rss_after_data_mib %v", num("rss_peak_mib"), num("rss_after_data_mib"))
	}
}

func TestRunRejectsBadSettings(t *testing.T) {
	cases := []struct {
		c    config
		want string
	}{
		{config{model: "mlp", batch: 64, epochs: 0, samples: 10}, "--epochs"},
		{config{model: "mlp", batch: 64, epochs: 1, warmup: -1, samples: 10}, "--warmup"},
		{config{model: "mlp", batch: 64, epochs: 1, threads: -2, samples: 10}, "--threads"},
		{config{model: "mlp", batch: 0, epochs: 1, samples: 10}, "batch size"},
		{config{model: "mlp", batch: 8, epochs: 1, samples: 0}, "samples"},
		{config{model: "vgg", batch: 8, epochs: 1, samples: 10}, "unknown model"},
		{config{model: "mlp", batch: 8, epochs: 1, samples: 10, gogc: -1}, "--gogc"},
		{config{model: "mlp", batch: 8, epochs: 1, samples: 10, storage: "float16"}, "unknown storage \"float16\""},
		{config{model: "mlp", batch: 8, epochs: 1, samples: 10, cpuProfile: filepath.Join(t.TempDir(), "no", "such", "dir")}, "--cpuprofile"},
	}
	for _, c := range cases {
		err := run(c.c, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run(%+v) = %v, want an error mentioning %q", c.c, err, c.want)
		}
	}
}

func TestMedian(t *testing.T) {
	cases := []struct {
		xs   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, c := range cases {
		if got := median(c.xs); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.xs, got, c.want)
		}
	}
}

// TestShardedStep checks that a recipe whose steps run as two shards
// (train.Shards) takes the same steps as the unsharded recipe: the same
// losses and parameters after three steps, up to float32 rounding.
func TestShardedStep(t *testing.T) {
	for _, model := range []string{"mlp", "cnn"} {
		plain, err := newRecipe(model, 64, 16, 0, 9, storageFloat32, 1)
		if err != nil {
			t.Fatal(err)
		}
		sharded, err := newRecipe(model, 64, 16, 0, 9, storageFloat32, 2)
		if err != nil {
			t.Fatal(err)
		}
		if sharded.shards.N() != 2 || plain.shards.N() != 1 {
			t.Fatalf("%s: recipes with %d and %d shards, want 2 and 1", model, sharded.shards.N(), plain.shards.N())
		}
		td := plain.ds.(*data.TensorDataset)
		for step := range 3 {
			x, y := td.X().Narrow(0, 16*step, 16), td.Y().Narrow(0, 16*step, 16)
			lp, ls := plain.step(x, y), sharded.step(x, y)
			if math.Abs(lp-ls) > 1e-5 {
				t.Fatalf("%s step %d: loss %v sharded, %v plain", model, step, ls, lp)
			}
		}
		pp, ps := nn.Parameters(plain.model), nn.Parameters(sharded.model)
		for i := range pp {
			a, b := pp[i].Float64s(), ps[i].Float64s()
			for j := range a {
				if math.Abs(a[j]-b[j]) > 1e-5 {
					t.Fatalf("%s: parameter %d element %d: %v sharded, %v plain", model, i, j, b[j], a[j])
				}
			}
		}
	}
	if _, err := newRecipe("mlp", 10, 5, 0, 1, storageFloat32, 0); err == nil || !strings.Contains(err.Error(), "shards") {
		t.Errorf("newRecipe with 0 shards: %v", err)
	}
}
