//go:build !purego

package kernel

// ewLanesFor returns the vector width of path p's element-wise kernels.
func ewLanesFor(p Path) int {
	switch p {
	case PathAVX512:
		return 16
	case PathAVX2:
		return 8
	}
	return 0
}

// The vector kernels of the current path; n is a multiple of ewLanes.

func vAdd(dst, a, b *float32, n int) {
	if ewPath == PathAVX512 {
		addAVX512(dst, a, b, n)
	} else {
		addAVX2(dst, a, b, n)
	}
}

func vMul(dst, a, b *float32, n int) {
	if ewPath == PathAVX512 {
		mulAVX512(dst, a, b, n)
	} else {
		mulAVX2(dst, a, b, n)
	}
}

func vAxpy(alpha float32, x, y *float32, n int) {
	if ewPath == PathAVX512 {
		axpyAVX512(alpha, x, y, n)
	} else {
		axpyAVX2(alpha, x, y, n)
	}
}

func vSGDMomentum(p, g, b *float32, n int, mom, damp, neglr float32) {
	if ewPath == PathAVX512 {
		sgdMomentumAVX512(p, g, b, n, mom, damp, neglr)
	} else {
		sgdMomentumAVX2(p, g, b, n, mom, damp, neglr)
	}
}

func vScale(alpha float32, dst, x *float32, n int) {
	if ewPath == PathAVX512 {
		scaleAVX512(alpha, dst, x, n)
	} else {
		scaleAVX2(alpha, dst, x, n)
	}
}

func vRelu(dst, x *float32, n int) {
	if ewPath == PathAVX512 {
		reluAVX512(dst, x, n)
	} else {
		reluAVX2(dst, x, n)
	}
}

func vReluBackward(dst, grad, x *float32, n int) {
	if ewPath == PathAVX512 {
		reluBackwardAVX512(dst, grad, x, n)
	} else {
		reluBackwardAVX2(dst, grad, x, n)
	}
}

func vSum(x *float32, n int, out *float32) {
	if ewPath == PathAVX512 {
		sumAVX512(x, n, out)
	} else {
		sumAVX2(x, n, out)
	}
}

func vMax(x *float32, n int, out *float32) int {
	if ewPath == PathAVX512 {
		return maxAVX512(x, n, out)
	}
	return maxAVX2(x, n, out)
}

func vUnary(op int, dst, x *float32, n int) {
	if ewPath == PathAVX512 {
		switch op {
		case ewExp:
			expAVX512(dst, x, n)
		case ewLog:
			logAVX512(dst, x, n)
		case ewTanh:
			tanhAVX512(dst, x, n)
		default:
			sigmoidAVX512(dst, x, n)
		}
		return
	}
	switch op {
	case ewExp:
		expAVX2(dst, x, n)
	case ewLog:
		logAVX2(dst, x, n)
	case ewTanh:
		tanhAVX2(dst, x, n)
	default:
		sigmoidAVX2(dst, x, n)
	}
}

func vMaxPool2x2(y *float32, idx *int64, x *float32, sh, oh, ow, top, width int) {
	maxPool2x2AVX512(y, idx, x, sh, oh, ow, top, width)
}

func dotAccAsm(m, n, rows, p int, a []float32, lda, ra int, b []float32, ldb, rb int, c []float32, ldc int) {
	dotAccTiles(&dotAccAVX512Kernels, m, n, rows, p, a, lda, ra, b, ldb, rb, c, ldc)
}

func vAddRows(dst *float32, ds int, src *float32, ss int, rows, chunks int, mask uint64) {
	addRowsAVX512(dst, ds, src, ss, rows, chunks, mask)
}
