package idx_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data/idx"
	"github.com/backprop-go/backprop/tensor"
)

func gz(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encode(t testing.TB, x *tensor.Tensor, typ idx.Type) []byte {
	var buf bytes.Buffer
	if err := idx.Write(&buf, x, typ); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriteBytes(t *testing.T) {
	// Hand-encoded files: magic (0, 0, type, ndim), big-endian dimensions,
	// big-endian elements.
	cases := []struct {
		name string
		x    *tensor.Tensor
		typ  idx.Type
		want []byte
	}{
		{"ubyte", tensor.FromSlice([]int64{1, 2, 3, 255}, 2, 2), idx.UByte,
			[]byte{0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 255}},
		{"byte", tensor.FromSlice([]int64{-1, 127}), idx.Byte,
			[]byte{0, 0, 0x09, 1, 0, 0, 0, 2, 0xff, 0x7f}},
		{"short", tensor.FromSlice([]int64{-2, 258}), idx.Short,
			[]byte{0, 0, 0x0b, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01, 0x02}},
		{"int", tensor.FromSlice([]int64{70000}), idx.Int,
			[]byte{0, 0, 0x0c, 1, 0, 0, 0, 1, 0, 1, 0x11, 0x70}},
		// 1.5 is 0x3fc00000 as float32, 0x3ff8000000000000 as float64.
		{"float", tensor.FromSlice([]float32{1.5}), idx.Float,
			[]byte{0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0}},
		{"double", tensor.FromSlice([]float64{1.5}), idx.Double,
			[]byte{0, 0, 0x0e, 1, 0, 0, 0, 1, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := encode(t, c.x, c.typ)
			if !bytes.Equal(got, c.want) {
				t.Fatalf("Write = % x, want % x", got, c.want)
			}
			for _, in := range [][]byte{c.want, gz(t, c.want)} {
				back, err := idx.Read(bytes.NewReader(in))
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(back.Shape(), c.x.Shape()) || !slices.Equal(back.Float64s(), c.x.Float64s()) {
					t.Fatalf("Read = %v, want %v", back, c.x)
				}
			}
		})
	}
}

func TestReadDTypes(t *testing.T) {
	cases := []struct {
		typ  idx.Type
		want tensor.DType
	}{
		{idx.UByte, tensor.Int64}, {idx.Byte, tensor.Int64}, {idx.Short, tensor.Int64},
		{idx.Int, tensor.Int64}, {idx.Float, tensor.Float32}, {idx.Double, tensor.Float64},
	}
	for _, c := range cases {
		x, err := idx.Read(bytes.NewReader(encode(t, tensor.FromSlice([]int64{1, 2, 3}, 3, 1), c.typ)))
		if err != nil {
			t.Fatal(err)
		}
		if x.DType() != c.want {
			t.Errorf("%s: dtype %v, want %v", c.typ, x.DType(), c.want)
		}
	}
}

func TestFloat32(t *testing.T) {
	f, err := idx.Decode(bytes.NewReader(encode(t, tensor.FromSlice([]int64{0, 51, 255}), idx.UByte)))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Float32(1.0 / 255).Float32s(); !slices.Equal(got, []float32{0, 0.2, 1}) {
		t.Fatalf("scaled pixels %v, want [0 0.2 1]", got)
	}
	f, err = idx.Decode(bytes.NewReader(encode(t, tensor.FromSlice([]int64{-128, 3}), idx.Byte)))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Float32(2).Float32s(); !slices.Equal(got, []float32{-256, 6}) {
		t.Fatalf("signed bytes ×2 = %v, want [-256 6]", got)
	}
}

func TestReadErrors(t *testing.T) {
	valid := encode(t, tensor.FromSlice([]int64{1, 2, 3, 4, 5, 6}, 2, 3), idx.Short)
	corruptGz := gz(t, valid)
	corruptGz[len(corruptGz)-8] ^= 0xff // the first byte of the CRC-32 trailer
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "idx: empty file"},
		{"short header", []byte{0, 0, 8}, "idx: truncated header: unexpected EOF"},
		{"bad magic", []byte{1, 2, 8, 1, 0, 0, 0, 0}, "idx: bad magic number 0x01020801"},
		{"unknown type", []byte{0, 0, 0x0a, 1, 0, 0, 0, 0}, "idx: unknown type code 0x0a"},
		{"no dims", []byte{0, 0, 8, 0}, "idx: no dimensions"},
		{"short dims", []byte{0, 0, 8, 2, 0, 0, 0, 1, 0, 0}, "idx: truncated header: 2 dimensions announced"},
		{"short data", valid[:len(valid)-1], "idx: truncated data: dimensions [2 3] of short need 12 bytes, file has 11"},
		{"trailing", append(slices.Clone(valid), 7, 7), "idx: 2 bytes after the 12 bytes of data that dimensions [2 3] of short announce"},
		{"huge", []byte{0, 0, 0x0e, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "idx: dimensions [4294967295 4294967295] too large"},
		{"gzip truncated", gz(t, valid)[:20], "unexpected EOF"},
		{"gzip checksum", corruptGz, "gzip: invalid checksum"},
		{"gzip header", []byte{0x1f, 0x8b, 0}, "idx: gzip: unexpected EOF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := idx.Read(bytes.NewReader(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.idx.gz")
	if err := os.WriteFile(p, gz(t, encode(t, tensor.FromSlice([]float32{0.25, -3}, 1, 2), idx.Float)), 0o644); err != nil {
		t.Fatal(err)
	}
	x, err := idx.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Float32s(); !slices.Equal(got, []float32{0.25, -3}) || !slices.Equal(x.Shape(), []int{1, 2}) {
		t.Fatalf("ReadFile = %v", x)
	}
	bad := filepath.Join(dir, "bad.idx")
	if err := os.WriteFile(bad, []byte{0, 0, 8, 1, 0, 0, 0, 5, 1}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := idx.ReadFile(bad); err == nil || !strings.Contains(err.Error(), "idx: "+bad+": truncated data") {
		t.Fatalf("error %v, want one naming %s", err, bad)
	}
	if _, err := idx.ReadFile(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("error %v for a missing file", err)
	}
}

func TestWriteErrors(t *testing.T) {
	cases := []struct {
		name string
		x    *tensor.Tensor
		typ  idx.Type
		want string
	}{
		{"range", tensor.FromSlice([]int64{3, 256}), idx.UByte, "element 1 = 256 is not a unsigned byte"},
		{"fraction", tensor.FromSlice([]float32{1.5}), idx.Int, "element 0 = 1.5 is not a int"},
		{"scalar", tensor.Scalar(1, tensor.Float32), idx.Float, "0 dimensions, want 1 to 255"},
		{"type", tensor.FromSlice([]float32{1}), idx.Type(3), "unknown type code 0x03"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := idx.Write(&bytes.Buffer{}, c.x, c.typ)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	seeds := [][]byte{
		encode(f, tensor.FromSlice([]int64{1, 2, 3, 4}, 2, 2), idx.UByte),
		encode(f, tensor.FromSlice([]int64{-1, 2}), idx.Byte),
		encode(f, tensor.FromSlice([]int64{-300, 2, 7}, 3, 1, 1), idx.Short),
		encode(f, tensor.FromSlice([]int64{1 << 20}), idx.Int),
		encode(f, tensor.FromSlice([]float32{0.5, -1}), idx.Float),
		encode(f, tensor.FromSlice([]float64{1e-300}), idx.Double),
		gz(f, encode(f, tensor.FromSlice([]int64{9, 8, 7}), idx.UByte)),
		{0, 0, 8, 1, 0, 0, 0, 9},
		{0, 0, 8, 0},
		{},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		file, err := idx.Decode(bytes.NewReader(in))
		if err != nil {
			return
		}
		if len(file.Data) != file.Len()*file.Type.Size() {
			t.Fatalf("%d data bytes for dimensions %v of %s", len(file.Data), file.Dims, file.Type)
		}
		x := file.Tensor()
		if !slices.Equal(x.Shape(), file.Dims) {
			t.Fatalf("tensor shape %v, dimensions %v", x.Shape(), file.Dims)
		}
		if !file.Type.IsInteger() {
			return
		}
		// Integer files survive a round trip byte for byte (uncompressed).
		var buf bytes.Buffer
		if err := idx.Write(&buf, x, file.Type); err != nil {
			t.Fatal(err)
		}
		again, err := idx.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Data, file.Data) || !slices.Equal(again.Dims, file.Dims) {
			t.Fatalf("round trip changed the file")
		}
	})
}
