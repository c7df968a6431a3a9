package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// genPool generates maxPool2x2AVX512, the 2×2/stride-2 max-pool of one
// float32 plane: for output (i, j) < (oh, ow) it reads the window at
// x + 2i·sh + 2j (two elements of two rows sh apart), writes the winner to
// y[i·ow + j] and its flat index top + 2i·width + 2j + {0, 1, width,
// width+1} to idx[i·ow + j]. The winner is the first largest element,
// where ±0 are equal and a NaN is above every number and above an earlier
// NaN (kernel.MaxPool2x2's order): in a tournament (left against right in
// each row, then row against row) a later element wins iff it is NaN or
// ordered-greater.
func genPool() {
	tab := GLOBL("poolConst", RODATA|NOPTR)
	// The assembler wants DATA in increasing order of offset.
	for j := 0; j < 16; j++ {
		DATA(4*j, U32(uint32(2*j))) // even lanes of two vectors
	}
	for j := 0; j < 16; j++ {
		DATA(64+4*j, U32(uint32(2*j+1))) // odd lanes
	}
	for j := 0; j < 16; j++ {
		DATA(128+8*j, U64(uint64(2*j))) // 2j, j = 0…15, as two vectors of int64
	}

	TEXT("maxPool2x2AVX512", NOSPLIT, "func(y *float32, idx *int64, x *float32, sh, oh, ow, top, width int)")
	Pragma("noescape")
	Load(Param("y"), RDI)
	Load(Param("idx"), RSI)
	Load(Param("x"), RDX)
	Load(Param("sh"), R8)
	SHLQ(Imm(2), R8) // row stride in bytes
	Load(Param("oh"), R9)
	Load(Param("ow"), R10)
	TESTQ(R9, R9)
	JZ(LabelRef("pool_done"))
	TESTQ(R10, R10)
	JZ(LabelRef("pool_done"))

	even, odd, stepLo, stepHi := Z16, Z17, Z18, Z19
	one, step, width, width2 := Z20, Z21, Z22, Z23
	cur, top := Z14, Z15
	VMOVDQU32(tab.Offset(0), even)
	VMOVDQU32(tab.Offset(64), odd)
	VMOVDQU64(tab.Offset(128), stepLo)
	VMOVDQU64(tab.Offset(192), stepHi)
	MOVQ(U32(1), R11)
	VPBROADCASTQ(R11, one)
	MOVQ(U32(32), R11)
	VPBROADCASTQ(R11, step)
	Load(Param("width"), R11)
	VPBROADCASTQ(R11, width)
	VPADDQ(width, width, width2)
	Load(Param("top"), R11)
	VPBROADCASTQ(R11, top)

	Label("pool_row")
	MOVQ(RDI, R13)
	MOVQ(RSI, RBX)
	MOVQ(RDX, RAX)
	MOVQ(R10, R12)
	VMOVDQA64(top, cur)

	Label("pool_col")
	// Masks for min(remaining, 16) outputs: K7 the outputs, K1 and K2 the
	// two vectors of each input row.
	MOVQ(R12, RCX)
	MOVQ(U32(16), R11)
	CMPQ(RCX, R11)
	CMOVQGT(R11, RCX)
	MOVQ(U32(1), R11)
	SHLQ(CL, R11)
	DECQ(R11)
	KMOVW(R11.As32(), K7)
	SHLQ(Imm(1), RCX)
	MOVQ(U32(1), R11)
	SHLQ(CL, R11)
	DECQ(R11)
	KMOVD(R11.As32(), K1)
	KSHIFTRD(Imm(16), K1, K2)

	VMOVUPS_Z(Mem{Base: RAX}, K1, Z0)
	VMOVUPS_Z(Mem{Base: RAX, Disp: 64}, K2, Z1)
	VMOVUPS_Z(Mem{Base: RAX, Index: R8, Scale: 1}, K1, Z2)
	VMOVUPS_Z(Mem{Base: RAX, Index: R8, Scale: 1, Disp: 64}, K2, Z3)
	// x0, x1: left and right of the first row; x2, x3 of the second.
	x0, x1, x2, x3 := Z8, Z9, Z10, Z11
	VMOVAPS(Z0, x0)
	VPERMT2PS(Z1, even, x0)
	VMOVAPS(Z0, x1)
	VPERMT2PS(Z1, odd, x1)
	VMOVAPS(Z2, x2)
	VPERMT2PS(Z3, even, x2)
	VMOVAPS(Z2, x3)
	VPERMT2PS(Z3, odd, x3)

	// later beats earlier: later > earlier (ordered) or later is NaN.
	const gtOQ, unordQ = 0x1e, 0x03
	beats := func(later, earlier VecPhysical, k, tmp Op) {
		VCMPPS(Imm(gtOQ), earlier, later, k)
		VCMPPS(Imm(unordQ), later, later, tmp)
		KORW(tmp, k, k)
	}
	a, b, win := Z4, Z5, Z6
	beats(x1, x0, K3, K4)
	VBLENDMPS(x1, x0, K3, a)
	beats(x3, x2, K5, K4)
	VBLENDMPS(x3, x2, K5, b)
	beats(b, a, K6, K4)
	VBLENDMPS(b, a, K6, win)
	VMOVUPS(win, K7, Mem{Base: R13})

	// Column bit: the second row's when it won, else the first's.
	KANDW(K6, K5, K1)
	KANDNW(K3, K6, K2)
	KORW(K2, K1, K1)
	lo, hi := Z12, Z13
	VPADDQ(stepLo, cur, lo)
	VPADDQ(stepHi, cur, hi)
	VPADDQ(one, lo, K1, lo)
	KSHIFTRW(Imm(8), K1, K4)
	VPADDQ(one, hi, K4, hi)
	VPADDQ(width, lo, K6, lo)
	KSHIFTRW(Imm(8), K6, K4)
	VPADDQ(width, hi, K4, hi)
	VMOVDQU64(lo, K7, Mem{Base: RBX})
	KSHIFTRW(Imm(8), K7, K4)
	VMOVDQU64(hi, K4, Mem{Base: RBX, Disp: 64})

	ADDQ(U32(64), R13)
	ADDQ(U32(128), RBX)
	ADDQ(U32(128), RAX)
	VPADDQ(step, cur, cur)
	SUBQ(U32(16), R12)
	JGT(LabelRef("pool_col"))

	LEAQ(Mem{Base: RDI, Index: R10, Scale: 4}, RDI)
	LEAQ(Mem{Base: RSI, Index: R10, Scale: 8}, RSI)
	ADDQ(R8, RDX)
	ADDQ(R8, RDX)
	VPADDQ(width2, top, top)
	DECQ(R9)
	JNZ(LabelRef("pool_row"))

	Label("pool_done")
	VZEROUPPER()
	RET()
}
