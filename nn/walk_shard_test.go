package nn_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/nn"
)

func TestShardSafe(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	safe := nn.NewSequential(nn.NewLinear(r, 4, 3, true), nn.ReLU{}, nn.NewLinear(r, 3, 2, true))
	if err := nn.ShardSafe(safe); err != nil {
		t.Errorf("a Linear-ReLU network: %v", err)
	}
	withDropout := nn.NewSequential(nn.NewLinear(r, 4, 3, true), nn.NewDropout(0.5, r), nn.NewLinear(r, 3, 2, true))
	if err := nn.ShardSafe(withDropout); err == nil || !strings.Contains(err.Error(), "1 (*nn.Dropout)") {
		t.Errorf("a network with Dropout at index 1: %v", err)
	}
	if err := nn.ShardSafe(nn.NewDropout(0.1, r)); err == nil || !strings.Contains(err.Error(), "the model") {
		t.Errorf("a Dropout alone: %v", err)
	}
}
