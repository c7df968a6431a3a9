// Package optim holds the optimizers that update a model's parameters from
// their gradients, the learning-rate schedules that drive them, and
// gradient clipping, all with PyTorch's semantics (torch.optim 1.13).
//
// An Optimizer updates the parameters of one or more parameter groups in
// place, through their storage (RawFloat32 or RawFloat64), and records
// nothing in the autograd graph. Float64 parameters are updated by one
// loop each, with PyTorch's arithmetic. SGD and Adam update float32
// parameters in float32, in cache-sized blocks with the vector kernels
// where the rule allows (SGD's scale and axpy passes), and split a step
// that updates at least 32,768 elements over the processors; their
// results differ from PyTorch's in the last bits only and do not depend on
// the number of processors. After the first step has allocated the
// optimizer's state a step allocates nothing, but for the few bytes of
// bookkeeping of a split step. Parameters whose Grad is nil are skipped,
// as in PyTorch. A typical training step is
//
//	opt.ZeroGrad()
//	loss := lossFn(model(x), y)
//	loss.Backward()
//	opt.Step()
//
// ZeroGradInPlace(opt) zeroes the gradients and keeps their storage
// (zero_grad(set_to_none=False)), for a step that allocates nothing.
//
// Each Group carries its own learning rate and weight decay (and the
// momentum or β₁ that some schedules cycle); Groups returns them for
// inspection and change, like PyTorch's param_groups.
//
// The optimizers are SGD (momentum, dampening, Nesterov, weight decay),
// Adam and AdamW (amsgrad), RMSprop (centered, momentum) and Adagrad. Zero
// fields of a configuration mean PyTorch's defaults, listed on each
// configuration type.
//
// StateDict and LoadStateDict expose an optimizer's state (step counts,
// moment buffers and group hyperparameters) as a State, whose keys follow
// PyTorch's optimizer state dict: "state.<i>.<name>" for the buffers of the
// i-th parameter (counting through the groups in order) and
// "param_groups.<g>.<name>" for the hyperparameters of group g. The
// checkpoint package saves and restores it.
//
// Schedules (StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR,
// LinearWarmup, OneCycleLR) implement Scheduler: they set the learning rate
// of every group from the number of times Step was called, as PyTorch's
// closed forms do. ReduceLROnPlateau lowers the learning rate when a metric
// passed to StepMetric stops improving.
//
// ClipGradNorm and ClipGradValue rescale or clamp gradients in place before
// a step.
//
// Invalid configurations (a negative learning rate, Nesterov momentum
// without momentum, a parameter listed twice) are programming errors and
// panic with an error value whose message starts with "optim:".
// LoadStateDict returns an error naming every mismatched entry.
package optim
