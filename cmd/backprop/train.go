package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/backprop-go/backprop/checkpoint"
	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

const trainExamples = `  backprop train                                   # LeNet-5 on the embedded MNIST, 5 epochs
  backprop train --model mlp --epochs 10 --out runs/mlp
  backprop train --model 784-512-relu-dropout0.2-256-relu-10 --optimizer sgd --lr 0.05 --schedule onecycle
  backprop train --data ./mnist-idx-dir --model cnn --batch 128
  backprop train --data csv:iris.csv --target species --model 4-16-relu-3 --epochs 50
  backprop train --data images:./photos --image-size 32x32 --model cnn --epochs 20
  backprop train --resume runs/mlp/last.safetensors               # finish an interrupted run
  backprop train --resume runs/mlp/last.safetensors --epochs 15   # train a finished run further
`

const trainSynopsis = `train [flags]

Trains a model and reports its accuracy on the test set (MNIST, IDX
directories) or on the validation split held out of the data (CSV, images).
With no flags it trains LeNet-5 on the MNIST digits embedded in the binary.

The output directory (--out) receives last.safetensors (the final state,
from which --resume continues), best.safetensors (the epoch with the lowest
validation loss), metrics.csv (one row per epoch), plot.png (loss and
accuracy per epoch) and summary.json. Ctrl-C stops training after the
current step and writes last.safetensors; no partial file is left.

With --resume, the run continues exactly where the checkpoint stopped: the
same result, bit for bit, as a run never interrupted. The settings of the
run come from the checkpoint: --model, --optimizer, --lr, --momentum,
--weight-decay, --schedule, --batch, --seed, --val-split, --target,
--image-size and --gray may be left out, and giving a different value is
an error. --data, --epochs, --clip, --patience and --metrics default to
the checkpoint's too but may be changed: --epochs is the new total number
of epochs (cosine, onecycle and step schedules then span the new total),
and --data may name the same data at another place. --out defaults to the
checkpoint's directory.
`

// Defaults of backprop train: LeNet-5 with Adam and a cosine schedule
// reaches about 99 % MNIST test accuracy in five epochs, well within three
// minutes on two cores.
const (
	defaultModel     = "cnn"
	defaultEpochs    = 5
	defaultBatch     = 64
	defaultLR        = 1e-3
	defaultOptimizer = "adam"
	defaultSchedule  = "cosine"
)

// runSettings are the flags of backprop train saved in every checkpoint's
// metadata under their names. A resumed run takes them from the
// checkpoint when they are not given; the fixed ones must not differ.
var runSettings = []struct {
	name  string
	fixed bool
}{
	{"model", true}, {"optimizer", true}, {"lr", true}, {"momentum", true},
	{"weight-decay", true}, {"schedule", true}, {"batch", true}, {"seed", true},
	{"val-split", true}, {"target", true}, {"image-size", true}, {"gray", true},
	{"data", false}, {"epochs", false}, {"clip", false}, {"patience", false}, {"metrics", false},
}

// trainFlags are the options of backprop train.
type trainFlags struct {
	model, data, target, optimizer, schedule, out, resume, device, metrics string
	epochs, batch, workers, shards                                         int
	lr, momentum, weightDecay, clip, valSplit                              float64
	seed                                                                   uint64
	patience                                                               int
	quiet                                                                  bool
	image                                                                  imageInfo

	settings   map[string]string // runSettings by name, as the flags print them
	resumeMeta map[string]string // the metadata of the --resume checkpoint
}

func parseTrainFlags(args []string, stdout io.Writer) (*trainFlags, error) {
	f := &trainFlags{}
	fs := newFlagSet("train", trainSynopsis, trainExamples, stdout)
	fs.StringVar(&f.model, "model", defaultModel, "mlp (inputs-256-relu-128-relu-classes), cnn (LeNet-5, for images of at least 16×16), or a layer spec such as 784-256-relu-128-relu-10")
	fs.StringVar(&f.data, "data", "mnist", "mnist (embedded), an IDX directory, csv:PATH (with --target) or images:DIR (one subfolder per class)")
	fs.StringVar(&f.target, "target", "", "name of the target column, for --data csv:PATH")
	fs.IntVar(&f.epochs, "epochs", defaultEpochs, "number of epochs (with --resume: the total, including those already done)")
	fs.IntVar(&f.batch, "batch", defaultBatch, "mini-batch size")
	fs.Float64Var(&f.lr, "lr", defaultLR, "learning rate")
	fs.StringVar(&f.optimizer, "optimizer", defaultOptimizer, "optimizer: "+optimizerNames)
	fs.Float64Var(&f.momentum, "momentum", 0.9, "momentum, for sgd and rmsprop")
	fs.Float64Var(&f.weightDecay, "weight-decay", 0, "weight decay (L2 penalty; decoupled for adamw)")
	fs.StringVar(&f.schedule, "schedule", defaultSchedule, "learning-rate schedule: "+scheduleNames)
	fs.Float64Var(&f.clip, "clip", 0, "clip the gradient's global L2 norm to this value (0: off)")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed: the same seed gives the same run")
	fs.StringVar(&f.out, "out", "", "directory for the checkpoints, metrics, plot.png and summary.json (default runs/<time>, or the --resume checkpoint's directory)")
	fs.StringVar(&f.resume, "resume", "", "continue the run saved in this checkpoint (see above)")
	fs.IntVar(&f.workers, "workers", 1, "data-loading goroutines (the batches are the same for any number)")
	fs.IntVar(&f.shards, "shards", 1, "run each step as this many shards of the batch at once, one per core (for models without dropout or batch norm; 1 splits each operation over the cores)")
	fs.StringVar(&f.device, "device", "cpu", "compute device (only cpu is available)")
	fs.Float64Var(&f.valSplit, "val-split", 0.2, "fraction of the data held out for validation, for csv and image data (MNIST and IDX directories use their test set)")
	fs.IntVar(&f.patience, "patience", 0, "stop after this many epochs without a better validation loss (0: never)")
	fs.StringVar(&f.metrics, "metrics", "csv", "metrics file format: csv or jsonl")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the final result")
	imageSize := fs.String("image-size", "", "resize images to HEIGHTxWIDTH, for --data images:DIR (default: the size of the first image)")
	fs.BoolVar(&f.image.Gray, "gray", false, "convert images to one grey channel, for --data images:DIR")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, usagef("train: unexpected argument %q (flags only; see backprop train --help)", rest[0])
	}
	if f.resume != "" {
		if err := applyResumeSettings(fs.FlagSet, f); err != nil {
			return nil, err
		}
	}
	f.settings = map[string]string{}
	for _, s := range runSettings {
		f.settings[s.name] = fs.Lookup(s.name).Value.String()
	}
	if *imageSize != "" {
		var extra string
		n, _ := fmt.Sscanf(*imageSize+"$", "%dx%d%s", &f.image.Height, &f.image.Width, &extra)
		if n != 3 || extra != "$" || f.image.Height < 1 || f.image.Width < 1 {
			return nil, usagef("--image-size %q: want HEIGHTxWIDTH, such as 32x32", *imageSize)
		}
	}
	switch {
	case (*imageSize != "" || f.image.Gray) && !strings.HasPrefix(f.data, "images:"):
		return nil, usagef("--image-size and --gray apply to --data images:DIR only")
	case f.target != "" && !strings.HasPrefix(f.data, "csv:"):
		return nil, usagef("--target applies to --data csv:PATH only")
	case !strings.EqualFold(f.device, "cpu"):
		return nil, usagef("--device %q is not available: this build runs on the cpu only", f.device)
	case f.epochs < 1:
		return nil, usagef("--epochs must be at least 1, got %d", f.epochs)
	case f.batch < 1:
		return nil, usagef("--batch must be at least 1, got %d", f.batch)
	case f.workers < 0:
		return nil, usagef("--workers must not be negative, got %d", f.workers)
	case f.shards < 1:
		return nil, usagef("--shards must be at least 1, got %d", f.shards)
	case !(f.lr > 0) || math.IsInf(f.lr, 0):
		return nil, usagef("--lr must be a positive number, got %v", f.lr)
	case !(f.momentum >= 0) || math.IsInf(f.momentum, 0):
		return nil, usagef("--momentum must not be negative, got %v", f.momentum)
	case !(f.weightDecay >= 0) || math.IsInf(f.weightDecay, 0):
		return nil, usagef("--weight-decay must not be negative, got %v", f.weightDecay)
	case !(f.valSplit > 0 && f.valSplit < 1):
		return nil, usagef("--val-split must be between 0 and 1, got %v", f.valSplit)
	case !(f.clip >= 0) || math.IsInf(f.clip, 0):
		return nil, usagef("--clip must not be negative, got %v", f.clip)
	case f.patience < 0:
		return nil, usagef("--patience must not be negative, got %d", f.patience)
	case f.metrics != "csv" && f.metrics != "jsonl":
		return nil, usagef("--metrics must be csv or jsonl, got %q", f.metrics)
	}
	// Check the optimizer and schedule names before loading any data.
	probe := []*tensor.Tensor{tensor.Zeros(tensor.Float32, 1).SetRequiresGrad(true)}
	opt, err := buildOptimizer(f.optimizer, probe, f.lr, f.momentum, f.weightDecay)
	if err != nil {
		return nil, err
	}
	if _, err := buildSchedule(f.schedule, opt, f.lr, f.epochs, 1); err != nil {
		return nil, err
	}
	if f.out == "" && f.resume != "" {
		f.out = filepath.Dir(f.resume)
	}
	return f, nil
}

// applyResumeSettings reads the metadata of the --resume checkpoint and
// sets the run settings not given on the command line to the
// checkpoint's, rejecting fixed settings given with another value.
func applyResumeSettings(fs *flag.FlagSet, f *trainFlags) error {
	info, err := checkpoint.Inspect(f.resume)
	if err != nil {
		return fmt.Errorf("--resume: %w", err)
	}
	f.resumeMeta = info.Metadata
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	for _, s := range runSettings {
		saved, ok := f.resumeMeta[s.name]
		if !ok {
			continue
		}
		fl := fs.Lookup(s.name)
		if given[s.name] {
			if s.fixed && fl.Value.String() != saved {
				return usagef("--%s %s: the checkpoint %s was trained with --%s %s, and a resumed run keeps it (leave --%s out)", s.name, fl.Value, f.resume, s.name, saved, s.name)
			}
			continue
		}
		if err := fs.Set(s.name, saved); err != nil {
			return fmt.Errorf("--resume: %s: metadata %s: invalid value %q", f.resume, s.name, saved)
		}
	}
	done, batches, err := train.CheckpointPosition(f.resumeMeta)
	if err != nil {
		return fmt.Errorf("--resume: %s: %w", f.resume, err)
	}
	switch {
	case done < f.epochs:
		return nil
	case batches == 0:
		return usagef("--resume: %s is at the end of epoch %d and --epochs is %d: give a larger --epochs (the total) to train further", f.resume, done, f.epochs)
	default:
		return usagef("--resume: %s is in epoch %d and --epochs is %d: give at least --epochs %d (the total) to finish it", f.resume, done+1, f.epochs, done+1)
	}
}

// summary is what summary.json holds. Metrics not measured are null.
type summary struct {
	Model          string    `json:"model"`
	Data           string    `json:"data"`
	Parameters     int       `json:"parameters"`
	Epochs         int       `json:"epochs"`
	Steps          int       `json:"steps"`
	Seed           uint64    `json:"seed"`
	Optimizer      string    `json:"optimizer"`
	LR             float64   `json:"lr"`
	Batch          int       `json:"batch"`
	Schedule       string    `json:"schedule"`
	TrainLoss      jsonFloat `json:"train_loss"`
	TrainAccuracy  jsonFloat `json:"train_accuracy"`
	ValLoss        jsonFloat `json:"val_loss"`
	ValAccuracy    jsonFloat `json:"val_accuracy"`
	ValSet         string    `json:"val_set"`
	Seconds        float64   `json:"seconds"`
	SamplesPerSec  jsonFloat `json:"samples_per_second"`
	Checkpoint     string    `json:"checkpoint"`
	BestCheckpoint string    `json:"best_checkpoint,omitempty"`
	ResumedFrom    string    `json:"resumed_from,omitempty"`
	Stopped        string    `json:"stopped,omitempty"`
	Finished       time.Time `json:"finished"`
}

func cmdTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseTrainFlags(args, stdout)
	if err != nil {
		return err
	}
	start := time.Now()
	opts := dataOptions{target: f.target, valSplit: f.valSplit, seed: f.seed, image: f.image}
	var want dataInfo
	if f.resumeMeta != nil {
		// Encode the data as the checkpoint's run did.
		if want, err = infoFromMetadata(f.resumeMeta); err == nil {
			opts.schema = want.Schema
		}
	}
	ds, err := loadData(f.data, opts)
	if err != nil {
		return err
	}
	if want.Kind != "" {
		if err := sameData(ds.info, want); err != nil {
			return fmt.Errorf("--resume: %s: %v", f.resume, err)
		}
	}
	src := rand.NewPCG(f.seed, 0x6261636b70726f70) // "backprop"
	r := rand.New(src)
	model, err := buildModel(f.model, ds.info.InShape, ds.info.NumClasses, r)
	if err != nil {
		return usagef("--model: %v", err)
	}
	opt, err := buildOptimizer(f.optimizer, nn.Parameters(model), f.lr, f.momentum, f.weightDecay)
	if err != nil {
		return err
	}
	trainLoader, err := data.NewLoader(ds.train, data.LoaderConfig{BatchSize: f.batch, Shuffle: true, Seed: f.seed, Workers: f.workers})
	if err != nil {
		return err
	}
	valLoader, err := data.NewLoader(ds.val, data.LoaderConfig{BatchSize: 1000, Workers: f.workers})
	if err != nil {
		return err
	}
	sched, err := buildSchedule(f.schedule, opt, f.lr, f.epochs, trainLoader.Len())
	if err != nil {
		return err
	}
	out := f.out
	if out == "" {
		out = newRunDir(start)
	}
	if st, err := os.Stat(out); err == nil && !st.IsDir() {
		return fmt.Errorf("--out %s: not a directory", out)
	}
	meta := ds.info.metadata()
	maps.Copy(meta, f.settings)

	cfg := train.Config{
		Model: model,
		Loss: func(out, target *tensor.Tensor) *tensor.Tensor {
			return loss.CrossEntropy(out, target, loss.CrossEntropyOptions{})
		},
		Optimizer:             opt,
		Train:                 trainLoader,
		Val:                   valLoader,
		Epochs:                f.epochs,
		ClipNorm:              f.clip,
		CheckpointDir:         out,
		CheckpointEveryEpochs: 1,
		KeepBest:              true,
		MetricsFile:           filepath.Join(out, "metrics."+f.metrics),
		RNG:                   src,
		Metadata:              meta,
		Shards:                f.shards,
	}
	switch {
	case sched.perEpoch != nil:
		cfg.Scheduler = sched.perEpoch
	case sched.perStep != nil:
		cfg.Scheduler, cfg.SchedulePerStep = sched.perStep, true
	case sched.metric != nil:
		cfg.MetricScheduler = sched.metric
	}
	if f.patience > 0 {
		cfg.EarlyStopping = &train.EarlyStopping{Monitor: "val_loss", Patience: f.patience}
	}
	if !f.quiet {
		cfg.Progress = stderr
		cfg.Terminal = isTerminal(stderr)
	}
	tr, err := train.New(cfg)
	if err != nil {
		return err
	}
	if f.resume != "" {
		if err := tr.Resume(f.resume); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if f.resume != "" {
		if err := carryMetrics(filepath.Join(filepath.Dir(f.resume), filepath.Base(cfg.MetricsFile)), cfg.MetricsFile); err != nil {
			return err
		}
	}
	if !f.quiet {
		fmt.Fprintf(stderr, "data: %s (%d training, %d %s examples of shape %v, %d classes)\n",
			f.data, ds.train.Len(), ds.val.Len(), ds.info.ValName, ds.info.InShape, ds.info.NumClasses)
		fmt.Fprintf(stderr, "model: %s (%d parameters); optimizer %s, lr %g, batch %d; schedule %s; output %s\n",
			f.model, nn.NumParameters(model), f.optimizer, f.lr, f.batch, sched, out)
		if f.resume != "" {
			fmt.Fprintf(stderr, "resuming %s at epoch %d, step %d\n", f.resume, tr.Epoch()+1, tr.Step())
		}
	}
	hist, fitErr := tr.Fit(ctx)
	sum := summary{
		Model: f.model, Data: f.data, Parameters: nn.NumParameters(model), Seed: f.seed,
		Optimizer: f.optimizer, LR: f.lr, Batch: f.batch, Schedule: f.schedule,
		Epochs: tr.Epoch(), Steps: tr.Step(),
		TrainLoss: nan, TrainAccuracy: nan, ValLoss: nan, ValAccuracy: nan, SamplesPerSec: nan,
		ValSet: ds.info.ValName, Seconds: time.Since(start).Seconds(),
		Checkpoint: filepath.Join(out, train.LastCheckpoint), ResumedFrom: f.resume,
		Finished: time.Now().UTC(),
	}
	if _, err := os.Stat(filepath.Join(out, train.BestCheckpoint)); err == nil {
		sum.BestCheckpoint = filepath.Join(out, train.BestCheckpoint)
	}
	if _, err := os.Stat(sum.Checkpoint); err != nil {
		// Fit failed before writing any checkpoint (a NaN loss in the
		// first epoch, say).
		sum.Checkpoint = ""
	}
	// The metrics file holds every epoch of the run, those before a
	// resume included; the history only this call's.
	pts, err := readMetrics(cfg.MetricsFile)
	if err != nil || len(pts) < len(hist.Epochs) {
		pts = pts[:0]
		for _, e := range hist.Epochs {
			pts = append(pts, epochPoint{Epoch: e.Epoch, TrainLoss: e.Train.Loss, TrainAcc: e.Train.Accuracy, ValLoss: e.Val.Loss, ValAcc: e.Val.Accuracy})
		}
	}
	if n := len(pts); n > 0 {
		p := pts[n-1]
		sum.TrainLoss, sum.TrainAccuracy, sum.ValLoss, sum.ValAccuracy = jsonFloat(p.TrainLoss), jsonFloat(p.TrainAcc), jsonFloat(p.ValLoss), jsonFloat(p.ValAcc)
	}
	if n := len(hist.Epochs); n > 0 {
		sum.SamplesPerSec = jsonFloat(hist.Epochs[n-1].Train.SamplesPerSec())
	}
	switch {
	case fitErr != nil:
		sum.Stopped = fitErr.Error()
	case hist.Stopped != "":
		sum.Stopped = hist.Stopped
	}
	if len(pts) > 0 {
		if err := writePlot(filepath.Join(out, "plot.png"), ds.info.ValName, pts); err != nil && fitErr == nil {
			return err
		}
	}
	if err := writeJSON(filepath.Join(out, "summary.json"), sum); err != nil && fitErr == nil {
		return err
	}
	if fitErr != nil {
		if errors.Is(fitErr, context.Canceled) && sum.Checkpoint != "" {
			msg := strings.TrimSuffix(fitErr.Error(), ": "+context.Canceled.Error())
			return &interrupted{fmt.Sprintf("%s; continue with: backprop train --resume %s", msg, sum.Checkpoint)}
		}
		return fitErr
	}
	stopped := ""
	if hist.Stopped != "" {
		stopped = " (" + hist.Stopped + ")"
	}
	epochs := "epochs"
	if sum.Epochs == 1 {
		epochs = "epoch"
	}
	fmt.Fprintf(stdout, "%s accuracy: %.2f%% (loss %.4f) after %d %s%s in %.1fs; checkpoint %s\n",
		ds.info.ValName, 100*float64(sum.ValAccuracy), float64(sum.ValLoss), sum.Epochs, epochs, stopped, sum.Seconds, sum.Checkpoint)
	return nil
}

// interrupted is the error of a run stopped by a signal, after its
// checkpoint was written.
type interrupted struct{ msg string }

func (e *interrupted) Error() string { return e.msg }

// Unwrap returns context.Canceled, so that the exit status is 130.
func (e *interrupted) Unwrap() error { return context.Canceled }

// newRunDir returns the default output directory of a run started at t:
// runs/<date>-<time>, with a suffix when that exists already.
func newRunDir(t time.Time) string {
	base := filepath.Join("runs", t.Format("20060102-150405"))
	dir := base
	for i := 2; ; i++ {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return dir
		}
		dir = fmt.Sprintf("%s-%d", base, i)
	}
}

// carryMetrics copies the metrics file of a resumed run (src, next to
// its checkpoint) to dst, the metrics file of the new output directory,
// when dst does not exist yet, so that the new directory holds every
// epoch's metrics. The trainer then keeps the rows up to the resumed
// epoch.
func carryMetrics(src, dst string) error {
	if _, err := os.Stat(dst); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return nil // no metrics to carry over
	}
	if err := checkpoint.WriteFileAtomic(dst, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}

// nan is the value of metrics not measured.
var nan = jsonFloat(math.NaN())

// sameData checks that loaded data has the shape and classes of the data
// a checkpoint was trained on.
func sameData(got, want dataInfo) error {
	if !slices.Equal(got.InShape, want.InShape) || got.NumClasses != want.NumClasses {
		return fmt.Errorf("the model was trained on examples of shape %v with %d classes, the data has shape %v and %d classes", want.InShape, want.NumClasses, got.InShape, got.NumClasses)
	}
	if want.Classes != nil && !slices.Equal(got.Classes, want.Classes) {
		return fmt.Errorf("the model was trained on the classes %v, the data has %v", want.Classes, got.Classes)
	}
	return nil
}

// jsonFloat is a float64 that encodes NaN and infinities as JSON null.
type jsonFloat float64

// MarshalJSON implements json.Marshaler.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && !strings.EqualFold(os.Getenv("TERM"), "dumb")
}
