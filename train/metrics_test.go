package train

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

func secondsDur(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// fixedClassifier is Linear(2, 3) with weight [[1 0] [0 1] [0 0]] and no
// bias: the class scores of (a, b) are (a, b, 0).
func fixedClassifier(t *testing.T) nn.Module {
	l := &nn.Linear{Weight: nn.Param(tensor.FromSlice([]float32{1, 0, 0, 1, 0, 0}, 3, 2)), In: 2, Out: 3}
	return nn.NewSequential(l)
}

// fixedData: scores, target, and the target's rank among the scores
// (ties broken by class index):
//
//	( 2,  1, 0) → 0: rank 0
//	( 1,  2, 0) → 0: rank 1
//	(-1, -2, 0) → 2: rank 0
//	( 0,  0, 0) → 1: rank 1 (class 0 ties and comes first)
//	(-3, -1, 0) → 0: rank 2
var fixedX = []float32{2, 1, 1, 2, -1, -2, 0, 0, -3, -1}
var fixedY = []int64{0, 0, 2, 1, 0}

func fixedLoader(t *testing.T, batch int) *data.Loader {
	ds, err := data.NewTensorDataset(tensor.FromSlice(fixedX, 5, 2), tensor.FromSlice(fixedY, 5))
	if err != nil {
		t.Fatal(err)
	}
	return loader(t, ds, batch, false, 0)
}

func TestEvaluate(t *testing.T) {
	// Reference cross-entropy of the scores (a, b, 0).
	want := 0.0
	for i := range 5 {
		s := []float64{float64(fixedX[2*i]), float64(fixedX[2*i+1]), 0}
		lse := math.Log(math.Exp(s[0]) + math.Exp(s[1]) + math.Exp(s[2]))
		want += lse - s[fixedY[i]]
	}
	want /= 5
	m, err := Evaluate(context.Background(), fixedClassifier(t), fixedLoader(t, 2), crossEntropy, 2)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(m.Loss-want) > 1e-6 {
		t.Errorf("loss %v, want %v", m.Loss, want)
	}
	if m.Accuracy != 2.0/5 || m.TopK != 4.0/5 || m.K != 2 {
		t.Errorf("accuracy %v, top-2 %v (k %d); want 0.4 and 0.8", m.Accuracy, m.TopK, m.K)
	}
	if m.Samples != 5 || m.Batches != 3 {
		t.Errorf("%d samples in %d batches", m.Samples, m.Batches)
	}
	m, err = Evaluate(context.Background(), fixedClassifier(t), fixedLoader(t, 5), nil, 3)
	if err != nil || !math.IsNaN(m.Loss) || m.TopK != 1 {
		t.Errorf("without loss: %+v, %v", m, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Evaluate(ctx, fixedClassifier(t), fixedLoader(t, 2), crossEntropy, 0); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("cancelled: %v", err)
	}
	bad := nn.NewSequential(&nn.Linear{Weight: nn.Param(tensor.Zeros(tensor.Float32, 3, 4)), In: 4, Out: 3})
	if _, err := Evaluate(context.Background(), bad, fixedLoader(t, 2), crossEntropy, 0); err == nil || !strings.HasPrefix(err.Error(), "train: evaluate: batch 1: ") {
		t.Errorf("shape mismatch: %v", err)
	}
}

func TestClassCounts(t *testing.T) {
	cases := []struct {
		name      string
		out, tgt  *tensor.Tensor
		k         int
		want      counts
		wantClass bool
	}{
		{"fixed", tensor.FromSlice([]float32{2, 1, 0, 1, 2, 0, -1, -2, 0, 0, 0, 0, -3, -1, 0}, 5, 3), tensor.FromSlice(fixedY, 5), 2, counts{2, 4, 5}, true},
		{"top-3", tensor.FromSlice([]float32{2, 1, 0, 1, 2, 0, -1, -2, 0, 0, 0, 0, -3, -1, 0}, 5, 3), tensor.FromSlice(fixedY, 5), 3, counts{2, 5, 5}, true},
		{"float64", tensor.FromSlice([]float64{0, 1, 1, 0}, 2, 2), tensor.FromSlice([]int64{1, 1}, 2), 0, counts{1, 0, 2}, true},
		// Dense: out [1, 2 classes, 3 positions], scores per position
		// (1, 0), (0, 1), (NaN, 0); targets 0, 0, 1 of ranks 0, 1, 1 (NaN
		// ranks first).
		{"dense", tensor.FromSlice([]float32{1, 0, float32(math.NaN()), 0, 1, 0}, 1, 2, 3), tensor.FromSlice([]int64{0, 0, 1}, 1, 3), 2, counts{1, 3, 3}, true},
		{"target out of range", tensor.FromSlice([]float32{1, 0}, 1, 2), tensor.FromSlice([]int64{5}, 1), 2, counts{0, 0, 1}, true},
		{"regression", tensor.FromSlice([]float32{1, 0}, 2, 1), tensor.FromSlice([]float32{1, 0}, 2, 1), 2, counts{}, false},
		{"shape mismatch", tensor.FromSlice([]float32{1, 0, 0, 1}, 2, 2), tensor.FromSlice([]int64{1, 0, 1}, 3), 2, counts{}, false},
	}
	for _, c := range cases {
		if got := isClassification(c.out, c.tgt); got != c.wantClass {
			t.Errorf("%s: isClassification %v", c.name, got)
		}
		if got := classCounts(c.out, c.tgt, c.k); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestConfusionMatrix(t *testing.T) {
	cm, err := ConfusionMatrix(context.Background(), fixedClassifier(t), fixedLoader(t, 2), 3)
	if err != nil {
		t.Fatal(err)
	}
	// Predictions (ArgMax) 0, 1, 2, 0, 2 against targets 0, 0, 2, 1, 0.
	want := [][]int{{1, 1, 1}, {1, 0, 0}, {0, 0, 1}}
	for i := range want {
		if !slices.Equal(cm.Counts[i], want[i]) {
			t.Fatalf("counts %v, want %v", cm.Counts, want)
		}
	}
	if cm.Total() != 5 || cm.Accuracy() != 0.4 {
		t.Errorf("total %d accuracy %v", cm.Total(), cm.Accuracy())
	}
	wantClasses := []ClassMetrics{
		{Class: 0, Precision: 0.5, Recall: 1.0 / 3, F1: 0.4, Support: 3},
		{Class: 1, Precision: 0, Recall: 0, F1: 0, Support: 1},
		{Class: 2, Precision: 0.5, Recall: 1, F1: 2.0 / 3, Support: 1},
	}
	for i, got := range cm.PerClass() {
		w := wantClasses[i]
		if got.Class != w.Class || got.Support != w.Support || math.Abs(got.Precision-w.Precision) > 1e-12 || math.Abs(got.Recall-w.Recall) > 1e-12 || math.Abs(got.F1-w.F1) > 1e-12 {
			t.Errorf("class %d: %+v, want %+v", i, got, w)
		}
	}
	if f := cm.MacroF1(); math.Abs(f-(0.4+2.0/3)/3) > 1e-12 {
		t.Errorf("macro F1 %v", f)
	}
	if _, err := ConfusionMatrix(context.Background(), fixedClassifier(t), fixedLoader(t, 2), 4); err == nil || !strings.Contains(err.Error(), "scores 3 classes, want 4") {
		t.Errorf("error %v", err)
	}
	if _, err := ConfusionMatrix(context.Background(), fixedClassifier(t), fixedLoader(t, 2), 0); err == nil {
		t.Error("no error for 0 classes")
	}
}

func TestMetricsFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"m.csv", "m.jsonl"} {
		path := filepath.Join(dir, name)
		cfg := setup(t, false)
		cfg.Epochs, cfg.MetricsFile = 2, path
		hist, err := mustNew(t, cfg).Fit(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		cols := []string{"epoch", "step", "loss", "acc", "top2_acc", "val_loss", "val_acc", "val_top2_acc", "lr", "samples_per_sec", "seconds"}
		want := func(i int, col string) float64 {
			e := hist.Epochs[i]
			switch col {
			case "epoch":
				return float64(e.Epoch)
			case "step":
				return float64(e.Step)
			case "seconds":
				return (e.Train.Duration + e.Val.Duration).Seconds()
			}
			v, _ := e.Value(col)
			return v
		}
		if strings.HasSuffix(name, ".csv") {
			rows := readCSV(t, path)
			if len(rows) != 3 || !slices.Equal(rows[0], cols) {
				t.Fatalf("%s: %v", name, rows)
			}
			for i, row := range rows[1:] {
				for j, cell := range row {
					v, err := strconv.ParseFloat(cell, 64)
					if err != nil || v != want(i, cols[j]) {
						t.Errorf("%s row %d %s: %q, want %v", name, i+1, cols[j], cell, want(i, cols[j]))
					}
				}
			}
			continue
		}
		b, _ := os.ReadFile(path)
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(lines) != 2 {
			t.Fatalf("%s: %d lines", name, len(lines))
		}
		for i, line := range lines {
			var row map[string]float64
			if err := json.Unmarshal([]byte(line), &row); err != nil {
				t.Fatalf("%s line %d: %v", name, i+1, err)
			}
			if len(row) != len(cols) {
				t.Errorf("%s line %d has keys %v", name, i+1, row)
			}
			for _, c := range cols {
				if row[c] != want(i, c) {
					t.Errorf("%s line %d %s: %v, want %v", name, i+1, c, row[c], want(i, c))
				}
			}
		}
	}
}

func TestMetricsFileNaNAndKeep(t *testing.T) {
	dir := t.TempDir()
	cols := metricColumns(false, 0)
	if !slices.Equal(cols, []string{"epoch", "step", "loss", "acc", "lr", "samples_per_sec", "seconds"}) {
		t.Fatalf("columns %v", cols)
	}
	em := func(epoch int) EpochMetrics {
		return EpochMetrics{Epoch: epoch, Step: 10 * epoch, LR: 0.5, Train: Metrics{Loss: 1.5, Accuracy: math.NaN(), TopK: math.NaN(), Samples: 4, Duration: time.Second}}
	}
	for _, name := range []string{"k.csv", "k.jsonl"} {
		path := filepath.Join(dir, name)
		mf, err := openMetricsFile(path, cols, -1)
		if err != nil {
			t.Fatal(err)
		}
		for e := 1; e <= 3; e++ {
			if err := mf.write(em(e)); err != nil {
				t.Fatal(err)
			}
		}
		mf.close()
		// Keep the rows up to epoch 1, as a run resumed in epoch 2.
		mf, err = openMetricsFile(path, cols, 1)
		if err != nil {
			t.Fatal(err)
		}
		mf.write(em(2))
		mf.close()
		b, _ := os.ReadFile(path)
		want := "epoch,step,loss,acc,lr,samples_per_sec,seconds\n1,10,1.5,,0.5,4,1\n2,20,1.5,,0.5,4,1\n"
		if strings.HasSuffix(name, ".jsonl") {
			want = `{"epoch":1,"step":10,"loss":1.5,"lr":0.5,"samples_per_sec":4,"seconds":1}` + "\n" +
				`{"epoch":2,"step":20,"loss":1.5,"lr":0.5,"samples_per_sec":4,"seconds":1}` + "\n"
		}
		if string(b) != want {
			t.Errorf("%s:\n%s\nwant\n%s", name, b, want)
		}
	}
	// A CSV file of other columns starts afresh.
	path := filepath.Join(dir, "other.csv")
	os.WriteFile(path, []byte("a,b\n1,2\n"), 0o644)
	mf, err := openMetricsFile(path, cols, 5)
	if err != nil {
		t.Fatal(err)
	}
	mf.close()
	if b, _ := os.ReadFile(path); string(b) != "epoch,step,loss,acc,lr,samples_per_sec,seconds\n" {
		t.Errorf("got %q", b)
	}
	if _, err := openMetricsFile(filepath.Join(dir, "no", "dir", "m.csv"), cols, -1); err == nil {
		t.Error("no error for a missing directory")
	}
}
