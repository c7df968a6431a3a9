// Command train measures the training throughput of backprop with exactly
// the recipe of the PyTorch anchor ../shared/anchors/torch_train.py, so
// that the two can be compared side by side (bench/compare_train.sh).
//
// Usage:
//
//	go run ./bench/train --model mlp --batch 64 --threads 2 [--epochs 5] [--warmup 1]
//
// Data: --samples (60000) synthetic MNIST-shaped examples, uniform float32
// in [0, 1) of shape [N, 784] (mlp) or [N, 1, 28, 28] (cnn), with Int64
// labels uniform in 0..9, drawn from a source seeded by --seed and held in
// memory. Each epoch shuffles the examples and walks them in mini-batches,
// the last partial batch included: gather the batch (data.Loader over a
// data.TensorDataset, into reused buffers), forward, loss.CrossEntropy,
// zero_grad, backward, SGD(lr 0.01, momentum 0.9) step.
//
// Models:
//
//	mlp: Linear(784,256)-ReLU-Linear(256,128)-ReLU-Linear(128,10)
//	cnn: Conv2d(1,6,5)-ReLU-MaxPool2d(2)-Conv2d(6,16,5)-ReLU-MaxPool2d(2)-Flatten(256)
//	     -Linear(256,120)-ReLU-Linear(120,84)-ReLU-Linear(84,10)
//
// --storage uint8 stores the inputs as bytes (data.Uint8Dataset) read as
// k/256, uniform on 256 values in [0, 1), in a quarter of the memory: the
// anchor's recipe in every other respect, to measure the memory of a data
// set kept as MNIST's own bytes.
//
// --gogc sets the garbage collector's target (runtime/debug.SetGCPercent,
// default 25; 0 keeps GOGC or the runtime's 100). A steady-state step
// leaves a few kilobytes of small objects; with the default target of
// 100 they pile up to the size of the live heap (the data set) before a
// collection. At 25 the heap stays within a quarter of the data set, and
// the collections, which have almost nothing to mark (the data and the
// arena's buffers hold no pointers), cost under 0.1 % of the CPU time.
//
// --threads sets GOMAXPROCS (0 keeps the default); --cpuprofile writes a CPU
// profile of the measured epochs (go tool pprof). The program prints one
// line per epoch and then a JSON line with the fields of torch_train.py's
// (median, minimum and maximum samples/s over the measured epochs, samples
// per CPU second, peak resident memory) and the Go runtime's view of the
// measured epochs: heap allocations per step and the share of the used CPU
// time spent in garbage collection.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"time"
)

// config holds the command-line settings.
type config struct {
	model                 string
	batch, epochs, warmup int
	samples, threads      int
	workers               int
	storage               string
	gogc                  int
	shards                int
	seed                  uint64
	cpuProfile            string
}

// result is the final JSON line. The fields shared with torch_train.py
// have its names and meanings.
type result struct {
	Model                 string   `json:"model"`
	Batch                 int      `json:"batch"`
	Threads               int      `json:"threads"`
	SamplesPerSMedian     float64  `json:"samples_per_s_median"`
	SamplesPerSMin        float64  `json:"samples_per_s_min"`
	SamplesPerSMax        float64  `json:"samples_per_s_max"`
	SamplesPerCPUSMedian  float64  `json:"samples_per_cpu_s_median"`
	StepMSMedian          float64  `json:"step_ms_median"`
	Epochs                int      `json:"epochs"`
	Warmup                int      `json:"warmup"`
	Params                int      `json:"params"`
	RSSAfterStartMiB      float64  `json:"rss_after_start_mib"`
	RSSAfterDataMiB       float64  `json:"rss_after_data_mib"`
	RSSPeakMiB            float64  `json:"rss_peak_mib"`
	Samples               int      `json:"samples"`
	Workers               int      `json:"workers"`
	Storage               string   `json:"storage"`
	Shards                int      `json:"shards"`
	StepsPerEpoch         int      `json:"steps_per_epoch"`
	AllocsPerStep         float64  `json:"allocs_per_step"`
	AllocBytesPerStep     float64  `json:"alloc_bytes_per_step"`
	GCCycles              uint64   `json:"gc_cycles"`
	GCCPUFraction         float64  `json:"gc_cpu_fraction"`
	GOGC                  string   `json:"gogc"`
	GoVersion             string   `json:"go"`
	GOARCH                string   `json:"goarch"`
	Framework             string   `json:"framework"`
	FinalLoss             *float64 `json:"final_loss"`
	LastEpochSeconds      float64  `json:"last_epoch_s"`
	MeasuredEpochsSeconds float64  `json:"measured_s"`
}

func main() {
	var c config
	fs := flag.NewFlagSet("train", flag.ExitOnError)
	fs.StringVar(&c.model, "model", "mlp", "model: mlp or cnn")
	fs.IntVar(&c.batch, "batch", 64, "mini-batch size")
	fs.IntVar(&c.epochs, "epochs", 5, "measured epochs")
	fs.IntVar(&c.warmup, "warmup", 1, "warm-up epochs (not counted)")
	fs.IntVar(&c.samples, "samples", 60000, "number of synthetic examples")
	fs.IntVar(&c.threads, "threads", 0, "GOMAXPROCS (0 keeps the default)")
	fs.IntVar(&c.workers, "workers", 0, "loader worker goroutines (0 gathers batches in the training goroutine, as the anchor does)")
	fs.StringVar(&c.storage, "storage", storageFloat32, "input storage: float32 (the anchor's) or uint8 (one byte per element, read as k/256)")
	fs.IntVar(&c.gogc, "gogc", 25, "garbage-collection target percent while training (runtime/debug.SetGCPercent); 0 keeps the runtime's (GOGC or 100)")
	fs.IntVar(&c.shards, "shards", 1, "shards of each batch computed at once, one per processor (train.Shards); 1 splits each operation over the processors instead")
	fs.Uint64Var(&c.seed, "seed", 0, "seed of the data, the weights and the shuffle")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured epochs to this file")
	fs.Parse(os.Args[1:])
	if err := run(c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

// run trains as configured, printing the per-epoch lines and the JSON
// result to w.
func run(c config, w io.Writer) (perr error) {
	switch {
	case c.epochs < 1:
		return fmt.Errorf("--epochs %d: need at least one measured epoch", c.epochs)
	case c.warmup < 0:
		return fmt.Errorf("--warmup %d: must not be negative", c.warmup)
	case c.threads < 0:
		return fmt.Errorf("--threads %d: must not be negative", c.threads)
	case c.workers < 0:
		return fmt.Errorf("--workers %d: must not be negative", c.workers)
	}
	if c.storage == "" {
		c.storage = storageFloat32
	}
	if c.shards == 0 {
		c.shards = 1
	}
	if c.gogc < 0 {
		return fmt.Errorf("--gogc %d: must not be negative", c.gogc)
	}
	gogc := os.Getenv("GOGC")
	if c.gogc > 0 {
		old := debug.SetGCPercent(c.gogc)
		defer debug.SetGCPercent(old)
		gogc = strconv.Itoa(c.gogc)
	}
	if c.threads > 0 {
		runtime.GOMAXPROCS(c.threads)
	}
	rssStart := peakRSSMiB()
	r, err := newRecipe(c.model, c.samples, c.batch, c.workers, c.seed, c.storage, c.shards)
	if err != nil {
		return err
	}
	rssData := peakRSSMiB()

	var rates, cpuRates []float64
	var before runStats
	var last, measured time.Duration
	steps, lastLoss := 0, 0.0
	for e := range c.warmup + c.epochs {
		if e == c.warmup {
			// A collection here ends the warm-up's garbage and takes the
			// snapshot of the GC's CPU counters the measurement starts from
			// (the runtime updates them at each collection).
			runtime.GC()
			before = readRunStats()
			if c.cpuProfile != "" {
				stop, err := startCPUProfile(c.cpuProfile)
				if err != nil {
					return err
				}
				defer func() {
					if err := stop(); err != nil && perr == nil {
						perr = err
					}
				}()
			}
		}
		t0, c0 := time.Now(), cpuTime()
		n, l, err := r.epoch(e)
		dt, dc := time.Since(t0), cpuTime()-c0
		if err != nil {
			return err
		}
		tag := "warmup"
		if e >= c.warmup {
			tag = "epoch"
			rates = append(rates, float64(c.samples)/dt.Seconds())
			if dc > 0 {
				cpuRates = append(cpuRates, float64(c.samples)/dc.Seconds())
			}
			steps += n
			measured += dt
		}
		last, lastLoss = dt, l
		fmt.Fprintf(w, "%s %d: %.2f s, %.0f samples/s, cpu %.2f s, loss %.4f\n", tag, e, dt.Seconds(), float64(c.samples)/dt.Seconds(), dc.Seconds(), l)
	}
	d := readRunStats().sub(before)

	med := median(rates)
	res := result{
		Model:                 c.model,
		Batch:                 c.batch,
		Threads:               runtime.GOMAXPROCS(0),
		SamplesPerSMedian:     med,
		SamplesPerSMin:        slices.Min(rates),
		SamplesPerSMax:        slices.Max(rates),
		SamplesPerCPUSMedian:  median(cpuRates),
		StepMSMedian:          1000 * float64(c.batch) / med,
		Epochs:                c.epochs,
		Warmup:                c.warmup,
		Params:                r.params,
		RSSAfterStartMiB:      round1(rssStart),
		RSSAfterDataMiB:       round1(rssData),
		RSSPeakMiB:            round1(peakRSSMiB()),
		Samples:               c.samples,
		Workers:               c.workers,
		Storage:               c.storage,
		Shards:                c.shards,
		StepsPerEpoch:         r.loader.Len(),
		AllocsPerStep:         float64(d.AllocObjects) / float64(steps),
		AllocBytesPerStep:     float64(d.AllocBytes) / float64(steps),
		GCCycles:              d.GCCycles,
		GCCPUFraction:         d.GCFraction,
		GOGC:                  gogc,
		GoVersion:             runtime.Version(),
		GOARCH:                runtime.GOARCH,
		Framework:             "backprop",
		FinalLoss:             finite(lastLoss),
		LastEpochSeconds:      last.Seconds(),
		MeasuredEpochsSeconds: measured.Seconds(),
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// startCPUProfile starts writing a CPU profile to the named file and
// returns the function that stops it and closes the file.
func startCPUProfile(name string) (stop func() error, err error) {
	f, err := os.Create(name)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		return nil
	}, nil
}

// median returns the median of xs (the mean of the middle two for an even
// count), or 0 for none, as Python's statistics.median.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// finite returns &x, or nil (JSON null) when x is NaN or infinite.
func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// round1 rounds x to one decimal.
func round1(x float64) float64 {
	return float64(int64(x*10+0.5)) / 10
}
