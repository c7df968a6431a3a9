package checkpoint

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/backprop-go/backprop/nn"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// Reserved names. Model tensors are stored under their PyTorch state-dict
// names, unprefixed; everything else the checkpoint holds lives under a
// name that starts with "__", which no model tensor or user metadata key
// may use.
const (
	// OptimizerPrefix starts the names of the optimizer's tensors
	// ("__optim__.state.0.exp_avg") and of its scalars in the metadata
	// ("__optim__.param_groups.0.lr", "__optim__.step").
	OptimizerPrefix = "__optim__."

	// SchedulerPrefix starts the names of the learning-rate schedule's
	// tensors and scalars, as OptimizerPrefix.
	SchedulerPrefix = "__sched__."

	// MetaFormat is the metadata key naming the checkpoint format.
	MetaFormat = "__format__"

	// MetaEpoch and MetaStep are the metadata keys holding the epoch and
	// step counts, as decimal integers.
	MetaEpoch = "__epoch__"
	MetaStep  = "__step__"

	// MetaRNG is the metadata key holding the random generator state,
	// base64-encoded (standard encoding, with padding).
	MetaRNG = "__rng__"

	// Format is the value of MetaFormat in the files Save writes.
	Format = "backprop-checkpoint/1"

	// typeKey and stepKey follow OptimizerPrefix or SchedulerPrefix in the
	// metadata: the Go type of the saved optimizer or schedule, and its
	// step count.
	typeKey = "type"
	stepKey = "step"
)

// Stateful is what a checkpoint saves of an optimizer or a learning-rate
// schedule: optim.Optimizer, optim.Scheduler and optim.MetricScheduler all
// implement it.
type Stateful interface {
	StateDict() optim.State
	LoadStateDict(optim.State) error
}

// State is a training state: the model, optionally its optimizer and
// learning-rate schedule, the position in training, the random generator
// state and free-form metadata.
//
// Save stores it; Load restores it in place into a State whose Model,
// Optimizer and Scheduler are already built with the right shapes.
type State struct {
	// Model is the network. Its state dict (parameters and buffers) is
	// stored under PyTorch's names.
	Model nn.Module

	// Optimizer, if not nil, is saved and restored with the model. It
	// must be the optimizer of Model's parameters.
	Optimizer optim.Optimizer

	// Scheduler, if not nil, is the learning-rate schedule of Optimizer:
	// an optim.Scheduler or an optim.MetricScheduler.
	Scheduler Stateful

	// Epoch and Step are the position in training; their meaning is the
	// caller's (the train package stores completed epochs and steps).
	Epoch, Step int

	// RNG is the state of the random generator, as returned by the
	// MarshalBinary method of a *rand.PCG. Load sets it to the saved
	// bytes, or nil when the file holds none.
	RNG []byte

	// Metadata holds free-form strings saved in the file's header, such as
	// hyperparameters. Keys must not start with "__". Load replaces it by
	// the file's metadata without the reserved keys.
	Metadata map[string]string
}

// LoadOptions configures Load.
type LoadOptions struct {
	// NonStrict ignores model tensors missing from the file and tensors of
	// the file the model does not have, and skips the optimizer or the
	// schedule when the file holds no state for it. Shape mismatches are
	// errors even so.
	NonStrict bool
}

// Save writes s to path atomically (see WriteFile): the model's state
// dict under its PyTorch names, the optimizer's and the schedule's buffers
// under OptimizerPrefix and SchedulerPrefix, and their scalars, the epoch,
// the step, the RNG state (base64) and s.Metadata in the header's
// metadata.
//
// Such a file loads into PyTorch with safetensors' load_file followed by
// model.load_state_dict after dropping the keys that start with "__".
func Save(path string, s State) error {
	ts, err := encodeState(s)
	if err != nil {
		return fmt.Errorf("checkpoint: save %s: %w", path, err)
	}
	return WriteFile(path, ts)
}

// encodeState builds the tensors and metadata of a file holding s.
func encodeState(s State) (Tensors, error) {
	if s.Model == nil {
		return Tensors{}, errors.New("nil model")
	}
	ts := Tensors{Tensors: map[string]*tensor.Tensor{}, Metadata: map[string]string{}}
	for k, v := range s.Metadata {
		if strings.HasPrefix(k, "__") {
			return ts, fmt.Errorf("metadata key %q is reserved (starts with \"__\")", k)
		}
		ts.Metadata[k] = v
	}
	for _, e := range nn.StateDict(s.Model) {
		if strings.HasPrefix(e.Name, "__") {
			return ts, fmt.Errorf("model tensor name %q is reserved (starts with \"__\")", e.Name)
		}
		ts.Tensors[e.Name] = e.Tensor
	}
	ts.Metadata[MetaFormat] = Format
	ts.Metadata[MetaEpoch] = strconv.Itoa(s.Epoch)
	ts.Metadata[MetaStep] = strconv.Itoa(s.Step)
	if s.RNG != nil {
		ts.Metadata[MetaRNG] = base64.StdEncoding.EncodeToString(s.RNG)
	}
	if s.Optimizer != nil {
		putStateful(ts, OptimizerPrefix, s.Optimizer)
	}
	if s.Scheduler != nil {
		putStateful(ts, SchedulerPrefix, s.Scheduler)
	}
	return ts, nil
}

// putStateful stores the state of x under prefix.
func putStateful(ts Tensors, prefix string, x Stateful) {
	st := x.StateDict()
	ts.Metadata[prefix+typeKey] = fmt.Sprintf("%T", x)
	ts.Metadata[prefix+stepKey] = strconv.FormatInt(st.Step, 10)
	for k, v := range st.Scalars {
		ts.Metadata[prefix+k] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	for k, t := range st.Tensors {
		ts.Tensors[prefix+k] = t
	}
}

// Load reads the checkpoint at path and restores it into s in place: the
// model's parameters and buffers (converted to the model's dtypes), the
// optimizer's and the schedule's state when s has them, Epoch, Step, RNG
// and Metadata. A file holding only a state dict (one written by PyTorch,
// say) loads into a State with only a Model.
//
// Unless opts.NonStrict is set, every tensor of the model must be in the
// file and the file must hold no other model tensor; tensor shapes must
// match in any case. The error names every problem at once:
//
//	checkpoint: read x.safetensors: tensor fc1.weight: shape [256 784], file has [256 780]; tensor fc2.bias: missing from the file
//
// On error s and everything it points to are left unchanged.
func Load(path string, s *State, opts LoadOptions) error {
	ts, err := ReadFile(path)
	if err != nil {
		return err
	}
	if err := loadState(ts, s, opts); err != nil {
		return fmt.Errorf("checkpoint: read %s: %w", path, err)
	}
	return nil
}

// loadState restores s from the decoded file ts.
func loadState(ts Tensors, s *State, opts LoadOptions) error {
	if s.Model == nil {
		return errors.New("nil model")
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// Model tensors: check everything before changing anything.
	sd := map[string]*tensor.Tensor{}
	known := map[string]bool{}
	for _, e := range nn.StateDict(s.Model) {
		known[e.Name] = true
		src, ok := ts.Tensors[e.Name]
		switch {
		case !ok:
			if !opts.NonStrict {
				bad("tensor %s: missing from the file", e.Name)
			}
		case !slices.Equal(src.Shape(), e.Tensor.Shape()):
			bad("tensor %s: shape %v, file has %v", e.Name, e.Tensor.Shape(), src.Shape())
		case src.DType().IsFloat() != e.Tensor.DType().IsFloat():
			bad("tensor %s: dtype %v, file has %v", e.Name, e.Tensor.DType(), src.DType())
		default:
			sd[e.Name] = src
		}
	}
	if !opts.NonStrict {
		var extra []string
		for name := range ts.Tensors {
			if !known[name] && !strings.HasPrefix(name, "__") {
				extra = append(extra, name)
			}
		}
		sort.Strings(extra)
		for _, name := range extra {
			bad("tensor %s: in the file but not in the model", name)
		}
	}

	// Position, RNG and metadata.
	var err error
	epoch, step := 0, 0
	if v, ok := ts.Metadata[MetaEpoch]; ok {
		if epoch, err = atoi(MetaEpoch, v); err != nil {
			bad("%v", err)
		}
	}
	if v, ok := ts.Metadata[MetaStep]; ok {
		if step, err = atoi(MetaStep, v); err != nil {
			bad("%v", err)
		}
	}
	var rng []byte
	if v, ok := ts.Metadata[MetaRNG]; ok {
		if rng, err = base64.StdEncoding.DecodeString(v); err != nil {
			bad("metadata %s: invalid base64: %v", MetaRNG, err)
		}
	}
	meta := map[string]string{}
	for k, v := range ts.Metadata {
		if !strings.HasPrefix(k, "__") {
			meta[k] = v
		}
	}

	// Optimizer and schedule states, parsed but not loaded yet.
	var optState, schedState *optim.State
	if s.Optimizer != nil {
		st, err := getStateful(ts, OptimizerPrefix, "optimizer", s.Optimizer, opts)
		if err != nil {
			bad("%v", err)
		}
		optState = st
	}
	if s.Scheduler != nil {
		st, err := getStateful(ts, SchedulerPrefix, "schedule", s.Scheduler, opts)
		if err != nil {
			bad("%v", err)
		}
		schedState = st
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}

	// Load the optimizer, then the schedule (which sets the learning
	// rates), undoing the first when the second fails, then the model,
	// which cannot fail any more.
	if optState != nil {
		old := s.Optimizer.StateDict()
		if err := s.Optimizer.LoadStateDict(*optState); err != nil {
			return fmt.Errorf("optimizer: %w", err)
		}
		if schedState != nil {
			oldSched := s.Scheduler.StateDict()
			if err := s.Scheduler.LoadStateDict(*schedState); err != nil {
				s.Scheduler.LoadStateDict(oldSched)
				s.Optimizer.LoadStateDict(old)
				return fmt.Errorf("schedule: %w", err)
			}
		}
	} else if schedState != nil {
		if err := s.Scheduler.LoadStateDict(*schedState); err != nil {
			return fmt.Errorf("schedule: %w", err)
		}
	}
	if err := nn.LoadStateDict(s.Model, sd, false); err != nil {
		return err
	}
	s.Epoch, s.Step, s.RNG, s.Metadata = epoch, step, rng, meta
	return nil
}

// getStateful extracts the state saved under prefix for x. It returns nil
// without error when the file has none and opts allow skipping it.
func getStateful(ts Tensors, prefix, what string, x Stateful, opts LoadOptions) (*optim.State, error) {
	typ, ok := ts.Metadata[prefix+typeKey]
	if !ok {
		if opts.NonStrict {
			return nil, nil
		}
		return nil, fmt.Errorf("the file holds no %s state (load non-strictly to skip it)", what)
	}
	if want := fmt.Sprintf("%T", x); typ != want {
		return nil, fmt.Errorf("%s: the file holds the state of a %s, not of a %s", what, typ, want)
	}
	st := optim.State{Tensors: map[string]*tensor.Tensor{}, Scalars: map[string]float64{}}
	for k, v := range ts.Metadata {
		name, ok := strings.CutPrefix(k, prefix)
		if !ok || name == typeKey {
			continue
		}
		if name == stepKey {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: metadata %s: invalid integer %q", what, k, v)
			}
			st.Step = n
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: metadata %s: invalid number %q", what, k, v)
		}
		st.Scalars[name] = f
	}
	for k, t := range ts.Tensors {
		if name, ok := strings.CutPrefix(k, prefix); ok {
			st.Tensors[name] = t
		}
	}
	return &st, nil
}

func atoi(key, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("metadata %s: invalid count %q", key, v)
	}
	return n, nil
}

// Info describes the content of a checkpoint file.
type Info struct {
	// Tensors lists the tensors in name order.
	Tensors []TensorInfo

	// Metadata is the header's metadata, reserved keys included.
	Metadata map[string]string

	// Size is the size of the file in bytes.
	Size int64
}

// TensorInfo describes one tensor of a checkpoint.
type TensorInfo struct {
	// Name is the tensor's name in the file.
	Name string

	// DType is the safetensors dtype as stored: "F32", "F64", "I64", "F16"...
	DType string

	// Shape is the tensor's shape.
	Shape []int

	// Part is what the tensor belongs to: "model", "optimizer" or
	// "schedule".
	Part string
}

// Inspect reads the checkpoint at path, checks that it is a valid
// safetensors file and describes its tensors and metadata.
func Inspect(path string) (Info, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Info{}, fmt.Errorf("checkpoint: %w", err)
	}
	ts, err := decode(data)
	if err != nil {
		return Info{}, fmt.Errorf("checkpoint: read %s: %w", path, err)
	}
	// decode validated the header; read the stored dtypes from it.
	hlen := binary.LittleEndian.Uint64(data[:8])
	var header map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+hlen], &header); err != nil {
		return Info{}, fmt.Errorf("checkpoint: read %s: bad header JSON: %w", path, err)
	}
	info := Info{Metadata: ts.Metadata, Size: int64(len(data))}
	if info.Metadata == nil {
		info.Metadata = map[string]string{}
	}
	for name, t := range ts.Tensors {
		var e headerEntry
		json.Unmarshal(header[name], &e)
		part := "model"
		switch {
		case strings.HasPrefix(name, OptimizerPrefix):
			part = "optimizer"
		case strings.HasPrefix(name, SchedulerPrefix):
			part = "schedule"
		}
		info.Tensors = append(info.Tensors, TensorInfo{Name: name, DType: e.DType, Shape: t.Shape(), Part: part})
	}
	sort.Slice(info.Tensors, func(i, j int) bool { return info.Tensors[i].Name < info.Tensors[j].Name })
	return info, nil
}
