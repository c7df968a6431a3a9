// Package data provides datasets, a batching Loader and transforms for
// training.
//
// A Dataset is an indexable collection of examples: Example(i) returns the
// input x and the target y of example i. Targets are Int64 class indices
// (one scalar per example) or Float32 regression targets. TensorDataset
// holds all examples in two tensors whose first axis indexes the examples.
// Uint8Dataset stores inputs such as grey pixels as one byte per element,
// a quarter of the memory of Float32, and converts them to Float32 (byte
// times a scale) as examples and batches are read. Subset and RandomSplit
// select parts of a dataset without copying it.
//
// A dataset that can copy many examples at once into preallocated tensors
// implements Batcher. The Loader uses it when it is available, so that a
// steady-state batch costs one copy of the selected rows and no allocation:
//
//	l, err := data.NewLoader(train, data.LoaderConfig{BatchSize: 64, Shuffle: true, Seed: 1, Workers: 2})
//	if err != nil { ... }
//	for epoch := range epochs {
//		it := l.Epoch(epoch)
//		for it.Next() {
//			b := it.Batch() // b.X [64, ...], b.Y [64]
//			...
//		}
//		if err := it.Err(); err != nil { ... }
//		it.Close()
//	}
//
// The order of the examples in an epoch depends only on the loader's Seed
// and the epoch number, and the batches are the same, in the same order,
// whatever the number of workers; random transforms draw from a source
// seeded by (Seed, epoch, example index). So an interrupted run that resumes
// at epoch k (or at batch j of epoch k, with EpochFrom) sees exactly the
// batches the uninterrupted run would have seen.
//
// Transforms such as Normalize, RandomCrop and RandomHorizontalFlip work on
// the float32 elements of one example; the Loader applies them to every
// example of a batch, and Apply and ApplyBatch apply them to tensors.
//
// Readers for files live in the sub-packages data/idx (the MNIST IDX
// format), data/csv (tabular data) and data/imagefolder (one folder of PNG
// or JPEG images per class).
package data
