// Package checkpoint reads and writes checkpoints in the safetensors format,
// so that a model trained with backprop loads into PyTorch and back.
//
// A safetensors file is an 8-byte little-endian header length N, a JSON
// header of N bytes describing each tensor (dtype, shape, byte offsets) plus
// an optional "__metadata__" map of strings, and the raw little-endian
// tensor data. Encode/Decode and WriteFile/ReadFile handle that layer:
// named tensors and string metadata. WriteFile is atomic: it writes a
// temporary file in the same directory, syncs it, and renames it over the
// destination, so a crash never leaves a partial checkpoint behind.
//
// Save and Load build on it to store a whole training state: the model's
// state dict under PyTorch's names, the optimizer and schedule state, the
// epoch and step, the random generator state and free-form metadata.
package checkpoint
