package main

import (
	"bytes"
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// isa describes a vector instruction set the kernels are generated for.
type isa struct {
	name   string // AVX512 or AVX2
	vbytes int    // bytes in a vector register
	regs   []VecPhysical
	maxMR  [2]int // largest row count of a tile with one and two column vectors
}

var (
	avx512 = isa{
		name:   "AVX512",
		vbytes: 64,
		regs: []VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15,
			Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31},
		maxMR: [2]int{24, 12},
	}
	avx2 = isa{
		name:   "AVX2",
		vbytes: 32,
		regs:   []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15},
		maxMR:  [2]int{12, 6},
	}
)

func (s isa) is512() bool { return s.vbytes == 64 }

// instr is an avo instruction that takes its forms' operands.
type instr func(ops ...Op)

// elem describes the element type of a kernel and the instructions that
// handle it: the PS forms for float32, the PD forms for float64.
type elem struct {
	goType string // float32 or float64
	prefix string // s or d, as in BLAS
	size   int
	shift  uint64 // log2(size)

	bcast   instr                   // broadcast one element from memory: (m, r)
	fma     instr                   // acc += a·b: (b, a, acc)
	mul     instr                   // dst = x·y: (x, y, dst)
	movu    instr                   // unaligned load or store (src, dst), merge-masked with (src, k, dst)
	movuZ   func(src, k, dst Op)    // zero-masked load under opmask k
	maskmov func(src, mask, dst Op) // AVX's masked load or store (mask in a vector register)
}

var (
	f32 = elem{"float32", "s", 4, 2, VBROADCASTSS, VFMADD231PS, VMULPS, VMOVUPS, VMOVUPS_Z, VMASKMOVPS}
	f64 = elem{"float64", "d", 8, 3, VBROADCASTSD, VFMADD231PD, VMULPD, VMOVUPD, VMOVUPD_Z, VMASKMOVPD}
)

// movuK is a merge-masked store under opmask k.
func (e elem) movuK(src, k, dst Op) { e.movu(src, k, dst) }

func gemmKernelName(s isa, e elem, modeK bool, nv, mr int) string {
	mode := "R"
	if modeK {
		mode = "K"
	}
	return fmt.Sprintf("%sgemm%s%s%d_%d", e.prefix, s.name, mode, nv, mr)
}

// genGemm generates the GEMM micro-kernels and writes their tables to tab.
func genGemm(tab *bytes.Buffer) {
	iota32 := GLOBL("gemmIota32", RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		DATA(4*i, U32(i))
	}
	iota64 := GLOBL("gemmIota64", RODATA|NOPTR)
	for i := 0; i < 8; i++ {
		DATA(8*i, U64(i))
	}
	for _, s := range []isa{avx512, avx2} {
		for _, e := range []elem{f32, f64} {
			fmt.Fprintf(tab, "// %sgemm%sKernels holds the %s %s micro-kernels, indexed by\n", e.prefix, s.name, s.name, e.goType)
			fmt.Fprintf(tab, "// [A mode (0: rows strided, 1: k strided)][column vectors - 1][rows].\n")
			fmt.Fprintf(tab, "var %sgemm%sKernels = [2][2][]gemmKernel[%s]{\n", e.prefix, s.name, e.goType)
			for _, modeK := range []bool{false, true} {
				tab.WriteString("{\n")
				for nv := 1; nv <= 2; nv++ {
					tab.WriteString("{nil, ")
					for mr := 1; mr <= s.maxMR[nv-1]; mr++ {
						gemmKernel(s, e, modeK, nv, mr, iota32, iota64)
						fmt.Fprintf(tab, "%s, ", gemmKernelName(s, e, modeK, nv, mr))
					}
					tab.WriteString("},\n")
				}
				tab.WriteString("},\n")
			}
			tab.WriteString("}\n\n")
		}
	}
}

// gemmKernel generates one micro-kernel: C[0:mr, 0:n] = alpha·A·B (+ beta·C
// when load ≠ 0) for an mr×k block of A and a k×n block of B, in panels of
// nv·lanes columns; only the last panel may be narrower.
//
// A's element (r, p) is at a + r·ars + p·aks. In mode K (modeK) ars is one
// element and rows are addressed by displacement (packed panels, transposed
// A); in mode R aks is one element and k is addressed by displacement (A
// read in place). B's element (p, j) of panel i is at b + i·bps + p·bks + j.
// C's element (r, j) is at c + r·ldc + j. All strides are in elements.
//
// Registers: accumulators 0…mr·nv-1, B vectors at len-4 and len-3,
// broadcasts at len-2 and len-1. GPRs: RCX and RAX loop counters, RBX b, RDX
// bks, R12 3·bks, RSI (and RDI, R8, R9, R14 in mode R) A, R10 and R11 the
// A stride and three times it, R13 ldc.
func gemmKernel(s isa, e elem, modeK bool, nv, mr int, iota32, iota64 Mem) {
	name := gemmKernelName(s, e, modeK, nv, mr)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(k int, a *%[1]s, ars, aks int, b *%[1]s, bks, bps int, c *%[1]s, ldc, n int, alpha, beta %[1]s, load int)", e.goType))
	Pragma("noescape")
	// Each pass of the panel loop computes the tile of one B panel and
	// then advances the b, c and n arguments in place.
	Label(name + "_panel")
	lanes := s.vbytes / e.size
	nr := len(s.regs)
	acc := func(r, v int) VecPhysical { return s.regs[r*nv+v] }
	breg := func(v int) VecPhysical { return s.regs[nr-4+v] }
	bc := func(i int) VecPhysical { return s.regs[nr-2+i%2] }
	masks := []Op{K1, K2}
	shift := Imm(e.shift)

	Load(Param("k"), RCX)
	Load(Param("b"), RBX)
	loadStride("bks", e.shift, RDX, R12)
	Load(Param("a"), RSI)
	// In mode R, rows 5i…5i+4 are addressed from base i (row 5i) plus
	// none, ars, 2·ars, 3·ars or 4·ars.
	aBases := []Register{RSI, RDI, R8, R9, R14}
	nbases := (mr + 4) / 5
	if modeK {
		loadStride("aks", e.shift, R10, R11)
	} else {
		loadStride("ars", e.shift, R10, R11)
		rowBases(aBases[:nbases], R10)
	}

	if s.is512() {
		Comment("Column masks from n.")
		Load(Param("n"), RAX)
		MOVQ(U32(nv*lanes), R13) // BZHI reads 8 bits of the index: clamp n
		CMPQ(RAX, R13)
		CMOVQGT(R13, RAX)
		MOVL(U32(0xffffffff), R13L)
		BZHIL(EAX, R13L, R13L)
		KMOVW(R13L, K1)
		if nv == 2 {
			SHRL(Imm(uint64(lanes)), R13L)
			KMOVW(R13L, K2)
		}
	}

	Comment("Prefetch C.")
	Load(Param("c"), RAX)
	Load(Param("ldc"), R13)
	SHLQ(shift, R13)
	for r := 0; r < mr; r++ {
		PREFETCHT0(Mem{Base: RAX})
		PREFETCHT0(Mem{Base: RAX, Disp: nv*s.vbytes - 1})
		if r+1 < mr {
			ADDQ(R13, RAX)
		}
	}

	for r := 0; r < mr; r++ {
		for v := 0; v < nv; v++ {
			z := acc(r, v)
			if s.is512() {
				VPXORD(z, z, z)
			} else {
				VXORPS(z, z, z)
			}
		}
	}

	aMem := func(u, r int) Mem {
		if modeK {
			return rowMem(RSI, u, R10, R11, r*e.size)
		}
		return rowMem(aBases[r/5], r%5, R10, R11, u*e.size)
	}
	bMem := func(u, v int) Mem { return rowMem(RBX, u, RDX, R12, v*s.vbytes) }
	// step is one k step; masked loads B under the column masks (a
	// partial panel read in place).
	step := func(u int, masked bool) {
		for v := 0; v < nv; v++ {
			if masked {
				e.movuZ(bMem(u, v), masks[v], breg(v))
			} else {
				e.movu(bMem(u, v), breg(v))
			}
		}
		for r := 0; r < mr; r++ {
			e.bcast(aMem(u, r), bc(r))
			for v := 0; v < nv; v++ {
				e.fma(breg(v), bc(r), acc(r, v))
			}
		}
	}
	advance := func(u int) {
		if modeK {
			if u == 4 {
				LEAQ(Mem{Base: RSI, Index: R10, Scale: 4}, RSI)
			} else {
				ADDQ(R10, RSI)
			}
		} else {
			for i := 0; i < nbases; i++ {
				ADDQ(Imm(uint64(u*e.size)), aBases[i])
			}
		}
		if u == 4 {
			LEAQ(Mem{Base: RBX, Index: RDX, Scale: 4}, RBX)
		} else {
			ADDQ(RDX, RBX)
		}
	}

	if s.is512() {
		Comment("A partial panel takes the masked k loop.")
		Load(Param("n"), RAX)
		CMPQ(RAX, Imm(uint64(nv*lanes)))
		JL(LabelRef(name + "_masked"))
	}
	Comment("k loop, unrolled four times.")
	MOVQ(RCX, RAX)
	SHRQ(Imm(2), RCX)
	ANDQ(Imm(3), RAX)
	TESTQ(RCX, RCX)
	JZ(LabelRef(name + "_tail"))
	Label(name + "_loop4")
	for u := 0; u < 4; u++ {
		step(u, false)
	}
	advance(4)
	DECQ(RCX)
	JNZ(LabelRef(name + "_loop4"))
	Label(name + "_tail")
	TESTQ(RAX, RAX)
	JZ(LabelRef(name + "_epilogue"))
	Label(name + "_loop1")
	step(0, false)
	advance(1)
	DECQ(RAX)
	JNZ(LabelRef(name + "_loop1"))
	if s.is512() {
		JMP(LabelRef(name + "_epilogue"))
		Label(name + "_masked")
		step(0, true)
		advance(1)
		DECQ(RCX)
		JNZ(LabelRef(name + "_masked"))
	}

	Label(name + "_epilogue")
	alpha, _ := Param("alpha").Resolve()
	beta, _ := Param("beta").Resolve()
	e.bcast(beta.Addr, bc(1))
	Comment("Scale by alpha unless it is 1.")
	if e.size == 4 {
		MOVL(alpha.Addr, EDI)
		CMPL(EDI, U32(0x3f800000))
	} else {
		MOVQ(alpha.Addr, RDI)
		MOVQ(U64(0x3ff0000000000000), RSI)
		CMPQ(RDI, RSI)
	}
	JEQ(LabelRef(name + "_scaled"))
	e.bcast(alpha.Addr, bc(0))
	for r := 0; r < mr; r++ {
		for v := 0; v < nv; v++ {
			e.mul(bc(0), acc(r, v), acc(r, v))
		}
	}
	Label(name + "_scaled")
	Load(Param("c"), RAX)
	Load(Param("load"), RDX)
	Load(Param("n"), RCX)
	tmp := breg(1)
	cMem := func(v int) Mem { return Mem{Base: RSI, Disp: v * s.vbytes} }

	// epilogue writes the tile; with masked true it uses vector-register
	// masks (AVX2 only), built per column vector in breg(0).
	epilogue := func(load, masked bool) {
		for v := 0; v < nv; v++ {
			if masked {
				Load(Param("n"), RDI)
				VMOVD(EDI, breg(0).AsX())
				if e.size == 4 {
					VPBROADCASTD(breg(0).AsX(), breg(0))
					VPCMPGTD(iota32.Offset(v*s.vbytes), breg(0), breg(0))
				} else {
					VPBROADCASTQ(breg(0).AsX(), breg(0))
					VPCMPGTQ(iota64.Offset(v*s.vbytes), breg(0), breg(0))
				}
			}
			MOVQ(RAX, RSI)
			for r := 0; r < mr; r++ {
				z := acc(r, v)
				switch {
				case s.is512():
					if load {
						e.movuZ(cMem(v), masks[v], tmp)
						e.fma(tmp, bc(1), z)
					}
					e.movuK(z, masks[v], cMem(v))
				case masked:
					if load {
						e.maskmov(cMem(v), breg(0), tmp)
						e.fma(tmp, bc(1), z)
					}
					e.maskmov(z, breg(0), cMem(v))
				default:
					if load {
						e.fma(cMem(v), bc(1), z)
					}
					e.movu(z, cMem(v))
				}
				if r+1 < mr {
					ADDQ(R13, RSI)
				}
			}
		}
	}
	TESTQ(RDX, RDX)
	JZ(LabelRef(name + "_store"))
	next := func() { JMP(LabelRef(name + "_next")) }
	if s.is512() {
		epilogue(true, false)
		next()
		Label(name + "_store")
		epilogue(false, false)
	} else {
		CMPQ(RCX, Imm(uint64(nv*lanes)))
		JL(LabelRef(name + "_loadmasked"))
		epilogue(true, false)
		next()
		Label(name + "_loadmasked")
		epilogue(true, true)
		next()
		Label(name + "_store")
		CMPQ(RCX, Imm(uint64(nv*lanes)))
		JL(LabelRef(name + "_storemasked"))
		epilogue(false, false)
		next()
		Label(name + "_storemasked")
		epilogue(false, true)
	}

	Label(name + "_next")
	Comment("Next panel: n -= width, c += width, b += bps.")
	nArg, _ := Param("n").Resolve()
	cArg, _ := Param("c").Resolve()
	bArg, _ := Param("b").Resolve()
	Load(Param("n"), RCX)
	SUBQ(Imm(uint64(nv*lanes)), RCX)
	JLE(LabelRef(name + "_done"))
	MOVQ(RCX, nArg.Addr)
	ADDQ(Imm(uint64(nv*s.vbytes)), cArg.Addr)
	Load(Param("bps"), RAX)
	SHLQ(shift, RAX)
	ADDQ(RAX, bArg.Addr)
	JMP(LabelRef(name + "_panel"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}
