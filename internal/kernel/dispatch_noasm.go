//go:build purego || !amd64

package kernel

// pathAvailable tells whether this machine runs the assembly of path p:
// never in a pure-Go build.
func pathAvailable(Path) bool { return false }

// gemmImplFor returns the GEMM implementation of path p: pure Go.
func gemmImplFor[T float32 | float64](Path) *gemmImpl[T] { return goImpl[T]() }

// ewLanesFor returns 0: the element-wise kernels are pure Go.
func ewLanesFor(Path) int { return 0 }

// The vector kernels do not exist in a pure-Go build; vecLen is always 0,
// so these are never called.

func vAdd(dst, a, b *float32, n int)            { panic("kernel: no vector kernels") }
func vMul(dst, a, b *float32, n int)            { panic("kernel: no vector kernels") }
func vAxpy(alpha float32, x, y *float32, n int) { panic("kernel: no vector kernels") }
func vSGDMomentum(p, g, b *float32, n int, mom, damp, neglr float32) {
	panic("kernel: no vector kernels")
}
func vScale(alpha float32, dst, x *float32, n int) {
	panic("kernel: no vector kernels")
}
func vRelu(dst, x *float32, n int)               { panic("kernel: no vector kernels") }
func vReluBackward(dst, grad, x *float32, n int) { panic("kernel: no vector kernels") }
func vSum(x *float32, n int, out *float32)       { panic("kernel: no vector kernels") }
func vMax(x *float32, n int, out *float32) int   { panic("kernel: no vector kernels") }
func vUnary(op int, dst, x *float32, n int)      { panic("kernel: no vector kernels") }
func vMaxPool2x2(y *float32, idx *int64, x *float32, sh, oh, ow, top, width int) {
	panic("kernel: no vector kernels")
}
func dotAccAsm(m, n, rows, p int, a []float32, lda, ra int, b []float32, ldb, rb int, c []float32, ldc int) {
	panic("kernel: no vector kernels")
}
func vAddRows(dst *float32, ds int, src *float32, ss int, rows, chunks int, mask uint64) {
	panic("kernel: no vector kernels")
}
