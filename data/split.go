package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// RandomSplit splits ds into non-overlapping subsets of the given sizes,
// after a random permutation drawn from r (as torch.utils.data.random_split).
//
// sizes are either lengths (non-negative integers summing to ds.Len()) or
// fractions (values in [0, 1] summing to 1). Fractions give
// floor(fraction·Len) examples each, and the examples left over go one at a
// time to the subsets in order, starting with the first.
func RandomSplit(ds Dataset, sizes []float64, r *rand.Rand) ([]Dataset, error) {
	lengths, err := splitLengths(ds.Len(), sizes)
	if err != nil {
		return nil, err
	}
	perm := Permutation(ds.Len(), r)
	out := make([]Dataset, len(lengths))
	start := 0
	for k, n := range lengths {
		out[k] = Subset(ds, perm[start:start+n])
		start += n
	}
	return out, nil
}

// splitLengths turns the sizes given to RandomSplit into lengths.
func splitLengths(n int, sizes []float64) ([]int, error) {
	if len(sizes) == 0 {
		return nil, fmt.Errorf("data: RandomSplit: no sizes given")
	}
	sum, integral := 0.0, true
	for _, s := range sizes {
		if !(s >= 0) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("data: RandomSplit: invalid size %v", s)
		}
		sum += s
		integral = integral && s == math.Trunc(s)
	}
	lengths := make([]int, len(sizes))
	switch {
	case integral && sum == float64(n):
		for k, s := range sizes {
			lengths[k] = int(s)
		}
	case math.Abs(sum-1) <= 1e-9:
		total := 0
		for k, s := range sizes {
			if s > 1 {
				return nil, fmt.Errorf("data: RandomSplit: fraction %v greater than 1", s)
			}
			lengths[k] = int(math.Floor(s * float64(n)))
			total += lengths[k]
		}
		for k := 0; total < n; k = (k + 1) % len(lengths) {
			lengths[k]++
			total++
		}
	default:
		return nil, fmt.Errorf("data: RandomSplit: sizes %v are neither lengths summing to %d nor fractions summing to 1", sizes, n)
	}
	return lengths, nil
}

// Permutation returns a random permutation of 0..n-1 drawn from r with the
// Fisher–Yates shuffle.
func Permutation(n int, r *rand.Rand) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	shuffle(p, r)
	return p
}

// shuffle permutes p in place with the Fisher–Yates shuffle.
func shuffle(p []int, r *rand.Rand) {
	for i := len(p) - 1; i > 0; i-- {
		j := r.IntN(i + 1)
		p[i], p[j] = p[j], p[i]
	}
}
