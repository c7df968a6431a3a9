package data_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data"
)

// members returns the labels (which equal the original indices) of every
// example of ds.
func members(ds data.Dataset) []int {
	out := make([]int, ds.Len())
	for i := range out {
		_, y := ds.Example(i)
		out[i] = int(y.Item())
	}
	return out
}

func TestRandomSplit(t *testing.T) {
	cases := []struct {
		name  string
		n     int
		sizes []float64
		want  []int
	}{
		{"lengths", 10, []float64{7, 3}, []int{7, 3}},
		{"lengths with empty part", 5, []float64{0, 5}, []int{0, 5}},
		// torch.utils.data.random_split: floor(0.33·10) = 3, 3, floor(0.34·10) = 3,
		// and the one example left goes to the first subset.
		{"fractions", 10, []float64{0.33, 0.33, 0.34}, []int{4, 3, 3}},
		// floor(0.8·11) = 8, floor(0.2·11) = 2, one left over.
		{"fractions remainder", 11, []float64{0.8, 0.2}, []int{9, 2}},
		{"halves", 4, []float64{0.5, 0.5}, []int{2, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := mustDataset(t, seq(c.n, 1), labels(c.n))
			parts, err := data.RandomSplit(ds, c.sizes, rand.New(rand.NewPCG(3, 4)))
			if err != nil {
				t.Fatal(err)
			}
			var all []int
			for k, p := range parts {
				if p.Len() != c.want[k] {
					t.Errorf("part %d has %d examples, want %d", k, p.Len(), c.want[k])
				}
				all = append(all, members(p)...)
			}
			slices.Sort(all)
			if !slices.Equal(all, members(ds)) {
				t.Errorf("parts hold %v, want every example once", all)
			}
		})
	}
}

func TestRandomSplitSeeded(t *testing.T) {
	ds := mustDataset(t, seq(50, 1), labels(50))
	split := func(seed uint64) []int {
		parts, err := data.RandomSplit(ds, []float64{0.5, 0.5}, rand.New(rand.NewPCG(seed, 0)))
		if err != nil {
			t.Fatal(err)
		}
		return members(parts[0])
	}
	a, b, c := split(1), split(1), split(2)
	if !slices.Equal(a, b) {
		t.Errorf("same seed gave %v and %v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("different seeds gave the same split %v", a)
	}
}

func TestRandomSplitErrors(t *testing.T) {
	ds := mustDataset(t, seq(10, 1), labels(10))
	cases := []struct {
		sizes []float64
		want  string
	}{
		{nil, "no sizes given"},
		{[]float64{-1, 11}, "invalid size -1"},
		{[]float64{5, 6}, "neither lengths summing to 10 nor fractions summing to 1"},
		{[]float64{0.5, 0.6}, "neither lengths"},
		{[]float64{1.5, -0.5}, "invalid size -0.5"},
	}
	for _, c := range cases {
		_, err := data.RandomSplit(ds, c.sizes, rand.New(rand.NewPCG(1, 1)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("sizes %v: error %v, want %q", c.sizes, err, c.want)
		}
	}
}

func TestPermutationUniform(t *testing.T) {
	// Every permutation of 3 elements has probability 1/6: over 6000 draws
	// each count is 1000 ± 5σ (σ ≈ 28.9).
	r := rand.New(rand.NewPCG(7, 8))
	counts := map[[3]int]int{}
	for range 6000 {
		p := data.Permutation(3, r)
		counts[[3]int(p)]++
	}
	if len(counts) != 6 {
		t.Fatalf("saw %d distinct permutations, want 6: %v", len(counts), counts)
	}
	for p, c := range counts {
		if c < 1000-145 || c > 1000+145 {
			t.Errorf("permutation %v drawn %d times of 6000", p, c)
		}
	}
}
