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

// Forward applies the modules in order. An empty Sequential returns x.
func (s *Sequential) Forward(x *tensor.Tensor) *tensor.Tensor {
	for _, m := range s.Modules {
		x = m.Forward(x)
	}
	return x
}

// Members lists the modules as children named by their positions.
func (s *Sequential) Members() Members {
	cs := make([]Child, len(s.Modules))
	for i, m := range s.Modules {
		cs[i] = Child{Name: strconv.Itoa(i), Module: m}
	}
	return Members{Children: cs}
}
