package data_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/tensor"
)

func TestNormalize(t *testing.T) {
	cases := []struct {
		name      string
		mean, std []float64
		x         *tensor.Tensor
		want      []float32
	}{
		{
			// Channel 0: (v − 1) / 2; channel 1: (v − 10) / 0.5.
			name: "per channel", mean: []float64{1, 10}, std: []float64{2, 0.5},
			x:    tensor.FromSlice([]float32{1, 3, 5, 7, 10, 11, 9, 12}, 2, 2, 2),
			want: []float32{0, 1, 2, 3, 0, 2, -2, 4},
		},
		{
			name: "one value for all", mean: []float64{0.5}, std: []float64{0.25},
			x:    tensor.FromSlice([]float32{0, 0.5, 1}, 3),
			want: []float32{-2, 0, 2},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y, err := data.Apply(data.Normalize(c.mean, c.std), c.x, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(y.Shape(), c.x.Shape()) {
				t.Fatalf("shape %v, want %v", y.Shape(), c.x.Shape())
			}
			got := y.Float32s()
			for i := range got {
				if math.Abs(float64(got[i]-c.want[i])) > 1e-6 {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
}

func TestTransformErrors(t *testing.T) {
	cases := []struct {
		name string
		tr   data.Transform
		in   []int
		want string
	}{
		{"normalize lengths", data.Normalize([]float64{1, 2}, []float64{1}), []int{2, 3}, "2 means and 1 standard deviations"},
		{"normalize std", data.Normalize([]float64{1}, []float64{0}), []int{3}, "standard deviation 0 is not positive"},
		{"normalize channels", data.Normalize([]float64{0, 0, 0}, []float64{1, 1, 1}), []int{1, 28, 28}, "3 channels given, example of shape [1 28 28]"},
		{"crop rank", data.RandomCrop(2, 1), []int{784}, "example of shape [784] has no height and width axes"},
		{"crop size", data.RandomCrop(9, 1), []int{1, 6, 7}, "9×9 crop larger than the padded 8×9 example"},
		{"crop params", data.RandomCrop(0, 1), []int{1, 6, 7}, "size 0 and padding 1"},
		{"flip p", data.RandomHorizontalFlip(1.5), []int{3}, "probability 1.5 outside [0, 1]"},
		{"flip scalar", data.RandomHorizontalFlip(0.5), nil, "scalar example"},
		{"chain", data.Compose(data.RandomHorizontalFlip(0.5), data.RandomCrop(2, 0)), []int{5}, "no height and width"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.tr.OutShape(c.in)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	if _, err := data.Apply(data.RandomHorizontalFlip(1), tensor.Zeros(tensor.Float64, 2), nil); err == nil ||
		!strings.Contains(err.Error(), "transforms need float32 inputs, got float64") {
		t.Fatalf("Apply on float64: error %v", err)
	}
}

// padded returns the example x of shape [P, h, w] (P planes) padded with
// pad zeros on every side of the last two axes, as [P][h+2pad][w+2pad].
func padded(x []float32, planes, h, w, pad int) [][][]float32 {
	out := make([][][]float32, planes)
	for p := range out {
		out[p] = make([][]float32, h+2*pad)
		for i := range out[p] {
			out[p][i] = make([]float32, w+2*pad)
			if i >= pad && i < pad+h {
				copy(out[p][i][pad:pad+w], x[p*h*w+(i-pad)*w:p*h*w+(i-pad+1)*w])
			}
		}
	}
	return out
}

// window returns the size×size window of padded at (top, left), flattened.
func window(pd [][][]float32, top, left, size int) []float32 {
	var out []float32
	for _, plane := range pd {
		for i := range size {
			out = append(out, plane[top+i][left:left+size]...)
		}
	}
	return out
}

func TestRandomCrop(t *testing.T) {
	cases := []struct {
		name         string
		shape        []int
		size, pad    int
		planes, h, w int
	}{
		{"chw", []int{2, 4, 5}, 4, 2, 2, 4, 5},
		{"hw", []int{3, 3}, 3, 1, 1, 3, 3},
		{"smaller", []int{1, 6, 6}, 3, 0, 1, 6, 6},
		{"no padding same size", []int{1, 3, 3}, 3, 0, 1, 3, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := seq(c.shape...).AddScalar(1) // distinct non-zero values
			pd := padded(x.Float32s(), c.planes, c.h, c.w, c.pad)
			tr := data.RandomCrop(c.size, c.pad)
			r := rand.New(rand.NewPCG(1, 2))
			tops, lefts := c.h+2*c.pad-c.size+1, c.w+2*c.pad-c.size+1
			seen := map[[2]int]int{}
			for range 400 {
				y, err := data.Apply(tr, x, r)
				if err != nil {
					t.Fatal(err)
				}
				want := append(append([]int(nil), c.shape[:len(c.shape)-2]...), c.size, c.size)
				if !slices.Equal(y.Shape(), want) {
					t.Fatalf("shape %v, want %v", y.Shape(), want)
				}
				got := y.Float32s()
				var match [][2]int
				for top := range tops {
					for left := range lefts {
						if slices.Equal(got, window(pd, top, left, c.size)) {
							match = append(match, [2]int{top, left})
						}
					}
				}
				if len(match) != 1 {
					t.Fatalf("output %v matches %d windows of the padded input, want 1", got, len(match))
				}
				seen[match[0]]++
			}
			if len(seen) != tops*lefts {
				t.Fatalf("saw %d of the %d crop positions: %v", len(seen), tops*lefts, seen)
			}
		})
	}
}

func TestRandomHorizontalFlip(t *testing.T) {
	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 1, 2, 3)
	flipped := []float32{3, 2, 1, 6, 5, 4}
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		p    float64
		want []float32
	}{{1, flipped}, {0, x.Float32s()}} {
		for range 20 {
			y, err := data.Apply(data.RandomHorizontalFlip(c.p), x, r)
			if err != nil {
				t.Fatal(err)
			}
			if got := y.Float32s(); !slices.Equal(got, c.want) {
				t.Fatalf("p=%v: got %v, want %v", c.p, got, c.want)
			}
		}
	}
	// With p = 0.3, 2000 draws flip 600 ± 5σ (σ ≈ 20.5) times.
	n := 0
	for range 2000 {
		y, _ := data.Apply(data.RandomHorizontalFlip(0.3), x, r)
		if slices.Equal(y.Float32s(), flipped) {
			n++
		}
	}
	if n < 600-103 || n > 600+103 {
		t.Fatalf("flipped %d of 2000 times with p = 0.3", n)
	}
}

func TestCompose(t *testing.T) {
	// Normalize with mean 1, std 2, then flip: [1 3 5] → [0 1 2] → [2 1 0].
	c := data.Compose(data.Normalize([]float64{1}, []float64{2}), data.Compose(data.RandomHorizontalFlip(1)))
	if len(c) != 2 {
		t.Fatalf("Compose did not flatten: %d steps", len(c))
	}
	y, err := data.Apply(c, tensor.FromSlice([]float32{1, 3, 5}), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got := y.Float32s(); !slices.Equal(got, []float32{2, 1, 0}) {
		t.Fatalf("got %v, want [2 1 0]", got)
	}
	shape, err := data.Compose(data.RandomCrop(2, 0), data.RandomHorizontalFlip(0.5)).OutShape([]int{3, 4, 4})
	if err != nil || !slices.Equal(shape, []int{3, 2, 2}) {
		t.Fatalf("OutShape %v, %v; want [3 2 2]", shape, err)
	}
}

func TestApplyBatch(t *testing.T) {
	// Each example is transformed in turn with the same source: the result
	// equals applying the transform to each example with a source seeded
	// the same way.
	x := seq(4, 1, 3, 3)
	tr := data.Compose(data.RandomCrop(3, 1), data.RandomHorizontalFlip(0.5))
	y, err := data.ApplyBatch(tr, x, rand.New(rand.NewPCG(9, 9)))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 9))
	for k := range 4 {
		xk := x.Narrow(0, k, 1).Reshape(1, 3, 3)
		want, err := data.Apply(tr, xk, r)
		if err != nil {
			t.Fatal(err)
		}
		if got := y.Narrow(0, k, 1).Reshape(1, 3, 3); !tensor.Equal(got, want) {
			t.Fatalf("example %d: got %v, want %v", k, got, want)
		}
	}
	if _, err := data.ApplyBatch(tr, tensor.Scalar(1, tensor.Float32), nil); err == nil {
		t.Fatal("ApplyBatch on a scalar: no error")
	}
}
