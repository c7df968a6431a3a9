package tensor

import (
	"math"
	"strconv"
	"strings"
)

// The defaults of PyTorch's print options: tensors with more than
// printThreshold elements are summarized, showing printEdge items at each
// end of every long axis; lines are wrapped at printLineWidth characters;
// floats get printPrecision digits after the point.
const (
	printThreshold = 1000
	printEdge      = 3
	printLineWidth = 80
	printPrecision = 4
)

// String formats t as PyTorch's print does with its default options:
// nested brackets, aligned columns, four decimals (or scientific notation
// when the magnitudes call for it, or no decimals when every value is an
// integer), "..." in place of the middle of tensors with more than 1000
// elements, lines wrapped at 80 characters, and suffixes for a dtype other
// than float32 and int64, for the size of an empty tensor that is not 1-D,
// and for the gradient function or requires-grad flag.
func (t *Tensor) String() string {
	const prefix = "tensor("
	var b strings.Builder
	b.WriteString(prefix)
	var suffixes []string
	if t.Numel() == 0 {
		b.WriteString("[]")
		if t.Dim() != 1 {
			suffixes = append(suffixes, "size="+shapeString(t.shape))
		}
		if t.dtype != Float32 {
			suffixes = append(suffixes, "dtype="+t.dtype.String())
		}
	} else {
		summarize := t.Numel() > printThreshold
		f := newFormatter(t, summarize)
		idx := make([]int, t.Dim())
		if t.Dim() == 0 {
			b.WriteString(f.format(t, idx))
		} else {
			f.writeAxis(&b, t, 0, idx, summarize, len(prefix))
		}
		if t.dtype == Float64 {
			suffixes = append(suffixes, "dtype=float64")
		}
	}
	if t.fn != nil {
		suffixes = append(suffixes, "grad_fn=<"+t.fn.name+"Backward>")
	} else if t.requiresGrad {
		suffixes = append(suffixes, "requires_grad=true")
	}
	// Suffixes go on the last line unless it would grow past the line
	// width (PyTorch's _add_suffixes, including its length arithmetic).
	s := b.String()
	lastLen := len(s) - strings.LastIndexByte(s, '\n') + 1
	for _, suf := range suffixes {
		if lastLen+len(suf)+2 > printLineWidth {
			b.WriteString(",\n")
			b.WriteString(strings.Repeat(" ", len(prefix)))
			b.WriteString(suf)
			lastLen = len(prefix) + len(suf)
		} else {
			b.WriteString(", ")
			b.WriteString(suf)
			lastLen += len(suf) + 2
		}
	}
	b.WriteString(")")
	return b.String()
}

// formatter decides how the elements of one tensor are written, from the
// elements that will be shown (PyTorch's _Formatter): integers as they
// are; floats that are all integral with a trailing point; floats in
// scientific notation when the shown non-zero finite magnitudes span more
// than a factor 1000, exceed 1e8 or (for non-integral values) go below
// 1e-4; otherwise with four decimals. Every element is right-aligned to
// the widest non-zero finite one.
type formatter struct {
	isFloat, intMode, sci bool
	width                 int
}

func newFormatter(t *Tensor, summarize bool) *formatter {
	f := &formatter{isFloat: t.dtype.IsFloat(), intMode: true, width: 1}
	idx := make([]int, t.Dim())
	if !f.isFloat {
		forShown(t, 0, idx, summarize, func(idx []int) {
			f.width = max(f.width, len(f.format(t, idx)))
		})
		return f
	}
	var nz []float64
	forShown(t, 0, idx, summarize, func(idx []int) {
		v := t.At(idx...)
		if v != 0 && !math.IsNaN(v) && !math.IsInf(v, 0) {
			nz = append(nz, v)
		}
	})
	if len(nz) == 0 {
		return f
	}
	lo, hi := math.Inf(1), 0.0
	for _, v := range nz {
		a := math.Abs(v)
		lo, hi = min(lo, a), max(hi, a)
		if v != math.Ceil(v) {
			f.intMode = false
		}
	}
	f.sci = hi/lo > 1000 || hi > 1e8 || (!f.intMode && lo < 1e-4)
	for _, v := range nz {
		f.width = max(f.width, len(f.formatFloat(v)))
	}
	return f
}

// forShown calls fn with the index of every element that String shows, in
// row-major order, starting at axis d.
func forShown(t *Tensor, d int, idx []int, summarize bool, fn func([]int)) {
	if d == t.Dim() {
		fn(idx)
		return
	}
	for _, i := range shownItems(t.shape[d], summarize) {
		if i >= 0 {
			idx[d] = i
			forShown(t, d+1, idx, summarize, fn)
		}
	}
}

// shownItems returns the indices shown along an axis of length n, with -1
// where "..." stands for the omitted middle.
func shownItems(n int, summarize bool) []int {
	var items []int
	if summarize && n > 2*printEdge {
		for i := 0; i < printEdge; i++ {
			items = append(items, i)
		}
		items = append(items, -1)
		for i := n - printEdge; i < n; i++ {
			items = append(items, i)
		}
		return items
	}
	for i := 0; i < n; i++ {
		items = append(items, i)
	}
	return items
}

// formatFloat formats v without padding.
func (f *formatter) formatFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case f.sci:
		return strconv.FormatFloat(v, 'e', printPrecision, 64)
	case f.intMode:
		return strconv.FormatFloat(v, 'f', 0, 64) + "."
	}
	return strconv.FormatFloat(v, 'f', printPrecision, 64)
}

// format returns the element of t at idx, right-aligned to the width.
func (f *formatter) format(t *Tensor, idx []int) string {
	var s string
	if f.isFloat {
		s = f.formatFloat(t.At(idx...))
	} else {
		s = strconv.FormatInt(t.st.i64[t.flatIndex("String", idx)], 10)
	}
	if n := f.width - len(s); n > 0 {
		s = strings.Repeat(" ", n) + s
	}
	return s
}

// writeAxis writes the sub-tensor of t at the fixed leading indices
// idx[:d], whose opening bracket is at column indent.
func (f *formatter) writeAxis(b *strings.Builder, t *Tensor, d int, idx []int, summarize bool, indent int) {
	items := shownItems(t.shape[d], summarize)
	b.WriteByte('[')
	if d == t.Dim()-1 {
		perLine := max(1, (printLineWidth-indent)/(f.width+2))
		for k, i := range items {
			if k > 0 {
				if k%perLine == 0 {
					b.WriteString(",\n")
					b.WriteString(strings.Repeat(" ", indent+1))
				} else {
					b.WriteString(", ")
				}
			}
			if i < 0 {
				b.WriteString(" ...")
				continue
			}
			idx[d] = i
			b.WriteString(f.format(t, idx))
		}
	} else {
		sep := "," + strings.Repeat("\n", t.Dim()-d-1) + strings.Repeat(" ", indent+1)
		for k, i := range items {
			if k > 0 {
				b.WriteString(sep)
			}
			if i < 0 {
				b.WriteString("...")
				continue
			}
			idx[d] = i
			f.writeAxis(b, t, d+1, idx, summarize, indent+1)
		}
	}
	b.WriteByte(']')
}
