package imagefolder_test

import (
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data/imagefolder"
)

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	writeImage(t, path, func(w io.Writer) error { return png.Encode(w, img) })
}

func writeJPEG(t *testing.T, path string, img image.Image) {
	t.Helper()
	writeImage(t, path, func(w io.Writer) error { return jpeg.Encode(w, img, &jpeg.Options{Quality: 100}) })
}

// writeImage creates path, and its directory, with the bytes encode writes.
func writeImage(t *testing.T, path string, encode func(io.Writer) error) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := encode(f); err != nil {
		t.Fatal(err)
	}
}

// rgb returns a 3×2 image: red, green, blue on the first row, white,
// black, (10, 20, 30) on the second.
func rgb() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	px := []color.NRGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {255, 255, 255, 255}, {0, 0, 0, 255}, {10, 20, 30, 255}}
	for i, c := range px {
		img.SetNRGBA(i%3, i/3, c)
	}
	return img
}

func uniform(w, h int, v uint8) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = v
	}
	return img
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "dog", "b.png"), uniform(3, 2, 51))
	writePNG(t, filepath.Join(dir, "cat", "a.png"), rgb())
	writeJPEG(t, filepath.Join(dir, "dog", "a.JPG"), uniform(3, 2, 128))
	// Ignored: a file at the top, a file of another type, hidden entries.
	os.WriteFile(filepath.Join(dir, "labels.txt"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "cat", "notes.txt"), []byte("x"), 0o644)
	writePNG(t, filepath.Join(dir, ".thumbs", "x.png"), uniform(1, 1, 0))
	writePNG(t, filepath.Join(dir, "cat", ".x.png"), uniform(1, 1, 0))

	ds, classes, err := imagefolder.Load(dir, imagefolder.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(classes, []string{"cat", "dog"}) {
		t.Fatalf("classes %v", classes)
	}
	if ds.Len() != 3 || !slices.Equal(ds.X().Shape(), []int{3, 3, 2, 3}) {
		t.Fatalf("%d images, x %v", ds.Len(), ds.X().Shape())
	}
	if got := ds.Y().Int64s(); !slices.Equal(got, []int64{0, 1, 1}) {
		t.Fatalf("labels %v", got)
	}
	x, _ := ds.Example(0)
	want := []float32{
		1, 0, 0, 1, 0, 10.0 / 255, // red plane
		0, 1, 0, 1, 0, 20.0 / 255, // green
		0, 0, 1, 1, 0, 30.0 / 255, // blue
	}
	if got := x.Float32s(); !slices.Equal(got, want) {
		t.Fatalf("cat/a.png = %v, want %v", got, want)
	}
	// dog/a.JPG comes before dog/b.png; JPEG is lossy.
	x, _ = ds.Example(1)
	for _, v := range x.Float32s() {
		if math.Abs(float64(v)-128.0/255) > 2.0/255 {
			t.Fatalf("dog/a.JPG = %v, want about 128/255", x.Float32s())
		}
	}
	x, _ = ds.Example(2)
	for _, v := range x.Float32s() {
		if v != 0.2 {
			t.Fatalf("dog/b.png = %v, want 51/255 = 0.2 everywhere", x.Float32s())
		}
	}
}

func TestGray(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "a", "rgb.png"), rgb())
	ds, _, err := imagefolder.Load(dir, imagefolder.Config{Gray: true})
	if err != nil {
		t.Fatal(err)
	}
	x, _ := ds.Example(0)
	if !slices.Equal(x.Shape(), []int{1, 2, 3}) {
		t.Fatalf("shape %v", x.Shape())
	}
	// ITU-R BT.601 luma: 0.299 R + 0.587 G + 0.114 B.
	want := []float64{0.299, 0.587, 0.114, 1, 0, (0.299*10 + 0.587*20 + 0.114*30) / 255}
	for i, v := range x.Float32s() {
		if math.Abs(float64(v)-want[i]) > 1e-4 {
			t.Fatalf("grey values %v, want %v", x.Float32s(), want)
		}
	}
}

func TestResize(t *testing.T) {
	dir := t.TempDir()
	// A 4×4 image whose pixel (x, y) is 10·y + x.
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	for y := range 4 {
		for x := range 4 {
			img.SetGray(x, y, color.Gray{uint8(10*y + x)})
		}
	}
	writePNG(t, filepath.Join(dir, "c", "big.png"), img)
	writePNG(t, filepath.Join(dir, "c", "small.png"), uniform(1, 1, 255))
	ds, _, err := imagefolder.Load(dir, imagefolder.Config{Size: [2]int{2, 2}, Gray: true})
	if err != nil {
		t.Fatal(err)
	}
	// Output pixel (i, j) of 2 takes source pixel (2i+1, 2j+1) of 4, the
	// one nearest its centre.
	x, _ := ds.Example(0)
	if got := x.Float32s(); !slices.Equal(got, []float32{11.0 / 255, 13.0 / 255, 31.0 / 255, 33.0 / 255}) {
		t.Fatalf("downscaled %v", got)
	}
	x, _ = ds.Example(1)
	if got := x.Float32s(); !slices.Equal(got, []float32{1, 1, 1, 1}) {
		t.Fatalf("upscaled %v", got)
	}
	// Upscaling 2×2 to 4×4 repeats each pixel twice in each direction.
	p := filepath.Join(t.TempDir(), "two.png")
	two := image.NewGray(image.Rect(0, 0, 2, 2))
	copy(two.Pix, []uint8{0, 51, 102, 255})
	writePNG(t, p, two)
	up, err := imagefolder.ReadImage(p, imagefolder.Config{Size: [2]int{4, 4}, Gray: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 0, 0.2, 0.2, 0, 0, 0.2, 0.2, 0.4, 0.4, 1, 1, 0.4, 0.4, 1, 1}
	if got := up.Float32s(); !slices.Equal(got, want) {
		t.Fatalf("upscaled %v, want %v", got, want)
	}
}

func TestReadImage(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.png")
	writePNG(t, p, rgb())
	x, err := imagefolder.ReadImage(p, imagefolder.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x.Shape(), []int{3, 2, 3}) || x.At(2, 0, 2) != 1 {
		t.Fatalf("image %v", x)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		cfg   imagefolder.Config
		want  string
	}{
		{"size", func(t *testing.T, dir string) {
			writePNG(t, filepath.Join(dir, "a", "1.png"), uniform(3, 2, 0))
			writePNG(t, filepath.Join(dir, "b", "2.png"), uniform(2, 3, 0))
		}, imagefolder.Config{}, "b/2.png: image of 2×3 pixels, but %DIR%/a/1.png has 3×2"},
		{"corrupt", func(t *testing.T, dir string) {
			writePNG(t, filepath.Join(dir, "a", "1.png"), uniform(3, 2, 0))
			os.WriteFile(filepath.Join(dir, "a", "2.png"), []byte("\x89PNG\r\n\x1a\nbroken"), 0o644)
		}, imagefolder.Config{}, "%DIR%/a/2.png: unexpected EOF"},
		{"not an image", func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(dir, "a"), 0o755)
			os.WriteFile(filepath.Join(dir, "a", "x.jpg"), []byte("hello"), 0o644)
		}, imagefolder.Config{}, "%DIR%/a/x.jpg: image: unknown format"},
		{"no classes", func(t *testing.T, dir string) {
			writePNG(t, filepath.Join(dir, "1.png"), uniform(3, 2, 0))
		}, imagefolder.Config{}, "no class subdirectories"},
		{"empty class", func(t *testing.T, dir string) {
			writePNG(t, filepath.Join(dir, "a", "1.png"), uniform(3, 2, 0))
			os.MkdirAll(filepath.Join(dir, "b"), 0o755)
		}, imagefolder.Config{}, "class directory b has no PNG or JPEG files"},
		{"bad size", func(t *testing.T, dir string) {}, imagefolder.Config{Size: [2]int{0, 3}}, "invalid size [0 3]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.setup(t, dir)
			_, _, err := imagefolder.Load(dir, c.cfg)
			want := strings.ReplaceAll(c.want, "%DIR%", dir)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want %q", err, want)
			}
		})
	}
	if _, _, err := imagefolder.Load(filepath.Join(t.TempDir(), "none"), imagefolder.Config{}); err == nil || !strings.Contains(err.Error(), "none") {
		t.Fatalf("missing directory: error %v", err)
	}
	if _, err := imagefolder.ReadImage(filepath.Join(t.TempDir(), "none.png"), imagefolder.Config{}); err == nil || !strings.Contains(err.Error(), "none.png") {
		t.Fatalf("missing file: error %v", err)
	}
}
