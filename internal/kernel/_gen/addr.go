package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// loadStride loads the element stride param into s as a byte stride
// (shifted left by shift, log2 of the element size) and sets s3 = 3·s, so
// that rowMem can address rows 0…4 from one base.
func loadStride(param string, shift uint64, s, s3 Register) {
	Load(Param(param), s)
	SHLQ(Imm(shift), s)
	LEAQ(Mem{Base: s, Index: s, Scale: 2}, s3)
}

// rowBases sets bases[i] = bases[i−1] + 5·s for i ≥ 1, so that rows
// 5i…5i+4 are addressed from bases[i] with rowMem.
func rowBases(bases []Register, s Register) {
	for i := 1; i < len(bases); i++ {
		LEAQ(Mem{Base: bases[i-1], Index: s, Scale: 4}, bases[i])
		ADDQ(s, bases[i])
	}
}

// rowMem returns the address of row j (0…4) of a matrix whose row 0 is at
// base, given the byte stride s and s3 = 3·s (see loadStride): base,
// base+s, base+2s, base+s3 or base+4s, plus disp bytes.
func rowMem(base Register, j int, s, s3 Register, disp int) Mem {
	m := Mem{Base: base, Disp: disp}
	switch j {
	case 1:
		m.Index, m.Scale = s, 1
	case 2:
		m.Index, m.Scale = s, 2
	case 3:
		m.Index, m.Scale = s3, 1
	case 4:
		m.Index, m.Scale = s, 4
	}
	return m
}
