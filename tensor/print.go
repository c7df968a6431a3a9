package tensor

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// printThreshold is the number of elements above which String summarizes a
// tensor, and printEdge the number of items shown at each end of a
// summarized axis (PyTorch's defaults).
const (
	printThreshold = 1000
	printEdge      = 3
)

// String formats t like PyTorch's print: nested brackets, aligned columns,
// four decimals (or scientific notation when the magnitudes call for it),
// "..." in place of the middle of large tensors, and the dtype when it is
// not float32 or int64.
func (t *Tensor) String() string {
	vals := t.Float64s()
	summarize := len(vals) > printThreshold
	f := newFormatter(t, vals, summarize)
	var b strings.Builder
	b.WriteString("tensor(")
	if t.Dim() == 0 {
		b.WriteString(f.format(vals[0]))
	} else {
		f.writeAxis(&b, t, 0, make([]int, t.Dim()), summarize, len("tensor("))
	}
	if t.dtype == Float64 {
		b.WriteString(", dtype=float64")
	}
	if t.Numel() == 0 {
		fmt.Fprintf(&b, ", size=%v", shapeString(t.shape))
	}
	if t.fn != nil {
		fmt.Fprintf(&b, ", grad_fn=<%s>", t.fn.name)
	} else if t.requiresGrad {
		b.WriteString(", requires_grad=true")
	}
	b.WriteString(")")
	return b.String()
}

type formatter struct {
	intMode, sci bool
	width        int
	isInt        bool
}

func newFormatter(t *Tensor, vals []float64, summarize bool) *formatter {
	f := &formatter{isInt: t.dtype == Int64, intMode: true}
	var finite []float64
	for _, v := range vals {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			finite = append(finite, math.Abs(v))
			if v != math.Trunc(v) {
				f.intMode = false
			}
		}
	}
	if !f.isInt && len(finite) > 0 {
		lo, hi := finite[0], finite[0]
		for _, v := range finite {
			lo, hi = min(lo, v), max(hi, v)
		}
		if f.intMode {
			f.sci = hi > 1e8
		} else {
			f.sci = hi/math.Max(lo, 1e-300) > 1000 || hi > 1e8 || (lo < 1e-4 && lo != 0) && hi > 0
			if lo == 0 {
				f.sci = hi > 1e8
				nz := math.Inf(1)
				for _, v := range finite {
					if v != 0 {
						nz = min(nz, v)
					}
				}
				if !math.IsInf(nz, 1) && (hi/nz > 1000 || nz < 1e-4) {
					f.sci = true
				}
			}
		}
	}
	for _, v := range vals {
		f.width = max(f.width, len(f.format(v)))
	}
	_ = summarize
	return f
}

func (f *formatter) format(v float64) string {
	switch {
	case f.isInt:
		return strconv.FormatInt(int64(v), 10)
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case f.sci:
		return strconv.FormatFloat(v, 'e', 4, 64)
	case f.intMode:
		return strconv.FormatFloat(v, 'f', 0, 64) + "."
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

func (f *formatter) writeAxis(b *strings.Builder, t *Tensor, d int, idx []int, summarize bool, indent int) {
	b.WriteByte('[')
	n := t.shape[d]
	last := d == t.Dim()-1
	for i := 0; i < n; i++ {
		if summarize && n > 2*printEdge && i == printEdge {
			if last {
				b.WriteString("..., ")
			} else {
				b.WriteString("...,\n")
				b.WriteString(strings.Repeat(" ", indent+d+1))
			}
			i = n - printEdge
		}
		idx[d] = i
		if last {
			s := f.format(t.At(idx...))
			b.WriteString(strings.Repeat(" ", f.width-len(s)))
			b.WriteString(s)
			if i < n-1 {
				b.WriteString(", ")
			}
		} else {
			f.writeAxis(b, t, d+1, idx, summarize, indent)
			if i < n-1 {
				b.WriteString(",")
				b.WriteString(strings.Repeat("\n", t.Dim()-d-1))
				b.WriteString(strings.Repeat(" ", indent+d+1))
			}
		}
	}
	b.WriteByte(']')
}
