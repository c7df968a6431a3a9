// Package train runs the training loop: epochs of optimizer steps over a
// data.Loader, validation, metrics, callbacks, early stopping, progress
// output, metrics files, and checkpoints that resume a run exactly.
//
// A Trainer is built from a Config:
//
//	tr, err := train.New(train.Config{
//		Model:     model,
//		Loss:      func(out, y *tensor.Tensor) *tensor.Tensor { return loss.CrossEntropy(out, y, loss.CrossEntropyOptions{}) },
//		Optimizer: opt,
//		Train:     trainLoader,
//		Val:       testLoader,
//		Epochs:    10,
//		Progress:  os.Stderr,
//	})
//	if err != nil { ... }
//	history, err := tr.Fit(ctx)
//
// Each step clears the gradients, runs the model in training mode, computes
// the loss (a NaN or infinite loss stops training with an error naming the
// epoch and the step, before the weights are touched), back-propagates,
// clips the gradients if asked, and steps the optimizer and, when it is
// stepped per batch, the learning-rate schedule. After each epoch the model
// is evaluated on the validation loader in evaluation mode without
// recording a graph, per-epoch schedules are stepped, and the epoch's
// metrics go to the history, the metrics file, the progress writer and the
// callbacks.
//
// With Config.Shards greater than 1, the forward and backward passes of
// each step run as that many shards of the batch at once, one per core
// (see Shards), instead of each operation splitting its work over the
// cores.
//
// # Checkpoints and resuming
//
// With a CheckpointDir, the trainer writes last.safetensors every
// CheckpointEverySteps steps, every CheckpointEveryEpochs epochs, when the
// context is cancelled and when training ends, and best.safetensors when
// the monitored metric improves (KeepBest). The files are written
// atomically (package checkpoint), so an interrupted run never leaves a
// partial file. A checkpoint holds the model, the optimizer, the schedule,
// the position in training (epoch and batch), the state of the random
// source shared with the model's random layers, the partial sums of the
// epoch's metrics and the early-stopping state. Resume restores all of
// it, and because the loader's order and random transforms depend only on
// its seed and the epoch, a run stopped anywhere and resumed gives the same
// weights, bit for bit, as the run that was never stopped.
//
// # Metrics
//
// Loss is the mean of the loss function over the examples (the loss
// function is expected to return the batch mean). When the targets are
// Int64 class indices and the model's output holds the class scores along
// axis 1, accuracy (top-1) and, with TopK > 1, top-k accuracy are computed
// too. Metric names, as used by EarlyStopping, Monitor and the metrics
// file: loss, acc, top<k>_acc (top5_acc for TopK 5), lr, samples_per_sec,
// and val_loss, val_acc, val_top<k>_acc for validation.
package train
