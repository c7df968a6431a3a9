package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func sample() Tensors {
	return Tensors{
		Tensors: map[string]*tensor.Tensor{
			"fc.weight": tensor.FromSlice([]float32{1, -2, 3.5, 4, 5, 6}, 2, 3),
			"fc.bias":   tensor.FromSlice([]float64{0.25, -1}, 2),
			"steps":     tensor.FromSlice([]int64{7}, []int{}...),
		},
		Metadata: map[string]string{"epoch": "3"},
	}
}

func TestEncodeLayout(t *testing.T) {
	var buf bytes.Buffer
	ts := Tensors{Tensors: map[string]*tensor.Tensor{"a": tensor.FromSlice([]float32{1, 2}, 2)}}
	if err := Encode(&buf, ts); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	n := binary.LittleEndian.Uint64(b[:8])
	header := strings.TrimRight(string(b[8:8+n]), " ")
	if want := `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`; header != want {
		t.Fatalf("header %s, want %s", header, want)
	}
	if n%8 != 0 {
		t.Fatalf("header length %d is not a multiple of 8", n)
	}
	data := b[8+n:]
	want := []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40} // 1.0f, 2.0f little-endian
	if !bytes.Equal(data, want) {
		t.Fatalf("data % x, want % x", data, want)
	}
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.safetensors")
	in := sample()
	if err := WriteFile(path, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tensors) != len(in.Tensors) {
		t.Fatalf("got %d tensors, want %d", len(out.Tensors), len(in.Tensors))
	}
	for name, want := range in.Tensors {
		if got := out.Tensors[name]; got == nil || !tensor.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	if out.Metadata["epoch"] != "3" {
		t.Errorf("metadata %v", out.Metadata)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the checkpoint (temporary file left behind?)", len(entries))
	}
}

func TestEncodeDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := Encode(&a, sample()); err != nil {
		t.Fatal(err)
	}
	if err := Encode(&b, sample()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two encodings of the same tensors differ")
	}
}

func TestDecodeOtherDTypes(t *testing.T) {
	// F16 1.0 = 0x3c00, -2.0 = 0xc000; BF16 1.5 = 0x3fc0; I32 -3; U8 200; BOOL 1.
	header := `{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]},"i":{"dtype":"I32","shape":[1],"data_offsets":[6,10]},"u":{"dtype":"U8","shape":[1],"data_offsets":[10,11]},"z":{"dtype":"BOOL","shape":[1],"data_offsets":[11,12]}}`
	data := []byte{0x00, 0x3c, 0x00, 0xc0, 0xc0, 0x3f, 0xfd, 0xff, 0xff, 0xff, 200, 1}
	file := make([]byte, 8)
	binary.LittleEndian.PutUint64(file, uint64(len(header)))
	file = append(append(file, header...), data...)
	ts, err := Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, want *tensor.Tensor) {
		if got := ts.Tensors[name]; !tensor.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	check("h", tensor.FromSlice([]float32{1, -2}))
	check("b", tensor.FromSlice([]float32{1.5}))
	check("i", tensor.FromSlice([]int64{-3}))
	check("u", tensor.FromSlice([]int64{200}))
	check("z", tensor.FromSlice([]int64{1}))
}

func TestDecodeErrors(t *testing.T) {
	var good bytes.Buffer
	if err := Encode(&good, sample()); err != nil {
		t.Fatal(err)
	}
	g := good.Bytes()
	hdr := func(h string, data int) []byte {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint64(b, uint64(len(h)))
		return append(append(b, h...), make([]byte, data)...)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "file too short"},
		{"truncated data", g[:len(g)-3], "file truncated"},
		{"truncated header", g[:20], "runs past the end of the file"},
		{"huge header", append([]byte{0, 0, 0, 0, 0, 0, 0, 1}, 0), "exceeds"},
		{"bad json", hdr("{nope", 0), "bad header JSON"},
		{"bad dtype", hdr(`{"a":{"dtype":"X9","shape":[1],"data_offsets":[0,1]}}`, 1), `unsupported dtype "X9"`},
		{"size mismatch", hdr(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8), "needs 12 bytes"},
		{"negative shape", hdr(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, 4), "invalid shape"},
		{"overlap", hdr(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4), "overlapping"},
		{"trailing bytes", hdr(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8), "cover 4 bytes"},
		{"bad metadata", hdr(`{"__metadata__":{"a":1}}`, 0), "bad __metadata__"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "checkpoint: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestReadFileErrorNamesPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.safetensors")
	if err := os.WriteFile(path, []byte("garbage!garbage!"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path)
	if err == nil || !strings.Contains(err.Error(), "bad.safetensors") {
		t.Fatalf("error %v does not name the file", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("no error for a missing file")
	}
}

func TestWriteFileFailureLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	if err := WriteFile(path, sample()); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	bad := Tensors{Tensors: map[string]*tensor.Tensor{"x": nil}}
	if err := WriteFile(path, bad); err == nil {
		t.Fatal("no error for a nil tensor")
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("failed write changed the existing checkpoint")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("failed write left %d entries in the directory", len(entries))
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := WriteFileAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "first")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "first" {
		t.Fatalf("content %q, %v; want %q", got, err, "first")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, %v; want 0644", fi.Mode().Perm(), err)
	}

	// A failing write function leaves the old file and no temporary file.
	sentinel := errors.New("sentinel")
	err = WriteFileAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return sentinel
	})
	if err != sentinel {
		t.Fatalf("error %v, want the write function's error unwrapped", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "first" {
		t.Fatalf("failed write changed the file to %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("failed write left %d entries in the directory", len(entries))
	}

	// A missing directory is reported without calling write.
	called := false
	err = WriteFileAtomic(filepath.Join(dir, "missing", "x"), func(io.Writer) error {
		called = true
		return nil
	})
	if !errors.Is(err, fs.ErrNotExist) || called {
		t.Fatalf("missing directory: error %v, write called %v", err, called)
	}
}

func FuzzDecode(f *testing.F) {
	var buf bytes.Buffer
	if err := Encode(&buf, sample()); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Add([]byte{2, 0, 0, 0, 0, 0, 0, 0, '{', '}'})
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := Decode(data)
		if err != nil {
			return
		}
		// Whatever decodes must encode and decode to the same tensors.
		var out bytes.Buffer
		if err := Encode(&out, ts); err != nil {
			if strings.Contains(err.Error(), "reserved") {
				return
			}
			t.Fatalf("re-encode: %v", err)
		}
		back, err := Decode(out.Bytes())
		if err != nil {
			t.Fatalf("decode of re-encoded file: %v", err)
		}
		for name, x := range ts.Tensors {
			y := back.Tensors[name]
			if y == nil || !sameBits(x, y) {
				t.Fatalf("tensor %s changed in the round trip", name)
			}
		}
	})
}

// sameBits reports whether a and b encode to the same bytes (bit-exact,
// NaN payloads included).
func sameBits(a, b *tensor.Tensor) bool {
	var x, y bytes.Buffer
	Encode(&x, Tensors{Tensors: map[string]*tensor.Tensor{"t": a}})
	Encode(&y, Tensors{Tensors: map[string]*tensor.Tensor{"t": b}})
	return bytes.Equal(x.Bytes(), y.Bytes())
}
