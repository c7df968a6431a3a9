package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Element-wise float32 kernels. Each processes n elements, n a multiple of
// the vector width; the Go wrappers do the rest. Constants live in one
// table, each replicated across a 64-byte line so it serves as a full
// vector operand for either instruction set.

// constants are the values of the constant table, by name.
var constants = []struct {
	name string
	bits uint32
}{
	{"one", math.Float32bits(1)},
	{"half", math.Float32bits(0.5)},
	{"two", math.Float32bits(2)},
	{"absmask", 0x7fffffff},
	{"signmask", 0x80000000},
	{"posinf", 0x7f800000},
	{"neginf", 0xff800000},
	{"nan", 0x7fc00000},
	// exp: clamp, range reduction (Cody-Waite) and Cephes' expf polynomial.
	{"exphi", math.Float32bits(89)},
	{"explo", math.Float32bits(-104)},
	{"log2e", math.Float32bits(1.44269504088896341)},
	{"ln2hi", math.Float32bits(0.693359375)},
	{"ln2lo", math.Float32bits(-2.12194440e-4)},
	{"expc5", math.Float32bits(1.9875691500e-4)},
	{"expc4", math.Float32bits(1.3981999507e-3)},
	{"expc3", math.Float32bits(8.3334519073e-3)},
	{"expc2", math.Float32bits(4.1665795894e-2)},
	{"expc1", math.Float32bits(1.6666665459e-1)},
	{"expc0", math.Float32bits(5.0000001201e-1)},
	{"bias", 127},
	// log: Cephes' logf.
	{"minnorm", 0x00800000},
	{"two23", math.Float32bits(8388608)},
	{"m23", math.Float32bits(-23)},
	{"mantmask", 0x007fffff},
	{"sqrthalf", math.Float32bits(0.707106781186547524)},
	{"logc8", math.Float32bits(7.0376836292e-2)},
	{"logc7", math.Float32bits(-1.1514610310e-1)},
	{"logc6", math.Float32bits(1.1676998740e-1)},
	{"logc5", math.Float32bits(-1.2420140846e-1)},
	{"logc4", math.Float32bits(1.4249322787e-1)},
	{"logc3", math.Float32bits(-1.6668057665e-1)},
	{"logc2", math.Float32bits(2.0000714765e-1)},
	{"logc1", math.Float32bits(-2.4999993993e-1)},
	{"logc0", math.Float32bits(3.3333331174e-1)},
	// tanh: Cephes' tanhf polynomial for |x| < 0.625.
	{"tanhlim", math.Float32bits(0.625)},
	{"tanhc4", math.Float32bits(-5.70498872745e-3)},
	{"tanhc3", math.Float32bits(2.06390887954e-2)},
	{"tanhc2", math.Float32bits(-5.37397155531e-2)},
	{"tanhc1", math.Float32bits(1.33314422036e-1)},
	{"tanhc0", math.Float32bits(-3.33332819422e-1)},
}

var constTab Mem

func cst(name string) Mem {
	for i, c := range constants {
		if c.name == name {
			return constTab.Offset(64 * i)
		}
	}
	panic("no constant " + name)
}

// vec emits vector instructions for one instruction set; masks are opmask
// registers (AVX-512) or vector registers (AVX2).
type vec struct{ s isa }

func (v vec) z512() bool { return v.s.is512() }

func (v vec) reg(i int) VecPhysical { return v.s.regs[i] }

func (v vec) load(m, r Op)        { VMOVUPS(m, r) }
func (v vec) store(r, m Op)       { VMOVUPS(r, m) }
func (v vec) add(b, a, dst Op)    { VADDPS(b, a, dst) }
func (v vec) sub(b, a, dst Op)    { VSUBPS(b, a, dst) } // dst = a - b
func (v vec) mul(b, a, dst Op)    { VMULPS(b, a, dst) }
func (v vec) div(b, a, dst Op)    { VDIVPS(b, a, dst) } // dst = a / b
func (v vec) max(b, a, dst Op)    { VMAXPS(b, a, dst) } // dst = a > b ? a : b; NaN: b
func (v vec) min(b, a, dst Op)    { VMINPS(b, a, dst) } // dst = a < b ? a : b; NaN: b
func (v vec) fma231(b, a, acc Op) { VFMADD231PS(b, a, acc) }
func (v vec) fma213(c, b, a Op)   { VFMADD213PS(c, b, a) } // a = a·b + c
func (v vec) fnma231(b, a, acc Op) {
	VFNMADD231PS(b, a, acc) // acc -= a·b
}

func (v vec) and(b, a, dst Op) {
	if v.z512() {
		VPANDD(b, a, dst)
	} else {
		VPAND(b, a, dst)
	}
}

func (v vec) or(b, a, dst Op) {
	if v.z512() {
		VPORD(b, a, dst)
	} else {
		VPOR(b, a, dst)
	}
}

func (v vec) xor(b, a, dst Op) {
	if v.z512() {
		VPXORD(b, a, dst)
	} else {
		VPXOR(b, a, dst)
	}
}

func (v vec) zero(r Op) { v.xor(r, r, r) }

func (v vec) roundNearest(src, dst Op) {
	if v.z512() {
		VRNDSCALEPS(Imm(0), src, dst)
	} else {
		VROUNDPS(Imm(0), src, dst)
	}
}

// Comparison predicates of VCMPPS.
const (
	cmpEQ    = 0x00 // ordered equal
	cmpUNORD = 0x03
	cmpNGE   = 0x09 // a < b or unordered
	cmpLT    = 0x11 // ordered, quiet
	cmpGT    = 0x1e // ordered, quiet
	cmpNLE   = 0x06 // a > b or unordered, quiet
)

// cmp sets mask m to a pred b.
func (v vec) cmp(pred uint64, b, a, m Op) { VCMPPS(Imm(pred), b, a, m) }

// blend sets dst = m ? t : f.
func (v vec) blend(m, t, f, dst Op) {
	if v.z512() {
		VBLENDMPS(t, f, m, dst)
	} else {
		VBLENDVPS(m, t, f, dst)
	}
}

// mask returns mask register i.
func (v vec) mask(i int) Op {
	if v.z512() {
		return []Op{K1, K2, K3, K4}[i]
	}
	return v.reg(12 + i)
}

// unaryLoop emits a loop over n elements (a multiple of the vector width)
// reading x and writing dst, with body computing register out from in.
func unaryLoop(v vec, name string, body func(in, out VecPhysical)) {
	TEXT(name, NOSPLIT, "func(dst, x *float32, n int)")
	Pragma("noescape")
	Load(Param("dst"), RDI)
	Load(Param("x"), RSI)
	Load(Param("n"), RCX)
	lanes := v.s.vbytes / 4
	TESTQ(RCX, RCX)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	in, out := v.reg(0), v.reg(1)
	v.load(Mem{Base: RSI}, in)
	body(in, out)
	v.store(out, Mem{Base: RDI})
	ADDQ(Imm(uint64(v.s.vbytes)), RSI)
	ADDQ(Imm(uint64(v.s.vbytes)), RDI)
	SUBQ(Imm(uint64(lanes)), RCX)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	endKernel()
}

// streamLoop emits a loop, unrolled four times, over n elements for the
// memory-bound kernels: per vector, body gets the registers to use and the
// byte offset of the vector.
func streamLoop(v vec, name string, body func(u int, off int)) {
	lanes := v.s.vbytes / 4
	MOVQ(RCX, RAX)
	SHRQ(Imm(uint64(log2(4*lanes))), RCX)
	ANDQ(Imm(uint64(4*lanes-1)), RAX)
	TESTQ(RCX, RCX)
	JZ(LabelRef(name + "_tail"))
	Label(name + "_loop4")
	for u := 0; u < 4; u++ {
		body(u, u*v.s.vbytes)
	}
	for _, r := range []Register{RSI, RDX, RDI} {
		ADDQ(U32(4*v.s.vbytes), r)
	}
	DECQ(RCX)
	JNZ(LabelRef(name + "_loop4"))
	Label(name + "_tail")
	TESTQ(RAX, RAX)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop1")
	body(0, 0)
	for _, r := range []Register{RSI, RDX, RDI} {
		ADDQ(U32(v.s.vbytes), r)
	}
	SUBQ(Imm(uint64(lanes)), RAX)
	JNZ(LabelRef(name + "_loop1"))
	Label(name + "_done")
}

func log2(x int) int {
	n := 0
	for x > 1 {
		x >>= 1
		n++
	}
	return n
}

// genElementwise generates the element-wise kernels for both instruction
// sets.
func genElementwise() {
	constTab = GLOBL("ewConst", RODATA|NOPTR)
	for i, c := range constants {
		for j := 0; j < 16; j++ {
			DATA(64*i+4*j, U32(c.bits))
		}
	}
	for _, s := range []isa{avx512, avx2} {
		v := vec{s}
		genBinary(v, "add", func(b, a, dst Op) { v.add(b, a, dst) })
		genBinary(v, "mul", func(b, a, dst Op) { v.mul(b, a, dst) })
		genAxpy(v)
		genScale(v)
		genSGDMomentum(v)
		genReLU(v)
		genReLUBackward(v)
		genSum(v)
		genMax(v)
		unaryLoop(v, "exp"+s.name, func(in, out VecPhysical) { expBody(v, in, out, 2) })
		unaryLoop(v, "log"+s.name, func(in, out VecPhysical) { logBody(v, in, out) })
		unaryLoop(v, "tanh"+s.name, func(in, out VecPhysical) { tanhBody(v, in, out) })
		unaryLoop(v, "sigmoid"+s.name, func(in, out VecPhysical) { sigmoidBody(v, in, out) })
	}
}

// streamKernel opens the memory-bound kernel name with the Go signature
// sig, for streamLoop: it broadcasts the float32 parameters scalars into
// v.reg(8), v.reg(9), …, loads the pointer parameters named rsi, rdx and
// rdi into RSI, RDX and RDI (an empty name copies the register before it:
// RDX from RSI, RDI from RDX, as streamLoop advances all three) and n into
// RCX. endKernel closes it.
func streamKernel(v vec, name, sig string, scalars []string, rsi, rdx, rdi string) {
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	for i, sc := range scalars {
		a, _ := Param(sc).Resolve()
		VBROADCASTSS(a.Addr, v.reg(8+i))
	}
	Load(Param(rsi), RSI)
	if rdx == "" {
		MOVQ(RSI, RDX)
	} else {
		Load(Param(rdx), RDX)
	}
	if rdi == "" {
		MOVQ(RDX, RDI)
	} else {
		Load(Param(rdi), RDI)
	}
	Load(Param("n"), RCX)
}

// endKernel closes a kernel.
func endKernel() {
	VZEROUPPER()
	RET()
}

// genBinary emits dst = a op b.
func genBinary(v vec, op string, f func(b, a, dst Op)) {
	name := op + v.s.name
	streamKernel(v, name, "func(dst, a, b *float32, n int)", nil, "a", "b", "dst")
	streamLoop(v, name, func(u, off int) {
		r := v.reg(u)
		v.load(Mem{Base: RSI, Disp: off}, r)
		f(Mem{Base: RDX, Disp: off}, r, r)
		v.store(r, Mem{Base: RDI, Disp: off})
	})
	endKernel()
}

// genAxpy emits y += alpha·x.
func genAxpy(v vec) {
	name := "axpy" + v.s.name
	streamKernel(v, name, "func(alpha float32, x, y *float32, n int)", []string{"alpha"}, "x", "y", "")
	streamLoop(v, name, func(u, off int) {
		r := v.reg(u)
		v.load(Mem{Base: RDX, Disp: off}, r)
		v.fma231(Mem{Base: RSI, Disp: off}, v.reg(8), r)
		v.store(r, Mem{Base: RDI, Disp: off})
	})
	endKernel()
}

// genSGDMomentum emits the momentum SGD update b = mom·b + damp·g,
// p = p + neglr·b, each product as Scale (a rounded multiplication) and
// Axpy (a fused multiply-add) compute it, so that it equals those three
// passes bit for bit.
func genSGDMomentum(v vec) {
	name := "sgdMomentum" + v.s.name
	// The parameters are not named g: that is a register in Go assembly.
	streamKernel(v, name, "func(param, grad, buf *float32, n int, mom, damp, neglr float32)",
		[]string{"mom", "damp", "neglr"}, "grad", "buf", "param")
	streamLoop(v, name, func(u, off int) {
		rb, rp := v.reg(u), v.reg(4+u)
		v.load(Mem{Base: RDX, Disp: off}, rb)
		v.mul(v.reg(8), rb, rb)
		v.fma231(Mem{Base: RSI, Disp: off}, v.reg(9), rb)
		v.store(rb, Mem{Base: RDX, Disp: off})
		v.load(Mem{Base: RDI, Disp: off}, rp)
		v.fma231(rb, v.reg(10), rp)
		v.store(rp, Mem{Base: RDI, Disp: off})
	})
	endKernel()
}

// genScale emits dst = alpha·x.
func genScale(v vec) {
	name := "scale" + v.s.name
	streamKernel(v, name, "func(alpha float32, dst, x *float32, n int)", []string{"alpha"}, "x", "", "dst")
	streamLoop(v, name, func(u, off int) {
		r := v.reg(u)
		v.mul(Mem{Base: RSI, Disp: off}, v.reg(8), r)
		v.store(r, Mem{Base: RDI, Disp: off})
	})
	endKernel()
}

// genReLU emits dst = x < 0 ? 0 : x (NaN and -0 pass through).
func genReLU(v vec) {
	name := "relu" + v.s.name
	streamKernel(v, name, "func(dst, x *float32, n int)", nil, "x", "", "dst")
	zero := v.reg(8)
	v.zero(zero)
	streamLoop(v, name, func(u, off int) {
		r := v.reg(u)
		// max(0, x) returns its second operand, x, when x is NaN or -0.
		v.max(Mem{Base: RSI, Disp: off}, zero, r)
		v.store(r, Mem{Base: RDI, Disp: off})
	})
	endKernel()
}

// genReLUBackward emits dst = !(x <= 0) ? g : 0: the gradient passes
// where x is positive or NaN, as in PyTorch.
func genReLUBackward(v vec) {
	name := "reluBackward" + v.s.name
	streamKernel(v, name, "func(dst, grad, x *float32, n int)", nil, "grad", "x", "dst")
	zero := v.reg(8)
	v.zero(zero)
	streamLoop(v, name, func(u, off int) {
		r, m := v.reg(u), v.mask(u)
		v.load(Mem{Base: RDX, Disp: off}, r)
		v.cmp(cmpNLE, zero, r, m)
		if v.z512() {
			VMOVUPS_Z(Mem{Base: RSI, Disp: off}, m, r)
		} else {
			v.and(Mem{Base: RSI, Disp: off}, m, r)
		}
		v.store(r, Mem{Base: RDI, Disp: off})
	})
	endKernel()
}

// genSum emits the lane-wise sums of x into out (one vector).
func genSum(v vec) {
	name := "sum" + v.s.name
	streamKernel(v, name, "func(x *float32, n int, out *float32)", nil, "x", "", "")
	for u := 0; u < 4; u++ {
		v.zero(v.reg(u))
	}
	streamLoop(v, name, func(u, off int) {
		v.add(Mem{Base: RSI, Disp: off}, v.reg(u), v.reg(u))
	})
	v.add(v.reg(1), v.reg(0), v.reg(0))
	v.add(v.reg(3), v.reg(2), v.reg(2))
	v.add(v.reg(2), v.reg(0), v.reg(0))
	Load(Param("out"), RDI)
	v.store(v.reg(0), Mem{Base: RDI})
	endKernel()
}

// genMax emits the lane-wise maxima of x into out (one vector) and
// returns non-zero when x may hold a NaN: it also adds up x, and a NaN
// sum (from a NaN, or from +Inf and -Inf) sends the caller to a scalar
// check. That costs one addition per vector instead of a compare and a
// mask operation.
func genMax(v vec) {
	name := "max" + v.s.name
	streamKernel(v, name, "func(x *float32, n int, out *float32) int", nil, "x", "", "")
	for u := 0; u < 4; u++ {
		v.load(cst("neginf"), v.reg(u))
		v.zero(v.reg(4 + u))
	}
	streamLoop(v, name, func(u, off int) {
		t := v.reg(8 + u)
		v.load(Mem{Base: RSI, Disp: off}, t)
		v.max(t, v.reg(u), v.reg(u))
		v.add(t, v.reg(4+u), v.reg(4+u))
	})
	v.max(v.reg(1), v.reg(0), v.reg(0))
	v.max(v.reg(3), v.reg(2), v.reg(2))
	v.max(v.reg(2), v.reg(0), v.reg(0))
	v.add(v.reg(5), v.reg(4), v.reg(4))
	v.add(v.reg(7), v.reg(6), v.reg(6))
	v.add(v.reg(6), v.reg(4), v.reg(4))
	Load(Param("out"), RDI)
	v.store(v.reg(0), Mem{Base: RDI})
	if v.z512() {
		v.cmp(cmpUNORD, v.reg(4), v.reg(4), K1)
		KMOVW(K1, EAX)
	} else {
		v.cmp(cmpUNORD, v.reg(4), v.reg(4), v.reg(4))
		VMOVMSKPS(v.reg(4), EAX)
	}
	Store(RAX, ReturnIndex(0))
	endKernel()
}

// expBody computes out = exp(in) using registers from first on (five of
// them); in is preserved.
func expBody(v vec, in, out VecPhysical, first int) {
	x, n, r, t := v.reg(first), v.reg(first+1), v.reg(first+2), v.reg(first+3)
	Comment("exp: clamp to [-104, 89] keeping NaN, n = round(x·log2e), r = x - n·ln2")
	v.load(cst("exphi"), t)
	v.min(in, t, x) // t < in ? t : in; NaN: in
	v.load(cst("explo"), t)
	v.max(x, t, x) // t > x ? t : x; NaN: x
	v.mul(cst("log2e"), x, n)
	v.roundNearest(n, n)
	VMOVAPS(x, r)
	v.fnma231(cst("ln2hi"), n, r)
	v.fnma231(cst("ln2lo"), n, r)
	Comment("exp(r) = 1 + r + r²·P(r)")
	v.load(cst("expc5"), out)
	v.fma213(cst("expc4"), r, out)
	v.fma213(cst("expc3"), r, out)
	v.fma213(cst("expc2"), r, out)
	v.fma213(cst("expc1"), r, out)
	v.fma213(cst("expc0"), r, out)
	v.mul(r, r, t)
	v.fma213(r, t, out) // out = out·r² + r
	v.add(cst("one"), out, out)
	Comment("Scale by 2ⁿ.")
	if v.z512() {
		VSCALEFPS(n, out, out)
		return
	}
	// 2ⁿ as 2^(n>>1)·2^(n-(n>>1)): both halves are normal for n in
	// [-150, 129], so overflow and gradual underflow round once, at the
	// last multiply.
	VCVTPS2DQ(n, n)
	VPSRAD(Imm(1), n, t)
	VPSUBD(t, n, n)
	VPADDD(cst("bias"), t, t)
	VPADDD(cst("bias"), n, n)
	VPSLLD(Imm(23), t, t)
	VPSLLD(Imm(23), n, n)
	v.mul(t, out, out)
	v.mul(n, out, out)
}

// logBody computes out = log(in) (Cephes' logf, with denormal inputs
// scaled up first).
func logBody(v vec, in, out VecPhysical) {
	x, e, t, z, m := v.reg(2), v.reg(3), v.reg(4), v.reg(5), v.mask(0)
	if !v.z512() {
		m = v.reg(6)
	}
	Comment("Scale denormals by 2²³; split x = m·2^e, m in [1, 2).")
	v.cmp(cmpLT, cst("minnorm"), in, m)
	v.mul(cst("two23"), in, t)
	v.blend(m, t, in, x)
	v.zero(e)
	v.load(cst("m23"), t)
	v.blend(m, t, e, e)
	VPSRLD(Imm(23), x, t)
	VPSUBD(cst("bias"), t, t)
	VCVTDQ2PS(t, t)
	v.add(t, e, e)
	v.and(cst("mantmask"), x, x)
	v.or(cst("one"), x, x)
	Comment("m > √2: m /= 2, e++; z = m - 1 in [√½-1, √2-1).")
	v.mul(cst("half"), x, t)
	v.cmp(cmpGT, cst("sqrthalf").Offset(0), t, m) // m/2 > √½
	v.blend(m, t, x, x)
	v.add(cst("one"), e, t)
	v.blend(m, t, e, e)
	v.sub(cst("one"), x, z)
	Comment("log(1+z) = z - z²/2 + z³·P(z); log x = that + e·ln2")
	v.load(cst("logc8"), out)
	for _, c := range []string{"logc7", "logc6", "logc5", "logc4", "logc3", "logc2", "logc1", "logc0"} {
		v.fma213(cst(c), z, out)
	}
	v.mul(z, z, t)
	v.mul(z, out, out)
	v.mul(t, out, out)             // z³·P
	v.fma231(cst("ln2lo"), e, out) // + e·ln2lo
	v.fnma231(cst("half"), t, out) // - z²/2
	v.add(z, out, out)
	v.fma231(cst("ln2hi"), e, out) // + e·ln2hi
	Comment("Special values: +Inf, 0 → -Inf, x < 0 or NaN → NaN.")
	v.cmp(cmpEQ, cst("posinf"), in, m)
	v.blend(m, in, out, out)
	v.zero(t)
	v.cmp(cmpEQ, t, in, m)
	v.load(cst("neginf"), z)
	v.blend(m, z, out, out)
	v.cmp(cmpNGE, t, in, m)
	v.load(cst("nan"), z)
	v.blend(m, z, out, out)
}

// tanhBody computes out = tanh(in): Cephes' polynomial below 0.625 in
// magnitude, 1 - 2/(exp(2|x|)+1) with x's sign above.
func tanhBody(v vec, in, out VecPhysical) {
	a, e, t, m := v.reg(7), v.reg(8), v.reg(9), v.mask(1)
	if !v.z512() {
		m = v.reg(10)
	}
	v.and(cst("absmask"), in, a)
	v.add(a, a, t)
	expBody(v, t, e, 2) // uses registers 2…5 and out=e
	v.add(cst("one"), e, e)
	v.load(cst("two"), t)
	v.div(e, t, e) // 2/(E+1)
	v.load(cst("one"), t)
	v.sub(e, t, e) // 1 - 2/(E+1)
	v.and(cst("signmask"), in, t)
	v.or(t, e, e)
	Comment("Small |x|: x + x³·P(x²).")
	v.mul(in, in, t)
	v.load(cst("tanhc4"), out)
	for _, c := range []string{"tanhc3", "tanhc2", "tanhc1", "tanhc0"} {
		v.fma213(cst(c), t, out)
	}
	v.mul(t, out, out)
	v.fma213(in, in, out) // out·x + x
	v.cmp(cmpLT, cst("tanhlim"), a, m)
	v.blend(m, out, e, out)
}

// sigmoidBody computes out = 1/(1+exp(-x)) as r = 1/(1+E) with E =
// exp(-|x|): r for x ≥ 0 and E·r for x < 0, so that tiny results (large
// negative x) keep their precision down to the denormals.
func sigmoidBody(v vec, in, out VecPhysical) {
	nx, e, m := v.reg(7), v.reg(8), v.mask(1)
	if !v.z512() {
		m = v.reg(9)
	}
	v.or(cst("signmask"), in, nx)
	expBody(v, nx, e, 2)
	v.add(cst("one"), e, nx)
	v.load(cst("one"), out)
	v.div(nx, out, out)
	v.mul(out, e, e)
	v.zero(nx)
	v.cmp(cmpLT, nx, in, m)
	v.blend(m, e, out, out)
}
