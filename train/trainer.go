package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/backprop-go/backprop/checkpoint"
	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// The checkpoint files a Trainer writes in its CheckpointDir.
const (
	LastCheckpoint = "last.safetensors"
	BestCheckpoint = "best.safetensors"
)

// Config configures a Trainer. Model, Loss, Optimizer, Train and Epochs
// are required; the rest is optional.
type Config struct {
	// Model is the network to train.
	Model nn.Module

	// Loss returns the loss of a batch, a scalar: the mean over the batch
	// (see package loss), from the model's output and the batch targets.
	Loss func(out, target *tensor.Tensor) *tensor.Tensor

	// Optimizer updates the model's parameters.
	Optimizer optim.Optimizer

	// Scheduler, if not nil, is the learning-rate schedule of Optimizer,
	// stepped after every epoch, or after every batch with
	// SchedulePerStep (for OneCycleLR, say).
	Scheduler       optim.Scheduler
	SchedulePerStep bool

	// MetricScheduler, if not nil, is a schedule driven by a metric
	// (ReduceLROnPlateau), stepped after every epoch with the Monitor
	// metric; configure its mode to match (min for losses, max for
	// accuracies). At most one of Scheduler and MetricScheduler may be set.
	MetricScheduler optim.MetricScheduler

	// Train delivers the training batches; Val, if not nil, the
	// validation batches evaluated after every epoch.
	Train, Val *data.Loader

	// Epochs is the number of epochs to train.
	Epochs int

	// ClipNorm, if positive, rescales the gradients so that their total
	// 2-norm is at most ClipNorm; ClipValue, if positive, clamps every
	// gradient element to [−ClipValue, ClipValue] (applied first).
	ClipNorm, ClipValue float64

	// TopK, if greater than 1, adds top-k accuracy to the metrics.
	TopK int

	// Callbacks are notified after every step and epoch.
	Callbacks []Callback

	// EarlyStopping, if not nil, ends training when its metric stops
	// improving.
	EarlyStopping *EarlyStopping

	// Monitor names the metric that decides the best checkpoint and feeds
	// MetricScheduler. Empty means EarlyStopping's metric if set, else
	// "val_loss" with a validation loader and "loss" without.
	Monitor string

	// CheckpointDir, if not empty, is the directory (created if needed)
	// receiving last.safetensors every CheckpointEverySteps steps and every
	// CheckpointEveryEpochs epochs (when positive), when Fit is
	// interrupted and when training ends, and best.safetensors whenever
	// the Monitor metric improves if KeepBest is set.
	CheckpointDir         string
	CheckpointEverySteps  int
	CheckpointEveryEpochs int
	KeepBest              bool

	// Progress, if not nil, receives progress output: with Terminal set, a
	// bar with the running loss and the ETA redrawn in place (at most ten
	// times a second); otherwise a plain line every LogEvery steps (0:
	// about ten lines per epoch). Both end each epoch with a summary line.
	Progress io.Writer
	Terminal bool
	LogEvery int

	// MetricsFile, if not empty, receives one row of metrics per epoch:
	// CSV for a name ending in ".csv", JSON lines for ".jsonl". It is
	// created anew by Fit, or after Resume kept up to the resumed epoch.
	MetricsFile string

	// RNG, if not nil, is the random source of the model's random layers
	// (Dropout built on rand.New(RNG)); its state is saved in checkpoints
	// and restored by Resume, which exact resumption needs.
	RNG *rand.PCG

	// Metadata is saved in every checkpoint (hyperparameters, the model's
	// description). Keys must not start with "__" or "train.".
	Metadata map[string]string

	// Shards, if greater than 1, runs the forward and backward passes of
	// every training step as that many shards of the batch at once, one
	// per processor, instead of splitting each operation over the
	// processors (see Shards: for small convolutional networks at small
	// batches it is the faster way to use two cores). The model must be
	// nn.ShardSafe (no Dropout or BatchNorm) and Loss a mean over the
	// batch's examples. The shards, not the processors, fix the order of
	// the sums: a run gives the same results with any GOMAXPROCS, and
	// results that differ from the unsharded run's in rounding.
	Shards int
}

// History is what Fit returns: the metrics of every epoch it ran.
type History struct {
	Epochs []EpochMetrics

	// Stopped says why training ended before the configured number of
	// epochs: "early stopping", "callback", or "" when it did not.
	Stopped string
}

// Trainer trains a model as its Config says. It is not safe for
// concurrent use.
//
// Every step runs in a tensor.Arena: the batch is tagged with it, so the
// step's intermediate tensors and gradients take their storage from the
// arena, which is reset once the backward pass is done and the loss and
// the metrics have been read (Shards: one arena per shard); validation
// does the same per batch. A model or loss
// function must therefore not keep a tensor computed in a step past it
// (copy out what it needs with Item, Float32s or CopyFrom; buffers updated
// in place, like BatchNorm's running statistics, are fine). Gradients are
// zeroed in place before each step (optim.ZeroGradInPlace, the default of
// PyTorch 1.13's zero_grad), so that their storage is reused too: as in
// PyTorch, a parameter that had a gradient and gets none from a step's
// backward pass is updated with a zero gradient (its momentum and weight
// decay still apply).
type Trainer struct {
	cfg    Config
	params []*tensor.Tensor
	sched  checkpoint.Stateful // the schedule to checkpoint, or nil
	arena  *tensor.Arena       // the storage of the validation passes' tensors

	epoch, batch, step int     // completed epochs, batches of the current epoch, steps
	acc                tally   // the current epoch's training metrics
	lastLR             float64 // learning rate of the last step

	monitorName string
	best        *monitor // with KeepBest
	es          *monitor // with EarlyStopping

	resumed bool
	prog    *progress

	shards *Shards        // the step's passes: Config.Shards of them, or one
	parts  []shardMetrics // what each shard of the current step measured
	pass   ShardFunc      // t.shardPass, bound once
}

// shardMetrics is what one shard of a step reads out before its arena is
// reset: its loss times its share of the batch, whether the loss was
// finite, and its classification counts.
type shardMetrics struct {
	loss   float64
	finite bool
	counts counts
}

// New validates cfg and returns a Trainer at the start of training.
func New(cfg Config) (*Trainer, error) {
	if err := validate(&cfg); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	t := &Trainer{cfg: cfg, params: nn.Parameters(cfg.Model), monitorName: cfg.Monitor, arena: tensor.NewArena()}
	switch {
	case cfg.Scheduler != nil:
		t.sched = cfg.Scheduler
	case cfg.MetricScheduler != nil:
		t.sched = cfg.MetricScheduler
	}
	if cfg.KeepBest {
		t.best = newMonitor(cfg.Monitor, 0)
	}
	if es := cfg.EarlyStopping; es != nil {
		t.es = newMonitor(es.Monitor, es.MinDelta)
	}
	t.lastLR = groupLR(cfg.Optimizer)
	sh, err := NewShards(t.params, max(cfg.Shards, 1))
	if err != nil {
		return nil, err
	}
	t.shards, t.parts = sh, make([]shardMetrics, sh.N())
	t.pass = t.shardPass
	if cfg.Progress != nil {
		t.prog = &progress{w: cfg.Progress, terminal: cfg.Terminal, every: cfg.LogEvery, interval: 100 * time.Millisecond}
	}
	return t, nil
}

// validate checks cfg and fills in the defaults of the metric names.
func validate(cfg *Config) error {
	switch {
	case cfg.Model == nil:
		return errors.New("config: no model")
	case cfg.Loss == nil:
		return errors.New("config: no loss function")
	case cfg.Optimizer == nil:
		return errors.New("config: no optimizer")
	case cfg.Train == nil:
		return errors.New("config: no training loader")
	case cfg.Train.Len() == 0:
		return errors.New("config: the training loader has no batches")
	case cfg.Epochs <= 0:
		return fmt.Errorf("config: the number of epochs must be positive, got %d", cfg.Epochs)
	case !(cfg.ClipNorm >= 0) || math.IsInf(cfg.ClipNorm, 0):
		return fmt.Errorf("config: invalid ClipNorm %v", cfg.ClipNorm)
	case !(cfg.ClipValue >= 0) || math.IsInf(cfg.ClipValue, 0):
		return fmt.Errorf("config: invalid ClipValue %v", cfg.ClipValue)
	case cfg.TopK < 0:
		return fmt.Errorf("config: negative TopK %d", cfg.TopK)
	case cfg.Scheduler != nil && cfg.MetricScheduler != nil:
		return errors.New("config: both Scheduler and MetricScheduler are set")
	case cfg.SchedulePerStep && cfg.Scheduler == nil:
		return errors.New("config: SchedulePerStep without a Scheduler")
	case cfg.CheckpointEverySteps < 0 || cfg.CheckpointEveryEpochs < 0:
		return errors.New("config: negative checkpoint interval")
	case cfg.CheckpointDir == "" && (cfg.CheckpointEverySteps > 0 || cfg.CheckpointEveryEpochs > 0 || cfg.KeepBest):
		return errors.New("config: checkpoints requested without a CheckpointDir")
	case cfg.LogEvery < 0:
		return fmt.Errorf("config: negative LogEvery %d", cfg.LogEvery)
	case cfg.Shards < 0:
		return fmt.Errorf("config: negative Shards %d", cfg.Shards)
	}
	if cfg.Shards > 1 {
		if err := nn.ShardSafe(cfg.Model); err != nil {
			return fmt.Errorf("config: Shards %d: %w", cfg.Shards, err)
		}
	}
	for _, c := range cfg.Callbacks {
		if c == nil {
			return errors.New("config: nil callback")
		}
	}
	for k := range cfg.Metadata {
		if strings.HasPrefix(k, "__") || strings.HasPrefix(k, metaPrefix) {
			return fmt.Errorf("config: metadata key %q is reserved", k)
		}
	}
	if cfg.MetricsFile != "" {
		if _, err := metricsFormat(cfg.MetricsFile); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	hasVal := cfg.Val != nil
	if es := cfg.EarlyStopping; es != nil {
		if es.Patience < 0 || !(es.MinDelta >= 0) {
			return fmt.Errorf("config: invalid early stopping %+v", *es)
		}
	}
	if es := cfg.EarlyStopping; es != nil && es.Monitor != "" {
		if err := checkMetricName(es.Monitor, hasVal, cfg.TopK); err != nil {
			return fmt.Errorf("config: EarlyStopping: %w", err)
		}
	}
	if cfg.Monitor == "" {
		switch {
		case cfg.EarlyStopping != nil && cfg.EarlyStopping.Monitor != "":
			cfg.Monitor = cfg.EarlyStopping.Monitor
		case hasVal:
			cfg.Monitor = "val_loss"
		default:
			cfg.Monitor = "loss"
		}
	}
	if err := checkMetricName(cfg.Monitor, hasVal, cfg.TopK); err != nil {
		return fmt.Errorf("config: Monitor: %w", err)
	}
	if es := cfg.EarlyStopping; es != nil {
		esCopy := *es
		if esCopy.Monitor == "" {
			esCopy.Monitor = cfg.Monitor
		}
		cfg.EarlyStopping = &esCopy
	}
	return nil
}

// groupLR returns the learning rate of the optimizer's first group.
func groupLR(opt optim.Optimizer) float64 {
	if gs := opt.Groups(); len(gs) > 0 {
		return gs[0].LR
	}
	return math.NaN()
}

// Epoch returns the number of completed epochs.
func (t *Trainer) Epoch() int { return t.epoch }

// Step returns the number of optimizer steps taken so far.
func (t *Trainer) Step() int { return t.step }

// Fit trains until the configured number of epochs is complete, early
// stopping or a callback ends training, an error occurs or ctx is
// cancelled. It continues from where the trainer is: the start, or the
// position restored by Resume.
//
// A NaN or infinite loss stops training with an error naming the epoch
// and the step, before the step changes the weights; no checkpoint is
// written for it. When ctx is cancelled, Fit finishes the current step,
// writes last.safetensors (with a CheckpointDir) from which Resume
// continues exactly, and returns an error wrapping ctx.Err().
//
// The History holds the epochs completed by this call, also when it
// returns an error.
func (t *Trainer) Fit(ctx context.Context) (hist History, err error) {
	cfg := &t.cfg
	defer t.prog.finish()
	if cfg.CheckpointDir != "" {
		if err := os.MkdirAll(cfg.CheckpointDir, 0o755); err != nil {
			return hist, fmt.Errorf("train: checkpoint directory: %w", err)
		}
	}
	var mf *metricsFile
	if cfg.MetricsFile != "" {
		keep := -1
		if t.resumed {
			keep = t.epoch
		}
		mf, err = openMetricsFile(cfg.MetricsFile, metricColumns(cfg.Val != nil, cfg.TopK), keep)
		if err != nil {
			return hist, fmt.Errorf("train: %w", err)
		}
		defer func() {
			if cerr := mf.close(); cerr != nil && err == nil {
				err = fmt.Errorf("train: %w", cerr)
			}
		}()
	}
	for t.epoch < cfg.Epochs && hist.Stopped == "" {
		stopped, err := t.trainEpoch(ctx)
		if err == nil && !stopped {
			stopped, err = t.endEpoch(ctx, &hist, mf)
		}
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return hist, t.interrupted(ctx)
			}
			return hist, err
		}
		if stopped && hist.Stopped == "" {
			hist.Stopped = "callback"
		}
	}
	if cfg.CheckpointDir != "" {
		if err := t.SaveCheckpoint(filepath.Join(cfg.CheckpointDir, LastCheckpoint)); err != nil {
			return hist, err
		}
	}
	return hist, nil
}

// interrupted writes the checkpoint of an interrupted run and returns the
// error Fit reports.
func (t *Trainer) interrupted(ctx context.Context) error {
	where := fmt.Sprintf("train: interrupted in epoch %d after step %d", t.epoch+1, t.step)
	if t.cfg.CheckpointDir == "" {
		return fmt.Errorf("%s: %w", where, ctx.Err())
	}
	path := filepath.Join(t.cfg.CheckpointDir, LastCheckpoint)
	if err := t.SaveCheckpoint(path); err != nil {
		return fmt.Errorf("%s: %w (and the checkpoint could not be written: %v)", where, ctx.Err(), err)
	}
	return fmt.Errorf("%s, checkpoint written to %s: %w", where, path, ctx.Err())
}

// trainEpoch runs the remaining steps of the current epoch. It reports
// whether a callback asked to stop.
func (t *Trainer) trainEpoch(ctx context.Context) (stopped bool, err error) {
	cfg := &t.cfg
	nn.SetTraining(cfg.Model, true)
	nb := cfg.Train.Len()
	it := cfg.Train.EpochFrom(t.epoch, t.batch)
	defer it.Close()
	last := time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if !it.Next() {
			break
		}
		b := it.Batch()
		sm, c, err := t.trainStep(b)
		if err != nil {
			return false, err
		}
		now := time.Now()
		dt := now.Sub(last)
		last = now
		t.acc.add(sm.Loss, sm.Samples, c, dt)
		t.batch++
		t.step++
		t.lastLR = sm.LR
		sm.Epoch, sm.Epochs, sm.Batch, sm.Batches, sm.Step = t.epoch+1, cfg.Epochs, t.batch, nb, t.step
		sm.SamplesPerSec = float64(sm.Samples) / dt.Seconds()
		sm.EpochLoss = t.acc.lossSum / float64(t.acc.samples)
		sm.EpochAccuracy, _ = counts{t.acc.correct, 0, t.acc.classified}.accuracy(0)
		sm.Elapsed = t.acc.dur
		sm.ETA = time.Duration(float64(t.acc.dur) / float64(t.acc.batches) * float64(nb-t.batch))
		t.prog.step(sm)
		for _, cb := range cfg.Callbacks {
			if err := cb.OnStepEnd(sm); err != nil {
				if errors.Is(err, ErrStop) {
					return true, nil
				}
				return false, fmt.Errorf("train: epoch %d step %d: callback: %w", sm.Epoch, sm.Step, err)
			}
		}
		if n := cfg.CheckpointEverySteps; n > 0 && t.step%n == 0 {
			if err := t.SaveCheckpoint(filepath.Join(cfg.CheckpointDir, LastCheckpoint)); err != nil {
				return false, err
			}
			last = time.Now()
		}
	}
	if err := it.Err(); err != nil {
		return false, fmt.Errorf("train: epoch %d: %w", t.epoch+1, err)
	}
	return false, nil
}

// trainStep runs one optimizer step on batch b and returns its loss, batch
// size, learning rate and gradient norm, and its classification counts.
func (t *Trainer) trainStep(b data.Batch) (StepMetrics, counts, error) {
	cfg := &t.cfg
	opt := cfg.Optimizer
	sm := StepMetrics{Samples: len(b.Indices), LR: groupLR(opt), GradNorm: math.NaN()}
	where := func() string {
		return fmt.Sprintf("epoch %d step %d (batch %d/%d)", t.epoch+1, t.step+1, t.batch+1, cfg.Train.Len())
	}
	optim.ZeroGradInPlace(opt)
	c, finite, err := t.passes(b, &sm)
	if err != nil {
		return sm, c, fmt.Errorf("train: %s: %w", where(), err)
	}
	if !finite {
		opt.ZeroGrad()
		return sm, c, fmt.Errorf("train: %s: loss is %v; training stopped before the step was applied", where(), sm.Loss)
	}
	sm.Accuracy, sm.TopK = c.accuracy(cfg.TopK)
	if cfg.ClipValue > 0 {
		optim.ClipGradValue(t.params, cfg.ClipValue)
	}
	if cfg.ClipNorm > 0 {
		sm.GradNorm = optim.ClipGradNorm(t.params, cfg.ClipNorm, 2)
		if math.IsNaN(sm.GradNorm) || math.IsInf(sm.GradNorm, 0) {
			opt.ZeroGrad()
			return sm, c, fmt.Errorf("train: %s: gradient norm is %v; training stopped before the step was applied", where(), sm.GradNorm)
		}
	}
	if err := guard(opt.Step); err != nil {
		return sm, c, fmt.Errorf("train: %s: optimizer: %w", where(), err)
	}
	if cfg.Scheduler != nil && cfg.SchedulePerStep {
		cfg.Scheduler.Step()
	}
	return sm, c, nil
}

// passes runs the forward and backward passes of batch b, as one shard or
// as several at once (t.shards), each in an arena of its own that is reset
// when its shard is done: nothing computed in a pass outlives it. It sets
// sm.Loss to the batch's loss (the shards' losses weighted by their
// shares; with one shard, the loss itself) and returns the batch's
// classification counts and whether every shard's loss was finite (a
// shard with a non-finite loss skips its backward pass).
func (t *Trainer) passes(b data.Batch, sm *StepMetrics) (c counts, finite bool, err error) {
	clear(t.parts)
	err = guard(func() { t.shards.Step(b.X, b.Y, t.pass) })
	finite = true
	for _, part := range t.parts[:min(t.shards.N(), b.X.Size(0))] {
		sm.Loss += part.loss
		finite = finite && part.finite
		c.top1 += part.counts.top1
		c.topK += part.counts.topK
		c.n += part.counts.n
	}
	return c, finite, err
}

// shardPass is the ShardFunc of the training step: forward, loss (read
// out into t.parts[k]) and, for a finite loss, backward.
func (t *Trainer) shardPass(k int, x, y *tensor.Tensor, share float64, opts ...tensor.BackwardOption) {
	cfg := &t.cfg
	out := cfg.Model.Forward(x)
	l := cfg.Loss(out, y)
	if l.Numel() != 1 {
		panic(fmt.Errorf("the loss has shape %v; it must be a scalar", l.Shape()))
	}
	v := l.Item()
	part := &t.parts[k]
	part.loss = v * share
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	part.finite = true
	part.counts = classCounts(out, y, cfg.TopK)
	if share != 1 {
		l = l.MulScalar(share)
	}
	l.Backward(opts...)
}

// endEpoch validates, steps per-epoch schedules and reports the epoch. It
// reports whether training should stop.
func (t *Trainer) endEpoch(ctx context.Context, hist *History, mf *metricsFile) (stop bool, err error) {
	cfg := &t.cfg
	em := EpochMetrics{Epoch: t.epoch + 1, Epochs: cfg.Epochs, Step: t.step, Train: t.acc.metrics(cfg.TopK), LR: t.lastLR}
	if cfg.Val != nil {
		vm, err := evaluate(ctx, cfg.Model, cfg.Val, cfg.Loss, cfg.TopK, t.arena)
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return false, err
			}
			return false, fmt.Errorf("train: epoch %d: validation: %w", em.Epoch, err)
		}
		em.Val, em.HasVal = vm, true
	}
	monitored, ok := em.Value(cfg.Monitor)
	if !ok {
		monitored = math.NaN()
	}
	if cfg.Scheduler != nil && !cfg.SchedulePerStep {
		cfg.Scheduler.Step()
	}
	if cfg.MetricScheduler != nil {
		cfg.MetricScheduler.StepMetric(monitored)
	}
	t.epoch++
	t.batch = 0
	t.acc = tally{}
	hist.Epochs = append(hist.Epochs, em)
	if mf != nil {
		if err := mf.write(em); err != nil {
			return false, fmt.Errorf("train: %w", err)
		}
	}
	t.prog.epoch(em)
	for _, cb := range cfg.Callbacks {
		if err := cb.OnEpochEnd(em); err != nil {
			if !errors.Is(err, ErrStop) {
				return false, fmt.Errorf("train: epoch %d step %d: callback: %w", em.Epoch, em.Step, err)
			}
			stop = true
			hist.Stopped = "callback"
		}
	}
	saveBest := t.best != nil && t.best.update(monitored)
	if t.es != nil {
		v, ok := em.Value(t.es.name)
		if !ok {
			v = math.NaN()
		}
		t.es.update(v)
		if t.es.wait > cfg.EarlyStopping.Patience && !stop {
			stop = true
			hist.Stopped = "early stopping"
		}
	}
	if saveBest {
		if err := t.SaveCheckpoint(filepath.Join(cfg.CheckpointDir, BestCheckpoint)); err != nil {
			return false, err
		}
	}
	if n := cfg.CheckpointEveryEpochs; n > 0 && t.epoch%n == 0 {
		if err := t.SaveCheckpoint(filepath.Join(cfg.CheckpointDir, LastCheckpoint)); err != nil {
			return false, err
		}
	}
	return stop, nil
}

// Metadata keys of the trainer's own state in checkpoints.
const (
	metaPrefix     = "train."
	metaBatch      = metaPrefix + "batch"
	metaLossSum    = metaPrefix + "loss_sum"
	metaSamples    = metaPrefix + "samples"
	metaBatches    = metaPrefix + "batches"
	metaCorrect    = metaPrefix + "correct"
	metaCorrectK   = metaPrefix + "correct_k"
	metaClassified = metaPrefix + "classified"
	metaNanos      = metaPrefix + "nanoseconds"
	metaLR         = metaPrefix + "lr"
	metaBestName   = metaPrefix + "best_metric"
	metaBest       = metaPrefix + "best"
	metaESName     = metaPrefix + "early_stopping_metric"
	metaESBest     = metaPrefix + "early_stopping_best"
	metaESWait     = metaPrefix + "early_stopping_wait"
)

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// metadata returns the metadata of a checkpoint of the current state.
func (t *Trainer) metadata() map[string]string {
	m := map[string]string{}
	for k, v := range t.cfg.Metadata {
		m[k] = v
	}
	m[metaBatch] = strconv.Itoa(t.batch)
	m[metaLossSum] = formatFloat(t.acc.lossSum)
	m[metaSamples] = strconv.Itoa(t.acc.samples)
	m[metaBatches] = strconv.Itoa(t.acc.batches)
	m[metaCorrect] = strconv.Itoa(t.acc.correct)
	m[metaCorrectK] = strconv.Itoa(t.acc.correctK)
	m[metaClassified] = strconv.Itoa(t.acc.classified)
	m[metaNanos] = strconv.FormatInt(int64(t.acc.dur), 10)
	m[metaLR] = formatFloat(t.lastLR)
	if t.best != nil {
		m[metaBestName] = t.best.name
		m[metaBest] = formatFloat(t.best.best)
	}
	if t.es != nil {
		m[metaESName] = t.es.name
		m[metaESBest] = formatFloat(t.es.best)
		m[metaESWait] = strconv.Itoa(t.es.wait)
	}
	return m
}

// SaveCheckpoint writes the trainer's state to path atomically: the model,
// the optimizer, the schedule, the position in training, the RNG state,
// the epoch's partial metrics, the early-stopping state and
// Config.Metadata. Fit calls it; it can also be called between calls of
// Fit.
func (t *Trainer) SaveCheckpoint(path string) error {
	st := checkpoint.State{
		Model:     t.cfg.Model,
		Optimizer: t.cfg.Optimizer,
		Scheduler: t.sched,
		Epoch:     t.epoch,
		Step:      t.step,
		Metadata:  t.metadata(),
	}
	if t.cfg.RNG != nil {
		b, err := t.cfg.RNG.MarshalBinary()
		if err != nil {
			return fmt.Errorf("train: save RNG state: %w", err)
		}
		st.RNG = b
	}
	if err := checkpoint.Save(path, st); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// CheckpointPosition returns the position in training recorded in meta,
// the metadata of a checkpoint written by Trainer.SaveCheckpoint or Fit
// (as checkpoint.Inspect reports it): the number of epochs completed and
// the number of batches of the next epoch already trained, 0 when the
// checkpoint was saved at the end of an epoch. A missing key counts as 0.
func CheckpointPosition(meta map[string]string) (epochs, batches int, err error) {
	if epochs, err = metaCount(meta, checkpoint.MetaEpoch); err != nil {
		return 0, 0, fmt.Errorf("train: checkpoint %w", err)
	}
	if batches, err = metaCount(meta, metaBatch); err != nil {
		return 0, 0, fmt.Errorf("train: checkpoint %w", err)
	}
	return epochs, batches, nil
}

// metaCount returns the non-negative count held in meta[key], 0 when key
// is missing.
func metaCount(meta map[string]string, key string) (int, error) {
	v, ok := meta[key]
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("metadata %s: invalid count %q", key, v)
	}
	return n, nil
}

// Resume restores the state saved in the checkpoint at path (written by
// SaveCheckpoint or by Fit) into the trainer's model, optimizer, schedule
// and random source, and its position in training, so that Fit continues
// the run exactly where it stopped: the same weights, bit for bit, as a
// run that was never interrupted, provided the trainer was built the same
// way (same model, optimizer, schedule and loaders with the same seeds).
//
// Loading is strict: the checkpoint must hold every tensor of the model,
// and the state of the optimizer and of the schedule when the trainer has
// them. If an error is returned after the checkpoint was loaded (a corrupt
// trainer entry, a loader of another length), the model and optimizer may
// already hold the checkpoint's values.
func (t *Trainer) Resume(path string) error {
	cfg := &t.cfg
	st := checkpoint.State{Model: cfg.Model, Optimizer: cfg.Optimizer, Scheduler: t.sched}
	if err := checkpoint.Load(path, &st, checkpoint.LoadOptions{}); err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("train: resume from %s: "+format, append([]any{path}, args...)...)
	}
	meta := st.Metadata
	var bad error
	getInt := func(key string) int {
		n, err := metaCount(meta, key)
		if err != nil {
			bad = fail("%v", err)
		}
		return n
	}
	getFloat := func(key string, def float64) float64 {
		v, ok := meta[key]
		if !ok {
			return def
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			bad = fail("metadata %s: invalid number %q", key, v)
		}
		return f
	}
	batch := getInt(metaBatch)
	acc := tally{
		lossSum:    getFloat(metaLossSum, 0),
		samples:    getInt(metaSamples),
		batches:    getInt(metaBatches),
		correct:    getInt(metaCorrect),
		correctK:   getInt(metaCorrectK),
		classified: getInt(metaClassified),
	}
	if v, ok := meta[metaNanos]; ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			bad = fail("metadata %s: invalid duration %q", metaNanos, v)
		}
		acc.dur = time.Duration(n)
	}
	lr := getFloat(metaLR, groupLR(cfg.Optimizer))
	var best, esBest float64
	var esWait int
	restoreBest := t.best != nil && meta[metaBestName] == t.best.name
	if restoreBest {
		best = getFloat(metaBest, math.NaN())
	}
	restoreES := t.es != nil && meta[metaESName] == t.es.name
	if restoreES {
		esBest, esWait = getFloat(metaESBest, math.NaN()), getInt(metaESWait)
	}
	if bad != nil {
		return bad
	}
	if nb := cfg.Train.Len(); batch > nb {
		return fail("the checkpoint is at batch %d of epoch %d, but the training loader has %d batches per epoch", batch, st.Epoch+1, nb)
	}
	if cfg.RNG != nil {
		if st.RNG == nil {
			return fail("the checkpoint holds no RNG state")
		}
		if err := cfg.RNG.UnmarshalBinary(st.RNG); err != nil {
			return fail("RNG state: %v", err)
		}
	}
	t.epoch, t.step, t.batch, t.acc, t.lastLR = st.Epoch, st.Step, batch, acc, lr
	// A monitor saved under another metric does not apply: start afresh.
	if t.best != nil {
		t.best.reset()
		if restoreBest {
			t.best.best = best
		}
	}
	if t.es != nil {
		t.es.reset()
		if restoreES {
			t.es.best, t.es.wait = esBest, esWait
		}
	}
	t.resumed = true
	return nil
}
