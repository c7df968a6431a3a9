package main

// End-to-end tests: TestMain builds the real binary once, and the tests
// run it on small datasets written into temporary directories.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backprop-go/backprop/checkpoint"
	"github.com/backprop-go/backprop/data/idx"
	"github.com/backprop-go/backprop/tensor"
)

// bin is the path of the backprop binary built by TestMain.
var bin string

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "backprop-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin = filepath.Join(dir, "backprop")
	// go test puts the go command of the running toolchain first in PATH.
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building backprop: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// result is the outcome of one run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// bp runs the binary with args in directory dir.
func bp(t *testing.T, dir string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("backprop %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// mustBP runs the binary and fails the test unless it succeeds.
func mustBP(t *testing.T, dir string, args ...string) result {
	t.Helper()
	r := bp(t, dir, args...)
	if r.code != 0 {
		t.Fatalf("backprop %s: %v", strings.Join(args, " "), r)
	}
	checkNoPanic(t, r)
	return r
}

func checkNoPanic(t *testing.T, r result) {
	t.Helper()
	for _, s := range []string{"panic:", "goroutine ", "internal error"} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("output contains %q:\n%v", s, r)
		}
	}
}

// pattern returns the pixels (0 to 255) of an h×w grey image of class k:
// a bright band over the top rows (k = 0), the bottom rows (k = 1) or the
// left columns (k = 2) of a dim, noisy background.
func pattern(r *rand.Rand, k, h, w int) []float64 {
	pix := make([]float64, h*w)
	band := max(1, 3*h/8)
	for y := range h {
		for x := range w {
			bright := (k == 0 && y < band) || (k == 1 && y >= h-band) || (k == 2 && x < band)
			v := float64(r.IntN(60))
			if bright {
				v = float64(180 + r.IntN(76))
			}
			pix[y*w+x] = v
		}
	}
	return pix
}

// writeIDX writes an MNIST-style directory of h×w images of the given
// number of classes (example i has label i mod classes).
func writeIDX(t *testing.T, dir string, nTrain, nTest, h, w, classes int, seed uint64) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	for _, part := range []struct {
		prefix string
		n      int
	}{{"train", nTrain}, {"t10k", nTest}} {
		var pix, labels []float64
		for i := range part.n {
			pix = append(pix, pattern(r, i%classes, h, w)...)
			labels = append(labels, float64(i%classes))
		}
		writeIDXFile(t, filepath.Join(dir, part.prefix+"-images-idx3-ubyte"), tensor.FromSlice(pix, part.n, h, w))
		writeIDXFile(t, filepath.Join(dir, part.prefix+"-labels-idx1-ubyte"), tensor.FromSlice(labels, part.n))
	}
}

func writeIDXFile(t *testing.T, path string, x *tensor.Tensor) {
	t.Helper()
	var buf bytes.Buffer
	if err := idx.Write(&buf, x, idx.UByte); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, buf.Bytes())
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeTestPNG writes grey pixels (0 to 255) as a PNG file; with rgb the image
// is an RGBA image whose three channels all hold the grey value.
func writeTestPNG(t *testing.T, path string, pix []float64, h, w int, rgb bool) {
	t.Helper()
	var img image.Image
	if rgb {
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		for i, v := range pix {
			m.Set(i%w, i/w, color.RGBA{uint8(v), uint8(v), uint8(v), 255})
		}
		img = m
	} else {
		m := image.NewGray(image.Rect(0, 0, w, h))
		for i, v := range pix {
			m.SetGray(i%w, i/w, color.Gray{uint8(v)})
		}
		img = m
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, buf.Bytes())
}

// species are the classes of the CSV data.
var species = []string{"setosa", "versicolor", "virginica"}

// csvRow returns a row of the CSV data of class k: x1 and x2 separate the
// classes, color is a categorical column of noise.
func csvRow(r *rand.Rand, k int) []string {
	return []string{
		strconv.FormatFloat(3*float64(k)+r.NormFloat64()*0.3, 'f', 3, 64),
		strconv.FormatFloat(10-2*float64(k)+r.NormFloat64()*0.3, 'f', 3, 64),
		[]string{"red", "blue"}[r.IntN(2)],
	}
}

// writeCSV writes n rows (row i of class i mod 3) with the columns x1, x2,
// color and, with target, species.
func writeCSV(t *testing.T, path string, n int, seed uint64, target bool) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 2))
	var b strings.Builder
	b.WriteString("x1,x2,color")
	if target {
		b.WriteString(",species")
	}
	b.WriteString("\n")
	for i := range n {
		row := csvRow(r, i%3)
		if target {
			row = append(row, species[i%3])
		}
		b.WriteString(strings.Join(row, ",") + "\n")
	}
	writeFile(t, path, []byte(b.String()))
}

var accuracyRE = regexp.MustCompile(`(test|validation) accuracy: ([0-9.]+)%`)

// trainAccuracy returns the accuracy printed by backprop train, in %.
func trainAccuracy(t *testing.T, r result) float64 {
	t.Helper()
	m := accuracyRE.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no accuracy in the output of train:\n%v", r)
	}
	v, _ := strconv.ParseFloat(m[2], 64)
	return v
}

// evalReport is what backprop eval prints.
type evalReport struct {
	examples  int
	accuracy  string // as printed, "93.00"
	confusion [][]int
	support   map[string]int // per class
	classes   []string       // the confusion matrix's columns
}

func parseEval(t *testing.T, r result) evalReport {
	t.Helper()
	var rep evalReport
	lines := strings.Split(r.stdout, "\n")
	for i := 0; i < len(lines); i++ {
		f := strings.Fields(lines[i])
		switch {
		case len(f) == 2 && f[0] == "examples:":
			rep.examples, _ = strconv.Atoi(f[1])
		case len(f) == 2 && f[0] == "accuracy:":
			rep.accuracy = strings.TrimSuffix(f[1], "%")
		case strings.HasPrefix(lines[i], "confusion matrix"):
			rep.classes = strings.Fields(lines[i+1])
			for j := range rep.classes {
				row := strings.Fields(lines[i+2+j])
				if len(row) != len(rep.classes)+1 || row[0] != rep.classes[j] {
					t.Fatalf("confusion matrix row %d: %q\n%v", j, lines[i+2+j], r)
				}
				var counts []int
				for _, c := range row[1:] {
					n, err := strconv.Atoi(c)
					if err != nil {
						t.Fatalf("confusion matrix row %d: %q", j, lines[i+2+j])
					}
					counts = append(counts, n)
				}
				rep.confusion = append(rep.confusion, counts)
			}
			i += 1 + len(rep.classes)
		case len(f) == 5 && f[0] == "class" && f[1] == "precision":
			rep.support = map[string]int{}
			for _, l := range lines[i+1:] {
				g := strings.Fields(l)
				if len(g) != 5 {
					break
				}
				rep.support[g[0]], _ = strconv.Atoi(g[4])
			}
		}
	}
	if rep.examples == 0 || rep.accuracy == "" || rep.confusion == nil || rep.support == nil {
		t.Fatalf("incomplete eval output:\n%v", r)
	}
	total, correct := 0, 0
	for i, row := range rep.confusion {
		for j, n := range row {
			total += n
			if i == j {
				correct += n
			}
		}
	}
	if total != rep.examples {
		t.Errorf("confusion matrix counts %d examples, eval reports %d", total, rep.examples)
	}
	if got := fmt.Sprintf("%.2f", 100*float64(correct)/float64(total)); got != rep.accuracy {
		t.Errorf("confusion matrix diagonal gives accuracy %s%%, eval reports %s%%", got, rep.accuracy)
	}
	return rep
}

// predictions parses the output of backprop predict: input → class.
func predictions(t *testing.T, r result) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 3 {
			t.Fatalf("predict line %q: want input, class and probability", line)
		}
		p, err := strconv.ParseFloat(f[2], 64)
		if err != nil || p < 0 || p > 1 {
			t.Fatalf("predict line %q: bad probability", line)
		}
		out[f[0]] = f[1]
	}
	return out
}

// checkOutDir checks that dir holds exactly the given files, with no
// temporary files left over.
func checkOutDir(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s holds %v, want %v", dir, got, want)
	}
}

// readSummary reads summary.json.
func readSummary(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
	return m
}

// readMetricsCSV returns the rows of metrics.csv as maps from column to
// cell.
func readMetricsCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	cols := strings.Split(lines[0], ",")
	var rows []map[string]string
	for _, l := range lines[1:] {
		cells := strings.Split(l, ",")
		if len(cells) != len(cols) {
			t.Fatalf("%s: row %q has %d cells, header %d", path, l, len(cells), len(cols))
		}
		row := map[string]string{}
		for i, c := range cols {
			row[c] = cells[i]
		}
		rows = append(rows, row)
	}
	return rows
}

// TestTrainShards trains with --shards 2 (each step as two shards of the
// batch) and checks that it learns the separable data as the unsharded
// run does.
func TestTrainShards(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "idx")
	writeIDX(t, data, 200, 100, 8, 8, 3, 1)
	r := mustBP(t, dir, "train", "--data", data, "--model", "64-16-relu-3", "--epochs", "3", "--batch", "20", "--lr", "0.01",
		"--shards", "2", "--out", filepath.Join(dir, "run"), "--quiet")
	if acc := trainAccuracy(t, r); acc < 90 {
		t.Errorf("test accuracy %.2f%% with 2 shards, want at least 90%% on separable data\n%v", acc, r)
	}
}

// TestIDXWorkflow trains on an IDX directory, then evaluates, predicts
// and inspects the checkpoint.
func TestIDXWorkflow(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "idx")
	writeIDX(t, data, 200, 100, 8, 8, 3, 1)
	out := filepath.Join(dir, "run")
	r := mustBP(t, dir, "train", "--data", data, "--model", "64-16-relu-3", "--epochs", "3", "--batch", "20", "--lr", "0.01", "--out", out)
	acc := trainAccuracy(t, r)
	t.Logf("test accuracy %.2f%%", acc)
	if acc < 90 {
		t.Errorf("test accuracy %.2f%%, want at least 90%% on separable data\n%v", acc, r)
	}
	// Not a terminal: plain progress lines, no bar redrawn in place.
	if !strings.Contains(r.stderr, "epoch 3/3 done") || strings.Contains(r.stderr, "\r") {
		t.Errorf("progress output is not plain lines ending with epoch 3/3:\n%s", r.stderr)
	}
	checkOutDir(t, out, "best.safetensors", "last.safetensors", "metrics.csv", "plot.png", "summary.json")

	rows := readMetricsCSV(t, filepath.Join(out, "metrics.csv"))
	if len(rows) != 3 {
		t.Fatalf("metrics.csv has %d rows, want 3 epochs", len(rows))
	}
	for i, row := range rows {
		// 200 examples in batches of 20: 10 steps per epoch.
		if row["epoch"] != strconv.Itoa(i+1) || row["step"] != strconv.Itoa(10*(i+1)) {
			t.Errorf("metrics.csv row %d: epoch %s step %s, want %d and %d", i, row["epoch"], row["step"], i+1, 10*(i+1))
		}
	}
	f, err := os.Open(filepath.Join(out, "plot.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("plot.png: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 200 || b.Dy() < 100 {
		t.Errorf("plot.png is %v, too small for two plots", b)
	}
	sum := readSummary(t, filepath.Join(out, "summary.json"))
	if sum["epochs"] != 3.0 || sum["steps"] != 30.0 || sum["val_set"] != "test" || sum["model"] != "64-16-relu-3" {
		t.Errorf("summary.json: %v", sum)
	}
	if v, ok := sum["val_accuracy"].(float64); !ok || math.Abs(100*v-acc) > 0.006 {
		t.Errorf("summary.json val_accuracy %v, train printed %.2f%%", sum["val_accuracy"], acc)
	}
	last := filepath.Join(out, "last.safetensors")

	// eval: by default the test set of the training directory; the final
	// checkpoint holds the model train measured.
	for _, args := range [][]string{
		{"eval", "--checkpoint", last},
		{"eval", last, "--data", data},
	} {
		r = mustBP(t, dir, args...)
		rep := parseEval(t, r)
		if rep.examples != 100 || rep.accuracy != fmt.Sprintf("%.2f", acc) {
			t.Errorf("%v: %d examples, accuracy %s%%; want 100 and %.2f%%", args, rep.examples, rep.accuracy, acc)
		}
		// Labels i mod 3 of 100 examples: 34, 33 and 33 per class.
		if !slices.Equal(rep.classes, []string{"0", "1", "2"}) || rep.support["0"] != 34 || rep.support["1"] != 33 || rep.support["2"] != 33 {
			t.Errorf("%v: classes %v, support %v", args, rep.classes, rep.support)
		}
	}

	// predict: one new image of each class, flags after the inputs.
	rng := rand.New(rand.NewPCG(99, 99))
	var inputs []string
	for k := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("class%d.png", k))
		writeTestPNG(t, p, pattern(rng, k, 8, 8), 8, 8, false)
		inputs = append(inputs, p)
	}
	r = mustBP(t, dir, append(append([]string{"predict"}, inputs...), "--checkpoint", last, "--top", "2")...)
	got := predictions(t, r)
	for k, p := range inputs {
		if got[p] != strconv.Itoa(k) {
			t.Errorf("predict %s: class %q, want %d\n%s", p, got[p], k, r.stdout)
		}
	}
	if n := strings.Count(r.stdout, "\n"); n != 3 {
		t.Errorf("predict printed %d lines for 3 images", n)
	}

	// inspect: the Sequential's Linear layers 1 and 3, the optimizer and
	// the run's settings.
	r = mustBP(t, dir, "inspect", last)
	for _, want := range []string{
		"model: 4 tensors, 1091 elements", // 16·64 + 16 + 3·16 + 3
		"1.weight", "[16 64]", "3.weight", "[3 16]",
		"optimizer: 8 tensors",
		"model = 64-16-relu-3", "__epoch__ = 3", "__step__ = 30", "data.kind = idx",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestCSVWorkflow trains on a CSV file with a categorical column, then
// evaluates on its validation split and on another file, and predicts
// rows without the target column.
func TestCSVWorkflow(t *testing.T) {
	dir := t.TempDir()
	writeCSV(t, filepath.Join(dir, "train.csv"), 150, 1, true)
	writeCSV(t, filepath.Join(dir, "test.csv"), 60, 2, true)
	writeCSV(t, filepath.Join(dir, "rows.csv"), 3, 3, false)
	r := mustBP(t, dir, "train", "--data", "csv:train.csv", "--target", "species", "--model", "3-16-relu-3",
		"--epochs", "15", "--batch", "16", "--lr", "0.02", "--out", "run", "--metrics", "jsonl")
	acc := trainAccuracy(t, r)
	t.Logf("validation accuracy %.2f%%", acc)
	if !strings.Contains(r.stdout, "validation accuracy") || acc < 90 {
		t.Errorf("validation accuracy %.2f%%, want at least 90%%:\n%v", acc, r)
	}
	checkOutDir(t, filepath.Join(dir, "run"), "best.safetensors", "last.safetensors", "metrics.jsonl", "plot.png", "summary.json")
	last := filepath.Join("run", "last.safetensors")

	// Without --data: the validation split drawn again, 20% of 150 rows.
	rep := parseEval(t, mustBP(t, dir, "eval", "--checkpoint", last))
	if rep.examples != 30 || rep.accuracy != fmt.Sprintf("%.2f", acc) {
		t.Errorf("eval on the validation split: %d examples, accuracy %s%%; want 30 and %.2f%%", rep.examples, rep.accuracy, acc)
	}
	rep = parseEval(t, mustBP(t, dir, "eval", "--checkpoint", last, "--data", "csv:test.csv"))
	if rep.examples != 60 || !slices.Equal(rep.classes, species) || rep.support["virginica"] != 20 {
		t.Errorf("eval on test.csv: %d examples, classes %v, support %v", rep.examples, rep.classes, rep.support)
	}
	if a, _ := strconv.ParseFloat(rep.accuracy, 64); a < 90 {
		t.Errorf("eval on test.csv: accuracy %v%%, want at least 90%%", a)
	}

	r = mustBP(t, dir, "predict", "--checkpoint", last, "rows.csv")
	got := predictions(t, r)
	// Row i (line i+2) of rows.csv is of class i.
	for i, s := range species {
		if in := fmt.Sprintf("rows.csv:%d", i+2); got[in] != s {
			t.Errorf("predict %s: %q, want %q\n%s", in, got[in], s, r.stdout)
		}
	}
}

// TestImageFolderWorkflow trains on a folder of PNG files (resized and
// turned grey), evaluates and predicts by class name.
func TestImageFolderWorkflow(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 5))
	classes := map[string]int{"horizontal": 0, "vertical": 2}
	for name, k := range classes {
		for i := range 30 {
			writeTestPNG(t, filepath.Join(dir, "img", name, fmt.Sprintf("%02d.png", i)), pattern(rng, k, 16, 16), 16, 16, true)
		}
	}
	r := mustBP(t, dir, "train", "--data", "images:img", "--image-size", "8x8", "--gray", "--model", "64-16-relu-2",
		"--epochs", "10", "--batch", "8", "--lr", "0.01", "--out", "run")
	acc := trainAccuracy(t, r)
	t.Logf("validation accuracy %.2f%%", acc)
	if acc < 90 {
		t.Errorf("validation accuracy %.2f%%, want at least 90%%:\n%v", acc, r)
	}
	last := filepath.Join("run", "last.safetensors")
	rep := parseEval(t, mustBP(t, dir, "eval", "--checkpoint", last))
	if rep.examples != 12 || rep.accuracy != fmt.Sprintf("%.2f", acc) || !slices.Equal(rep.classes, []string{"horizontal", "vertical"}) {
		t.Errorf("eval on the validation split: %d examples, accuracy %s%%, classes %v; want 12, %.2f%%", rep.examples, rep.accuracy, rep.classes, acc)
	}
	rep = parseEval(t, mustBP(t, dir, "eval", "--checkpoint", last, "--data", "images:img"))
	if rep.examples != 60 || rep.support["vertical"] != 30 {
		t.Errorf("eval on the whole folder: %d examples, support %v", rep.examples, rep.support)
	}
	writeTestPNG(t, filepath.Join(dir, "new.png"), pattern(rng, 2, 16, 16), 16, 16, true)
	if got := predictions(t, mustBP(t, dir, "predict", "--checkpoint", last, "new.png")); got["new.png"] != "vertical" {
		t.Errorf("predict new.png: %q, want vertical", got["new.png"])
	}
}

// sameTensors checks that two checkpoints hold the same tensors, bit for
// bit.
func sameTensors(t *testing.T, pathA, pathB string) {
	t.Helper()
	a, err := checkpoint.ReadFile(pathA)
	if err != nil {
		t.Fatal(err)
	}
	b, err := checkpoint.ReadFile(pathB)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Tensors) == 0 || len(a.Tensors) != len(b.Tensors) {
		t.Fatalf("%s has %d tensors, %s %d", pathA, len(a.Tensors), pathB, len(b.Tensors))
	}
	for name, x := range a.Tensors {
		y, ok := b.Tensors[name]
		if !ok || !slices.Equal(x.Shape(), y.Shape()) || x.DType() != y.DType() {
			t.Errorf("tensor %s: %v in %s, missing or different in %s", name, x.Shape(), pathA, pathB)
			continue
		}
		xs, ys := x.Float64s(), y.Float64s()
		for i := range xs {
			if math.Float64bits(xs[i]) != math.Float64bits(ys[i]) {
				t.Errorf("tensor %s element %d: %v vs %v", name, i, xs[i], ys[i])
				break
			}
		}
	}
	for _, k := range []string{checkpoint.MetaEpoch, checkpoint.MetaStep, checkpoint.MetaRNG} {
		if a.Metadata[k] != b.Metadata[k] {
			t.Errorf("metadata %s: %q vs %q", k, a.Metadata[k], b.Metadata[k])
		}
	}
}

// TestResumeMatchesUninterruptedRun trains 4 epochs at once, and 2 epochs
// then 2 more with --resume, and compares the final checkpoints bit for
// bit. The model has dropout, so the random source is resumed too; the
// exponential schedule does not depend on the number of epochs.
func TestResumeMatchesUninterruptedRun(t *testing.T) {
	dir := t.TempDir()
	writeIDX(t, filepath.Join(dir, "idx"), 200, 50, 8, 8, 3, 2)
	args := []string{"train", "--data", "idx", "--model", "64-16-relu-dropout0.2-3", "--optimizer", "adamw",
		"--schedule", "exponential:0.7", "--batch", "25", "--lr", "0.01", "--seed", "7", "--quiet"}
	mustBP(t, dir, append(args, "--epochs", "4", "--out", "full")...)
	mustBP(t, dir, append(args, "--epochs", "2", "--out", "part")...)
	// The settings come from the checkpoint; --out defaults to its
	// directory. Resume into another directory first, then in place.
	r := mustBP(t, dir, "train", "--resume", filepath.Join("part", "last.safetensors"), "--epochs", "4", "--out", "moved", "--quiet")
	if !strings.Contains(r.stdout, "after 4 epochs") {
		t.Errorf("resumed run: %v", r)
	}
	mustBP(t, dir, "train", "--resume", filepath.Join("part", "last.safetensors"), "--epochs", "4", "--workers", "2")

	full := readMetricsCSV(t, filepath.Join(dir, "full", "metrics.csv"))
	for _, out := range []string{"part", "moved"} {
		sameTensors(t, filepath.Join(dir, "full", "last.safetensors"), filepath.Join(dir, out, "last.safetensors"))
		// The metrics of the epochs before the resume are carried over.
		resumed := readMetricsCSV(t, filepath.Join(dir, out, "metrics.csv"))
		if len(full) != 4 || len(resumed) != 4 {
			t.Fatalf("metrics.csv: %d rows for the full run, %d in %s; want 4", len(full), len(resumed), out)
		}
		for i := range full {
			for _, c := range []string{"epoch", "step", "loss", "acc", "val_loss", "val_acc", "lr"} {
				if full[i][c] != resumed[i][c] {
					t.Errorf("%s: metrics row %d column %s: %s uninterrupted, %s resumed", out, i+1, c, full[i][c], resumed[i][c])
				}
			}
		}
	}
	sum := readSummary(t, filepath.Join(dir, "part", "summary.json"))
	if sum["epochs"] != 4.0 || sum["resumed_from"] != filepath.Join("part", "last.safetensors") || sum["optimizer"] != "adamw" {
		t.Errorf("summary.json of the resumed run: %v", sum)
	}
}

// TestInterruptWritesCleanCheckpoint sends SIGINT to a long training run:
// it must exit promptly with status 130 and one line on stderr after the
// progress, leave a loadable last.safetensors and no temporary file, and
// resuming that checkpoint (stopped in the middle of an epoch) must give
// the weights of a run never interrupted.
func TestInterruptWritesCleanCheckpoint(t *testing.T) {
	dir := t.TempDir()
	writeIDX(t, filepath.Join(dir, "idx"), 2000, 50, 8, 8, 3, 3)
	args := []string{"train", "--data", "idx", "--model", "64-16-relu-3", "--batch", "10", "--schedule", "none", "--lr", "0.01"}
	cmd := exec.Command(bin, append(args, "--epochs", "1000", "--out", "run")...)
	cmd.Dir = dir
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var lines []string
	go func() {
		sc := bufio.NewScanner(stderr)
		signalled := false
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if !signalled && strings.HasPrefix(sc.Text(), "epoch 1/1000 step") {
				signalled = true
				cmd.Process.Signal(os.Interrupt)
			}
		}
		done <- cmd.Wait()
	}()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("no exit 30 s after starting; stderr:\n%s", strings.Join(lines, "\n"))
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, want status 130; stderr:\n%s", err, strings.Join(lines, "\n"))
	}
	var errLines []string
	for _, l := range lines {
		if strings.HasPrefix(l, "backprop: ") {
			errLines = append(errLines, l)
		}
		if strings.Contains(l, "panic:") || strings.Contains(l, "goroutine ") {
			t.Errorf("stderr line %q", l)
		}
	}
	if len(errLines) != 1 || errLines[0] != lines[len(lines)-1] || !strings.Contains(errLines[0], "interrupted") {
		t.Errorf("want one last line \"backprop: ... interrupted ...\"; stderr:\n%s", strings.Join(lines, "\n"))
	}
	out := filepath.Join(dir, "run")
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	allowed := []string{"best.safetensors", "last.safetensors", "metrics.csv", "plot.png", "summary.json"}
	for _, e := range entries {
		if !slices.Contains(allowed, e.Name()) {
			t.Errorf("unexpected file %s left in the output directory", e.Name())
		}
	}
	last := filepath.Join(out, "last.safetensors")
	ck, err := checkpoint.ReadFile(last)
	if err != nil {
		t.Fatalf("the checkpoint written on SIGINT: %v", err)
	}
	epoch, _ := strconv.Atoi(ck.Metadata[checkpoint.MetaEpoch])
	step, _ := strconv.Atoi(ck.Metadata[checkpoint.MetaStep])
	t.Logf("interrupted after %d complete epochs, at step %d", epoch, step)
	if step < 1 {
		t.Fatalf("the checkpoint is at step %d, want at least 1 (the progress showed a step)", step)
	}
	sum := readSummary(t, filepath.Join(out, "summary.json"))
	if !strings.Contains(fmt.Sprint(sum["stopped"]), "interrupted") || sum["steps"] != float64(step) {
		t.Errorf("summary.json stopped = %v, steps = %v; want the interruption at step %d", sum["stopped"], sum["steps"], step)
	}
	// Before the end of the first epoch nothing was measured: null, not
	// NaN (which is not JSON) or 0.
	if v, ok := sum["val_accuracy"]; epoch == 0 && (!ok || v != nil) {
		t.Errorf("summary.json val_accuracy = %v, want null before any epoch ended", v)
	}
	mustBP(t, dir, "inspect", last)

	// Finish the interrupted epoch and compare with an uninterrupted run
	// of as many epochs.
	total := strconv.Itoa(epoch + 1)
	mustBP(t, dir, "train", "--resume", last, "--epochs", total, "--quiet")
	mustBP(t, dir, append(args, "--epochs", total, "--out", "full", "--quiet")...)
	sameTensors(t, filepath.Join(dir, "full", "last.safetensors"), last)
}

// TestDefaultOutDir checks that runs without --out go to distinct
// directories under runs/.
func TestDefaultOutDir(t *testing.T) {
	dir := t.TempDir()
	writeCSV(t, filepath.Join(dir, "d.csv"), 30, 1, true)
	for range 2 {
		mustBP(t, dir, "train", "--data", "csv:d.csv", "--target", "species", "--model", "3-4-3", "--epochs", "1", "--quiet")
	}
	runs, err := os.ReadDir(filepath.Join(dir, "runs"))
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("runs/ holds %d entries, want 2", len(runs))
	}
	for _, r := range runs {
		checkOutDir(t, filepath.Join(dir, "runs", r.Name()), "best.safetensors", "last.safetensors", "metrics.csv", "plot.png", "summary.json")
	}
}

// TestHelp checks that every command prints its usage with examples to
// stdout and exits 0.
func TestHelp(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []string{"train", "eval", "predict", "inspect"} {
		for _, h := range []string{"--help", "-h"} {
			r := bp(t, dir, c, h)
			if r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, "Usage: backprop "+c) ||
				!strings.Contains(r.stdout, "\nExamples:\n  backprop "+c) || !strings.Contains(r.stdout, "Flags:\n  -") {
				t.Errorf("backprop %s %s: %v", c, h, r)
			}
		}
	}
	for _, h := range []string{"help", "--help"} {
		r := bp(t, dir, h)
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "backprop train") || !strings.Contains(r.stdout, "backprop inspect") {
			t.Errorf("backprop %s: %v", h, r)
		}
	}
}

// TestBadInput runs the binary on bad input of every kind: each must give
// one line on stderr starting "backprop: " and naming the problem, the
// right exit status and no panic trace.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }

	// A tiny IDX directory and a checkpoint trained on it.
	writeIDX(t, p("idx"), 60, 30, 8, 8, 3, 4)
	writeIDX(t, p("idx16"), 60, 30, 16, 16, 3, 4)
	mustBP(t, dir, "train", "--data", "idx", "--model", "64-8-relu-3", "--epochs", "1", "--batch", "20", "--out", "run", "--quiet")
	ckpt := p("run/last.safetensors")
	good, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	writeCSV(t, p("train.csv"), 30, 1, true)
	mustBP(t, dir, "train", "--data", "csv:train.csv", "--target", "species", "--model", "3-8-relu-3", "--epochs", "1", "--out", "csvrun", "--quiet")
	csvCkpt := p("csvrun/last.safetensors")

	// Broken IDX directories: each a copy of idx with one file damaged.
	images, err := os.ReadFile(p("idx/train-images-idx3-ubyte"))
	if err != nil {
		t.Fatal(err)
	}
	brokenIDX := func(name string, content []byte) string {
		d := p(name)
		for _, f := range []string{"train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
			b, err := os.ReadFile(p("idx/" + f))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(d, f), b)
		}
		file := "train-images-idx3-ubyte"
		if bytes.HasPrefix(content, []byte{0x1f, 0x8b}) {
			file += ".gz"
		}
		writeFile(t, filepath.Join(d, file), content)
		return d
	}
	truncIDX := brokenIDX("idx-trunc", images[:len(images)-100])
	gzIDX := brokenIDX("idx-gz", append([]byte{0x1f, 0x8b, 8, 0}, bytes.Repeat([]byte{0xff}, 50)...))
	magicIDX := brokenIDX("idx-magic", []byte("this is not an IDX file at all"))

	// Broken checkpoints.
	writeFile(t, p("trunc.safetensors"), good[:len(good)-40])
	writeFile(t, p("short.safetensors"), good[:5])
	garbled := slices.Clone(good)
	copy(garbled[8:], "{{{{not json")
	writeFile(t, p("garbled.safetensors"), garbled)
	writeFile(t, p("text.safetensors"), []byte("hello, this is not a checkpoint\n"))
	alter := func(name string, edit func(ts *checkpoint.Tensors)) string {
		ts, err := checkpoint.ReadFile(ckpt)
		if err != nil {
			t.Fatal(err)
		}
		edit(&ts)
		if err := checkpoint.WriteFile(p(name), ts); err != nil {
			t.Fatal(err)
		}
		return p(name)
	}
	reshaped := alter("reshaped.safetensors", func(ts *checkpoint.Tensors) {
		ts.Tensors["1.weight"] = tensor.Zeros(tensor.Float32, 8, 63)
	})
	missing := alter("missing.safetensors", func(ts *checkpoint.Tensors) { delete(ts.Tensors, "3.bias") })
	bare := alter("bare.safetensors", func(ts *checkpoint.Tensors) { ts.Metadata = nil })
	midEpoch := alter("mid.safetensors", func(ts *checkpoint.Tensors) { ts.Metadata["train.batch"] = "1" })
	badBatch := alter("badbatch.safetensors", func(ts *checkpoint.Tensors) { ts.Metadata["train.batch"] = "x" })

	// Bad CSV files.
	writeFile(t, p("badcell.csv"), []byte("x1,x2,color,species\n1,2,red,setosa\n2,3,blue,virginica\n3,oops,red,setosa\n"))
	writeFile(t, p("badrows.csv"), []byte("x1,x2,color\n1,2,red\nx,3,blue\n"))
	writeFile(t, p("header.csv"), []byte("x1,x2,color\n"))
	writeFile(t, p("notes.txt"), []byte("hello\n"))
	writeFile(t, p("broken.png"), []byte("\x89PNG\r\n\x1a\nnot really"))
	writeTestPNG(t, p("ok.png"), make([]float64, 64), 8, 8, false)
	writeFile(t, p("afile"), []byte("x"))
	// Images of two sizes without --image-size.
	writeTestPNG(t, p("mixed/a/1.png"), make([]float64, 64), 8, 8, false)
	writeTestPNG(t, p("mixed/b/1.png"), make([]float64, 100), 10, 10, false)
	if err := os.MkdirAll(p("empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	tiny := []string{"--model", "64-8-relu-3", "--epochs", "1", "--quiet"}

	cases := []struct {
		name   string
		args   []string
		code   int
		phrase string
	}{
		{"no command", nil, 2, "no command given"},
		{"unknown command", []string{"fit"}, 2, `unknown command "fit"`},
		{"unknown flag", []string{"train", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{"non-numeric flag", []string{"train", "--epochs", "many"}, 2, `invalid value "many" for flag -epochs`},
		{"stray argument", []string{"train", "mnist"}, 2, `unexpected argument "mnist"`},
		{"zero epochs", []string{"train", "--epochs", "0"}, 2, "--epochs must be at least 1"},
		{"negative lr", []string{"train", "--lr", "-1"}, 2, "--lr must be a positive number"},
		{"val split", []string{"train", "--val-split", "1"}, 2, "--val-split must be between 0 and 1"},
		{"unknown optimizer", []string{"train", "--optimizer", "adamax"}, 2, `unknown --optimizer "adamax"`},
		{"unknown schedule", []string{"train", "--schedule", "linear"}, 2, `unknown --schedule "linear"`},
		{"bad schedule argument", []string{"train", "--schedule", "step:x"}, 2, `"x" is not a number`},
		{"unknown device", []string{"train", "--device", "cuda"}, 2, `--device "cuda" is not available`},
		{"metrics format", []string{"train", "--metrics", "xml"}, 2, "--metrics must be csv or jsonl"},
		{"image size", []string{"train", "--image-size", "32", "--data", "images:" + p("mixed")}, 2, "want HEIGHTxWIDTH"},
		{"image size without images", []string{"train", "--image-size", "32x32"}, 2, "apply to --data images:DIR only"},
		{"target without csv", []string{"train", "--target", "y"}, 2, "--target applies to --data csv:PATH only"},
		{"unknown layer", []string{"train", "--data", "idx", "--model", "64-16-swish-3"}, 2, `unknown layer "swish"`},
		{"zero shards", []string{"train", "--shards", "0"}, 2, "--shards must be at least 1"},
		{"shards with dropout", []string{"train", "--data", "idx", "--model", "64-16-relu-dropout0.2-3", "--shards", "2", "--epochs", "1", "--quiet"}, 1, "cannot run in shards"},
		{"first size", []string{"train", "--data", "idx", "--model", "100-3"}, 2, "first size 100 does not match the 64 input features"},
		{"last size", []string{"train", "--data", "idx", "--model", "64-10"}, 2, "last size 10 does not match the 3 classes"},
		{"cnn on small images", []string{"train", "--data", "idx", "--model", "cnn"}, 2, "too small"},
		{"missing data directory", []string{"train", "--data", p("nope")}, 2, "no such directory"},
		{"csv file without csv:", []string{"train", "--data", p("train.csv")}, 2, "csv:"},
		{"csv without target", []string{"train", "--data", "csv:" + p("train.csv")}, 2, "needs --target"},
		{"missing csv", []string{"train", "--data", "csv:" + p("nope.csv"), "--target", "species"}, 1, "no such file"},
		{"unknown target", append([]string{"train", "--data", "csv:" + p("train.csv"), "--target", "kind"}, tiny...), 1, "kind"},
		{"non-numeric csv cell", append([]string{"train", "--data", "csv:" + p("badcell.csv"), "--target", "species"}, tiny...), 1, `line 4, column "x2"`},
		{"truncated idx", append([]string{"train", "--data", truncIDX}, tiny...), 1, "truncated data"},
		{"corrupt gzip idx", append([]string{"train", "--data", gzIDX}, tiny...), 1, "corrupt input"},
		{"not an idx file", append([]string{"train", "--data", magicIDX}, tiny...), 1, "bad magic number"},
		{"empty image folder", append([]string{"train", "--data", "images:" + p("empty")}, tiny...), 1, "empty"},
		{"images of two sizes", append([]string{"train", "--data", "images:" + p("mixed")}, tiny...), 1, "1.png"},
		{"out is a file", append([]string{"train", "--data", "idx", "--out", p("afile")}, tiny...), 1, "not a directory"},
		{"diverging loss", []string{"train", "--data", "idx", "--model", "64-8-relu-3", "--optimizer", "sgd", "--lr", "1e30", "--batch", "10", "--epochs", "3", "--out", p("nan"), "--quiet"}, 1, "loss is"},

		{"resume missing", []string{"train", "--resume", p("nope.safetensors")}, 1, "no such file"},
		{"resume truncated", []string{"train", "--resume", p("trunc.safetensors")}, 1, "truncated"},
		{"resume other model", []string{"train", "--resume", ckpt, "--model", "64-16-relu-3", "--epochs", "2"}, 2, "was trained with --model 64-8-relu-3"},
		{"resume other lr", []string{"train", "--resume", ckpt, "--lr", "0.5", "--epochs", "2"}, 2, "was trained with --lr 0.001"},
		{"resume finished", []string{"train", "--resume", ckpt}, 2, "give a larger --epochs"},
		{"resume mid-epoch past --epochs", []string{"train", "--resume", midEpoch}, 2, "give at least --epochs"},
		{"resume bad position", []string{"train", "--resume", badBatch}, 1, "train.batch: invalid count"},
		{"resume other data", []string{"train", "--resume", ckpt, "--data", p("idx16"), "--epochs", "2"}, 1, "trained on examples of shape [1 8 8]"},
		{"resume altered tensor", []string{"train", "--resume", reshaped, "--epochs", "2", "--quiet"}, 1, "tensor 1.weight: shape [8 64], file has [8 63]"},

		{"eval no checkpoint", []string{"eval"}, 2, "--checkpoint FILE is required"},
		{"eval missing", []string{"eval", "--checkpoint", p("nope.safetensors")}, 1, "no such file"},
		{"eval truncated", []string{"eval", "--checkpoint", p("trunc.safetensors")}, 1, "truncated"},
		{"eval too short", []string{"eval", "--checkpoint", p("short.safetensors")}, 1, "too short"},
		{"eval garbled header", []string{"eval", "--checkpoint", p("garbled.safetensors")}, 1, "bad header JSON"},
		{"eval not a checkpoint", []string{"eval", "--checkpoint", p("text.safetensors")}, 1, "checkpoint"},
		{"eval altered tensor", []string{"eval", "--checkpoint", reshaped}, 1, "tensor 1.weight: shape [8 64], file has [8 63]"},
		{"eval missing tensor", []string{"eval", "--checkpoint", missing}, 1, "3.bias"},
		{"eval without metadata", []string{"eval", "--checkpoint", bare}, 1, "was it written by backprop train"},
		{"eval data of another shape", []string{"eval", "--checkpoint", ckpt, "--data", p("idx16")}, 1, "shape [1 16 16]"},
		{"eval images on idx model", []string{"eval", "--checkpoint", ckpt, "--data", "images:" + p("mixed")}, 2, "not on a folder of images"},
		{"eval csv on idx model", []string{"eval", "--checkpoint", ckpt, "--data", "csv:" + p("train.csv")}, 2, "not CSV"},
		{"eval bad csv cell", []string{"eval", "--checkpoint", csvCkpt, "--data", "csv:" + p("badcell.csv")}, 1, `line 4, column "x2"`},

		{"predict no input", []string{"predict", "--checkpoint", ckpt}, 2, "no input files"},
		{"predict top", []string{"predict", "--checkpoint", ckpt, "--top", "0", p("ok.png")}, 2, "--top must be at least 1"},
		{"predict unknown type", []string{"predict", "--checkpoint", ckpt, p("notes.txt")}, 1, "unknown input type"},
		{"predict missing image", []string{"predict", "--checkpoint", ckpt, p("nope.png")}, 1, "no such file"},
		{"predict corrupt png", []string{"predict", "--checkpoint", ckpt, p("broken.png")}, 1, "broken.png"},
		{"predict csv on idx model", []string{"predict", "--checkpoint", ckpt, p("train.csv")}, 1, "not CSV rows"},
		{"predict image on csv model", []string{"predict", "--checkpoint", csvCkpt, p("ok.png")}, 1, "not images"},
		{"predict bad csv cell", []string{"predict", "--checkpoint", csvCkpt, p("badrows.csv")}, 1, `line 3, column "x1"`},
		{"predict no rows", []string{"predict", "--checkpoint", csvCkpt, p("header.csv")}, 1, "no data rows"},
		{"predict truncated checkpoint", []string{"predict", "--checkpoint", p("trunc.safetensors"), p("ok.png")}, 1, "truncated"},

		{"inspect nothing", []string{"inspect"}, 2, "want exactly one checkpoint file"},
		{"inspect missing", []string{"inspect", p("nope.safetensors")}, 1, "no such file"},
		{"inspect truncated", []string{"inspect", p("trunc.safetensors")}, 1, "truncated"},
		{"inspect garbled", []string{"inspect", p("garbled.safetensors")}, 1, "bad header JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := bp(t, dir, c.args...)
			checkNoPanic(t, r)
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if r.code != c.code || len(lines) != 1 || !strings.HasPrefix(lines[0], "backprop: ") || !strings.Contains(lines[0], c.phrase) {
				t.Errorf("backprop %s: want exit %d and one line on stderr containing %q; got %v", strings.Join(c.args, " "), c.code, c.phrase, r)
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty: %q", r.stdout)
			}
		})
	}
}
