// Package idx reads and writes the IDX file format of the MNIST database
// (and of Fashion-MNIST, EMNIST and others), gzip-compressed or not.
//
// An IDX file is a 4-byte magic number (two zero bytes, a type code and the
// number of dimensions), the dimensions as big-endian 32-bit integers, and
// the elements in row-major order, big-endian. Decode returns the file as
// it is; Read and ReadFile return it as a tensor; LoadDir loads the four
// files of an MNIST-style directory as training and test datasets.
package idx

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/backprop-go/backprop/tensor"
)

// Type is the element type code of an IDX file.
type Type byte

// The IDX element types.
const (
	UByte  Type = 0x08 // unsigned byte
	Byte   Type = 0x09 // signed byte
	Short  Type = 0x0B // 16-bit integer
	Int    Type = 0x0C // 32-bit integer
	Float  Type = 0x0D // 32-bit float
	Double Type = 0x0E // 64-bit float
)

// String returns the name the IDX documentation uses for t.
func (t Type) String() string {
	switch t {
	case UByte:
		return "unsigned byte"
	case Byte:
		return "signed byte"
	case Short:
		return "short"
	case Int:
		return "int"
	case Float:
		return "float"
	case Double:
		return "double"
	}
	return fmt.Sprintf("Type(0x%02x)", byte(t))
}

// Size returns the number of bytes of one element, or 0 for an unknown type.
func (t Type) Size() int {
	switch t {
	case UByte, Byte:
		return 1
	case Short:
		return 2
	case Int, Float:
		return 4
	case Double:
		return 8
	}
	return 0
}

// IsInteger reports whether t is one of the integer types.
func (t Type) IsInteger() bool { return t == UByte || t == Byte || t == Short || t == Int }

// File is a decoded IDX file.
type File struct {
	Type Type
	Dims []int
	// Data holds the elements in row-major order, big-endian, Type.Size()
	// bytes each.
	Data []byte
}

// Len returns the number of elements of f.
func (f *File) Len() int {
	n := 1
	for _, d := range f.Dims {
		n *= d
	}
	return n
}

// maxBytes bounds the data size a header may announce.
const maxBytes = 1 << 40

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// Decode reads an IDX file from r, decompressing it first when it starts
// with the gzip magic number. It returns an error for a bad magic number,
// an unknown type code, no dimensions, data shorter than the dimensions
// announce (a truncated file) or longer (trailing bytes), and for corrupt
// gzip data.
func Decode(r io.Reader) (*File, error) {
	f, err := decode(r)
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	return f, nil
}

func decode(r io.Reader) (*File, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var src io.Reader = br
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == gzipMagic[0] && head[1] == gzipMagic[1] {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		src = bufio.NewReaderSize(zr, 1<<16)
	}
	var hdr [4]byte
	if n, err := io.ReadFull(src, hdr[:]); err != nil {
		if n == 0 && err == io.EOF {
			return nil, errors.New("empty file")
		}
		return nil, fmt.Errorf("truncated header: %w", unexpected(err))
	}
	if hdr[0] != 0 || hdr[1] != 0 {
		return nil, fmt.Errorf("bad magic number 0x%08x: want two zero bytes, a type code and the number of dimensions", binary.BigEndian.Uint32(hdr[:]))
	}
	typ := Type(hdr[2])
	if typ.Size() == 0 {
		return nil, fmt.Errorf("unknown type code 0x%02x", hdr[2])
	}
	nd := int(hdr[3])
	if nd == 0 {
		return nil, errors.New("no dimensions")
	}
	dimBytes := make([]byte, 4*nd)
	if _, err := io.ReadFull(src, dimBytes); err != nil {
		return nil, fmt.Errorf("truncated header: %d dimensions announced: %w", nd, unexpected(err))
	}
	dims := make([]int, nd)
	total := uint64(typ.Size())
	for i := range dims {
		d := binary.BigEndian.Uint32(dimBytes[4*i:])
		dims[i] = int(d)
		if total != 0 && uint64(d) > maxBytes/total {
			return nil, fmt.Errorf("dimensions %v too large", dims[:i+1])
		}
		total *= uint64(d)
	}
	data, err := readN(src, int(total))
	if err != nil {
		return nil, fmt.Errorf("truncated data: dimensions %v of %s need %d bytes, file has %d: %w", dims, typ, total, len(data), unexpected(err))
	}
	var one [1]byte
	if n, err := io.ReadFull(src, one[:]); n > 0 {
		rest, _ := io.Copy(io.Discard, src)
		return nil, fmt.Errorf("%d bytes after the %d bytes of data that dimensions %v of %s announce", rest+1, total, dims, typ)
	} else if err != io.EOF {
		return nil, err
	}
	return &File{Type: typ, Dims: dims, Data: data}, nil
}

// unexpected turns io.EOF into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readN reads n bytes from r, growing its buffer as the data arrives so
// that a header announcing more data than the file has costs no more
// memory than the file.
func readN(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, min(n, 1<<20))
	got := 0
	for {
		m, err := io.ReadFull(r, buf[got:])
		got += m
		if err != nil {
			return buf[:got], err
		}
		if got == n {
			return buf, nil
		}
		nb := make([]byte, min(n, 2*len(buf)))
		copy(nb, buf)
		buf = nb
	}
}

// ReadFile reads the IDX file at path (see Decode) and returns it as a
// tensor (see File.Tensor). Errors name the file.
func ReadFile(path string) (*tensor.Tensor, error) {
	f, err := decodeFile(path)
	if err != nil {
		return nil, err
	}
	return f.Tensor(), nil
}

// decodeFile decodes the file at path, naming it in errors.
func decodeFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	defer fh.Close()
	f, err := decode(fh)
	if err != nil {
		return nil, fmt.Errorf("idx: %s: %w", path, err)
	}
	return f, nil
}

// Read reads an IDX file from r (see Decode) and returns it as a tensor
// (see File.Tensor).
func Read(r io.Reader) (*tensor.Tensor, error) {
	f, err := Decode(r)
	if err != nil {
		return nil, err
	}
	return f.Tensor(), nil
}

// Tensor returns the elements of f as a tensor of shape Dims: Int64 for the
// integer types, Float32 for Float and Float64 for Double.
func (f *File) Tensor() *tensor.Tensor {
	switch f.Type {
	case Float:
		return f.Float32(1)
	case Double:
		t := tensor.Zeros(tensor.Float64, f.Dims...)
		v := t.RawFloat64()
		for i := range v {
			v[i] = math.Float64frombits(binary.BigEndian.Uint64(f.Data[8*i:]))
		}
		return t
	}
	t := tensor.Zeros(tensor.Int64, f.Dims...)
	v := t.RawInt64()
	switch f.Type {
	case UByte:
		for i, b := range f.Data[:len(v)] {
			v[i] = int64(b)
		}
	case Byte:
		for i, b := range f.Data[:len(v)] {
			v[i] = int64(int8(b))
		}
	case Short:
		for i := range v {
			v[i] = int64(int16(binary.BigEndian.Uint16(f.Data[2*i:])))
		}
	case Int:
		for i := range v {
			v[i] = int64(int32(binary.BigEndian.Uint32(f.Data[4*i:])))
		}
	}
	return t
}

// Float32 returns the elements of f times scale as a Float32 tensor of
// shape Dims, each product computed in float64 and rounded once: with scale
// 1.0/255, unsigned-byte pixels map to [0, 1] as float32(b)/255 does.
func (f *File) Float32(scale float64) *tensor.Tensor {
	t := tensor.Zeros(tensor.Float32, f.Dims...)
	v := t.RawFloat32()
	switch f.Type {
	case UByte, Byte:
		var lut [256]float32
		for b := range lut {
			if f.Type == UByte {
				lut[b] = float32(float64(b) * scale)
			} else {
				lut[b] = float32(float64(int8(b)) * scale)
			}
		}
		for i, b := range f.Data[:len(v)] {
			v[i] = lut[b]
		}
	case Short:
		for i := range v {
			v[i] = float32(float64(int16(binary.BigEndian.Uint16(f.Data[2*i:]))) * scale)
		}
	case Int:
		for i := range v {
			v[i] = float32(float64(int32(binary.BigEndian.Uint32(f.Data[4*i:]))) * scale)
		}
	case Float:
		for i := range v {
			v[i] = float32(float64(math.Float32frombits(binary.BigEndian.Uint32(f.Data[4*i:]))) * scale)
		}
	case Double:
		for i := range v {
			v[i] = float32(math.Float64frombits(binary.BigEndian.Uint64(f.Data[8*i:])) * scale)
		}
	}
	return t
}

// Write writes t as an IDX file of element type typ (uncompressed). The
// values of integer types must be integers in the type's range. t needs
// between 1 and 255 dimensions of at most 2³²−1 elements each.
func Write(w io.Writer, t *tensor.Tensor, typ Type) error {
	if typ.Size() == 0 {
		return fmt.Errorf("idx: Write: unknown type code 0x%02x", byte(typ))
	}
	dims := t.Shape()
	if len(dims) == 0 || len(dims) > 255 {
		return fmt.Errorf("idx: Write: %d dimensions, want 1 to 255", len(dims))
	}
	buf := make([]byte, 0, 4+4*len(dims)+t.Numel()*typ.Size())
	buf = append(buf, 0, 0, byte(typ), byte(len(dims)))
	for _, d := range dims {
		if uint64(d) > math.MaxUint32 {
			return fmt.Errorf("idx: Write: dimension %d too large", d)
		}
		buf = binary.BigEndian.AppendUint32(buf, uint32(d))
	}
	lo, hi := typ.intRange()
	for i, v := range t.Float64s() {
		if typ.IsInteger() && (v != math.Trunc(v) || v < lo || v > hi) {
			return fmt.Errorf("idx: Write: element %d = %v is not a %s", i, v, typ)
		}
		switch typ {
		case UByte, Byte:
			buf = append(buf, byte(int64(v)))
		case Short:
			buf = binary.BigEndian.AppendUint16(buf, uint16(int16(v)))
		case Int:
			buf = binary.BigEndian.AppendUint32(buf, uint32(int32(v)))
		case Float:
			buf = binary.BigEndian.AppendUint32(buf, math.Float32bits(float32(v)))
		case Double:
			buf = binary.BigEndian.AppendUint64(buf, math.Float64bits(v))
		}
	}
	_, err := w.Write(buf)
	return err
}

// intRange returns the smallest and largest value of an integer type.
func (t Type) intRange() (lo, hi float64) {
	switch t {
	case UByte:
		return 0, math.MaxUint8
	case Byte:
		return math.MinInt8, math.MaxInt8
	case Short:
		return math.MinInt16, math.MaxInt16
	case Int:
		return math.MinInt32, math.MaxInt32
	}
	return math.Inf(-1), math.Inf(1)
}
