package kernel

import "fmt"

// Path names one implementation of the kernels: pure Go, or Go assembly for
// an x86-64 vector instruction set.
type Path int

// The kernel paths, slowest first.
const (
	PathPureGo Path = iota // portable Go, used under the purego tag and off amd64
	PathAVX2               // AVX2 and FMA (256-bit vectors)
	PathAVX512             // AVX-512F (512-bit vectors, opmask edges)
)

// String returns the name of the path: purego, avx2 or avx512.
func (p Path) String() string {
	switch p {
	case PathPureGo:
		return "purego"
	case PathAVX2:
		return "avx2"
	case PathAVX512:
		return "avx512"
	}
	return fmt.Sprintf("Path(%d)", int(p))
}

// current is the path in use; it is set at start-up to the fastest one
// this machine runs.
var current = usePath(bestPath())

// Paths returns the paths this build can run on this machine, slowest
// first. The last one is the default.
func Paths() []Path {
	ps := []Path{PathPureGo}
	for p := PathAVX2; p <= PathAVX512; p++ {
		if pathAvailable(p) {
			ps = append(ps, p)
		}
	}
	return ps
}

// CurrentPath returns the path the kernels use.
func CurrentPath() Path { return current }

// SetPath makes the kernels use path p and returns a function that
// restores the previous path. It exists for tests and benchmarks, which run
// every path on one machine; it must not be called while kernels run. It
// panics if this machine cannot run p.
func SetPath(p Path) (restore func()) {
	if p != PathPureGo && !pathAvailable(p) {
		panic(fmt.Sprintf("kernel: SetPath: path %v is not available on this machine", p))
	}
	old := current
	current = usePath(p)
	return func() { current = usePath(old) }
}

// bestPath returns the fastest available path.
func bestPath() Path {
	ps := Paths()
	return ps[len(ps)-1]
}

// usePath installs the implementations of path p and returns p.
func usePath(p Path) Path {
	gemm32 = gemmImplFor[float32](p)
	gemm64 = gemmImplFor[float64](p)
	useElementwise(p)
	return p
}
