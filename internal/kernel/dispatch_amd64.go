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
		im.lanes, im.maxMR, im.maskedB = 16, [2]int{24, 12}, true
		tab = &sgemmAVX512Kernels
		if !f32 {
			im.lanes, tab = 8, &dgemmAVX512Kernels
		}
	case PathAVX2:
		im.lanes, im.maxMR = 8, [2]int{12, 6}
		tab = &sgemmAVX2Kernels
		if !f32 {
			im.lanes, tab = 4, &dgemmAVX2Kernels
		}
	default:
		return goImpl[T]()
	}
	im.tile = asmTile(tab.(*[2][2][]gemmKernel[T]))
	if f32 {
		im.packBT, im.packBTRows = any(packBTAVX2).(func(dst, src *T, lds, k, wp int)), 8
		if p == PathAVX512 {
			im.packBT, im.packBTRows = any(packBTAVX512).(func(dst, src *T, lds, k, wp int)), 16
		}
	}
	// kc·mr of A stays in L1 (48 KiB); kc·nc of B in L2 (2 MiB).
	im.kc = 384 * im.lanes / 16
	if !f32 {
		im.kc = 192 * im.lanes / 8
	}
	im.nc, im.mc = 768, 3072
	if !f32 {
		im.nc = 768
	}
	return im
}
