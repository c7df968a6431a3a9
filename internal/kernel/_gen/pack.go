package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// genPack generates packBTAVX512 and packBTAVX2, which transpose L rows
// of a float32 matrix into a packed B panel: dst[p·wp + j] = src[j·lds + p]
// for j < L and p < k, k a multiple of L (the Go side does the rest), with
// L = 16 and 8.
func genPack() {
	genPackBT512()
	genPackBT2()
}

// genPackBT512 moves 16×16 blocks through the 32 zmm registers with the
// usual four rounds of unpacks and 128-bit lane shuffles.
func genPackBT512() {
	TEXT("packBTAVX512", NOSPLIT, "func(dst, src *float32, lds, k, wp int)")
	Pragma("noescape")
	Load(Param("dst"), RDI)
	Load(Param("src"), RSI)
	loadStride("lds", 2, R10, R11)
	Load(Param("k"), RCX)
	SHRQ(Imm(4), RCX)
	Load(Param("wp"), RDX)
	SHLQ(Imm(2), RDX)
	// Rows 5i…5i+4 are addressed from base i.
	bases := []Register{RSI, R8, R9, R12}
	rowBases(bases, R10)
	row := func(j int) Mem { return rowMem(bases[j/5], j%5, R10, R11, 0) }
	r := func(i int) VecPhysical { return avx512.regs[i] }
	t := func(i int) VecPhysical { return avx512.regs[16+i] }
	TESTQ(RCX, RCX)
	JZ(LabelRef("packBT_done"))
	Label("packBT_loop")
	for j := 0; j < 16; j++ {
		VMOVUPS(row(j), r(j))
	}
	for i := 0; i < 16; i += 2 {
		VUNPCKLPS(r(i+1), r(i), t(i))
		VUNPCKHPS(r(i+1), r(i), t(i+1))
	}
	for i := 0; i < 16; i += 4 {
		VUNPCKLPD(t(i+2), t(i), r(i))
		VUNPCKHPD(t(i+2), t(i), r(i+1))
		VUNPCKLPD(t(i+3), t(i+1), r(i+2))
		VUNPCKHPD(t(i+3), t(i+1), r(i+3))
	}
	for h := 0; h < 16; h += 8 {
		for i := 0; i < 4; i++ {
			VSHUFF32X4(Imm(0x88), r(h+i+4), r(h+i), t(h+i))
			VSHUFF32X4(Imm(0xdd), r(h+i+4), r(h+i), t(h+i+4))
		}
	}
	for i := 0; i < 8; i++ {
		VSHUFF32X4(Imm(0x88), t(i+8), t(i), r(i))
		VSHUFF32X4(Imm(0xdd), t(i+8), t(i), r(i+8))
	}
	for p := 0; p < 16; p++ {
		VMOVUPS(r(p), Mem{Base: RDI})
		ADDQ(RDX, RDI)
	}
	for _, b := range bases {
		ADDQ(Imm(64), b)
	}
	DECQ(RCX)
	JNZ(LabelRef("packBT_loop"))
	Label("packBT_done")
	VZEROUPPER()
	RET()
}

// genPackBT2 moves 8×8 blocks through the 16 ymm registers: unpacks, 64-bit
// shuffles and a 128-bit lane permutation.
func genPackBT2() {
	TEXT("packBTAVX2", NOSPLIT, "func(dst, src *float32, lds, k, wp int)")
	Pragma("noescape")
	Load(Param("dst"), RDI)
	Load(Param("src"), RSI)
	loadStride("lds", 2, R10, R11)
	Load(Param("k"), RCX)
	SHRQ(Imm(3), RCX)
	Load(Param("wp"), RDX)
	SHLQ(Imm(2), RDX)
	LEAQ(Mem{Base: RSI, Index: R10, Scale: 4}, R8) // row 4
	row := func(j int) Mem { return rowMem([]Register{RSI, R8}[j/4], j%4, R10, R11, 0) }
	r := func(i int) VecPhysical { return avx2.regs[i] }
	t := func(i int) VecPhysical { return avx2.regs[8+i] }
	TESTQ(RCX, RCX)
	JZ(LabelRef("packBT2_done"))
	Label("packBT2_loop")
	for j := 0; j < 8; j++ {
		VMOVUPS(row(j), r(j))
	}
	for i := 0; i < 8; i += 2 {
		VUNPCKLPS(r(i+1), r(i), t(i))
		VUNPCKHPS(r(i+1), r(i), t(i+1))
	}
	for i := 0; i < 8; i += 4 {
		VSHUFPS(Imm(0x44), t(i+2), t(i), r(i))
		VSHUFPS(Imm(0xee), t(i+2), t(i), r(i+1))
		VSHUFPS(Imm(0x44), t(i+3), t(i+1), r(i+2))
		VSHUFPS(Imm(0xee), t(i+3), t(i+1), r(i+3))
	}
	for i := 0; i < 4; i++ {
		VPERM2F128(Imm(0x20), r(i+4), r(i), t(i))
		VPERM2F128(Imm(0x31), r(i+4), r(i), t(i+4))
	}
	for p := 0; p < 8; p++ {
		VMOVUPS(t(p), Mem{Base: RDI})
		ADDQ(RDX, RDI)
	}
	ADDQ(Imm(32), RSI)
	ADDQ(Imm(32), R8)
	DECQ(RCX)
	JNZ(LabelRef("packBT2_loop"))
	Label("packBT2_done")
	VZEROUPPER()
	RET()
}
