package mnist_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/datasets/mnist"
	"github.com/backprop-go/backprop/tensor"
)

func TestLoad(t *testing.T) {
	train, test, err := mnist.Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		set   *data.Uint8Dataset
		n     int
		first []int64
		// The number of examples of each digit, as published with the
		// database.
		hist []int
		// The pixel mean and standard deviation: torchvision's MNIST
		// normalization uses 0.1307 and 0.3081 from the training set; the
		// test set's are usually quoted as 0.1325 and 0.3105.
		mean, std float64
	}{
		{"train", train, mnist.TrainLen, []int64{5, 0, 4, 1, 9, 2, 1, 3, 1, 4},
			[]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, 0.1307, 0.3081},
		{"test", test, mnist.TestLen, []int64{7, 2, 1, 0, 4, 1, 4, 9, 5, 9},
			[]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, 0.1325, 0.3105},
	}
	for _, c := range cases {
		set := c.set
		t.Run(c.name, func(t *testing.T) {
			if set.Len() != c.n {
				t.Fatalf("%d examples, want %d", set.Len(), c.n)
			}
			x, _ := set.Example(0)
			if got := x.Shape(); !slices.Equal(got, []int{1, mnist.Height, mnist.Width}) || x.DType() != tensor.Float32 {
				t.Fatalf("images of dtype %v and shape %v, want float32 [1 %d %d]", x.DType(), got, mnist.Height, mnist.Width)
			}
			if got, want := len(set.Bytes()), c.n*mnist.Height*mnist.Width; got != want {
				t.Fatalf("%d bytes of pixels, want %d", got, want)
			}
			y := set.Y().Int64s()
			if !slices.Equal(y[:10], c.first) {
				t.Fatalf("first labels %v, want %v", y[:10], c.first)
			}
			hist := make([]int, mnist.Classes)
			for _, v := range y {
				hist[v]++
			}
			if !slices.Equal(hist, c.hist) {
				t.Fatalf("label counts %v, want %v", hist, c.hist)
			}
			// The pixels as the Loader reads them, in batches of 1000.
			var sum, sq float64
			lo, hi := float32(1), float32(0)
			const bs = 1000
			idx := make([]int, bs)
			bx, by := tensor.Zeros(tensor.Float32, bs, 1, mnist.Height, mnist.Width), tensor.Zeros(tensor.Int64, bs)
			for start := 0; start < c.n; start += bs {
				for k := range idx {
					idx[k] = start + k
				}
				set.Batch(idx, bx, by)
				if !slices.Equal(by.Int64s(), y[start:start+bs]) {
					t.Fatalf("Batch at %d: labels differ from Y()", start)
				}
				for _, v := range bx.RawFloat32() {
					sum += float64(v)
					sq += float64(v) * float64(v)
					lo, hi = min(lo, v), max(hi, v)
				}
			}
			count := float64(c.n * mnist.Height * mnist.Width)
			mean := sum / count
			std := math.Sqrt(sq/count - mean*mean)
			if lo != 0 || hi != 1 {
				t.Fatalf("pixels in [%v, %v], want [0, 1]", lo, hi)
			}
			if math.Abs(mean-c.mean) > 5e-4 || math.Abs(std-c.std) > 5e-4 {
				t.Fatalf("pixel mean %.4f std %.4f, want %.4f and %.4f", mean, std, c.mean, c.std)
			}
		})
	}
}

func TestTrainTestAlone(t *testing.T) {
	test, err := mnist.Test()
	if err != nil {
		t.Fatal(err)
	}
	if test.Len() != mnist.TestLen {
		t.Fatalf("Test: %d examples", test.Len())
	}
	if testing.Short() {
		return
	}
	train, err := mnist.Train()
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != mnist.TrainLen {
		t.Fatalf("Train: %d examples", train.Len())
	}
	// The flat view shares the images.
	x, _ := train.ReshapeX(784).Example(0)
	img, _ := train.Example(0)
	if !slices.Equal(x.Float32s(), img.Float32s()) || x.Dim() != 1 {
		t.Fatalf("flat view differs")
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, _, err := mnist.Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func Example() {
	train, test, err := mnist.Load()
	if err != nil {
		fmt.Println(err)
		return
	}
	x, y := train.Example(0)
	fmt.Println(train.Len(), test.Len(), x.Shape(), y.Item())
	// Output: 60000 10000 [1 28 28] 5
}
