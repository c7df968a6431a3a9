package nn

import (
	"strconv"

	"github.com/backprop-go/backprop/tensor"
)

// Sequential applies its modules in order, each to the previous one's
// output, as torch.nn.Sequential. Its children are named "0", "1", ..., so
// the parameters of a Linear in second place are "1.weight" and "1.bias".
type Sequential struct {
	Modules []Module
}

// NewSequential returns a Sequential of mods.
func NewSequential(mods ...Module) *Sequential {
	return &Sequential{Modules: append([]Module(nil), mods...)}
}

// Append adds mods at the end and returns s.
func (s *Sequential) Append(mods ...Module) *Sequential {
	s.Modules = append(s.Modules, mods...)
	return s
}

// Len returns the number of modules.
func (s *Sequential) Len() int { return len(s.Modules) }

// At returns module i; negative i counts from the end.
func (s *Sequential) At(i int) Module {
	if i < 0 {
		i += len(s.Modules)
	}
	return s.Modules[i]
}

// Forward applies the modules in order. An empty Sequential returns x. A
// *Linear immediately followed by a ReLU (ReLU or *ReLU) runs as one fused
// tensor.LinearReLU, which gives the same values and gradients, bit for
// bit, with one pass and one tensor fewer.
//
// A ReLU immediately followed by a *MaxPool2d runs as the pooling followed
// by the ReLU: max and ReLU commute, so the values and the gradients are
// the same, while the ReLU and its backward pass touch the pooled tensor
// only (a quarter of the elements for 2×2 windows). The one difference is
// the sign of a zero: a window whose largest element is −0 and which also
// holds a negative number gives −0 instead of +0.
func (s *Sequential) Forward(x *tensor.Tensor) *tensor.Tensor {
	for i := 0; i < len(s.Modules); i++ {
		m := s.Modules[i]
		if l, ok := m.(*Linear); ok && i+1 < len(s.Modules) && isReLU(s.Modules[i+1]) {
			x = l.forward(x, true)
			i++
			continue
		}
		if isReLU(m) && i+1 < len(s.Modules) {
			if p, ok := s.Modules[i+1].(*MaxPool2d); ok && p != nil {
				x = p.Forward(x).ReLU()
				i++
				continue
			}
		}
		x = m.Forward(x)
	}
	return x
}

// isReLU reports whether m is a ReLU module.
func isReLU(m Module) bool {
	switch r := m.(type) {
	case ReLU:
		return true
	case *ReLU:
		return r != nil
	}
	return false
}

// Members lists the modules as children named by their positions.
func (s *Sequential) Members() Members {
	cs := make([]Child, len(s.Modules))
	for i, m := range s.Modules {
		cs[i] = Child{Name: strconv.Itoa(i), Module: m}
	}
	return Members{Children: cs}
}
