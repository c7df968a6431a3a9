package optim_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// isSubnormal reports whether x is subnormal in dtype dt.
func isSubnormal(x float64, dt tensor.DType) bool {
	smallest := 0x1p-1022
	if dt == tensor.Float32 {
		smallest = 0x1p-126
	}
	return x != 0 && math.Abs(x) < smallest
}

// adamReference runs steps of Adam (PyTorch's formula, in float64 and
// without flushing) on p, with gradient g at the first step and zero
// gradients afterwards, and returns the final parameters.
func adamReference(p, g []float64, lr, wd float64, decoupled, amsgrad bool, steps int) []float64 {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	p = append([]float64{}, p...)
	m := make([]float64, len(p))
	v := make([]float64, len(p))
	vmax := make([]float64, len(p))
	for t := 1; t <= steps; t++ {
		for i := range p {
			d := 0.0
			if t == 1 {
				d = g[i]
			}
			if decoupled {
				p[i] *= 1 - lr*wd
			}
			m[i] = b1*m[i] + (1-b1)*d
			v[i] = b2*v[i] + (1-b2)*d*d
			vv := v[i]
			if amsgrad {
				vmax[i] = math.Max(vmax[i], v[i])
				vv = vmax[i]
			}
			bc1 := 1 - math.Pow(b1, float64(t))
			bc2 := 1 - math.Pow(b2, float64(t))
			p[i] -= lr / bc1 * m[i] / (math.Sqrt(vv)/math.Sqrt(bc2) + eps)
		}
	}
	return p
}

// TestAdamFlushesSubnormalMoments pins that Adam's first moment, decaying
// after the gradient has become zero, reaches zero instead of sticking at
// a subnormal fixed point (β₁·k ulps rounds back to k ulps for small k),
// which would make every later step slow; and that the parameters still
// follow the unflushed float64 reference.
func TestAdamFlushesSubnormalMoments(t *testing.T) {
	p0 := []float64{0.5, -0.25, 0, 1e-3, 3}
	g0 := []float64{1, -0.5, 0.25, 2, -1e-3}
	kinds := []struct {
		name      string
		wd        float64
		decoupled bool
		amsgrad   bool
		mk        func(ps []*tensor.Tensor) optim.Optimizer
	}{
		{"Adam", 0, false, false, func(ps []*tensor.Tensor) optim.Optimizer {
			return optim.NewAdam(ps, optim.AdamConfig{LR: 0.01})
		}},
		{"Adam/amsgrad", 0, false, true, func(ps []*tensor.Tensor) optim.Optimizer {
			return optim.NewAdam(ps, optim.AdamConfig{LR: 0.01, AMSGrad: true})
		}},
		{"AdamW", 0.01, true, false, func(ps []*tensor.Tensor) optim.Optimizer {
			return optim.NewAdamW(ps, optim.AdamConfig{LR: 0.01})
		}},
	}
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		// The moment falls from about 0.1 by β₁ = 0.9 a step: below the
		// smallest subnormal after about 950 steps in float32 and 7,060 in
		// float64, so these counts pass the fixed point. The float32
		// tolerance covers AdamW's decay factor 1−γλ rounded to float32
		// (a relative error of 2e-8, compounded over the steps).
		steps, tol := 1500, 1e-4
		if dt == tensor.Float64 {
			steps, tol = 8000, 1e-12
		}
		for _, k := range kinds {
			t.Run(fmt.Sprintf("%v/%s", dt, k.name), func(t *testing.T) {
				p := tensor.FromSlice(p0, len(p0)).To(dt).SetRequiresGrad(true)
				o := k.mk([]*tensor.Tensor{p})
				for s := 0; s < steps; s++ {
					if s == 0 {
						p.SetGrad(tensor.FromSlice(g0, len(g0)).To(dt))
					} else {
						p.SetGrad(tensor.Zeros(dt, len(p0)))
					}
					o.Step()
				}
				st := o.StateDict()
				for name, buf := range st.Tensors {
					for i, x := range buf.Float64s() {
						if isSubnormal(x, dt) {
							t.Errorf("%s[%d] = %g is subnormal", name, i, x)
						}
						if name == "state.0.exp_avg" && x != 0 {
							t.Errorf("%s[%d] = %g, want 0", name, i, x)
						}
					}
				}
				want := adamReference(p0, g0, 0.01, k.wd, k.decoupled, k.amsgrad, steps)
				for i, x := range p.Float64s() {
					if isSubnormal(x, dt) {
						t.Errorf("p[%d] = %g is subnormal", i, x)
					}
					if math.Abs(x-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
						t.Errorf("p[%d] = %.10g, want %.10g (unflushed reference)", i, x, want[i])
					}
				}
			})
		}
	}
}
