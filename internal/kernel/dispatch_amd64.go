//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// pathAvailable tells whether this machine runs the assembly of path p.
func pathAvailable(p Path) bool {
	x := &cpu.X86
	avx2 := x.HasAVX2 && x.HasFMA && x.HasBMI2
	switch p {
	case PathAVX2:
		return avx2
	case PathAVX512:
		return avx2 && x.HasAVX512F && x.HasAVX512DQ && x.HasAVX512BW && x.HasAVX512VL
	}
	return false
}

// gemmImplFor returns the GEMM implementation of path p.
func gemmImplFor[T float32 | float64](p Path) *gemmImpl[T] {
	var z T
	_, f32 := any(z).(float32)
	im := &gemmImpl[T]{path: p}
	var tab any
	switch p {
	case PathAVX512:
		// Opmasks let the kernels read a partial B panel in place.
		im.lanes, im.maskedB = 16, true
		tab = &sgemmAVX512Kernels
		if !f32 {
			im.lanes, tab = 8, &dgemmAVX512Kernels
		}
	case PathAVX2:
		im.lanes = 8
		tab = &sgemmAVX2Kernels
		if !f32 {
			im.lanes, tab = 4, &dgemmAVX2Kernels
		}
	default:
		return goImpl[T]()
	}
	kernels := tab.(*[2][2][]gemmKernel[T])
	im.tile = asmTile(kernels)
	// The tables hold kernels for 1…maxMR rows (index 0 unused).
	im.maxMR = [2]int{len(kernels[0][0]) - 1, len(kernels[0][1]) - 1}
	if f32 {
		im.packBT, im.packBTRows = any(packBTAVX2).(func(dst, src *T, lds, k, wp int)), 8
		if p == PathAVX512 {
			im.packBT, im.packBTRows = any(packBTAVX512).(func(dst, src *T, lds, k, wp int)), 16
		}
	}
	// A sliver of kc·mr elements of A stays in L1 (48 KiB here: 18 KiB at
	// kc = 384, mr = 12 floats); a kc×nc block of B in L2 (2 MiB here:
	// 1.1 MiB). kc is 1.5 KiB of a row of B on AVX-512, half that on AVX2.
	im.kc, im.nc, im.mc = 24*im.lanes, 768, 3072
	return im
}
