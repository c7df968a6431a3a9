package train

import "errors"

// Callback is notified as training progresses. OnStepEnd is called after
// every optimizer step, OnEpochEnd after every epoch (after validation).
// Returning ErrStop (or an error wrapping it) ends training cleanly after
// the current step or epoch: Fit writes its final checkpoint and returns
// no error. Any other error stops training too, and Fit returns it with
// the epoch and step where it happened.
//
// Callbacks run in the goroutine that called Fit, between steps; they may
// read the model and change the optimizer's groups (its learning rates),
// but must not hold on to the batch tensors.
type Callback interface {
	OnStepEnd(m StepMetrics) error
	OnEpochEnd(m EpochMetrics) error
}

// ErrStop is returned by a callback to end training early without an
// error.
var ErrStop = errors.New("train: stop requested by a callback")

// CallbackFuncs adapts functions to a Callback; nil functions are not
// called.
type CallbackFuncs struct {
	Step  func(StepMetrics) error
	Epoch func(EpochMetrics) error
}

// OnStepEnd calls f.Step.
func (f CallbackFuncs) OnStepEnd(m StepMetrics) error {
	if f.Step == nil {
		return nil
	}
	return f.Step(m)
}

// OnEpochEnd calls f.Epoch.
func (f CallbackFuncs) OnEpochEnd(m EpochMetrics) error {
	if f.Epoch == nil {
		return nil
	}
	return f.Epoch(m)
}
