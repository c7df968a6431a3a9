package main

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
)

func TestTrainConverges(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		res := train(io.Discard, config{seed: seed, hidden: 8, steps: 1000, lr: 1})
		if !(res.finalLoss < 0.01) || !(res.finalLoss < res.firstLoss) {
			t.Errorf("seed %d: loss went from %.4f to %.4f, want below 0.01", seed, res.firstLoss, res.finalLoss)
		}
		for i, p := range res.predictions {
			if math.Abs(float64(p-labels[i])) > 0.1 {
				t.Errorf("seed %d: prediction %d is %.4f, want %v", seed, i, p, labels[i])
			}
		}
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	cfg := config{seed: 3, hidden: 8, steps: 200, lr: 1, logEvery: 50}
	train(&a, cfg)
	train(&b, cfg)
	if a.String() != b.String() {
		t.Fatalf("two runs with the same seed differ:\n%s\n%s", a.String(), b.String())
	}
	// Steps 1, 50, 100, 150, 200 and four predictions.
	if n := strings.Count(a.String(), "\n"); n != 9 {
		t.Fatalf("%d lines of output, want 9:\n%s", n, a.String())
	}
	if !strings.HasPrefix(a.String(), "step     1  loss ") || !strings.Contains(a.String(), "1 xor 1 = ") {
		t.Fatalf("unexpected output:\n%s", a.String())
	}
}
