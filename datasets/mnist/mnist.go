// Package mnist provides the MNIST database of handwritten digits, embedded
// in the binary: 60,000 training and 10,000 test images of 28×28 grey
// pixels, each labelled with its digit 0–9.
//
// The data are the original IDX files of the MNIST database by Yann LeCun,
// Corinna Cortes and Christopher J.C. Burges, licensed under CC BY-SA 3.0;
// see the NOTICE file in this directory.
//
// Load decodes them into datasets whose inputs read as Float32 [1, 28, 28]
// images with pixels in [0, 1] (0 is the white background) and whose
// targets are Int64 class indices. The pixels are stored as bytes and
// converted as examples and batches are read (see data.Uint8Dataset), so
// the training set takes 47 MB of memory instead of the 188 MB of Float32
// pixels. A flat view for multilayer perceptrons costs no copy:
//
//	train, test, err := mnist.Load()
//	flat := train.ReshapeX(784) // inputs [784]
package mnist

import (
	"bytes"
	_ "embed" // the data files
	"fmt"
	"sync"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/data/idx"
)

// The shape of the data.
const (
	TrainLen = 60000 // examples in the training set
	TestLen  = 10000 // examples in the test set
	Height   = 28    // image rows
	Width    = 28    // image columns
	Classes  = 10    // the digits 0–9
)

var (
	//go:embed train-images-idx3-ubyte.gz
	trainImages []byte
	//go:embed train-labels-idx1-ubyte.gz
	trainLabels []byte
	//go:embed t10k-images-idx3-ubyte.gz
	testImages []byte
	//go:embed t10k-labels-idx1-ubyte.gz
	testLabels []byte
)

// file is one embedded file and its name.
type file struct {
	name string
	gz   []byte
}

// Load decodes the embedded training and test sets. Each call returns new
// datasets; they are read-only and safe for concurrent use.
func Load() (train, test *data.Uint8Dataset, err error) {
	sets, err := load([][2]file{
		{{"train-images-idx3-ubyte.gz", trainImages}, {"train-labels-idx1-ubyte.gz", trainLabels}},
		{{"t10k-images-idx3-ubyte.gz", testImages}, {"t10k-labels-idx1-ubyte.gz", testLabels}},
	})
	if err != nil {
		return nil, nil, err
	}
	return sets[0], sets[1], nil
}

// Train decodes the embedded training set only.
func Train() (*data.Uint8Dataset, error) {
	sets, err := load([][2]file{{{"train-images-idx3-ubyte.gz", trainImages}, {"train-labels-idx1-ubyte.gz", trainLabels}}})
	if err != nil {
		return nil, err
	}
	return sets[0], nil
}

// Test decodes the embedded test set only.
func Test() (*data.Uint8Dataset, error) {
	sets, err := load([][2]file{{{"t10k-images-idx3-ubyte.gz", testImages}, {"t10k-labels-idx1-ubyte.gz", testLabels}}})
	if err != nil {
		return nil, err
	}
	return sets[0], nil
}

// load decodes image and label files concurrently and pairs them.
func load(pairs [][2]file) ([]*data.Uint8Dataset, error) {
	decoded := make([][2]*idx.File, len(pairs))
	errs := make([][2]error, len(pairs))
	var wg sync.WaitGroup
	for p, pair := range pairs {
		for k, f := range pair {
			wg.Go(func() {
				d, err := idx.Decode(bytes.NewReader(f.gz))
				if err != nil {
					err = fmt.Errorf("mnist: %s: %w", f.name, err)
				}
				decoded[p][k], errs[p][k] = d, err
			})
		}
	}
	wg.Wait()
	out := make([]*data.Uint8Dataset, len(pairs))
	for p, pair := range pairs {
		for _, err := range errs[p] {
			if err != nil {
				return nil, err
			}
		}
		ds, err := idx.NewUint8Dataset(decoded[p][0], decoded[p][1])
		if err != nil {
			return nil, fmt.Errorf("mnist: %s and %s: %w", pair[0].name, pair[1].name, err)
		}
		out[p] = ds
	}
	return out, nil
}
