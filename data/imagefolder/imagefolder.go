// Package imagefolder loads a directory of images with one subdirectory per
// class, as torchvision's ImageFolder:
//
//	dir/cat/001.png
//	dir/cat/002.jpg
//	dir/dog/001.png
//
// The class names are the subdirectory names, sorted; their positions are
// the class indices. PNG and JPEG files are decoded with the standard
// library; other files are ignored. Images become Float32 tensors of shape
// [C, H, W] (C is 3 for RGB, 1 for grey) with values in [0, 1];
// transparent pixels are composed over black.
package imagefolder

import (
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // JPEG decoder
	_ "image/png"  // PNG decoder
	"os"
	"path/filepath"
	"strings"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/tensor"
)

// Config says how to convert the images.
type Config struct {
	// Size, when not zero, is the [height, width] every image is resized
	// to (nearest neighbour). When zero, every image must have the size of
	// the first one.
	Size [2]int

	// Gray converts the images to one grey channel (ITU-R BT.601 luma, as
	// image/color.GrayModel); otherwise they have 3 RGB channels.
	Gray bool
}

// channels returns the number of channels of the converted images.
func (c Config) channels() int {
	if c.Gray {
		return 1
	}
	return 3
}

// isImage reports whether name has a PNG or JPEG extension.
func isImage(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// Load reads every PNG and JPEG file in the subdirectories of dir and
// returns them as a dataset of Float32 [C, H, W] inputs and Int64 class
// indices, in order of class and then file name, with the class names.
// Files directly in dir, files with other extensions and names starting
// with a dot are ignored. It returns an error naming the file for an image
// that cannot be decoded or has the wrong size, and an error when there is
// no class or a class has no image.
func Load(dir string, cfg Config) (*data.TensorDataset, []string, error) {
	if err := cfg.check(); err != nil {
		return nil, nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("imagefolder: %w", err)
	}
	var classes []string
	var files []string
	var labels []int64
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		items, err := os.ReadDir(sub)
		if err != nil {
			return nil, nil, fmt.Errorf("imagefolder: %w", err)
		}
		k := int64(len(classes))
		classes = append(classes, e.Name())
		n := len(files)
		for _, it := range items {
			if !it.IsDir() && isImage(it.Name()) && !strings.HasPrefix(it.Name(), ".") {
				files = append(files, filepath.Join(sub, it.Name()))
				labels = append(labels, k)
			}
		}
		if len(files) == n {
			return nil, nil, fmt.Errorf("imagefolder: %s: class directory %s has no PNG or JPEG files", dir, e.Name())
		}
	}
	if len(classes) == 0 {
		return nil, nil, fmt.Errorf("imagefolder: %s: no class subdirectories", dir)
	}
	resize := cfg.Size != [2]int{}
	var x *tensor.Tensor
	var per int
	for i, p := range files {
		img, err := decode(p)
		if err != nil {
			return nil, nil, err
		}
		b := img.Bounds()
		if x == nil {
			if !resize {
				cfg.Size = [2]int{b.Dy(), b.Dx()}
			}
			x = tensor.Zeros(tensor.Float32, len(files), cfg.channels(), cfg.Size[0], cfg.Size[1])
			per = cfg.channels() * cfg.Size[0] * cfg.Size[1]
		} else if !resize && (b.Dy() != cfg.Size[0] || b.Dx() != cfg.Size[1]) {
			return nil, nil, fmt.Errorf("imagefolder: %s: image of %d×%d pixels, but %s has %d×%d (set a size to resize them all)",
				p, b.Dx(), b.Dy(), files[0], cfg.Size[1], cfg.Size[0])
		}
		convert(x.RawFloat32()[i*per:(i+1)*per], img, cfg)
	}
	ds, err := data.NewTensorDataset(x, tensor.FromSlice(labels))
	if err != nil {
		return nil, nil, fmt.Errorf("imagefolder: %w", err)
	}
	return ds, classes, nil
}

// ReadImage reads one PNG or JPEG file and returns it as a Float32
// [C, H, W] tensor with values in [0, 1], converted as Load converts the
// images of a folder (with cfg.Size zero, the image keeps its size).
func ReadImage(path string, cfg Config) (*tensor.Tensor, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	img, err := decode(path)
	if err != nil {
		return nil, err
	}
	if cfg.Size == [2]int{} {
		b := img.Bounds()
		cfg.Size = [2]int{b.Dy(), b.Dx()}
	}
	x := tensor.Zeros(tensor.Float32, cfg.channels(), cfg.Size[0], cfg.Size[1])
	convert(x.RawFloat32(), img, cfg)
	return x, nil
}

func (c Config) check() error {
	if c.Size[0] < 0 || c.Size[1] < 0 || (c.Size[0] == 0) != (c.Size[1] == 0) {
		return fmt.Errorf("imagefolder: invalid size %v: want a positive height and width, or both zero", c.Size)
	}
	return nil
}

// decode decodes the image file at path.
func decode(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("imagefolder: %w", err)
	}
	defer f.Close()
	img, format, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("imagefolder: %s: %w", path, err)
	}
	if b := img.Bounds(); b.Empty() {
		return nil, fmt.Errorf("imagefolder: %s: empty %s image", path, format)
	}
	return img, nil
}

// convert writes img into dst as [C, H, W] values in [0, 1], resized to
// cfg.Size: each pixel takes the value of the source pixel nearest to its
// centre.
func convert(dst []float32, img image.Image, cfg Config) {
	b := img.Bounds()
	h, w := cfg.Size[0], cfg.Size[1]
	plane := h * w
	for i := range h {
		sy := b.Min.Y + (2*i+1)*b.Dy()/(2*h) // the source row nearest to row i's centre
		for j := range w {
			sx := b.Min.X + (2*j+1)*b.Dx()/(2*w)
			c := img.At(sx, sy)
			if cfg.Gray {
				g := color.Gray16Model.Convert(c).(color.Gray16)
				dst[i*w+j] = float32(g.Y) / 0xffff
				continue
			}
			r, gr, bl, _ := c.RGBA()
			dst[i*w+j] = float32(r) / 0xffff
			dst[plane+i*w+j] = float32(gr) / 0xffff
			dst[2*plane+i*w+j] = float32(bl) / 0xffff
		}
	}
}
