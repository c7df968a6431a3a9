// Package nn provides neural-network layers with PyTorch's semantics: a
// Module interface, parameters and buffers with PyTorch's dotted names and
// state dicts, weight initialization, and the usual layers (Linear,
// convolutions and pooling, normalization, Dropout, Embedding, Flatten,
// Identity and activations), composed with Sequential.
//
// A Module computes Forward(x) and lists what it owns in Members: its
// parameters (tensors that require gradients), its buffers (saved state
// that is not trained, such as BatchNorm's running statistics) and its
// named sub-modules. Everything else is derived by walking that tree:
//
//	model := nn.NewSequential(
//		nn.NewLinear(r, 784, 128, true),
//		&nn.ReLU{},
//		nn.NewLinear(r, 128, 10, true),
//	)
//	nn.NamedParameters(model) // "0.weight", "0.bias", "2.weight", "2.bias"
//	nn.StateDict(model)       // parameters and buffers, PyTorch's keys
//	nn.SetTraining(model, false)
//
// Layers are created in float32, PyTorch's default, with their random
// initialization drawn from an explicit *rand.Rand; ToDType converts a
// whole model in place (float64 is what gradient checks use). Weight
// layouts are PyTorch's (Linear [out, in], Conv2d [out, in/groups, kh, kw]),
// so state dicts move between the two frameworks unchanged.
//
// Modules default to training mode, as in PyTorch. Dropout and BatchNorm
// behave differently in evaluation mode, switched for a whole network by
// SetTraining. Forward records the autograd graph as any tensor operation
// does; for inference without recording, pass x.NoGrad().
//
// Invalid arguments or inputs (a wrong input shape or dtype) panic with a
// *tensor.Error, which tensor.Try turns into an error; LoadStateDict, which
// deals with outside data, returns an error instead.
package nn
