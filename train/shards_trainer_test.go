package train

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/optim"
)

// shardConfig is a classification setup without Dropout, trained with
// Shards shards.
func shardConfig(t *testing.T, shards int) Config {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	model := nn.NewSequential(nn.NewLinear(r, 4, 16, true), nn.ReLU{}, nn.NewLinear(r, 16, 3, true))
	return Config{
		Model:     model,
		Loss:      crossEntropy,
		Optimizer: optim.NewSGD(nn.Parameters(model), optim.SGDConfig{LR: 0.05, Momentum: 0.9}),
		Train:     loader(t, blobs(60, 1, 1), 8, true, 5), // 8 batches, the last of 4
		Val:       loader(t, blobs(30, 1, 2), 16, false, 0),
		Epochs:    3,
		TopK:      2,
		Shards:    shards,
	}
}

// TestFitShards checks that training with shards follows the unsharded
// run (the same gradients summed in another order: weights and metrics
// within rounding), with 2 shards and with 3 (uneven shards of 8 and of
// the last batch's 4 rows), and that a sharded run is reproducible bit
// for bit.
func TestFitShards(t *testing.T) {
	ref := shardConfig(t, 0)
	refHist, err := mustNew(t, ref).Fit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, shards := range []int{2, 3} {
		cfg := shardConfig(t, shards)
		hist, err := mustNew(t, cfg).Fit(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got, want := nn.StateDict(cfg.Model), nn.StateDict(ref.Model)
		for i := range want {
			g, w := got[i].Tensor.Float64s(), want[i].Tensor.Float64s()
			for j := range w {
				if math.Abs(g[j]-w[j]) > 1e-4*(1+math.Abs(w[j])) {
					t.Fatalf("%d shards: %s[%d] = %v, unsharded %v", shards, want[i].Name, j, g[j], w[j])
				}
			}
		}
		for e := range refHist.Epochs {
			a, b := hist.Epochs[e], refHist.Epochs[e]
			if math.Abs(a.Train.Loss-b.Train.Loss) > 1e-4 || a.Train.Accuracy != b.Train.Accuracy || a.Train.TopK != b.Train.TopK {
				t.Errorf("%d shards: epoch %d metrics %+v, unsharded %+v", shards, e+1, a.Train, b.Train)
			}
		}
		again := shardConfig(t, shards)
		if _, err := mustNew(t, again).Fit(context.Background()); err != nil {
			t.Fatal(err)
		}
		sameBits(t, weightBits(again.Model), weightBits(cfg.Model))
	}
}

func TestShardsConfigErrors(t *testing.T) {
	cfg := shardConfig(t, -1)
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "negative Shards") {
		t.Errorf("Shards -1: %v", err)
	}
	cfg = setup(t, false) // has Dropout
	cfg.Shards = 2
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "Dropout") {
		t.Errorf("Shards 2 with Dropout: %v", err)
	}
}
