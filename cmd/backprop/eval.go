package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/backprop-go/backprop/checkpoint"
	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// trained is a model restored from a checkpoint with what it was trained
// on.
type trained struct {
	model nn.Module
	info  dataInfo
	meta  map[string]string
	spec  string // the --model it was built from
	data  string // the --data it was trained on
}

// loadTrained rebuilds the model described in a checkpoint's metadata and
// loads its weights.
func loadTrained(path string) (*trained, error) {
	ts, err := checkpoint.ReadFile(path)
	if err != nil {
		return nil, err
	}
	info, err := infoFromMetadata(ts.Metadata)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	spec := ts.Metadata["model"]
	if spec == "" {
		return nil, fmt.Errorf("%s: checkpoint metadata names no model: was it written by backprop train?", path)
	}
	// The weights are overwritten by the checkpoint; the seed only fills
	// them first.
	model, err := buildModel(spec, info.InShape, info.NumClasses, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	st := checkpoint.State{Model: model}
	if err := checkpoint.Load(path, &st, checkpoint.LoadOptions{}); err != nil {
		return nil, err
	}
	nn.SetTraining(model, false)
	return &trained{model: model, info: info, meta: st.Metadata, spec: spec, data: ts.Metadata["data"]}, nil
}

const evalExamples = `  backprop eval --checkpoint runs/mnist/best.safetensors
  backprop eval --checkpoint runs/idx/last.safetensors --data ./other-idx-dir
  backprop eval --checkpoint runs/iris/last.safetensors                      # its validation split
  backprop eval --checkpoint runs/iris/last.safetensors --data csv:iris-test.csv
  backprop eval --checkpoint runs/photos/best.safetensors --data images:./test-photos
`

const evalSynopsis = `eval --checkpoint FILE [flags]

Evaluates a checkpoint written by backprop train: loss, accuracy, the
confusion matrix and per-class precision, recall and F1. Without --data it
uses the examples the run was validated on: the test set of MNIST or of the
IDX directory, or the validation split held out of CSV and image data
(drawn again from the run's seed and --val-split). With --data it uses the
test set of MNIST or of an IDX directory, or every row of a CSV file
(csv:PATH, encoded as in training) or every image of a folder (images:DIR,
with the trained classes).
`

func cmdEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", evalSynopsis, evalExamples, stdout)
	ckpt := fs.String("checkpoint", "", "checkpoint written by backprop train (required; may also be given as the argument)")
	dataSpec := fs.String("data", "", "data to evaluate on: mnist, an IDX directory (its test set), csv:PATH or images:DIR (default: the run's test set or validation split)")
	batch := fs.Int("batch", 1000, "batch size")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *ckpt == "" && len(rest) == 1 {
		*ckpt, rest = rest[0], nil
	}
	if len(rest) > 0 {
		return usagef("eval: unexpected argument %q", rest[0])
	}
	if *ckpt == "" {
		return usagef("eval: --checkpoint FILE is required")
	}
	if *batch < 1 {
		return usagef("--batch must be at least 1, got %d", *batch)
	}
	tm, err := loadTrained(*ckpt)
	if err != nil {
		return err
	}
	ds, what, err := evalData(tm, *dataSpec)
	if err != nil {
		return err
	}
	if m := maxLabel(ds); m >= int64(tm.info.NumClasses) {
		return fmt.Errorf("eval: %s has class label %d, the model knows %d classes", what, m, tm.info.NumClasses)
	}
	loader, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: *batch})
	if err != nil {
		return err
	}
	ce := func(out, target *tensor.Tensor) *tensor.Tensor {
		return loss.CrossEntropy(out, target, loss.CrossEntropyOptions{})
	}
	m, err := train.Evaluate(ctx, tm.model, loader, ce, 0)
	if err != nil {
		return err
	}
	cm, err := train.ConfusionMatrix(ctx, tm.model, loader, tm.info.NumClasses)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "data:     %s\nexamples: %d\nloss:     %.4f\naccuracy: %.2f%%\nmacro F1: %.4f\n\n", what, cm.Total(), m.Loss, 100*m.Accuracy, cm.MacroF1())
	names := tm.info.classNames()
	fmt.Fprintln(stdout, "confusion matrix (rows: true class, columns: predicted class)")
	tw := tabwriter.NewWriter(stdout, 0, 4, 1, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\t")
	for _, n := range names {
		fmt.Fprintf(tw, "%s\t", n)
	}
	fmt.Fprintln(tw)
	for i, row := range cm.Counts {
		fmt.Fprintf(tw, "%s\t", names[i])
		for _, c := range row {
			fmt.Fprintf(tw, "%d\t", c)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(stdout)
	tw = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "class\tprecision\trecall\tF1\tsupport")
	for _, c := range cm.PerClass() {
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%d\n", names[c.Class], c.Precision, c.Recall, c.F1, c.Support)
	}
	return tw.Flush()
}

// classNames returns the names of the classes, "0", "1", ... by default.
func (d dataInfo) classNames() []string {
	if len(d.Classes) == d.NumClasses {
		return d.Classes
	}
	out := make([]string, d.NumClasses)
	for i := range out {
		out[i] = fmt.Sprint(i)
	}
	return out
}

// evalData returns the dataset to evaluate tm on, and a description of
// it: the data named by spec, or by default the examples the run was
// validated on.
func evalData(tm *trained, spec string) (data.Dataset, string, error) {
	if spec == "" {
		switch tm.info.Kind {
		case "mnist", "idx":
			ld, err := loadData(tm.data, dataOptions{})
			if err != nil {
				return nil, "", fmt.Errorf("eval: the training data (give --data if it has moved): %v", err)
			}
			return ld.val, tm.data + " (test set)", nil
		case "csv", "images":
			valSplit, err1 := strconv.ParseFloat(tm.meta["val-split"], 64)
			seed, err2 := strconv.ParseUint(tm.meta["seed"], 10, 64)
			if err1 != nil || err2 != nil || tm.data == "" {
				return nil, "", usagef("eval: the checkpoint does not say how its validation split was drawn: give --data")
			}
			var ds data.Dataset
			var err error
			if tm.info.Kind == "csv" {
				ds, err = csvDataset(strings.TrimPrefix(tm.data, "csv:"), tm.info.Schema)
			} else {
				ds, err = loadImageFolderLike(strings.TrimPrefix(tm.data, "images:"), tm.info)
			}
			if err != nil {
				return nil, "", fmt.Errorf("eval: the training data (give --data if it has moved): %v", err)
			}
			_, val, err := holdOut(ds, tm.data, valSplit, seed)
			if err != nil {
				return nil, "", err
			}
			return val, tm.data + " (validation split)", nil
		}
		return nil, "", fmt.Errorf("eval: unknown data kind %q in the checkpoint: give --data", tm.info.Kind)
	}
	switch {
	case strings.HasPrefix(spec, "csv:"):
		if tm.info.Schema == nil {
			return nil, "", usagef("eval: --data %s: the model was trained on %s data, not CSV", spec, tm.info.Kind)
		}
		ds, err := csvDataset(strings.TrimPrefix(spec, "csv:"), tm.info.Schema)
		return ds, spec, err
	case strings.HasPrefix(spec, "images:"):
		ds, err := loadImageFolderLike(strings.TrimPrefix(spec, "images:"), tm.info)
		return ds, spec, err
	}
	ld, err := loadData(spec, dataOptions{})
	if err != nil {
		return nil, "", err
	}
	if !slices.Equal(ld.info.InShape, tm.info.InShape) {
		return nil, "", fmt.Errorf("eval: --data %s has examples of shape %v, the model was trained on %v", spec, ld.info.InShape, tm.info.InShape)
	}
	return ld.val, spec + " (test set)", nil
}
