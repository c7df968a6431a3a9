package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// ewLengths sweeps through the vector widths (8, 16), the unrolled loop
// (4 vectors) and the parallel split.
var ewLengths = []int{0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 129, 1000, ewParallelMin + 77}

// specials are values every element-wise test includes.
var specials = []float32{0, float32(math.Copysign(0, -1)), 1, -1, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
	math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 0x1p-126, 1e-40, -1e-40}

const ewGuard = float32(-12345.5)

// ewBuf returns a slice of n values at offset off in a buffer with guard
// values around it; the values mix specials and random numbers of scale
// sc.
func ewBuf(rng *rand.Rand, n, off int, sc float64) (buf, s []float32) {
	buf = make([]float32, n+off+9)
	for i := range buf {
		buf[i] = ewGuard
	}
	s = buf[off : off+n]
	for i := range s {
		if rng.IntN(8) == 0 {
			s[i] = specials[rng.IntN(len(specials))]
		} else {
			s[i] = float32((rng.Float64()*2 - 1) * sc)
		}
	}
	return buf, s
}

// checkGuards fails if the buffer changed outside [off, off+n).
func checkGuards(t *testing.T, name string, buf []float32, off, n int) {
	t.Helper()
	for i, v := range buf {
		if (i < off || i >= off+n) && math.Float32bits(v) != math.Float32bits(ewGuard) {
			t.Fatalf("%s: element %d outside the output changed to %v", name, i-off, v)
		}
	}
}

func same(a, b float32) bool { return a == b || a != a && b != b }

func TestElementwiseExact(t *testing.T) {
	type op struct {
		name string
		run  func(dst, a, b []float32)
		ref  func(a, b float32) float32
	}
	ops := []op{
		{"Add", Add, func(a, b float32) float32 { return a + b }},
		{"Mul", Mul, func(a, b float32) float32 { return a * b }},
		{"Scale", func(dst, a, _ []float32) { Scale(-1.5, dst, a) }, func(a, _ float32) float32 { return -1.5 * a }},
		{"ReLU", func(dst, a, _ []float32) { ReLU(dst, a) }, func(a, _ float32) float32 {
			if a < 0 {
				return 0
			}
			return a
		}},
		{"ReLUBackward", ReLUBackward, func(g, x float32) float32 {
			// PyTorch passes the gradient where x is NaN.
			if x > 0 || x != x {
				return g
			}
			return 0
		}},
	}
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for _, o := range ops {
			for _, n := range ewLengths {
				for _, off := range []int{0, 1, 3} {
					name := fmt.Sprintf("%s/n=%d/off=%d", o.name, n, off)
					_, a := ewBuf(rng, n, (off+1)%4, 100)
					_, b := ewBuf(rng, n, (off+2)%4, 100)
					dbuf, dst := ewBuf(rng, n, off, 1)
					o.run(dst, a, b)
					checkGuards(t, name, dbuf, off, n)
					for i := range dst {
						if w := o.ref(a[i], b[i]); !same(dst[i], w) || w == 0 && math.Signbit(float64(w)) != math.Signbit(float64(dst[i])) {
							t.Fatalf("%s: [%d] = %v, want %v (inputs %v, %v)", name, i, dst[i], w, a[i], b[i])
						}
					}
					// In place: dst is the first input.
					want := make([]float32, n)
					for i := range want {
						want[i] = o.ref(a[i], b[i])
					}
					o.run(a, a, b)
					for i := range a {
						if !same(a[i], want[i]) {
							t.Fatalf("%s in place: [%d] = %v, want %v", name, i, a[i], want[i])
						}
					}
				}
			}
		}
	})
}

func TestAxpy(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, n := range ewLengths {
			for _, off := range []int{0, 2} {
				_, x := ewBuf(rng, n, off+1, 10)
				ybuf, y := ewBuf(rng, n, off, 10)
				y0 := append([]float32(nil), y...)
				const alpha = 0.75
				Axpy(alpha, x, y)
				checkGuards(t, "Axpy", ybuf, off, n)
				for i := range y {
					w := float64(y0[i]) + alpha*float64(x[i])
					g := float64(y[i])
					ok := math.IsNaN(w) && math.IsNaN(g) || math.IsInf(w, 0) && g == w ||
						math.Abs(g-w) <= 0x1p-23*(math.Abs(float64(y0[i]))+math.Abs(alpha*float64(x[i])))+0x1p-149
					if !ok {
						// float32 overflow of the product or sum gives ±Inf in
						// float32 where float64 stays finite.
						if f := float32(w); math.IsInf(float64(f), 0) && g == float64(f) {
							continue
						}
						t.Fatalf("n=%d: y[%d] = %v, want %v", n, i, g, w)
					}
				}
			}
		}
	})
}

// ulps returns the distance in units in the last place between two
// float32 values of the same sign class (huge across signs or vs NaN).
func ulps(a, b float32) int64 {
	if a != a || b != b {
		if a != a && b != b {
			return 0
		}
		return math.MaxInt64
	}
	ord := func(f float32) int64 {
		u := int64(math.Float32bits(f))
		if u&0x80000000 != 0 {
			return -(u & 0x7fffffff)
		}
		return u
	}
	d := ord(a) - ord(b)
	if d < 0 {
		d = -d
	}
	return d
}

// transcendentalInputs returns float32 values across the whole range:
// every 4099th bit pattern, the specials, and dense samples where the
// functions change regime.
func transcendentalInputs() []float32 {
	var xs []float32
	for u := uint64(0); u < 1<<32; u += 4099 {
		xs = append(xs, math.Float32frombits(uint32(u)))
	}
	xs = append(xs, specials...)
	for _, c := range []float64{0, 0.625, 1, 88.72, 89, -87.33, -103.97, -104, 9, 20} {
		for i := -200; i <= 200; i++ {
			xs = append(xs, float32(c+float64(i)*1e-3), float32(-c+float64(i)*1e-3))
		}
	}
	return xs
}

func TestTranscendental(t *testing.T) {
	xs := transcendentalInputs()
	funcs := []struct {
		name string
		run  func(dst, x []float32)
		ref  func(x float64) float64
		max  int64
	}{
		{"Exp", Exp, math.Exp, 2},
		{"Log", Log, math.Log, 2},
		{"Tanh", Tanh, math.Tanh, 3},
		{"Sigmoid", Sigmoid, func(x float64) float64 {
			if x < 0 {
				e := math.Exp(x)
				return e / (1 + e)
			}
			return 1 / (1 + math.Exp(-x))
		}, 3},
	}
	forEachPath(t, func(t *testing.T) {
		for _, f := range funcs {
			dbuf := make([]float32, len(xs)+3)
			for i := range dbuf {
				dbuf[i] = ewGuard
			}
			dst := dbuf[1 : len(xs)+1]
			f.run(dst, xs)
			checkGuards(t, f.name, dbuf, 1, len(xs))
			var worst int64
			var worstX float32
			for i, x := range xs {
				w := float32(f.ref(float64(x)))
				d := ulps(dst[i], w)
				if d > f.max {
					t.Fatalf("%s(%v) = %v, want %v (%d ulp)", f.name, x, dst[i], w, d)
				}
				if d > worst {
					worst, worstX = d, x
				}
			}
			t.Logf("%s: worst %d ulp at %v over %d inputs", f.name, worst, worstX, len(xs))
		}
	})
}

func TestSumMax(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, n := range ewLengths {
			for _, off := range []int{0, 1} {
				x := make([]float32, n+off)[off:]
				var ref, mag float64
				refMax := math.Inf(-1)
				for i := range x {
					x[i] = float32(rng.NormFloat64() * 10)
					ref += float64(x[i])
					mag += math.Abs(float64(x[i]))
					refMax = math.Max(refMax, float64(x[i]))
				}
				if got := float64(Sum(x)); math.Abs(got-ref) > (float64(n)/64+80)*0x1p-24*mag+1e-30 {
					t.Errorf("n=%d: Sum = %v, want %v", n, got, ref)
				}
				if got := Max(x); float64(got) != refMax {
					t.Errorf("n=%d: Max = %v, want %v", n, got, refMax)
				}
				if n > 0 {
					// A NaN anywhere makes Max NaN; +Inf is the max.
					for _, pos := range []int{0, n / 2, n - 1} {
						old := x[pos]
						x[pos] = float32(math.NaN())
						if got := Max(x); got == got {
							t.Errorf("n=%d: Max with NaN at %d = %v", n, pos, got)
						}
						x[pos] = float32(math.Inf(1))
						if got := Max(x); !math.IsInf(float64(got), 1) {
							t.Errorf("n=%d: Max with +Inf at %d = %v", n, pos, got)
						}
						x[pos] = old
					}
					// +Inf and -Inf together (their sum is NaN) but no NaN.
					a, z := x[0], x[n-1]
					x[0], x[n-1] = float32(math.Inf(-1)), float32(math.Inf(1))
					if got := Max(x); !math.IsInf(float64(got), 1) {
						t.Errorf("n=%d: Max with -Inf and +Inf = %v, want +Inf", n, got)
					}
					x[0], x[n-1] = a, z
				}
			}
		}
		if got := Max(nil); !math.IsInf(float64(got), -1) {
			t.Errorf("Max(nil) = %v, want -Inf", got)
		}
		if got := Sum(nil); got != 0 {
			t.Errorf("Sum(nil) = %v, want 0", got)
		}
	})
}

func TestSoftmax(t *testing.T) {
	type tc struct {
		name string
		rows []float32
		cols int
	}
	rng := rand.New(rand.NewPCG(9, 10))
	random := func(n int, sc float64) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * sc)
		}
		return x
	}
	inf := float32(math.Inf(1))
	cases := []tc{
		{"one", []float32{3}, 1},
		{"hand", []float32{0, float32(math.Log(3))}, 2}, // softmax = [1/4, 3/4]
		{"large", []float32{1000, 1001, 999, 1000}, 4},
		{"-inf", []float32{-inf, 0, 1, -inf}, 4},
		{"random", random(7*33, 3), 33},
		{"wide", random(3*1000, 5), 1000},
		{"many rows", random(10*(ewParallelMin/10+40), 2), 10},
	}
	forEachPath(t, func(t *testing.T) {
		for _, c := range cases {
			for _, logOut := range []bool{false, true} {
				dst := make([]float32, len(c.rows))
				if logOut {
					LogSoftmax(dst, c.rows, c.cols)
				} else {
					Softmax(dst, c.rows, c.cols)
				}
				for r := 0; r < len(c.rows)/c.cols; r++ {
					row := c.rows[r*c.cols : (r+1)*c.cols]
					m := math.Inf(-1)
					for _, v := range row {
						m = math.Max(m, float64(v))
					}
					var s float64
					for _, v := range row {
						s += math.Exp(float64(v) - m)
					}
					for j, v := range row {
						w := math.Exp(float64(v)-m) / s
						if logOut {
							w = float64(v) - m - math.Log(s)
						}
						g := float64(dst[r*c.cols+j])
						if !(math.IsInf(w, -1) && math.IsInf(g, -1)) && math.Abs(g-w) > 1e-5*(1+math.Abs(w)) {
							t.Fatalf("%s log=%v: [%d,%d] = %v, want %v", c.name, logOut, r, j, g, w)
						}
					}
				}
				if c.name == "hand" && !logOut && (math.Abs(float64(dst[0])-0.25) > 1e-6 || math.Abs(float64(dst[1])-0.75) > 1e-6) {
					t.Fatalf("softmax(0, ln 3) = %v, want [0.25 0.75]", dst)
				}
			}
		}
	})
}

func TestElementwisePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"Add":        func() { Add(make([]float32, 2), make([]float32, 3), make([]float32, 2)) },
		"Axpy":       func() { Axpy(1, make([]float32, 2), make([]float32, 3)) },
		"Exp":        func() { Exp(make([]float32, 2), make([]float32, 1)) },
		"Softmax":    func() { Softmax(make([]float32, 6), make([]float32, 6), 4) },
		"LogSoftmax": func() { LogSoftmax(make([]float32, 6), make([]float32, 6), 0) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
}

// TestSGDMomentum checks that the fused update equals Scale, Axpy and Axpy
// bit for bit, on every path and length, with specials in the data, and
// that it leaves the guard values around its outputs alone.
func TestSGDMomentum(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, path := range Paths() {
		restore := SetPath(path)
		for _, n := range ewLengths {
			for _, off := range []int{0, 3} {
				pbuf, p := ewBuf(rng, n, off, 2)
				_, g := ewBuf(rng, n, off, 1)
				bbuf, b := ewBuf(rng, n, off, 1)
				p2, b2 := append([]float32(nil), p...), append([]float32(nil), b...)
				const mom, damp, lr = 0.9, 0.75, 0.01
				SGDMomentum(p, g, b, mom, damp, lr)
				Scale(mom, b2, b2)
				Axpy(damp, g, b2)
				Axpy(-lr, b2, p2)
				for i := range p {
					if !same(p[i], p2[i]) || !same(b[i], b2[i]) {
						t.Fatalf("%v n=%d off=%d: element %d: p %v b %v, three passes give p %v b %v", path, n, off, i, p[i], b[i], p2[i], b2[i])
					}
				}
				checkGuards(t, fmt.Sprintf("%v n=%d p", path, n), pbuf, off, n)
				checkGuards(t, fmt.Sprintf("%v n=%d b", path, n), bbuf, off, n)
			}
		}
		restore()
	}
	defer func() {
		if recover() == nil {
			t.Fatal("SGDMomentum with unequal lengths did not panic")
		}
	}()
	SGDMomentum(make([]float32, 3), make([]float32, 3), make([]float32, 2), 0.9, 1, 0.1)
}
