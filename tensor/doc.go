// Package tensor provides n-dimensional arrays (tensors) and reverse-mode
// automatic differentiation (backpropagation) over them.
//
// A Tensor has a data type (Float32, Float64 or Int64), a shape, strides and
// an offset into a shared storage, so that views such as Reshape, Permute,
// Transpose, Slice and Expand cost no copy. Binary operations follow NumPy's
// broadcasting rules.
//
// A floating-point tensor created with SetRequiresGrad(true) is a leaf of the
// computation graph: every operation applied to it, directly or indirectly,
// records how to compute its derivative. Calling Backward on a scalar result
// fills Grad() of every leaf that requires a gradient:
//
//	x := tensor.FromSlice([]float64{1, 2, 3}, 3).SetRequiresGrad(true)
//	y := x.Mul(x).Sum() // y = Σ x²
//	y.Backward()
//	fmt.Println(x.Grad()) // 2x = [2 4 6]
//
// Backward rules are themselves written with tensor operations, so with the
// CreateGraph option the backward pass is recorded too and higher-order
// derivatives (Hessian-vector products, gradient penalties) can be taken.
//
// Recording can be switched off for one computation, without any global
// state, by starting it from x.NoGrad(): operations with a NoGrad input
// record nothing and return NoGrad tensors. This is safe while another
// goroutine trains the same model.
//
// A training step can run without allocating on the Go heap: tag the
// step's input with x.InArena(a) for an Arena a, and every result and
// intermediate gradient takes its storage from a; a.Reset() at the end of
// the step hands it all back for the next one. Tensors computed in the
// arena must not be used after Reset (doing so panics); parameters, their
// gradients and anything not computed in the arena are never affected.
//
// Backward passes over graphs that share leaves can run at once when each
// sends the leaves' gradients to a GradSet of its own
// (Backward(AccumulateInto(set))) instead of their Grad fields; the sets
// are then added to the Grads. That is how train.Shards runs the shards of
// a batch on several cores.
//
// Misuse (mismatched shapes or data types, an axis out of range, backward of
// a non-scalar without a gradient) panics with a *Error naming the operation
// and the shapes involved; Try turns such a panic back into an error.
package tensor
