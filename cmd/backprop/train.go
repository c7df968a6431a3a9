package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// Defaults of backprop train: LeNet-5 with Adam and a cosine schedule
// reaches about 99 % MNIST test accuracy in five epochs, well within three
// minutes on two cores.
const (
	defaultModel     = "cnn"
	defaultEpochs    = 5
	defaultBatch     = 64
	defaultLR        = 1e-3
	defaultOptimizer = "adam"
)

const trainExamples = `  backprop train                                   # LeNet-5 on the embedded MNIST, 5 epochs
  backprop train --model mlp --epochs 10 --out runs/mlp
  backprop train --model 784-512-relu-dropout0.2-256-relu-10 --optimizer sgd --lr 0.05 --schedule cosine
  backprop train --data ./mnist-idx-dir --model cnn --batch 128
  backprop train --data csv:iris.csv --target species --model 4-16-relu-3 --epochs 50
  backprop train --data images:./photos --model cnn --epochs 20
  backprop train --resume runs/mlp/last.safetensors --epochs 15
`

// trainFlags are the options of backprop train.
type trainFlags struct {
	model, data, target, optimizer, schedule, out, resume, device, metrics string
	epochs, batch, workers                                                 int
	lr, momentum, weightDecay, clip, valSplit                              float64
	seed                                                                   uint64
	patience                                                               int
	quiet                                                                  bool
	image                                                                  imageInfo
}

func parseTrainFlags(args []string, stdout io.Writer) (*trainFlags, error) {
	f := &trainFlags{}
	fs := newFlagSet("train", "train [flags]\n\nTrains a model and reports its accuracy on the test (or validation) set.\nWith no flags it trains LeNet-5 on the MNIST digits embedded in the binary.\n", trainExamples, stdout)
	fs.StringVar(&f.model, "model", defaultModel, "mlp (784-256-128-10), cnn (LeNet-5), or a layer spec such as 784-256-relu-128-relu-10")
	fs.StringVar(&f.data, "data", "mnist", "mnist (embedded), an IDX directory, csv:PATH (with --target) or images:DIR (one subfolder per class)")
	fs.StringVar(&f.target, "target", "", "name of the target column, for --data csv:PATH")
	fs.IntVar(&f.epochs, "epochs", defaultEpochs, "number of epochs (with --resume: the total, including those already done)")
	fs.IntVar(&f.batch, "batch", defaultBatch, "mini-batch size")
	fs.Float64Var(&f.lr, "lr", defaultLR, "learning rate")
	fs.StringVar(&f.optimizer, "optimizer", defaultOptimizer, "optimizer: "+optimizerNames)
	fs.Float64Var(&f.momentum, "momentum", 0.9, "momentum, for sgd and rmsprop")
	fs.Float64Var(&f.weightDecay, "weight-decay", 0, "weight decay (L2 penalty; decoupled for adamw)")
	fs.StringVar(&f.schedule, "schedule", "cosine", "learning-rate schedule: "+scheduleNames)
	fs.Float64Var(&f.clip, "clip", 0, "clip the gradient's global L2 norm to this value (0: off)")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed: the same seed gives the same run")
	fs.StringVar(&f.out, "out", "", "directory for the checkpoints, metrics.csv, plot.png and summary.json (default runs/<time>)")
	fs.StringVar(&f.resume, "resume", "", "resume training from this checkpoint")
	fs.IntVar(&f.workers, "workers", 1, "data-loading goroutines (the batches are the same for any number)")
	fs.StringVar(&f.device, "device", "cpu", "compute device (only cpu is available)")
	fs.Float64Var(&f.valSplit, "val-split", 0.2, "fraction of the data held out for validation, for csv and image data (MNIST and IDX directories use their test set)")
	fs.IntVar(&f.patience, "patience", 0, "stop after this many epochs without a better validation loss (0: never)")
	fs.StringVar(&f.metrics, "metrics", "csv", "metrics file format: csv or jsonl")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the final summary")
	imageSize := fs.String("image-size", "", "resize images to HEIGHTxWIDTH, for --data images:DIR (default: the size of the first image)")
	fs.BoolVar(&f.image.Gray, "gray", false, "convert images to one grey channel, for --data images:DIR")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if *imageSize != "" {
		if _, err := fmt.Sscanf(*imageSize, "%dx%d", &f.image.Height, &f.image.Width); err != nil || f.image.Height < 1 || f.image.Width < 1 {
			return nil, usagef("--image-size %q: want HEIGHTxWIDTH, such as 32x32", *imageSize)
		}
	}
	if fs.NArg() > 0 {
		return nil, usagef("train: unexpected argument %q (flags only; see backprop train --help)", fs.Arg(0))
	}
	switch {
	case f.device != "cpu":
		return nil, usagef("--device %q is not available: this build runs on the cpu only", f.device)
	case f.epochs < 1:
		return nil, usagef("--epochs must be at least 1, got %d", f.epochs)
	case f.batch < 1:
		return nil, usagef("--batch must be at least 1, got %d", f.batch)
	case f.workers < 0:
		return nil, usagef("--workers must not be negative, got %d", f.workers)
	case f.lr <= 0 || math.IsNaN(f.lr) || math.IsInf(f.lr, 0):
		return nil, usagef("--lr must be a positive number, got %v", f.lr)
	case f.valSplit <= 0 || f.valSplit >= 1:
		return nil, usagef("--val-split must be between 0 and 1, got %v", f.valSplit)
	case f.clip < 0:
		return nil, usagef("--clip must not be negative, got %v", f.clip)
	case f.metrics != "csv" && f.metrics != "jsonl":
		return nil, usagef("--metrics must be csv or jsonl, got %q", f.metrics)
	}
	return f, nil
}

// summary is what summary.json holds.
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
	ValLoss        jsonFloat `json:"val_loss"`
	ValAccuracy    jsonFloat `json:"val_accuracy"`
	ValSet         string    `json:"val_set"`
	Seconds        float64   `json:"seconds"`
	SamplesPerSec  jsonFloat `json:"samples_per_second"`
	Checkpoint     string    `json:"checkpoint"`
	BestCheckpoint string    `json:"best_checkpoint,omitempty"`
	Stopped        string    `json:"stopped,omitempty"`
	Finished       time.Time `json:"finished"`
}

func cmdTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseTrainFlags(args, stdout)
	if err != nil {
		return err
	}
	start := time.Now()
	ds, err := loadData(f.data, dataOptions{target: f.target, valSplit: f.valSplit, seed: f.seed, image: f.image})
	if err != nil {
		return err
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
		out = filepath.Join("runs", start.Format("20060102-150405"))
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	meta := ds.info.metadata()
	meta["model"] = f.model
	meta["data"] = f.data
	meta["optimizer"] = f.optimizer
	meta["lr"] = fmt.Sprint(f.lr)
	meta["batch"] = fmt.Sprint(f.batch)
	meta["seed"] = fmt.Sprint(f.seed)
	meta["schedule"] = f.schedule

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
		fmt.Fprintf(stderr, "data: %s (%d training, %d %s examples of shape %v, %d classes)\n",
			f.data, ds.train.Len(), ds.val.Len(), ds.info.ValName, ds.info.InShape, ds.info.NumClasses)
		fmt.Fprintf(stderr, "model: %s (%d parameters); optimizer %s lr %g; schedule %s; output %s\n",
			f.model, nn.NumParameters(model), f.optimizer, f.lr, sched, out)
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
	hist, fitErr := tr.Fit(ctx)
	if fitErr != nil && !errors.Is(fitErr, context.Canceled) && len(hist.Epochs) == 0 {
		return fitErr
	}
	sum := summary{
		Model: f.model, Data: f.data, Parameters: nn.NumParameters(model), Seed: f.seed,
		Optimizer: f.optimizer, LR: f.lr, Batch: f.batch, Schedule: f.schedule,
		ValSet: ds.info.ValName, Seconds: time.Since(start).Seconds(),
		Checkpoint: filepath.Join(out, train.LastCheckpoint), BestCheckpoint: filepath.Join(out, train.BestCheckpoint),
		Finished: time.Now().UTC(),
	}
	var pts []epochPoint
	for _, e := range hist.Epochs {
		pts = append(pts, epochPoint{Epoch: e.Epoch, TrainLoss: e.Train.Loss, TrainAcc: e.Train.Accuracy, ValLoss: e.Val.Loss, ValAcc: e.Val.Accuracy})
		sum.Epochs = e.Epoch
		sum.Steps = e.Step
		sum.TrainLoss, sum.ValLoss, sum.ValAccuracy = jsonFloat(e.Train.Loss), jsonFloat(e.Val.Loss), jsonFloat(e.Val.Accuracy)
		sum.SamplesPerSec = jsonFloat(e.Train.SamplesPerSec())
	}
	if fitErr != nil {
		sum.Stopped = fitErr.Error()
	}
	if len(pts) > 0 {
		if err := writePlot(filepath.Join(out, "plot.png"), ds.info.ValName, pts); err != nil {
			return err
		}
	}
	if err := writeJSON(filepath.Join(out, "summary.json"), sum); err != nil {
		return err
	}
	if fitErr != nil {
		if errors.Is(fitErr, context.Canceled) {
			fmt.Fprintf(stderr, "interrupted: checkpoint written to %s\n", sum.Checkpoint)
		}
		return fitErr
	}
	fmt.Fprintf(stdout, "%s accuracy: %.2f%% (loss %.4f) after %d epochs in %.1fs; checkpoint %s\n",
		ds.info.ValName, 100*sum.ValAccuracy, sum.ValLoss, sum.Epochs, sum.Seconds, sum.Checkpoint)
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
