package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/backprop-go/backprop/checkpoint"
	"github.com/backprop-go/backprop/tensor"
)

const inspectExamples = `  backprop inspect runs/mnist/last.safetensors
  backprop inspect --values runs/mnist/best.safetensors
`

const inspectSynopsis = `inspect [--values] FILE

Lists the tensors (name, dtype, shape, elements) of a checkpoint, grouped
into the model, the optimizer and the schedule, and its metadata: the
position in training and the settings of the run that wrote it. Any
safetensors file can be inspected.
`

func cmdInspect(args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("inspect", inspectSynopsis, inspectExamples, stdout)
	values := fs.Bool("values", false, "also print each model tensor's values (summarized when large)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("inspect: want exactly one checkpoint file, got %d arguments", len(rest))
	}
	path := rest[0]
	info, err := checkpoint.Inspect(path)
	if err != nil {
		return err
	}
	sort.SliceStable(info.Tensors, func(i, j int) bool { return naturalLess(info.Tensors[i].Name, info.Tensors[j].Name) })
	fmt.Fprintf(stdout, "%s: %d bytes, %d tensors\n", path, info.Size, len(info.Tensors))
	for _, part := range []string{"model", "optimizer", "schedule"} {
		var rows []checkpoint.TensorInfo
		elems := 0
		for _, t := range info.Tensors {
			if t.Part == part {
				rows = append(rows, t)
				elems += tensor.Numel(t.Shape)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(stdout, "\n%s: %d tensors, %d elements\n", part, len(rows), elems)
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  NAME\tDTYPE\tSHAPE\tELEMENTS")
		for _, t := range rows {
			fmt.Fprintf(tw, "  %s\t%s\t%v\t%d\n", t.Name, t.DType, t.Shape, tensor.Numel(t.Shape))
		}
		tw.Flush()
	}
	if len(info.Metadata) > 0 {
		keys := make([]string, 0, len(info.Metadata))
		for k := range info.Metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintln(stdout, "\nmetadata:")
		for _, k := range keys {
			v := strings.ReplaceAll(info.Metadata[k], "\n", " ")
			if len(v) > 120 {
				v = fmt.Sprintf("%s... (%d bytes)", v[:120], len(v))
			}
			fmt.Fprintf(stdout, "  %s = %s\n", k, v)
		}
	}
	if *values {
		ts, err := checkpoint.ReadFile(path)
		if err != nil {
			return err
		}
		for _, t := range info.Tensors {
			if t.Part == "model" {
				fmt.Fprintf(stdout, "\n%s =\n%v\n", t.Name, ts.Tensors[t.Name])
			}
		}
	}
	return nil
}

// naturalLess orders dotted names with numeric parts compared as numbers,
// so "2.weight" comes before "10.weight".
func naturalLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		x, errx := strconv.Atoi(as[i])
		y, erry := strconv.Atoi(bs[i])
		if errx == nil && erry == nil {
			return x < y
		}
		return as[i] < bs[i]
	}
	return len(as) < len(bs)
}
