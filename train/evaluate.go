package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

// Evaluate runs model over one epoch of loader (epoch 0, so an unshuffled
// loader gives the dataset in order) in evaluation mode, without recording
// a graph and with each batch's tensors in a tensor.Arena reset after the
// batch (see Trainer), and returns the mean loss (NaN when lossFn is nil), the
// accuracy and, with topK > 1, the top-k accuracy (see Metrics). It leaves
// the model in evaluation mode. A misuse of tensor math (the data does not
// fit the model, say) is returned as an error, as is the context's error
// when ctx is cancelled between two batches.
func Evaluate(ctx context.Context, model nn.Module, loader *data.Loader, lossFn func(out, target *tensor.Tensor) *tensor.Tensor, topK int) (Metrics, error) {
	if model == nil || loader == nil {
		return Metrics{}, errors.New("train: Evaluate: nil model or loader")
	}
	m, err := evaluate(ctx, model, loader, lossFn, topK, tensor.NewArena())
	if err != nil {
		return m, fmt.Errorf("train: evaluate: %w", err)
	}
	return m, nil
}

// evaluate is Evaluate with errors that do not name the operation, in the
// arena a (reset after every batch).
func evaluate(ctx context.Context, model nn.Module, loader *data.Loader, lossFn func(out, target *tensor.Tensor) *tensor.Tensor, topK int, a *tensor.Arena) (Metrics, error) {
	nn.SetTraining(model, false)
	var t tally
	it := loader.Epoch(0)
	defer it.Close()
	last := time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return t.metrics(topK), err
		}
		if !it.Next() {
			break
		}
		b := it.Batch()
		var loss float64
		var c counts
		err := guard(func() {
			defer a.Reset()
			out := model.Forward(b.X.NoGrad().InArena(a))
			if lossFn != nil {
				loss = lossFn(out, b.Y.NoGrad()).Item()
			}
			c = classCounts(out, b.Y, topK)
		})
		if err != nil {
			return t.metrics(topK), fmt.Errorf("batch %d: %w", b.Index+1, err)
		}
		now := time.Now()
		t.add(loss, len(b.Indices), c, now.Sub(last))
		last = now
	}
	if err := it.Err(); err != nil {
		return t.metrics(topK), err
	}
	m := t.metrics(topK)
	if lossFn == nil {
		m.Loss = math.NaN()
	}
	return m, nil
}

// guard runs f and returns the error value f panicked with, such as the
// *tensor.Error of a shape mismatch. Other panics (runtime errors, non-error
// values) propagate.
func guard(f func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			e, ok := p.(error)
			if _, isRuntime := p.(runtime.Error); !ok || isRuntime {
				panic(p)
			}
			err = e
		}
	}()
	f()
	return nil
}

// Confusion is a confusion matrix: Counts[t][p] is the number of examples
// of true class t predicted as class p.
type Confusion struct {
	Counts [][]int
}

// ClassMetrics are the precision, recall and F1 score of one class, with
// its support (the number of examples of the class).
type ClassMetrics struct {
	Class                 int
	Precision, Recall, F1 float64
	Support               int
}

// ConfusionMatrix runs model over one epoch of loader in evaluation mode,
// as Evaluate, and counts its top-1 predictions against the targets,
// which must be Int64 class indices in [0, numClasses) with the scores of
// numClasses classes along axis 1 of the model's output.
func ConfusionMatrix(ctx context.Context, model nn.Module, loader *data.Loader, numClasses int) (*Confusion, error) {
	if model == nil || loader == nil {
		return nil, errors.New("train: ConfusionMatrix: nil model or loader")
	}
	if numClasses <= 0 {
		return nil, fmt.Errorf("train: ConfusionMatrix: number of classes must be positive, got %d", numClasses)
	}
	nn.SetTraining(model, false)
	cm := &Confusion{Counts: make([][]int, numClasses)}
	for i := range cm.Counts {
		cm.Counts[i] = make([]int, numClasses)
	}
	a := tensor.NewArena()
	defer a.Reset()
	it := loader.Epoch(0)
	defer it.Close()
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("train: confusion matrix: %w", err)
		}
		if !it.Next() {
			break
		}
		b := it.Batch()
		var out *tensor.Tensor
		if err := guard(func() { out = model.Forward(b.X.NoGrad().InArena(a)) }); err != nil {
			return nil, fmt.Errorf("train: confusion matrix: batch %d: %w", b.Index+1, err)
		}
		if !isClassification(out, b.Y) {
			return nil, fmt.Errorf("train: confusion matrix: model output %v (%v) and targets %v (%v) are not class scores and class indices", out.Shape(), out.DType(), b.Y.Shape(), b.Y.DType())
		}
		if c := out.Size(1); c != numClasses {
			return nil, fmt.Errorf("train: confusion matrix: the model scores %d classes, want %d", c, numClasses)
		}
		pred := out.ArgMax(1).Int64s()
		a.Reset()
		for i, t := range b.Y.Int64s() {
			if t < 0 || t >= int64(numClasses) {
				return nil, fmt.Errorf("train: confusion matrix: batch %d: target %d outside [0, %d)", b.Index+1, t, numClasses)
			}
			cm.Counts[t][pred[i]]++
		}
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("train: confusion matrix: %w", err)
	}
	return cm, nil
}

// Total returns the number of examples counted.
func (c *Confusion) Total() int {
	n := 0
	for _, row := range c.Counts {
		for _, v := range row {
			n += v
		}
	}
	return n
}

// Accuracy returns the fraction of examples predicted correctly, NaN when
// there are none.
func (c *Confusion) Accuracy() float64 {
	hit := 0
	for i := range c.Counts {
		hit += c.Counts[i][i]
	}
	return float64(hit) / float64(c.Total())
}

// Class returns the metrics of class k. Precision is the fraction of the
// predictions of k that are right, recall the fraction of the examples of
// k predicted as k, and F1 their harmonic mean; each is 0 where its
// denominator is (as scikit-learn's zero_division=0).
func (c *Confusion) Class(k int) ClassMetrics {
	tp := c.Counts[k][k]
	predicted, support := 0, 0
	for i := range c.Counts {
		predicted += c.Counts[i][k]
		support += c.Counts[k][i]
	}
	m := ClassMetrics{Class: k, Support: support}
	if predicted > 0 {
		m.Precision = float64(tp) / float64(predicted)
	}
	if support > 0 {
		m.Recall = float64(tp) / float64(support)
	}
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	return m
}

// PerClass returns the metrics of every class.
func (c *Confusion) PerClass() []ClassMetrics {
	out := make([]ClassMetrics, len(c.Counts))
	for k := range out {
		out[k] = c.Class(k)
	}
	return out
}

// MacroF1 returns the unweighted mean of the classes' F1 scores.
func (c *Confusion) MacroF1() float64 {
	s := 0.0
	for k := range c.Counts {
		s += c.Class(k).F1
	}
	return s / float64(len(c.Counts))
}
