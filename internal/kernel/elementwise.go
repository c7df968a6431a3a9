package kernel

import (
	"fmt"
	"math"

	"github.com/backprop-go/backprop/internal/parallel"
)

// ewLanes is the vector width of the element-wise kernels in use (0 for
// pure Go) and ewPath their path, installed by usePath. The vector
// functions (vAdd, …) dispatch on ewPath with direct calls, so that
// pointers to stack buffers do not escape.
var (
	ewLanes int
	ewPath  Path
)

func useElementwise(p Path) { ewPath, ewLanes = p, ewLanesFor(p) }

// ewParallelMin is the length from which the element-wise kernels split
// their work over parallel.Workers(), in chunks of ewGrain elements.
const (
	ewParallelMin = 1 << 18
	ewGrain       = 1 << 16
)

func checkLen(op string, n int, lens ...int) {
	for _, l := range lens {
		if l != n {
			panic(fmt.Sprintf("kernel: %s: lengths differ: %d and %d", op, n, l))
		}
	}
}

// serial tells whether n elements are processed on the caller alone.
func serial(n int) bool { return n < ewParallelMin || parallel.Workers() == 1 }

// split runs f over [0, n) in chunks of ewGrain elements (the last one
// longer) that the workers claim one at a time, so that a processor busy
// elsewhere takes fewer.
func split(n int, f func(lo, hi int)) {
	chunks := n / ewGrain
	parallel.ForEach(chunks, func(i int) {
		hi := (i + 1) * ewGrain
		if i == chunks-1 {
			hi = n
		}
		f(i*ewGrain, hi)
	})
}

// vecLen returns how many of n elements the vector code handles.
func vecLen(n int) int {
	if ewLanes == 0 {
		return 0
	}
	return n &^ (ewLanes - 1)
}

// Add sets dst[i] = a[i] + b[i]. The slices must have equal lengths; dst
// may be a or b.
func Add(dst, a, b []float32) {
	checkLen("Add", len(dst), len(a), len(b))
	if serial(len(dst)) {
		binary(ewAdd, dst, a, b)
		return
	}
	split(len(dst), func(lo, hi int) { binary(ewAdd, dst[lo:hi], a[lo:hi], b[lo:hi]) })
}

// Mul sets dst[i] = a[i] · b[i]. The slices must have equal lengths; dst
// may be a or b.
func Mul(dst, a, b []float32) {
	checkLen("Mul", len(dst), len(a), len(b))
	if serial(len(dst)) {
		binary(ewMul, dst, a, b)
		return
	}
	split(len(dst), func(lo, hi int) { binary(ewMul, dst[lo:hi], a[lo:hi], b[lo:hi]) })
}

const (
	ewAdd = iota
	ewMul
)

func binary(op int, dst, a, b []float32) {
	v := vecLen(len(dst))
	if v > 0 {
		if op == ewMul {
			vMul(&dst[0], &a[0], &b[0], v)
		} else {
			vAdd(&dst[0], &a[0], &b[0], v)
		}
	}
	dst, a, b = dst[v:], a[v:len(dst)], b[v:len(dst)]
	if op == ewAdd {
		for i := range dst {
			dst[i] = a[i] + b[i]
		}
		return
	}
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

// Axpy sets y[i] += alpha · x[i] (fused multiply-add on the vector
// paths). x and y must have equal lengths.
func Axpy(alpha float32, x, y []float32) {
	checkLen("Axpy", len(y), len(x))
	if serial(len(y)) {
		axpy(alpha, x, y)
		return
	}
	split(len(y), func(lo, hi int) { axpy(alpha, x[lo:hi], y[lo:hi]) })
}

func axpy(alpha float32, x, y []float32) {
	v := vecLen(len(y))
	if v > 0 {
		vAxpy(alpha, &x[0], &y[0], v)
	}
	for i := v; i < len(y); i++ {
		y[i] += alpha * x[i]
	}
}

// SGDMomentum applies one step of SGD with momentum to p: b = mom·b +
// damp·g, then p = p − lr·b, element by element. It gives bit for bit what
// Scale(mom, b, b), Axpy(damp, g, b) and Axpy(−lr, b, p) give, in one
// pass. The slices must have equal lengths.
func SGDMomentum(p, g, b []float32, mom, damp, lr float32) {
	checkLen("SGDMomentum", len(p), len(g), len(b))
	if serial(len(p)) {
		sgdMomentum(p, g, b, mom, damp, lr)
		return
	}
	split(len(p), func(lo, hi int) { sgdMomentum(p[lo:hi], g[lo:hi], b[lo:hi], mom, damp, lr) })
}

func sgdMomentum(p, g, b []float32, mom, damp, lr float32) {
	v := vecLen(len(p))
	if v > 0 {
		vSGDMomentum(&p[0], &g[0], &b[0], v, mom, damp, -lr)
	}
	neglr := -lr
	for i := v; i < len(p); i++ {
		// The expressions of scale's and axpy's loops, so that the
		// rounding is theirs.
		b[i] = mom * b[i]
		b[i] += damp * g[i]
		p[i] += neglr * b[i]
	}
}

// Scale sets dst[i] = alpha · x[i]. dst and x must have equal lengths and
// may be the same slice.
func Scale(alpha float32, dst, x []float32) {
	checkLen("Scale", len(dst), len(x))
	if serial(len(dst)) {
		scale(alpha, dst, x)
		return
	}
	split(len(dst), func(lo, hi int) { scale(alpha, dst[lo:hi], x[lo:hi]) })
}

func scale(alpha float32, dst, x []float32) {
	v := vecLen(len(dst))
	if v > 0 {
		vScale(alpha, &dst[0], &x[0], v)
	}
	for i := v; i < len(dst); i++ {
		dst[i] = alpha * x[i]
	}
}

// ReLU sets dst[i] = max(x[i], 0): negative values become 0; NaN and -0
// pass through. dst and x must have equal lengths and may be the same.
func ReLU(dst, x []float32) {
	checkLen("ReLU", len(dst), len(x))
	if serial(len(dst)) {
		relu(dst, x)
		return
	}
	split(len(dst), func(lo, hi int) { relu(dst[lo:hi], x[lo:hi]) })
}

func relu(dst, x []float32) {
	v := vecLen(len(dst))
	if v > 0 {
		vRelu(&dst[0], &x[0], v)
	}
	for i := v; i < len(dst); i++ {
		if x[i] < 0 {
			dst[i] = 0
		} else {
			dst[i] = x[i]
		}
	}
}

// ReLUBackward sets dst[i] = grad[i] where x[i] > 0 or x[i] is NaN, and 0
// elsewhere: the gradient of ReLU at its input x, which PyTorch passes
// through NaN inputs. The slices must
// have equal lengths; dst may be grad or x.
func ReLUBackward(dst, grad, x []float32) {
	checkLen("ReLUBackward", len(dst), len(grad), len(x))
	if serial(len(dst)) {
		reluBackward(dst, grad, x)
		return
	}
	split(len(dst), func(lo, hi int) { reluBackward(dst[lo:hi], grad[lo:hi], x[lo:hi]) })
}

func reluBackward(dst, grad, x []float32) {
	v := vecLen(len(dst))
	if v > 0 {
		vReluBackward(&dst[0], &grad[0], &x[0], v)
	}
	for i := v; i < len(dst); i++ {
		if !(x[i] <= 0) {
			dst[i] = grad[i]
		} else {
			dst[i] = 0
		}
	}
}

const (
	ewExp = iota
	ewLog
	ewTanh
	ewSigmoid
)

func unary(op int, dst, x []float32) {
	if serial(len(dst)) {
		unaryNoSplit(op, dst, x)
		return
	}
	split(len(dst), func(lo, hi int) { unaryNoSplit(op, dst[lo:hi], x[lo:hi]) })
}

// unaryGo is the scalar reference used by the pure-Go path and for the
// tails of the vector paths.
func unaryGo(op int, x float32) float32 {
	f := float64(x)
	switch op {
	case ewExp:
		return float32(math.Exp(f))
	case ewLog:
		return float32(math.Log(f))
	case ewTanh:
		return float32(math.Tanh(f))
	}
	if f < 0 {
		e := math.Exp(f)
		return float32(e / (1 + e))
	}
	return float32(1 / (1 + math.Exp(-f)))
}

// Exp sets dst[i] = eˣ⁽ⁱ⁾, within a few ulp of math.Exp over the whole
// float32 range (overflow to +Inf, gradual underflow to 0, NaN kept).
// dst and x must have equal lengths and may be the same.
func Exp(dst, x []float32) {
	checkLen("Exp", len(dst), len(x))
	unary(ewExp, dst, x)
}

// Log sets dst[i] = ln x[i], within a few ulp of math.Log: -Inf at 0, NaN
// below 0 and for NaN, +Inf at +Inf, accurate for denormal inputs too.
// dst and x must have equal lengths and may be the same.
func Log(dst, x []float32) {
	checkLen("Log", len(dst), len(x))
	unary(ewLog, dst, x)
}

// Tanh sets dst[i] = tanh x[i], within a few ulp of math.Tanh. dst and x
// must have equal lengths and may be the same.
func Tanh(dst, x []float32) {
	checkLen("Tanh", len(dst), len(x))
	unary(ewTanh, dst, x)
}

// Sigmoid sets dst[i] = 1/(1+e⁻ˣ⁽ⁱ⁾), within a few ulp of the exact value,
// also where it is tiny (large negative x). dst and x must have equal
// lengths and may be the same.
func Sigmoid(dst, x []float32) {
	checkLen("Sigmoid", len(dst), len(x))
	unary(ewSigmoid, dst, x)
}

// Sum returns the sum of x (0 for an empty x). The vector paths add in
// float32 lanes and combine the lanes in float64.
func Sum(x []float32) float32 {
	v := vecLen(len(x))
	var s float64
	if v > 0 {
		var out [16]float32
		vSum(&x[0], v, &out[0])
		for _, o := range out[:ewLanes] {
			s += float64(o)
		}
	}
	var t float32
	for _, e := range x[v:] {
		t += e
	}
	return float32(s + float64(t))
}

// Max returns the largest element of x: NaN if x holds a NaN, -Inf for an
// empty x.
func Max(x []float32) float32 {
	v := vecLen(len(x))
	m := float32(math.Inf(-1))
	if v > 0 {
		var out [16]float32
		if vMax(&x[0], v, &out[0]) != 0 {
			// A NaN, or +Inf and -Inf, in x[:v]: look.
			for _, e := range x[:v] {
				if e != e {
					return e
				}
			}
		}
		for _, o := range out[:ewLanes] {
			m = max(m, o)
		}
	}
	for _, e := range x[v:] {
		if e != e {
			return e
		}
		m = max(m, e)
	}
	return m
}

// Softmax sets each row of dst (rows of cols elements) to the softmax of
// the same row of x: exp(x - max)/Σ exp(x - max). len(x) must be a
// multiple of cols and equal len(dst); dst may be x.
func Softmax(dst, x []float32, cols int) {
	softmax("Softmax", dst, x, cols, false)
}

// LogSoftmax sets each row of dst (rows of cols elements) to the
// log-softmax of the same row of x: x - max - log Σ exp(x - max). len(x)
// must be a multiple of cols and equal len(dst); dst may be x.
func LogSoftmax(dst, x []float32, cols int) {
	softmax("LogSoftmax", dst, x, cols, true)
}

func softmax(op string, dst, x []float32, cols int, logOut bool) {
	checkLen(op, len(dst), len(x))
	if cols <= 0 || len(x)%cols != 0 {
		panic(fmt.Sprintf("kernel: %s: %d elements are not rows of %d", op, len(x), cols))
	}
	rows := len(x) / cols
	if serial(len(x)) {
		softmaxRows(dst, x, cols, 0, rows, logOut)
		return
	}
	per := max(1, ewGrain/cols) // rows per chunk
	parallel.ForEach((rows+per-1)/per, func(i int) {
		softmaxRows(dst, x, cols, i*per, min(rows, (i+1)*per), logOut)
	})
}

// softmaxBlock is the number of elements softmaxRows exponentiates in one
// vector call: short rows are handled in blocks of rows.
const softmaxBlock = 2048

// softmaxRows computes rows [lo, hi): per block of rows it subtracts each
// row's max into dst, exponentiates the whole block in one call, then
// normalizes each row.
func softmaxRows(dst, x []float32, cols, lo, hi int, logOut bool) {
	var buf [softmaxBlock]float32
	per := max(1, softmaxBlock/cols) // rows per block
	for r0 := lo; r0 < hi; r0 += per {
		r1 := min(hi, r0+per)
		xb, db := x[r0*cols:r1*cols], dst[r0*cols:r1*cols]
		for r := 0; r < r1-r0; r++ {
			xr, dr := xb[r*cols:(r+1)*cols], db[r*cols:(r+1)*cols]
			m := rowMax(xr)
			for i, e := range xr {
				dr[i] = e - m
			}
		}
		if !logOut {
			unaryNoSplit(ewExp, db, db)
			for r := 0; r < r1-r0; r++ {
				dr := db[r*cols : (r+1)*cols]
				scale(1/Sum(dr), dr, dr)
			}
			continue
		}
		// log Σ exp(x - max), with the exponentials in buf so that db
		// keeps x - max; a row longer than buf goes through it in parts.
		if len(db) <= len(buf) {
			unaryNoSplit(ewExp, buf[:len(db)], db)
		}
		for r := 0; r < r1-r0; r++ {
			dr := db[r*cols : (r+1)*cols]
			var s float64
			if len(db) <= len(buf) {
				s = float64(Sum(buf[r*cols : (r+1)*cols]))
			} else {
				for i := 0; i < cols; i += len(buf) {
					e := buf[:min(len(buf), cols-i)]
					unaryNoSplit(ewExp, e, dr[i:i+len(e)])
					s += float64(Sum(e))
				}
			}
			ls := float32(math.Log(s))
			for i := range dr {
				dr[i] -= ls
			}
		}
	}
}

// rowMax is Max with a scalar loop for short rows.
func rowMax(x []float32) float32 {
	if len(x) >= 64 {
		return Max(x)
	}
	m := float32(math.Inf(-1))
	nan := false
	for _, e := range x {
		m = max(m, e)
		if e != e {
			nan = true
		}
	}
	if nan {
		return float32(math.NaN())
	}
	return m
}

// unaryNoSplit is unary on the calling goroutine.
func unaryNoSplit(op int, dst, x []float32) {
	v := vecLen(len(dst))
	if v > 0 {
		vUnary(op, &dst[0], &x[0], v)
	}
	for i := v; i < len(dst); i++ {
		dst[i] = unaryGo(op, x[i])
	}
}
