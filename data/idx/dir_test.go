package idx_test

import (
	"bytes"
	"math"
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

// decoded encodes x as an IDX file of type typ and decodes it.
func decoded(t *testing.T, x *tensor.Tensor, typ idx.Type) *idx.File {
	t.Helper()
	f, err := idx.Decode(bytes.NewReader(encode(t, x, typ)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// byteImages returns images of the given shape whose pixels run through
// every byte value: element j of the tensor is (7·j + 3) mod 256.
func byteImages(shape ...int) *tensor.Tensor {
	v := make([]int64, tensor.Numel(shape))
	for j := range v {
		v[j] = int64((7*j + 3) % 256)
	}
	return tensor.FromSlice(v, shape...)
}

func TestNewUint8Dataset(t *testing.T) {
	cases := []struct {
		name    string
		images  []int // shape of the images file
		example []int // shape of one example
	}{
		{"images", []int{9, 5, 7}, []int{1, 5, 7}},
		{"flat", []int{6, 50}, []int{50}},
		{"channels", []int{4, 3, 4, 5}, []int{3, 4, 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := c.images[0]
			images := decoded(t, byteImages(c.images...), idx.UByte)
			lv := make([]int64, n)
			for i := range lv {
				lv[i] = int64((5 * i) % 10)
			}
			labels := decoded(t, tensor.FromSlice(lv), idx.UByte)
			got, err := idx.NewUint8Dataset(images, labels)
			if err != nil {
				t.Fatal(err)
			}
			want, err := idx.NewDataset(images, labels)
			if err != nil {
				t.Fatal(err)
			}
			if got.Len() != n || want.Len() != n {
				t.Fatalf("lengths %d and %d, want %d", got.Len(), want.Len(), n)
			}
			if &got.Bytes()[0] != &images.Data[0] || got.Scale() != 1.0/255 {
				t.Fatalf("the dataset copies the images or scales them by %v", got.Scale())
			}
			for i := range n {
				gx, gy := got.Example(i)
				wx, wy := want.Example(i)
				if !slices.Equal(gx.Shape(), c.example) || !slices.Equal(wx.Shape(), c.example) {
					t.Fatalf("example %d has shape %v (NewDataset: %v), want %v", i, gx.Shape(), wx.Shape(), c.example)
				}
				if !bitsEqual(gx.Float32s(), wx.Float32s()) {
					t.Fatalf("example %d: inputs %v, NewDataset has %v", i, gx.Float32s(), wx.Float32s())
				}
				if gy.DType() != tensor.Int64 || gy.Dim() != 0 || gy.Item() != wy.Item() || gy.Item() != float64(lv[i]) {
					t.Fatalf("example %d: label %v, want %d", i, gy, lv[i])
				}
			}
			// The pixels are bytes/255: example 1 starts at element len(x).
			x, _ := got.Example(1)
			xv := x.Float32s()
			for j, v := range xv {
				b := (7*(len(xv)+j) + 3) % 256
				if v != float32(b)/255 {
					t.Fatalf("example 1 pixel %d = %v, want %d/255", j, v, b)
				}
			}
		})
	}
}

// bitsEqual reports whether a and b hold bitwise identical values.
func bitsEqual(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(u, v float32) bool { return math.Float32bits(u) == math.Float32bits(v) })
}

func TestNewUint8DatasetErrors(t *testing.T) {
	images := func() *idx.File { return decoded(t, byteImages(3, 2, 2), idx.UByte) }
	labels := func() *idx.File { return decoded(t, tensor.FromSlice([]int64{5, 0, 4}), idx.UByte) }
	cases := []struct {
		name           string
		images, labels *idx.File
		want           string
		tensorToo      bool // NewDataset fails with the same error
	}{
		{"signed bytes", decoded(t, byteImages(3, 2, 2).SubScalar(128), idx.Byte), labels(), "images have type signed byte, want unsigned byte", false},
		{"floats", decoded(t, byteImages(3, 2, 2), idx.Float), labels(), "images have type float, want unsigned byte", false},
		{"image dims", decoded(t, byteImages(3), idx.UByte), labels(), "images have dimensions [3], want [N, ...] with at least 2", true},
		{"label dims", images(), decoded(t, tensor.FromSlice([]int64{5, 0, 4}, 3, 1), idx.UByte), "labels have dimensions [3 1], want [N]", true},
		{"label type", images(), decoded(t, tensor.FromSlice([]int64{5, 0, 4}), idx.Double), "labels have type double, want an integer type", true},
		{"count", images(), decoded(t, tensor.FromSlice([]int64{5, 0}), idx.UByte), "3 images but 2 labels", true},
		{"negative label", images(), decoded(t, tensor.FromSlice([]int64{5, -1, 4}), idx.Byte), "label 1 is negative (-1)", true},
		{"empty image", decoded(t, tensor.Zeros(tensor.Int64, 3, 0, 2), idx.UByte), labels(), "input shape [1 0 2] has a non-positive dimension", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds, err := idx.NewUint8Dataset(c.images, c.labels)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v (dataset %v), want %q", err, ds, c.want)
			}
			if !c.tensorToo {
				return
			}
			if _, err := idx.NewDataset(c.images, c.labels); err == nil || err.Error() != c.want {
				t.Fatalf("NewDataset: error %v, want %q", err, c.want)
			}
		})
	}
}
