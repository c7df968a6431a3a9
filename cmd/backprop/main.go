// Command backprop trains, evaluates and runs neural networks.
//
// Usage:
//
//	backprop train   [flags]          train a model (default: LeNet-5 on the embedded MNIST)
//	backprop eval    [flags]          accuracy, confusion matrix and per-class scores of a checkpoint
//	backprop predict [flags] INPUT... classify image files or CSV rows with a checkpoint
//	backprop inspect FILE             list the tensors and metadata of a checkpoint
//
// Run "backprop COMMAND --help" for the flags and examples of each command.
// Flags may come before or after the arguments.
//
// Output: results go to standard output, progress to standard error.
// Errors are reported as one line on standard error starting with
// "backprop: ", with exit status 1 for failures, 2 for invalid usage and
// 130 when training was interrupted (Ctrl-C or SIGTERM: the run stops
// after the current step, writes its checkpoint, and can be continued
// with --resume).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/backprop-go/backprop/tensor"
)

// usageError marks errors in the command line; they exit with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

const mainUsage = `backprop trains, evaluates and runs neural networks in pure Go.

Usage:
  backprop train   [flags]           train a model (default: LeNet-5 on the embedded MNIST)
  backprop eval    [flags]           accuracy, confusion matrix, per-class precision/recall/F1
  backprop predict [flags] INPUT...  classify image files or CSV rows with a trained checkpoint
  backprop inspect FILE              list the tensors and metadata of a checkpoint

Run "backprop COMMAND --help" for the flags and examples of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status. It never
// lets a panic escape: misuse deep inside the library becomes one line on
// stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			if e, ok := r.(error); ok {
				msg = e.Error()
			}
			fmt.Fprintf(stderr, "backprop: internal error: %s\n", oneLine(msg))
			if os.Getenv("BACKPROP_TRACE") != "" {
				stderr.Write(debug.Stack())
			}
			code = 1
		}
	}()
	err := dispatch(ctx, args, stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintf(stderr, "backprop: %s\n", oneLine(err.Error()))
	var ue *usageError
	var te *tensor.Error
	switch {
	case errors.As(err, &ue):
		return 2
	case errors.As(err, &te):
		return 1
	case errors.Is(err, context.Canceled):
		return 130
	}
	return 1
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("no command given (want train, eval, predict or inspect; run backprop help)")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "train":
		return cmdTrain(ctx, rest, stdout, stderr)
	case "eval":
		return cmdEval(ctx, rest, stdout, stderr)
	case "predict":
		return cmdPredict(ctx, rest, stdout, stderr)
	case "inspect":
		return cmdInspect(rest, stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, mainUsage)
		return nil
	}
	return usagef("unknown command %q (want train, eval, predict or inspect; run backprop help)", cmd)
}

// oneLine folds a multi-line message into one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// flagSet is a command's flag set with its help text.
type flagSet struct {
	*flag.FlagSet
	help func() // prints the usage, flags and examples
}

// newFlagSet returns a flag set that reports errors as usage errors
// instead of exiting, and prints its usage (with examples) to w for
// --help.
func newFlagSet(name, synopsis, examples string, w io.Writer) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// The flag package calls Usage for parse errors too: those are one
	// line on stderr instead (see parseFlags).
	fs.Usage = func() {}
	help := func() {
		fmt.Fprintf(w, "Usage: backprop %s\nFlags:\n", synopsis)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		fmt.Fprintf(w, "\nExamples:\n%s", examples)
	}
	return &flagSet{FlagSet: fs, help: help}
}

// parseFlags parses args, printing the usage for --help, and turns other
// parse failures into usage errors. Flags and arguments may be mixed
// ("predict a.png --top 2"); everything after "--" is an argument. It
// returns the arguments.
func parseFlags(fs *flagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.help()
				return nil, err
			}
			return nil, usagef("%s: %v (see backprop %s --help)", fs.Name(), err, fs.Name())
		}
		left := fs.Args()
		if len(left) == 0 {
			return rest, nil
		}
		// fs.Parse stopped at an argument, or after a "--" it consumed.
		if used := len(args) - len(left); used > 0 && args[used-1] == "--" {
			return append(rest, left...), nil
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
}
