package nn

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/backprop-go/backprop/tensor"
)

// walk calls visit for every module of the tree rooted at m, in PyTorch's
// order (a module before its children, children in registration order),
// with the module's dotted name prefix ("" for m itself, "features.0." for
// a grandchild). A module reachable twice is visited once, at its first
// name, as PyTorch's named_modules does.
func walk(m Module, visit func(prefix string, m Module, mem Members)) {
	seen := map[Module]bool{}
	var rec func(prefix string, m Module)
	rec = func(prefix string, m Module) {
		if m == nil {
			return
		}
		// Modules are normally pointers; a module of a type that cannot be
		// a map key (a struct value holding slices) is never deduplicated.
		if reflect.TypeOf(m).Comparable() {
			if seen[m] {
				return
			}
			seen[m] = true
		}
		mem := m.Members()
		visit(prefix, m, mem)
		for _, c := range mem.Children {
			rec(prefix+c.Name+".", c.Module)
		}
	}
	rec("", m)
}

// walkAll is walk without removing duplicate modules, used for state
// dicts, which list a shared module under every name it has (as PyTorch's
// state_dict does).
func walkAll(m Module, visit func(prefix string, mem Members)) {
	var rec func(prefix string, m Module)
	rec = func(prefix string, m Module) {
		if m == nil {
			return
		}
		mem := m.Members()
		visit(prefix, mem)
		for _, c := range mem.Children {
			rec(prefix+c.Name+".", c.Module)
		}
	}
	rec("", m)
}

// NamedParameters returns the parameters of m and of all its sub-modules
// with PyTorch's dotted names ("features.0.weight"), in registration order
// (a module's own parameters, then its children's, recursively). A tensor
// shared by several modules is listed once, under its first name; nil
// tensors are skipped.
func NamedParameters(m Module) []Named {
	var out []Named
	seen := map[*tensor.Tensor]bool{}
	walk(m, func(prefix string, _ Module, mem Members) {
		for _, p := range mem.Params {
			if p.Tensor == nil || seen[p.Tensor] {
				continue
			}
			seen[p.Tensor] = true
			out = append(out, Named{Name: prefix + p.Name, Tensor: p.Tensor})
		}
	})
	return out
}

// Parameters returns the tensors of NamedParameters(m), in the same order.
// This is the list to hand to an optimizer.
func Parameters(m Module) []*tensor.Tensor {
	named := NamedParameters(m)
	out := make([]*tensor.Tensor, len(named))
	for i, p := range named {
		out[i] = p.Tensor
	}
	return out
}

// NamedBuffers returns the buffers of m and of all its sub-modules with
// dotted names, in the order of NamedParameters. A shared buffer is listed
// once; nil buffers are skipped.
func NamedBuffers(m Module) []Named {
	var out []Named
	seen := map[*tensor.Tensor]bool{}
	walk(m, func(prefix string, _ Module, mem Members) {
		for _, b := range mem.Buffers {
			if b.Tensor == nil || seen[b.Tensor] {
				continue
			}
			seen[b.Tensor] = true
			out = append(out, Named{Name: prefix + b.Name, Tensor: b.Tensor})
		}
	})
	return out
}

// StateDict returns every parameter and buffer of m under its PyTorch
// state-dict key, in PyTorch's order: for each module, its parameters,
// then its buffers, then its children recursively. The tensors are the
// module's own (not copies). As in PyTorch, a tensor reachable under
// several names appears under each of them.
func StateDict(m Module) []Named {
	var out []Named
	walkAll(m, func(prefix string, mem Members) {
		for _, p := range mem.Params {
			if p.Tensor != nil {
				out = append(out, Named{Name: prefix + p.Name, Tensor: p.Tensor})
			}
		}
		for _, b := range mem.Buffers {
			if b.Tensor != nil {
				out = append(out, Named{Name: prefix + b.Name, Tensor: b.Tensor})
			}
		}
	})
	return out
}

// LoadStateDict copies the tensors of sd into the parameters and buffers of
// m with the same keys, in place, converting the dtype where it differs (a
// float64 state dict loads into a float32 model).
//
// Every key of StateDict(m) must be present in sd with the same shape, and
// sd must hold no other keys. When strict is false, missing and unexpected
// keys are ignored, but a shape mismatch is still an error. The error lists
// every problem at once:
//
//	nn: load state dict: missing keys [fc.bias]; unexpected keys [x]; shape mismatch fc.weight: model [10 5], state dict [10 4]
//
// When it returns an error, m is left unchanged.
func LoadStateDict(m Module, sd map[string]*tensor.Tensor, strict bool) error {
	own := StateDict(m)
	known := make(map[string]bool, len(own))
	var missing, unexpected, mismatch []string
	for _, e := range own {
		known[e.Name] = true
		src, ok := sd[e.Name]
		if !ok || src == nil {
			missing = append(missing, e.Name)
			continue
		}
		if !slices.Equal(src.Shape(), e.Tensor.Shape()) {
			mismatch = append(mismatch, fmt.Sprintf("shape mismatch %s: model %v, state dict %v", e.Name, e.Tensor.Shape(), src.Shape()))
		}
	}
	for k := range sd {
		if !known[k] {
			unexpected = append(unexpected, k)
		}
	}
	slices.Sort(unexpected)
	var problems []string
	if strict && len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("missing keys %v", missing))
	}
	if strict && len(unexpected) > 0 {
		problems = append(problems, fmt.Sprintf("unexpected keys %v", unexpected))
	}
	problems = append(problems, mismatch...)
	if len(problems) > 0 {
		return fmt.Errorf("nn: load state dict: %s", strings.Join(problems, "; "))
	}
	for _, e := range own {
		src, ok := sd[e.Name]
		if !ok || src == nil {
			continue
		}
		src = src.Detach()
		if src.DType() != e.Tensor.DType() {
			src = src.To(e.Tensor.DType())
		}
		e.Tensor.CopyFrom(src)
	}
	return nil
}

// SetTraining puts every module of the tree rooted at m that implements
// Trainable into training mode (true) or evaluation mode (false), as
// PyTorch's module.train(mode) and module.eval().
func SetTraining(m Module, training bool) {
	walk(m, func(_ string, m Module, _ Members) {
		if t, ok := m.(Trainable); ok {
			t.SetTraining(training)
		}
	})
}

// ToDType converts the floating-point parameters and buffers of m to dt in
// place, keeping their identity, their requires-grad flags and their names
// (PyTorch's module.to(dtype)); integer buffers such as BatchNorm's
// num_batches_tracked keep their type. Gradients are cleared. dt must be a
// floating-point type.
func ToDType(m Module, dt tensor.DType) {
	if !dt.IsFloat() {
		misuse("ToDType", nil, "target dtype must be floating point, got %v", dt)
	}
	seen := map[*tensor.Tensor]bool{}
	conv := func(list []Named) {
		for _, e := range list {
			t := e.Tensor
			if t == nil || seen[t] {
				continue
			}
			seen[t] = true
			if t.DType().IsFloat() && t.DType() != dt {
				t.SetData(t.Detach().To(dt))
			}
		}
	}
	walk(m, func(_ string, _ Module, mem Members) {
		conv(mem.Params)
		conv(mem.Buffers)
	})
}

// NumParameters returns the total number of elements of the parameters of
// m, each shared tensor counted once.
func NumParameters(m Module) int {
	n := 0
	for _, p := range NamedParameters(m) {
		n += p.Tensor.Numel()
	}
	return n
}

// ZeroGrad clears the gradients of all parameters of m (PyTorch's
// zero_grad(set_to_none=True)).
func ZeroGrad(m Module) {
	for _, p := range NamedParameters(m) {
		p.Tensor.ZeroGrad()
	}
}

// ShardSafe returns nil if m's forward pass in training mode may run on
// several goroutines at once, on different inputs, as train.Shards runs
// it: no module of m may change state in it. It returns an error naming
// the first module that implements Trainable (Dropout draws random numbers
// and BatchNorm updates its running statistics in training mode; both also
// compute per batch, so shards would change their results). Custom modules
// that keep other state must not be sharded either; ShardSafe cannot see
// that.
func ShardSafe(m Module) error {
	var bad string
	walk(m, func(prefix string, mod Module, _ Members) {
		if _, ok := mod.(Trainable); ok && bad == "" {
			name := strings.TrimSuffix(prefix, ".")
			if name == "" {
				name = "the model"
			}
			bad = fmt.Sprintf("%s (%T)", name, mod)
		}
	})
	if bad != "" {
		return fmt.Errorf("nn: %s changes state in training mode and cannot run in shards", bad)
	}
	return nil
}
