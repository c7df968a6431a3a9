package idx_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data/idx"
	"github.com/backprop-go/backprop/tensor"
)

// writeDir writes an MNIST-style directory with 3 training and 2 test
// images of 2×2 pixels; files listed in zip are gzipped. It returns the
// directory.
func writeDir(t *testing.T, files map[string][]byte, zip map[string]bool) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if zip[name] {
			b, name = gz(t, b), name+".gz"
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mnistFiles(t *testing.T) map[string][]byte {
	return map[string][]byte{
		"train-images-idx3-ubyte": encode(t, tensor.FromSlice([]int64{0, 51, 102, 255, 1, 2, 3, 4, 5, 6, 7, 8}, 3, 2, 2), idx.UByte),
		"train-labels-idx1-ubyte": encode(t, tensor.FromSlice([]int64{5, 0, 4}), idx.UByte),
		"t10k-images-idx3-ubyte":  encode(t, tensor.FromSlice([]int64{255, 255, 0, 0, 9, 9, 9, 9}, 2, 2, 2), idx.UByte),
		"t10k-labels-idx1-ubyte":  encode(t, tensor.FromSlice([]int64{7, 2}), idx.UByte),
	}
}

func TestLoadDir(t *testing.T) {
	files := mnistFiles(t)
	for _, zip := range []map[string]bool{nil, {"train-images-idx3-ubyte": true, "t10k-labels-idx1-ubyte": true}} {
		dir := writeDir(t, files, zip)
		train, test, err := idx.LoadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := train.X().Shape(); !slices.Equal(got, []int{3, 1, 2, 2}) {
			t.Fatalf("train images %v, want [3 1 2 2]", got)
		}
		if got := test.X().Shape(); !slices.Equal(got, []int{2, 1, 2, 2}) {
			t.Fatalf("test images %v, want [2 1 2 2]", got)
		}
		x, y := train.Example(0)
		if got := x.Float32s(); !slices.Equal(got, []float32{0, 0.2, 0.4, 1}) {
			t.Fatalf("first image %v, want [0 0.2 0.4 1] (bytes / 255)", got)
		}
		if y.DType() != tensor.Int64 || y.Item() != 5 {
			t.Fatalf("first label %v", y)
		}
		if got := test.Y().Int64s(); !slices.Equal(got, []int64{7, 2}) {
			t.Fatalf("test labels %v", got)
		}
	}
}

func TestLoadDirAlternativeNames(t *testing.T) {
	files := mnistFiles(t)
	renamed := map[string][]byte{
		"train-images.idx3-ubyte": files["train-images-idx3-ubyte"],
		"train-labels.idx1-ubyte": files["train-labels-idx1-ubyte"],
		"test-images-idx3-ubyte":  files["t10k-images-idx3-ubyte"],
		"test-labels.idx1-ubyte":  files["t10k-labels-idx1-ubyte"],
	}
	if _, test, err := idx.LoadDir(writeDir(t, renamed, map[string]bool{"test-images-idx3-ubyte": true})); err != nil || test.Len() != 2 {
		t.Fatalf("LoadDir: %v", err)
	}
}

func TestLoadDirErrors(t *testing.T) {
	cases := []struct {
		name   string
		change func(map[string][]byte)
		want   string
	}{
		{"missing", func(f map[string][]byte) { delete(f, "t10k-labels-idx1-ubyte") }, "no file t10k-labels-idx1-ubyte[.gz] (or t10k-labels.idx1-ubyte"},
		{"count", func(f map[string][]byte) {
			f["train-labels-idx1-ubyte"] = encode(t, tensor.FromSlice([]int64{1, 2}), idx.UByte)
		}, "train-images-idx3-ubyte and " + "%DIR%/train-labels-idx1-ubyte: 3 images but 2 labels"},
		{"truncated", func(f map[string][]byte) {
			b := f["t10k-images-idx3-ubyte"]
			f["t10k-images-idx3-ubyte"] = b[:len(b)-3]
		}, "%DIR%/t10k-images-idx3-ubyte: truncated data"},
		{"bad magic", func(f map[string][]byte) {
			f["train-labels-idx1-ubyte"] = []byte("hello world")
		}, "%DIR%/train-labels-idx1-ubyte: bad magic number"},
		{"label dims", func(f map[string][]byte) {
			f["t10k-labels-idx1-ubyte"] = encode(t, tensor.FromSlice([]int64{7, 2}, 2, 1), idx.UByte)
		}, "labels have dimensions [2 1], want [N]"},
		{"label type", func(f map[string][]byte) {
			f["t10k-labels-idx1-ubyte"] = encode(t, tensor.FromSlice([]int64{7, 2}), idx.Float)
		}, "labels have type float, want an integer type"},
		{"negative label", func(f map[string][]byte) {
			f["t10k-labels-idx1-ubyte"] = encode(t, tensor.FromSlice([]int64{7, -2}), idx.Byte)
		}, "label 1 is negative (-2)"},
		{"image dims", func(f map[string][]byte) {
			f["t10k-images-idx3-ubyte"] = encode(t, tensor.FromSlice([]int64{1, 2}), idx.UByte)
		}, "images have dimensions [2], want [N, ...]"},
		{"image shapes", func(f map[string][]byte) {
			f["t10k-images-idx3-ubyte"] = encode(t, tensor.Zeros(tensor.Int64, 2, 3, 2), idx.UByte)
		}, "has images of shape [1 2 2] but %DIR%/t10k-images-idx3-ubyte has [1 3 2]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mnistFiles(t)
			c.change(f)
			dir := writeDir(t, f, nil)
			_, _, err := idx.LoadDir(dir)
			want := strings.ReplaceAll(c.want, "%DIR%", dir)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want %q", err, want)
			}
		})
	}
	if _, _, err := idx.LoadDir(filepath.Join(t.TempDir(), "nope")); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("missing directory: error %v", err)
	}
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	if _, _, err := idx.LoadDir(file); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Fatalf("file as directory: error %v", err)
	}
}
