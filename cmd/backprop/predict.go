package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/backprop-go/backprop/data/csv"
	"github.com/backprop-go/backprop/data/imagefolder"
	"github.com/backprop-go/backprop/tensor"
)

const predictExamples = `  backprop predict --checkpoint runs/mnist/best.safetensors digit.png
  backprop predict --checkpoint runs/photos/best.safetensors --top 1 cat.jpg dog.jpg
  backprop predict --checkpoint runs/iris/best.safetensors new-flowers.csv
`

const predictSynopsis = `predict --checkpoint FILE [flags] INPUT...

Classifies inputs with a checkpoint written by backprop train. An input is
an image file (PNG, JPEG) for a model trained on images, MNIST or an IDX
directory of grey images (the image is converted to the trained size and
channels; MNIST digits are white on black), or a CSV file whose rows hold
the features of the training data (found by column name; the target
column may be absent).

Each example gets one line: the input (FILE, or FILE:LINE for a CSV row),
the predicted class, its probability, and the next most likely classes
with theirs, separated by tabs.
`

func cmdPredict(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("predict", predictSynopsis, predictExamples, stdout)
	ckpt := fs.String("checkpoint", "", "checkpoint written by backprop train (required)")
	top := fs.Int("top", 3, "number of most likely classes to print per input")
	inputs, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *ckpt == "" {
		return usagef("predict: --checkpoint FILE is required")
	}
	if len(inputs) == 0 {
		return usagef("predict: no input files given (image files or a CSV file)")
	}
	if *top < 1 {
		return usagef("--top must be at least 1, got %d", *top)
	}
	tm, err := loadTrained(*ckpt)
	if err != nil {
		return err
	}
	names := tm.info.classNames()
	k := min(*top, len(names))
	for _, path := range inputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		labels, x, err := predictInputs(tm, path)
		if err != nil {
			return err
		}
		var probs *tensor.Tensor
		if err := tensor.Try(func() { probs = tm.model.Forward(x.NoGrad()).Softmax(1) }); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		p := probs.Float64s()
		n := len(names)
		for i, label := range labels {
			row := p[i*n : (i+1)*n]
			order := make([]int, n)
			for j := range order {
				order[j] = j
			}
			sort.SliceStable(order, func(a, b int) bool { return row[order[a]] > row[order[b]] })
			var alts []string
			for _, j := range order[1:k] {
				alts = append(alts, fmt.Sprintf("%s %.4f", names[j], row[j]))
			}
			fmt.Fprintf(stdout, "%s\t%s\t%.4f", label, names[order[0]], row[order[0]])
			if len(alts) > 0 {
				fmt.Fprintf(stdout, "\t(%s)", strings.Join(alts, ", "))
			}
			fmt.Fprintln(stdout)
		}
	}
	return nil
}

// predictInputs reads one input file as a batch for tm, with a label for
// each example ("file" for an image, "file:LINE" for a CSV row).
func predictInputs(tm *trained, path string) ([]string, *tensor.Tensor, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		if tm.info.Schema == nil {
			return nil, nil, fmt.Errorf("%s: the model was trained on %s data, not CSV rows", path, tm.info.Kind)
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		x, err := csv.ReadFeatures(f, path, csv.Config{Schema: tm.info.Schema})
		if err != nil {
			return nil, nil, err
		}
		labels := make([]string, x.Size(0))
		for i := range labels {
			labels[i] = fmt.Sprintf("%s:%d", path, i+2) // line numbers after the header
		}
		return labels, x, nil
	case ".png", ".jpg", ".jpeg":
		var cfg imagefolder.Config
		switch tm.info.Kind {
		case "images":
			cfg = imagefolder.Config{Size: [2]int{tm.info.Image.Height, tm.info.Image.Width}, Gray: tm.info.Image.Gray}
		case "mnist", "idx":
			if len(tm.info.InShape) != 3 || tm.info.InShape[0] != 1 {
				return nil, nil, fmt.Errorf("%s: the model's inputs %v are not grey images", path, tm.info.InShape)
			}
			cfg = imagefolder.Config{Size: [2]int{tm.info.InShape[1], tm.info.InShape[2]}, Gray: true}
		default:
			return nil, nil, fmt.Errorf("%s: the model was trained on %s data, not images", path, tm.info.Kind)
		}
		x, err := imagefolder.ReadImage(path, cfg)
		if err != nil {
			return nil, nil, err
		}
		return []string{path}, x.Unsqueeze(0), nil
	}
	return nil, nil, fmt.Errorf("%s: unknown input type %q (want .png, .jpg, .jpeg or .csv)", path, filepath.Ext(path))
}
