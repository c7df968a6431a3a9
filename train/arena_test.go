package train

import (
	"context"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
)

// TestFitMatchesPlainLoop checks that Fit, which runs each step in an
// arena and zeroes gradients in place, gives bit for bit the weights of
// the plain loop on the heap (zero_grad to nil, forward, loss, backward,
// step, schedule) over the same batches.
func TestFitMatchesPlainLoop(t *testing.T) {
	cfg := setup(t, true)
	if _, err := mustNew(t, cfg).Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	ref := setup(t, true)
	nn.SetTraining(ref.Model, true)
	for epoch := range ref.Epochs {
		it := ref.Train.Epoch(epoch)
		for it.Next() {
			b := it.Batch()
			ref.Optimizer.ZeroGrad()
			ref.Loss(ref.Model.Forward(b.X), b.Y).Backward()
			ref.Optimizer.Step()
			ref.Scheduler.Step()
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		it.Close()
	}
	sameBits(t, weightBits(cfg.Model), weightBits(ref.Model))
}

// TestFitReusesStorage checks that Fit keeps each parameter's gradient
// storage from step to step (zeroed in place) and that what a callback
// receives is plain values.
func TestFitReusesStorage(t *testing.T) {
	cfg := setup(t, false)
	cfg.Val = nil
	params := nn.Parameters(cfg.Model)
	var grads []*tensor.Tensor
	steps := 0
	cfg.Callbacks = []Callback{CallbackFuncs{Step: func(m StepMetrics) error {
		steps++
		for i, p := range params {
			switch {
			case p.Grad() == nil:
				t.Fatalf("step %d: parameter %d has no gradient", m.Step, i)
			case steps == 1:
				grads = append(grads, p.Grad())
			case p.Grad() != grads[i]:
				t.Errorf("step %d: parameter %d has a new gradient tensor", m.Step, i)
			}
		}
		return nil
	}}}
	if _, err := mustNew(t, cfg).Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if steps != 24 {
		t.Fatalf("%d steps, want 24", steps)
	}
}

// keepOutput is a model that keeps its last output, which a step's arena
// does not allow.
type keepOutput struct {
	nn.Module
	last *tensor.Tensor
}

func (k *keepOutput) Forward(x *tensor.Tensor) *tensor.Tensor {
	out := k.Module.Forward(x)
	if k.last != nil {
		out = out.Add(k.last.Detach().MulScalar(0))
	}
	k.last = out
	return out
}

// TestTensorKeptPastStep checks that a model keeping a tensor of one step
// for the next gets an error naming the problem, not another step's data.
func TestTensorKeptPastStep(t *testing.T) {
	cfg := setup(t, false)
	cfg.Model = &keepOutput{Module: cfg.Model}
	_, err := mustNew(t, cfg).Fit(context.Background())
	if err == nil || !strings.Contains(err.Error(), "arena was reset") || !strings.Contains(err.Error(), "step 2") {
		t.Fatalf("Fit returned %v, want an error at step 2 about a tensor used after its arena was reset", err)
	}
}
