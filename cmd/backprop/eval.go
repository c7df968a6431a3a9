package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
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
  backprop eval --checkpoint runs/iris/last.safetensors --data csv:iris-test.csv
`

func cmdEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", "eval --checkpoint FILE [flags]\n\nEvaluates a trained checkpoint: loss, accuracy, the confusion matrix and\nper-class precision, recall and F1. By default it uses the test set of the\ndata the model was trained on (MNIST, IDX); CSV and image data need --data.\n", evalExamples, stdout)
	ckpt := fs.String("checkpoint", "", "checkpoint written by backprop train (required)")
	dataSpec := fs.String("data", "", "data to evaluate on: mnist, an IDX directory (its test set), csv:PATH or images:DIR (default: the training data's test set)")
	batch := fs.Int("batch", 1000, "batch size")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *ckpt == "" && fs.NArg() == 1 {
		*ckpt = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return usagef("eval: unexpected argument %q", fs.Arg(0))
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
	ds, err := evalData(tm, *dataSpec)
	if err != nil {
		return err
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
	fmt.Fprintf(stdout, "examples: %d\nloss:     %.4f\naccuracy: %.2f%%\nmacro F1: %.4f\n\n", cm.Total(), m.Loss, 100*m.Accuracy, cm.MacroF1())
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

// evalData returns the dataset to evaluate tm on: spec, or the test set
// of the data tm was trained on.
func evalData(tm *trained, spec string) (data.Dataset, error) {
	if spec == "" {
		switch tm.info.Kind {
		case "mnist":
			spec = "mnist"
		case "idx":
			spec = tm.data
		default:
			return nil, usagef("eval: a model trained on %s data needs --data with the examples to evaluate", tm.info.Kind)
		}
	}
	switch {
	case strings.HasPrefix(spec, "csv:"):
		if tm.info.Schema == nil {
			return nil, usagef("eval: the model was not trained on CSV data")
		}
		return csvDataset(strings.TrimPrefix(spec, "csv:"), tm.info.Schema)
	case strings.HasPrefix(spec, "images:"):
		ds, _, err := loadImageFolderLike(strings.TrimPrefix(spec, "images:"), tm.info)
		return ds, err
	}
	ld, err := loadData(spec, dataOptions{valSplit: 0.5, seed: 1})
	if err != nil {
		return nil, err
	}
	if !equalInts(ld.info.InShape, tm.info.InShape) {
		return nil, fmt.Errorf("eval: --data %s has examples of shape %v, the model was trained on %v", spec, ld.info.InShape, tm.info.InShape)
	}
	return ld.val, nil
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
