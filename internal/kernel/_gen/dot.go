package main

import (
	"bytes"
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Tile sizes of the dot-product kernels: up to dotMaxMR rows of A against
// up to dotMaxNR rows of B, one accumulator register each.
const (
	dotMaxMR = 4
	dotMaxNR = 5
)

func dotKernelName(mr, nr int) string { return fmt.Sprintf("dotAccAVX512_%d_%d", mr, nr) }

// genDot generates the AVX-512 float32 kernels of kernel.DotAcc, one per
// tile of mr ≤ dotMaxMR rows of A and nr ≤ dotMaxNR rows of B, and writes
// their table to tab. Each adds to c[i·ldc + j] (i < mr, j < nr) the sum
// over r < rows of the dot product of the row segments
// a[i·lda + r·ra : … + p] and b[j·ldb + r·rb : … + p], where p is
// 16·chunks elements plus the popcount of the 16-bit mask (a tail read
// with zeroing masked loads). Strides are in elements; rows ≥ 1. Every
// (i, j) pair has its own vector accumulator, reduced once at the end.
func genDot(tab *bytes.Buffer) {
	fmt.Fprintf(tab, "// dotAccAVX512Kernels holds the kernels of DotAcc, indexed by [rows of A][rows of B].\n")
	fmt.Fprintf(tab, "var dotAccAVX512Kernels = [%d][%d]dotKernel{\n", dotMaxMR+1, dotMaxNR+1)
	for mr := 1; mr <= dotMaxMR; mr++ {
		fmt.Fprintf(tab, "\t%d: {", mr)
		for nr := 1; nr <= dotMaxNR; nr++ {
			fmt.Fprintf(tab, "%d: %s, ", nr, dotKernelName(mr, nr))
			dotKernel(mr, nr)
		}
		fmt.Fprintf(tab, "},\n")
	}
	fmt.Fprintf(tab, "}\n\n")
}

// dotKernel emits one kernel of genDot.
func dotKernel(mr, nr int) {
	name := dotKernelName(mr, nr)
	TEXT(name, NOSPLIT, "func(a, b, c *float32, lda, ldb, ldc, rows, ra, rb, chunks int, mask uint64)")
	Pragma("noescape")
	// Registers: accumulators Z8…Z27 (acc(i, j)), rows of A in Z28…Z31,
	// rows of B in Z3…Z7, scratch Z0…Z2.
	acc := func(i, j int) VecPhysical {
		return []VecPhysical{Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27}[i*dotMaxNR+j]
	}
	areg := func(i int) VecPhysical { return []VecPhysical{Z28, Z29, Z30, Z31}[i] }
	breg := func(j int) VecPhysical { return []VecPhysical{Z3, Z4, Z5, Z6, Z7}[j] }

	Load(Param("a"), RSI)
	Load(Param("b"), RDX)
	loadStride("lda", 2, R8, R9)
	loadStride("ldb", 2, R10, R11)
	Load(Param("chunks"), RAX)
	// R12, R13: what takes a row pointer from the end of its segment's
	// full chunks to the start of the next row (ra − 16·chunks elements).
	MOVQ(RAX, R14)
	SHLQ(Imm(6), R14)
	Load(Param("ra"), R12)
	SHLQ(Imm(2), R12)
	SUBQ(R14, R12)
	Load(Param("rb"), R13)
	SHLQ(Imm(2), R13)
	SUBQ(R14, R13)
	Load(Param("mask"), R14)
	KMOVW(R14.As32(), K1)
	Load(Param("rows"), RBX)

	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			VXORPS(acc(i, j), acc(i, j), acc(i, j))
		}
	}

	// step multiplies one vector of every row of A by one of every row
	// of B, with zeroing masked loads when masked.
	step := func(masked bool) {
		load := func(m Mem, r VecPhysical) {
			if masked {
				VMOVUPS_Z(m, K1, r)
			} else {
				VMOVUPS(m, r)
			}
		}
		for i := 0; i < mr; i++ {
			load(rowMem(RSI, i, R8, R9, 0), areg(i))
		}
		for j := 0; j < nr; j++ {
			load(rowMem(RDX, j, R10, R11, 0), breg(j))
			for i := 0; i < mr; i++ {
				VFMADD231PS(breg(j), areg(i), acc(i, j))
			}
		}
	}

	Label(name + "_row")
	MOVQ(RAX, RCX)
	TESTQ(RCX, RCX)
	JZ(LabelRef(name + "_tail"))
	Label(name + "_chunk")
	step(false)
	ADDQ(Imm(64), RSI)
	ADDQ(Imm(64), RDX)
	DECQ(RCX)
	JNZ(LabelRef(name + "_chunk"))
	Label(name + "_tail")
	KORTESTW(K1, K1)
	JZ(LabelRef(name + "_next"))
	step(true)
	Label(name + "_next")
	ADDQ(R12, RSI)
	ADDQ(R13, RDX)
	DECQ(RBX)
	JNZ(LabelRef(name + "_row"))

	// Reduce every accumulator to a scalar and add it to its element of c.
	Load(Param("c"), RDI)
	loadStride("ldc", 2, R8, R9)
	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			z := acc(i, j)
			VEXTRACTF64X4(Imm(1), z, Y0)
			VADDPS(z.AsY(), Y0, Y0)
			VEXTRACTF128(Imm(1), Y0, X1)
			VADDPS(X1, X0, X0)
			VPERMILPS(Imm(0x4e), X0, X1)
			VADDPS(X1, X0, X0)
			VPERMILPS(Imm(0xb1), X0, X1)
			VADDPS(X1, X0, X0)
			m := rowMem(RDI, i, R8, R9, 4*j)
			VADDSS(m, X0, X0)
			VMOVSS(X0, m)
		}
	}
	VZEROUPPER()
	RET()
}

// genAddRows generates addRowsAVX512: for r < rows, the n = 16·chunks +
// popcount(mask) elements at src + r·ss are added into those at dst + r·ds
// (strides in elements), element by element (dst + src, as Go's d[i] +=
// s[i]), the tail with masked loads and stores. It is Col2im's inner loop:
// one column-matrix row added into the image rows it came from.
func genAddRows() {
	TEXT("addRowsAVX512", NOSPLIT, "func(dst *float32, ds int, src *float32, ss int, rows, chunks int, mask uint64)")
	Pragma("noescape")
	Load(Param("dst"), RDI)
	Load(Param("ds"), R8)
	SHLQ(Imm(2), R8)
	Load(Param("src"), RSI)
	Load(Param("ss"), R9)
	SHLQ(Imm(2), R9)
	Load(Param("rows"), RBX)
	Load(Param("chunks"), RAX)
	Load(Param("mask"), R10)
	KMOVW(R10.As32(), K1)
	TESTQ(RBX, RBX)
	JZ(LabelRef("addRows_done"))
	Label("addRows_row")
	MOVQ(RDI, R11)
	MOVQ(RSI, R12)
	MOVQ(RAX, RCX)
	TESTQ(RCX, RCX)
	JZ(LabelRef("addRows_tail"))
	Label("addRows_chunk")
	VMOVUPS(Mem{Base: R11}, Z0)
	VADDPS(Mem{Base: R12}, Z0, Z0)
	VMOVUPS(Z0, Mem{Base: R11})
	ADDQ(Imm(64), R11)
	ADDQ(Imm(64), R12)
	DECQ(RCX)
	JNZ(LabelRef("addRows_chunk"))
	Label("addRows_tail")
	KORTESTW(K1, K1)
	JZ(LabelRef("addRows_next"))
	VMOVUPS_Z(Mem{Base: R11}, K1, Z0)
	VMOVUPS_Z(Mem{Base: R12}, K1, Z1)
	VADDPS(Z1, Z0, Z0)
	VMOVUPS(Z0, K1, Mem{Base: R11})
	Label("addRows_next")
	ADDQ(R8, RDI)
	ADDQ(R9, RSI)
	DECQ(RBX)
	JNZ(LabelRef("addRows_row"))
	Label("addRows_done")
	VZEROUPPER()
	RET()
}
