package checkpoint

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/backprop-go/backprop/tensor"
)

// MaxHeaderSize bounds the JSON header a reader accepts (100 MB, as the
// reference implementation).
const MaxHeaderSize = 100 << 20

// metadataKey is the reserved header entry holding string metadata.
const metadataKey = "__metadata__"

// Tensors is a set of named tensors with string metadata: the content of
// one safetensors file.
type Tensors struct {
	Tensors  map[string]*tensor.Tensor
	Metadata map[string]string
}

type headerEntry struct {
	DType   string   `json:"dtype"`
	Shape   []int    `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

func dtypeName(dt tensor.DType) (string, error) {
	switch dt {
	case tensor.Float32:
		return "F32", nil
	case tensor.Float64:
		return "F64", nil
	case tensor.Int64:
		return "I64", nil
	}
	return "", fmt.Errorf("unsupported dtype %v", dt)
}

// Encode writes ts to w in the safetensors format. Tensors are stored in
// name order, so equal contents give identical bytes.
func Encode(w io.Writer, ts Tensors) error {
	names := make([]string, 0, len(ts.Tensors))
	for name := range ts.Tensors {
		if name == metadataKey {
			return fmt.Errorf("checkpoint: tensor name %q is reserved", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	header := map[string]any{}
	if len(ts.Metadata) > 0 {
		header[metadataKey] = ts.Metadata
	}
	var off int64
	for _, name := range names {
		t := ts.Tensors[name]
		if t == nil {
			return fmt.Errorf("checkpoint: tensor %s is nil", name)
		}
		dn, err := dtypeName(t.DType())
		if err != nil {
			return fmt.Errorf("checkpoint: tensor %s: %w", name, err)
		}
		n := int64(t.Numel() * t.DType().Size())
		header[name] = headerEntry{DType: dn, Shape: t.Shape(), Offsets: [2]int64{off, off + n}}
		off += n
	}
	hb, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("checkpoint: encode header: %w", err)
	}
	// Pad the header with spaces so the data starts 8-byte aligned.
	for len(hb)%8 != 0 {
		hb = append(hb, ' ')
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(hb)))
	bw.Write(lenBuf[:])
	bw.Write(hb)
	var buf [8]byte
	for _, name := range names {
		t := ts.Tensors[name]
		switch t.DType() {
		case tensor.Float32:
			for _, v := range t.Float32s() {
				binary.LittleEndian.PutUint32(buf[:4], math.Float32bits(v))
				bw.Write(buf[:4])
			}
		case tensor.Float64:
			for _, v := range t.Float64s() {
				binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v))
				bw.Write(buf[:])
			}
		case tensor.Int64:
			for _, v := range t.Int64s() {
				binary.LittleEndian.PutUint64(buf[:], uint64(v))
				bw.Write(buf[:])
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("checkpoint: write: %w", err)
	}
	return nil
}

// Decode parses a complete safetensors file held in data. It accepts the
// dtypes F64, F32, F16, BF16 (converted to Float32), I64, I32, I16, I8, U8
// and BOOL (converted to Int64), and checks every offset, size and shape.
func Decode(data []byte) (Tensors, error) {
	ts, err := decode(data)
	if err != nil {
		return ts, fmt.Errorf("checkpoint: %w", err)
	}
	return ts, nil
}

func decode(data []byte) (Tensors, error) {
	var ts Tensors
	if len(data) < 8 {
		return ts, errors.New("file too short for a safetensors header")
	}
	hlen := binary.LittleEndian.Uint64(data[:8])
	if hlen > MaxHeaderSize {
		return ts, fmt.Errorf("header length %d exceeds the %d-byte limit", hlen, MaxHeaderSize)
	}
	if hlen > uint64(len(data)-8) {
		return ts, fmt.Errorf("header length %d runs past the end of the file (%d bytes): file truncated?", hlen, len(data))
	}
	hb := data[8 : 8+hlen]
	body := data[8+hlen:]
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(hb))
	if err := dec.Decode(&raw); err != nil {
		return ts, fmt.Errorf("bad header JSON: %w", err)
	}
	ts.Tensors = make(map[string]*tensor.Tensor, len(raw))
	type span struct {
		lo, hi int64
		name   string
	}
	var spans []span
	for name, msg := range raw {
		if name == metadataKey {
			if err := json.Unmarshal(msg, &ts.Metadata); err != nil {
				return ts, fmt.Errorf("bad __metadata__ (want a map of strings): %w", err)
			}
			continue
		}
		var e headerEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return ts, fmt.Errorf("tensor %s: bad header entry: %w", name, err)
		}
		t, err := decodeTensor(name, e, body)
		if err != nil {
			return ts, err
		}
		ts.Tensors[name] = t
		spans = append(spans, span{e.Offsets[0], e.Offsets[1], name})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	var end int64
	for _, s := range spans {
		if s.lo != end {
			return ts, fmt.Errorf("tensor %s: data starts at byte %d, expected %d (overlapping or gapped offsets)", s.name, s.lo, end)
		}
		end = s.hi
	}
	if end != int64(len(body)) {
		return ts, fmt.Errorf("tensors cover %d bytes of data, file has %d: file truncated or padded", end, len(body))
	}
	return ts, nil
}

func decodeTensor(name string, e headerEntry, body []byte) (*tensor.Tensor, error) {
	size, ok := map[string]int{"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}[e.DType]
	if !ok {
		return nil, fmt.Errorf("tensor %s: unsupported dtype %q", name, e.DType)
	}
	n := int64(1)
	for _, d := range e.Shape {
		if d < 0 || (d > 0 && n > math.MaxInt32*int64(64)/int64(d)) {
			return nil, fmt.Errorf("tensor %s: invalid shape %v", name, e.Shape)
		}
		n *= int64(d)
	}
	lo, hi := e.Offsets[0], e.Offsets[1]
	if lo < 0 || hi < lo || hi > int64(len(body)) {
		return nil, fmt.Errorf("tensor %s: data offsets [%d, %d] outside the %d data bytes: file truncated?", name, lo, hi, len(body))
	}
	if hi-lo != n*int64(size) {
		return nil, fmt.Errorf("tensor %s: shape %v of %s needs %d bytes, offsets give %d", name, e.Shape, e.DType, n*int64(size), hi-lo)
	}
	b := body[lo:hi]
	shape := e.Shape
	if shape == nil {
		shape = []int{}
	}
	switch e.DType {
	case "F64":
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
		return tensor.FromSlice(v, shape...), nil
	case "F32", "F16", "BF16":
		v := make([]float32, n)
		for i := range v {
			switch e.DType {
			case "F32":
				v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			case "F16":
				v[i] = halfToFloat32(binary.LittleEndian.Uint16(b[2*i:]))
			default:
				v[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
			}
		}
		return tensor.FromSlice(v, shape...), nil
	default:
		v := make([]int64, n)
		for i := range v {
			switch e.DType {
			case "I64":
				v[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
			case "I32":
				v[i] = int64(int32(binary.LittleEndian.Uint32(b[4*i:])))
			case "I16":
				v[i] = int64(int16(binary.LittleEndian.Uint16(b[2*i:])))
			case "I8":
				v[i] = int64(int8(b[i]))
			default: // U8, BOOL
				v[i] = int64(b[i])
			}
		}
		return tensor.FromSlice(v, shape...), nil
	}
}

// halfToFloat32 converts an IEEE 754 half-precision value.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal
		f := float32(frac) / 1024 / 16384
		if sign != 0 {
			return -f
		}
		return f
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}

// WriteFile writes ts to path atomically (see WriteFileAtomic): on any
// error path is left as it was.
func WriteFile(path string, ts Tensors) error {
	if err := WriteFileAtomic(path, func(w io.Writer) error { return Encode(w, ts) }); err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", path, err)
	}
	return nil
}

// WriteFileAtomic writes the bytes write produces to path atomically: they
// go to a temporary file in the same directory, which is given mode 0644,
// synced and renamed over path. On any error, including one returned by
// write, the temporary file is removed, path is left as it was and the
// error is returned unwrapped.
func WriteFileAtomic(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // make the rename durable; not all file systems support it
		d.Close()
	}
	return nil
}

// ReadFile reads and decodes the safetensors file at path.
func ReadFile(path string) (Tensors, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Tensors{}, fmt.Errorf("checkpoint: %w", err)
	}
	ts, err := decode(data)
	if err != nil {
		return ts, fmt.Errorf("checkpoint: read %s: %w", path, err)
	}
	return ts, nil
}
