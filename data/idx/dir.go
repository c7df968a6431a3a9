package idx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/tensor"
)

// NewDataset returns the dataset of the images and labels of an IDX pair,
// as LoadDir builds it: images of shape [N, H, W] become Float32
// [N, 1, H, W] (other shapes [N, ...] keep theirs), unsigned bytes scaled
// to [0, 1] and other types unscaled; labels must be a 1-dimensional file
// of non-negative integers, one per image, and become Int64 [N].
func NewDataset(images, labels *File) (*data.TensorDataset, error) {
	y, err := checkPair(images, labels)
	if err != nil {
		return nil, err
	}
	scale := 1.0
	if images.Type == UByte {
		scale = 1.0 / 255
	}
	x := images.Float32(scale)
	if len(images.Dims) == 3 {
		x = x.Unsqueeze(1)
	}
	return data.NewTensorDataset(x, y)
}

// NewUint8Dataset returns the dataset of the images and labels of an IDX
// pair with the images kept as bytes, a quarter of the memory NewDataset
// takes: its examples are those of NewDataset, bit for bit. The images
// must be of type UByte; they are read as Float32 pixel/255, in examples of
// shape [1, H, W] for images of shape [N, H, W] (other shapes [N, ...]
// give examples of shape [...]). The dataset uses images.Data without
// copying it. The labels are checked and converted as by NewDataset.
func NewUint8Dataset(images, labels *File) (*data.Uint8Dataset, error) {
	if images.Type != UByte {
		return nil, fmt.Errorf("images have type %s, want unsigned byte", images.Type)
	}
	y, err := checkPair(images, labels)
	if err != nil {
		return nil, err
	}
	shape := images.Dims[1:]
	if len(images.Dims) == 3 {
		shape = []int{1, images.Dims[1], images.Dims[2]}
	}
	return data.NewUint8Dataset(images.Data, shape, y, 1.0/255)
}

// checkPair checks that images has a first axis of examples and labels
// holds one non-negative integer per image, and returns the labels as an
// Int64 [N] tensor.
func checkPair(images, labels *File) (*tensor.Tensor, error) {
	if len(images.Dims) < 2 {
		return nil, fmt.Errorf("images have dimensions %v, want [N, ...] with at least 2", images.Dims)
	}
	if len(labels.Dims) != 1 {
		return nil, fmt.Errorf("labels have dimensions %v, want [N]", labels.Dims)
	}
	if !labels.Type.IsInteger() {
		return nil, fmt.Errorf("labels have type %s, want an integer type", labels.Type)
	}
	if images.Dims[0] != labels.Dims[0] {
		return nil, fmt.Errorf("%d images but %d labels", images.Dims[0], labels.Dims[0])
	}
	y := labels.Tensor()
	for i, v := range y.RawInt64() {
		if v < 0 {
			return nil, fmt.Errorf("label %d is negative (%d)", i, v)
		}
	}
	return y, nil
}

// The file names LoadDir looks for, in order of preference, each also with
// a ".gz" suffix.
var (
	trainNames = [2][]string{
		{"train-images-idx3-ubyte", "train-images.idx3-ubyte"},
		{"train-labels-idx1-ubyte", "train-labels.idx1-ubyte"},
	}
	testNames = [2][]string{
		{"t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte", "test-images-idx3-ubyte", "test-images.idx3-ubyte"},
		{"t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte", "test-labels-idx1-ubyte", "test-labels.idx1-ubyte"},
	}
)

// LoadDir loads an MNIST-style directory: train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte, each possibly gzipped (a ".gz" suffix) and with
// "test" for "t10k" or ".idx" for "-idx". It returns the training and test
// datasets built by NewDataset. Errors name the file concerned.
func LoadDir(dir string) (train, test *data.TensorDataset, err error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("idx: %w", err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("idx: %s is not a directory", dir)
	}
	var paths [4]string
	for k, names := range [4][]string{trainNames[0], trainNames[1], testNames[0], testNames[1]} {
		if paths[k], err = find(dir, names); err != nil {
			return nil, nil, err
		}
	}
	var files [4]*File
	var errs [4]error
	var wg sync.WaitGroup
	for k, p := range paths {
		wg.Go(func() { files[k], errs[k] = decodeFile(p) })
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return nil, nil, err
	}
	if train, err = NewDataset(files[0], files[1]); err != nil {
		return nil, nil, fmt.Errorf("idx: %s and %s: %w", paths[0], paths[1], err)
	}
	if test, err = NewDataset(files[2], files[3]); err != nil {
		return nil, nil, fmt.Errorf("idx: %s and %s: %w", paths[2], paths[3], err)
	}
	if !slices.Equal(train.X().Shape()[1:], test.X().Shape()[1:]) {
		return nil, nil, fmt.Errorf("idx: %s has images of shape %v but %s has %v", paths[0], train.X().Shape()[1:], paths[2], test.X().Shape()[1:])
	}
	return train, test, nil
}

// find returns the path of the first of names (or of its ".gz" variant)
// that exists in dir.
func find(dir string, names []string) (string, error) {
	for _, n := range names {
		for _, cand := range []string{n, n + ".gz"} {
			p := filepath.Join(dir, cand)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			} else if !errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("idx: %w", err)
			}
		}
	}
	return "", fmt.Errorf("idx: %s: no file %s (or %s)", dir, names[0]+"[.gz]", strings.Join(names[1:], ", "))
}
