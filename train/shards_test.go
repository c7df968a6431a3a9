package train_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

func shardModel(seed uint64) nn.Module {
	r := rand.New(rand.NewPCG(seed, 1))
	return nn.NewSequential(
		nn.NewConv2d(r, nn.Conv2dConfig{In: 1, Out: 4, Kernel: [2]int{3, 3}}),
		nn.ReLU{},
		nn.NewMaxPool2d([2]int{2, 2}, [2]int{2, 2}, [2]int{}),
		nn.NewFlatten(),
		nn.NewLinear(r, 4*3*3, 16, true),
		nn.ReLU{},
		nn.NewLinear(r, 16, 5, true),
	)
}

// TestShardsGradient checks that the gradients of a step run as shards add
// up to those of the whole batch (mean cross-entropy), for even and uneven
// splits, more shards than rows, and repeated steps (the GradSets are
// zeroed between steps), and that the shards' losses, scaled by their
// shares, add up to the batch's.
func TestShardsGradient(t *testing.T) {
	for _, c := range []struct{ rows, shards int }{{8, 2}, {7, 3}, {1, 2}, {5, 1}} {
		r := rand.New(rand.NewPCG(2, uint64(c.rows)))
		x := tensor.Randn(r, tensor.Float32, c.rows, 1, 8, 8)
		y := tensor.RandInt(r, 0, 5, c.rows)
		m := shardModel(7)
		params := nn.Parameters(m)
		l := loss.CrossEntropy(m.Forward(x), y, loss.CrossEntropyOptions{})
		wantLoss := l.Item()
		l.Backward()
		var want [][]float64
		for _, p := range params {
			want = append(want, p.Grad().Float64s())
		}
		s, err := train.NewShards(params, c.shards)
		if err != nil {
			t.Fatal(err)
		}
		if s.N() != c.shards {
			t.Fatalf("N() = %d, want %d", s.N(), c.shards)
		}
		for step := range 3 {
			for _, p := range params {
				p.ZeroGradInPlace()
			}
			losses := make([]float64, c.shards)
			s.Step(x, y, func(k int, xs, ys *tensor.Tensor, share float64, opts ...tensor.BackwardOption) {
				if xs.Arena() == nil {
					t.Errorf("shard %d: input not in an arena", k)
				}
				l := loss.CrossEntropy(m.Forward(xs), ys, loss.CrossEntropyOptions{}).MulScalar(share)
				l.Backward(opts...)
				losses[k] = l.Item()
			})
			got := 0.0
			for _, v := range losses {
				got += v
			}
			if math.Abs(got-wantLoss) > 1e-5 {
				t.Fatalf("%+v step %d: shard losses add to %v, want %v", c, step, got, wantLoss)
			}
			for i, p := range params {
				g := p.Grad().Float64s()
				for j := range g {
					if math.Abs(g[j]-want[i][j]) > 1e-5*(1+math.Abs(want[i][j])) {
						t.Fatalf("%+v step %d: parameter %d element %d: %v, want %v", c, step, i, j, g[j], want[i][j])
					}
				}
			}
		}
	}
}

func TestShardsErrors(t *testing.T) {
	m := shardModel(1)
	if _, err := train.NewShards(nn.Parameters(m), 0); err == nil || !strings.Contains(err.Error(), "0 shards") {
		t.Errorf("NewShards(0): %v", err)
	}
	x := tensor.Ones(tensor.Float32, 2)
	if _, err := train.NewShards([]*tensor.Tensor{x}, 2); err == nil || !strings.Contains(err.Error(), "does not require a gradient") {
		t.Errorf("NewShards of a tensor without gradient: %v", err)
	}
	// A panic in a shard reaches the caller, and the shards' arenas are
	// reset: what a shard computed is dead afterwards.
	s, err := train.NewShards(nn.Parameters(m), 2)
	if err != nil {
		t.Fatal(err)
	}
	var kept *tensor.Tensor
	xs := tensor.Ones(tensor.Float32, 4, 1, 8, 8)
	ys := tensor.Zeros(tensor.Int64, 4)
	err = tensor.Try(func() {
		s.Step(xs, ys, func(k int, x, y *tensor.Tensor, share float64, opts ...tensor.BackwardOption) {
			out := m.Forward(x)
			if k == 0 {
				kept = out
				return
			}
			panic(&tensor.Error{Op: "shard", Msg: "failed"})
		})
	})
	var te *tensor.Error
	if !errors.As(err, &te) || te.Op != "shard" {
		t.Fatalf("Step with a panicking shard: %v", err)
	}
	if tensor.Try(func() { kept.Sum() }) == nil {
		t.Error("a shard's result is still usable after Step")
	}
}
