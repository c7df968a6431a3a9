package data

import (
	"fmt"
	"math/rand/v2"

	"github.com/backprop-go/backprop/tensor"
)

// Transform changes the input of one example, such as an image of shape
// [C, H, W]. Transforms work on the float32 elements of the example in
// row-major order, so that the Loader can apply them to the rows of a batch
// without allocating.
type Transform interface {
	// OutShape returns the shape of a transformed example whose input
	// shape is in, or an error if the transform does not apply to it (or
	// its parameters are invalid).
	OutShape(in []int) ([]int, error)

	// Apply writes the transform of src, an example of shape in, into dst,
	// which has the length of OutShape(in). dst and src do not overlap.
	// Random transforms draw from r (which the Loader seeds by seed, epoch
	// and example index); others ignore it. Apply must be safe for
	// concurrent use and should not allocate.
	Apply(dst, src []float32, in []int, r *rand.Rand)
}

// Apply returns the transform of the Float32 example x (a single example,
// such as [C, H, W]), drawing randomness from r.
func Apply(t Transform, x *tensor.Tensor, r *rand.Rand) (*tensor.Tensor, error) {
	if x.DType() != tensor.Float32 {
		return nil, fmt.Errorf("data: transforms need float32 inputs, got %v", x.DType())
	}
	in := x.Shape()
	out, err := t.OutShape(in)
	if err != nil {
		return nil, err
	}
	y := tensor.Zeros(tensor.Float32, out...)
	t.Apply(y.RawFloat32(), x.Contiguous().RawFloat32(), in, r)
	return y, nil
}

// ApplyBatch returns the transform of each example of the Float32 batch x
// (whose first axis indexes the examples), in order, drawing randomness from
// r.
func ApplyBatch(t Transform, x *tensor.Tensor, r *rand.Rand) (*tensor.Tensor, error) {
	if x.DType() != tensor.Float32 {
		return nil, fmt.Errorf("data: transforms need float32 inputs, got %v", x.DType())
	}
	if x.Dim() == 0 {
		return nil, fmt.Errorf("data: ApplyBatch needs a batch axis, got a scalar")
	}
	shape := x.Shape()
	n, in := shape[0], shape[1:]
	out, err := t.OutShape(in)
	if err != nil {
		return nil, err
	}
	y := tensor.Zeros(tensor.Float32, append([]int{n}, out...)...)
	src, dst := x.Contiguous().RawFloat32(), y.RawFloat32()
	ni, no := tensor.Numel(in), tensor.Numel(out)
	for k := range n {
		t.Apply(dst[k*no:(k+1)*no], src[k*ni:(k+1)*ni], in, r)
	}
	return y, nil
}

// normalize is the transform returned by Normalize.
type normalize struct{ mean, std []float64 }

// Normalize returns the transform x ↦ (x − mean[c]) / std[c] over the
// channels c, the first axis of the example (as torchvision's Normalize).
// With one mean and one std the same values apply to every element,
// whatever the shape. std values must be positive.
func Normalize(mean, std []float64) Transform {
	return &normalize{mean: append([]float64(nil), mean...), std: append([]float64(nil), std...)}
}

func (t *normalize) OutShape(in []int) ([]int, error) {
	if len(t.mean) == 0 || len(t.mean) != len(t.std) {
		return nil, fmt.Errorf("data: Normalize: %d means and %d standard deviations", len(t.mean), len(t.std))
	}
	for _, s := range t.std {
		if !(s > 0) {
			return nil, fmt.Errorf("data: Normalize: standard deviation %v is not positive", s)
		}
	}
	if len(t.mean) > 1 && (len(in) == 0 || in[0] != len(t.mean)) {
		return nil, fmt.Errorf("data: Normalize: %d channels given, example of shape %v", len(t.mean), in)
	}
	return append([]int(nil), in...), nil
}

func (t *normalize) Apply(dst, src []float32, in []int, _ *rand.Rand) {
	c := len(t.mean)
	per := len(src) / c
	for ch := range c {
		scale := 1 / t.std[ch]
		a, b := float32(scale), float32(-t.mean[ch]*scale)
		d, s := dst[ch*per:(ch+1)*per], src[ch*per:(ch+1)*per]
		for i, v := range s {
			d[i] = v*a + b
		}
	}
}

// randomCrop is the transform returned by RandomCrop.
type randomCrop struct{ size, pad int }

// RandomCrop returns the transform that pads the last two axes (height and
// width) of an example with pad zeros on every side and then cuts out a
// size×size window at a position drawn uniformly from r (as torchvision's
// RandomCrop(size, padding=pad)). The examples need at least two axes and
// padded sides of at least size.
func RandomCrop(size, pad int) Transform { return &randomCrop{size: size, pad: pad} }

func (t *randomCrop) OutShape(in []int) ([]int, error) {
	if t.size <= 0 || t.pad < 0 {
		return nil, fmt.Errorf("data: RandomCrop: size %d and padding %d must be positive and non-negative", t.size, t.pad)
	}
	if len(in) < 2 {
		return nil, fmt.Errorf("data: RandomCrop: example of shape %v has no height and width axes", in)
	}
	h, w := in[len(in)-2], in[len(in)-1]
	if h+2*t.pad < t.size || w+2*t.pad < t.size {
		return nil, fmt.Errorf("data: RandomCrop: %d×%d crop larger than the padded %d×%d example", t.size, t.size, h+2*t.pad, w+2*t.pad)
	}
	out := append([]int(nil), in...)
	out[len(out)-2], out[len(out)-1] = t.size, t.size
	return out, nil
}

func (t *randomCrop) Apply(dst, src []float32, in []int, r *rand.Rand) {
	h, w := in[len(in)-2], in[len(in)-1]
	// The window's top-left corner in padded coordinates.
	top := r.IntN(h + 2*t.pad - t.size + 1)
	left := r.IntN(w + 2*t.pad - t.size + 1)
	// Source rows and columns of the window's first row and column.
	y0, x0 := top-t.pad, left-t.pad
	// The window columns [c0, c1) fall inside the source.
	c0, c1 := max(0, -x0), min(t.size, w-x0)
	planes := len(src) / (h * w)
	s := t.size
	for p := range planes {
		sp, dp := src[p*h*w:(p+1)*h*w], dst[p*s*s:(p+1)*s*s]
		for i := range s {
			row := dp[i*s : (i+1)*s]
			y := y0 + i
			if y < 0 || y >= h || c0 >= c1 {
				clear(row)
				continue
			}
			clear(row[:c0])
			copy(row[c0:c1], sp[y*w+x0+c0:y*w+x0+c1])
			clear(row[c1:])
		}
	}
}

// horizontalFlip is the transform returned by RandomHorizontalFlip.
type horizontalFlip struct{ p float64 }

// RandomHorizontalFlip returns the transform that reverses the last axis
// (the width of an image) with probability p, drawing one number from r
// for every example.
func RandomHorizontalFlip(p float64) Transform { return &horizontalFlip{p: p} }

func (t *horizontalFlip) OutShape(in []int) ([]int, error) {
	if !(t.p >= 0 && t.p <= 1) {
		return nil, fmt.Errorf("data: RandomHorizontalFlip: probability %v outside [0, 1]", t.p)
	}
	if len(in) < 1 {
		return nil, fmt.Errorf("data: RandomHorizontalFlip: scalar example has no width axis")
	}
	return append([]int(nil), in...), nil
}

func (t *horizontalFlip) Apply(dst, src []float32, in []int, r *rand.Rand) {
	if r.Float64() >= t.p {
		copy(dst, src)
		return
	}
	w := in[len(in)-1]
	if w == 0 {
		return
	}
	for o := 0; o < len(src); o += w {
		s, d := src[o:o+w], dst[o:o+w]
		for i, v := range s {
			d[w-1-i] = v
		}
	}
}

// Chain is a sequence of transforms applied one after the other; Compose
// returns one.
type Chain []Transform

// Compose returns the transform that applies ts in order. The Loader runs
// the steps of a Chain with its own scratch buffers; Chain's Apply
// allocates its intermediate results.
func Compose(ts ...Transform) Chain {
	var c Chain
	for _, t := range ts {
		if sub, ok := t.(Chain); ok {
			c = append(c, sub...)
		} else {
			c = append(c, t)
		}
	}
	return c
}

// OutShape returns the shape after every step, or the first step's error.
func (c Chain) OutShape(in []int) ([]int, error) {
	s := append([]int(nil), in...)
	for _, t := range c {
		var err error
		if s, err = t.OutShape(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Apply applies the steps in order, allocating the intermediate results.
func (c Chain) Apply(dst, src []float32, in []int, r *rand.Rand) {
	if len(c) == 0 {
		copy(dst, src)
		return
	}
	shape := in
	cur := src
	for i, t := range c {
		out, err := t.OutShape(shape)
		if err != nil {
			panic(err)
		}
		next := dst
		if i < len(c)-1 {
			next = make([]float32, tensor.Numel(out))
		}
		t.Apply(next, cur, shape, r)
		cur, shape = next, out
	}
}
