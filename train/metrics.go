package train

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/backprop-go/backprop/tensor"
)

// Metrics summarize a pass over data: a training epoch or an evaluation.
type Metrics struct {
	// Loss is the mean loss per example; NaN without a loss function.
	Loss float64

	// Accuracy is the fraction of predictions (examples, or positions for
	// dense outputs) whose highest score is the target class; NaN when the
	// targets are not class indices.
	Accuracy float64

	// TopK is the fraction of predictions whose target is among the K
	// highest scores; NaN unless K > 1 and the targets are class indices.
	TopK float64

	// K is the k of TopK (0 when not computed).
	K int

	// Samples and Batches count the examples and batches seen.
	Samples, Batches int

	// Duration is the time the pass took, data loading included.
	Duration time.Duration
}

// SamplesPerSec returns the throughput of the pass.
func (m Metrics) SamplesPerSec() float64 {
	if m.Duration <= 0 {
		return math.NaN()
	}
	return float64(m.Samples) / m.Duration.Seconds()
}

// StepMetrics are reported after every training step.
type StepMetrics struct {
	// Epoch is the epoch of the step, from 1; Epochs is the number of
	// epochs of the run.
	Epoch, Epochs int

	// Batch is the step's batch in the epoch, from 1, out of Batches.
	Batch, Batches int

	// Step counts the optimizer steps of the run so far, this one
	// included.
	Step int

	// Loss, Accuracy and TopK are measured on the step's batch (Accuracy
	// and TopK are NaN when not computed; see Metrics).
	Loss, Accuracy, TopK float64

	// EpochLoss and EpochAccuracy are the running means over the epoch so
	// far.
	EpochLoss, EpochAccuracy float64

	// LR is the learning rate of the optimizer's first group used for the
	// step.
	LR float64

	// GradNorm is the total gradient norm before clipping when ClipNorm is
	// set, NaN otherwise.
	GradNorm float64

	// Samples is the batch size; SamplesPerSec the step's throughput, data
	// loading included.
	Samples       int
	SamplesPerSec float64

	// Elapsed is the time spent in the epoch so far; ETA estimates the
	// time to its end.
	Elapsed, ETA time.Duration
}

// EpochMetrics are reported after every epoch.
type EpochMetrics struct {
	// Epoch is the epoch, from 1, out of Epochs.
	Epoch, Epochs int

	// Step is the number of optimizer steps of the run so far.
	Step int

	// Train summarizes the training steps of the epoch.
	Train Metrics

	// Val summarizes the validation pass; HasVal is false without a
	// validation loader.
	Val    Metrics
	HasVal bool

	// LR is the learning rate of the optimizer's first group used for the
	// epoch's last step.
	LR float64
}

// topKName returns the metric name of top-k accuracy.
func topKName(k int) string { return "top" + strconv.Itoa(k) + "_acc" }

// Value returns the metric of the given name (see the package
// documentation) and whether it exists and was measured.
func (e EpochMetrics) Value(name string) (float64, bool) {
	m, rest := e.Train, name
	if r, ok := strings.CutPrefix(name, "val_"); ok {
		if !e.HasVal {
			return 0, false
		}
		m, rest = e.Val, r
	}
	var v float64
	switch {
	case rest == "loss":
		v = m.Loss
	case rest == "acc":
		v = m.Accuracy
	case m.K > 1 && rest == topKName(m.K):
		v = m.TopK
	case name == "lr":
		v = e.LR
	case name == "samples_per_sec":
		v = e.Train.SamplesPerSec()
	default:
		return 0, false
	}
	return v, !math.IsNaN(v)
}

// tally accumulates the metrics of a pass.
type tally struct {
	lossSum    float64 // sum over batches of loss · batch size
	samples    int
	batches    int
	correct    int // top-1 hits
	correctK   int // top-k hits
	classified int // predictions counted for accuracy
	dur        time.Duration
}

// add records one batch.
func (t *tally) add(loss float64, n int, c counts, dur time.Duration) {
	t.lossSum += loss * float64(n)
	t.samples += n
	t.batches++
	t.correct += c.top1
	t.correctK += c.topK
	t.classified += c.n
	t.dur += dur
}

// metrics returns the summary; k is the configured top-k.
func (t *tally) metrics(k int) Metrics {
	m := Metrics{Loss: math.NaN(), Accuracy: math.NaN(), TopK: math.NaN(), Samples: t.samples, Batches: t.batches, Duration: t.dur}
	if t.samples > 0 {
		m.Loss = t.lossSum / float64(t.samples)
	}
	if t.classified > 0 {
		m.Accuracy = float64(t.correct) / float64(t.classified)
		if k > 1 {
			m.K = k
			m.TopK = float64(t.correctK) / float64(t.classified)
		}
	}
	return m
}

// counts are the classification hits of a batch.
type counts struct{ top1, topK, n int }

// accuracy returns the fractions of hits, NaN when nothing was counted.
func (c counts) accuracy(k int) (acc, accK float64) {
	if c.n == 0 {
		return math.NaN(), math.NaN()
	}
	acc = float64(c.top1) / float64(c.n)
	accK = math.NaN()
	if k > 1 {
		accK = float64(c.topK) / float64(c.n)
	}
	return acc, accK
}

// isClassification reports whether out holds class scores along axis 1
// for the Int64 class indices target: out is [N, C, d...] and target
// [N, d...].
func isClassification(out, target *tensor.Tensor) bool {
	if out == nil || target == nil || target.DType() != tensor.Int64 || !out.DType().IsFloat() {
		return false
	}
	os, ts := out.Shape(), target.Shape()
	if len(os) < 2 || len(ts) != len(os)-1 || os[0] != ts[0] {
		return false
	}
	for i := 1; i < len(ts); i++ {
		if ts[i] != os[i+1] {
			return false
		}
	}
	return true
}

// classCounts counts the predictions of out whose target is the top-1
// class and among the top k (k ≤ 1 counts top-1 only). A target's rank is
// the number of classes scoring higher, plus those scoring the same with
// a lower index (the order of a stable sort, and ArgMax's choice for
// ties); a NaN score or a target outside [0, C) is a miss. It returns
// zero counts unless isClassification(out, target).
func classCounts(out, target *tensor.Tensor, k int) counts {
	if !isClassification(out, target) {
		return counts{}
	}
	shape := out.Shape()
	n, c := shape[0], shape[1]
	inner := 1
	for _, d := range shape[2:] {
		inner *= d
	}
	// The scores and targets are read in place (copied only when not
	// contiguous), so that a step allocates nothing for its metrics.
	o := out.Detach()
	if !o.IsContiguous() {
		o = o.Contiguous()
	}
	var x32 []float32
	var x64 []float64
	if o.DType() == tensor.Float64 {
		x64 = o.RawFloat64()
	} else {
		x32 = o.RawFloat32()
	}
	score := func(i int) float64 {
		if x64 != nil {
			return x64[i]
		}
		return float64(x32[i])
	}
	tt := target.Detach()
	if !tt.IsContiguous() {
		tt = tt.Contiguous()
	}
	tg := tt.RawInt64()
	res := counts{n: n * inner}
	for i := range n {
		for j := range inner {
			t := tg[i*inner+j]
			if t < 0 || t >= int64(c) {
				continue
			}
			base := i*c*inner + j
			v := score(base + int(t)*inner)
			if math.IsNaN(v) {
				continue
			}
			rank := 0
			for cl := range c {
				s := score(base + cl*inner)
				if s > v || (s == v && cl < int(t)) || math.IsNaN(s) {
					rank++
				}
			}
			if rank == 0 {
				res.top1++
			}
			if rank < k {
				res.topK++
			}
		}
	}
	return res
}
