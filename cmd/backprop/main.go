// Command backprop trains, evaluates and runs neural networks.
//
// Usage:
//
//	backprop train   [flags]   train a model (default: MNIST, reports test accuracy)
//	backprop eval    [flags]   accuracy, confusion matrix and per-class scores of a checkpoint
//	backprop predict [flags]   classify image files or CSV rows with a checkpoint
//	backprop inspect FILE      list the tensors and metadata of a checkpoint
//
// Run "backprop COMMAND --help" for the flags and examples of each command.
// Errors are reported as one line on standard error with a non-zero exit
// status: 1 for failures, 2 for invalid usage.
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
  backprop train   [flags]       train a model (default: an MLP on the embedded MNIST)
  backprop eval    [flags]       accuracy, confusion matrix, per-class precision/recall/F1
  backprop predict [flags] FILE  classify image files or CSV rows with a trained checkpoint
  backprop inspect FILE          list the tensors and metadata of a checkpoint

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
		fmt.Fprint(stderr, mainUsage)
		return usagef("no command given")
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
	return usagef("unknown command %q (want train, eval, predict or inspect; see backprop help)", cmd)
}

// oneLine folds a multi-line message into one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// newFlagSet returns a flag set that reports errors as usage errors
// instead of exiting, and prints usage (with examples) for --help.
func newFlagSet(name, synopsis, examples string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: backprop %s\n\n%s\nFlags:\n", name, synopsis)
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		fmt.Fprintf(stderr, "\nExamples:\n%s", examples)
	}
	return fs
}

// parseFlags parses args, printing the usage for --help, and turns other
// parse failures into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return err
		}
		return usagef("%s: %v (see backprop %s --help)", fs.Name(), err, fs.Name())
	}
	return nil
}
