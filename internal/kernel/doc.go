// Package kernel holds the CPU compute kernels behind the tensor package:
// matrix multiplication and the other inner loops that dominate training.
// Kernels write into a destination they are given and never allocate on
// the steady-state path. This package is the seam where other
// implementations (assembly paths, a GPU backend) plug in.
package kernel
