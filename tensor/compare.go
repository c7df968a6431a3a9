package tensor

import (
	"math"
	"slices"
)

// Equal reports whether t and u have the same dtype, the same shape and
// the same elements (NaN equals nothing, as in PyTorch).
func Equal(t, u *Tensor) bool {
	if t.dtype != u.dtype || !sameShape(t.shape, u.shape) {
		return false
	}
	if t.dtype == Int64 {
		return slices.Equal(t.Int64s(), u.Int64s())
	}
	a, b := t.Float64s(), u.Float64s()
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// AllClose reports whether t and u have the same shape and every pair of
// elements satisfies |a − b| ≤ atol + rtol·|b|, as torch.allclose. NaNs
// are never close; infinities are close only to themselves.
func AllClose(t, u *Tensor, rtol, atol float64) bool {
	if !sameShape(t.shape, u.shape) {
		return false
	}
	a, b := t.Float64s(), u.Float64s()
	for i := range a {
		if a[i] == b[i] {
			continue
		}
		if math.IsNaN(a[i]) || math.IsNaN(b[i]) || math.IsInf(a[i], 0) || math.IsInf(b[i], 0) {
			return false
		}
		if math.Abs(a[i]-b[i]) > atol+rtol*math.Abs(b[i]) {
			return false
		}
	}
	return true
}
