package tensor

import (
	"fmt"
	"strings"
)

// Error is the panic value of every misuse of tensor operations: mismatched
// shapes or data types, axes out of range, invalid arguments. Op names the
// operation, Shapes holds the shapes of the operands involved (possibly
// none), and Msg says what is wrong.
type Error struct {
	Op     string
	Shapes [][]int
	Msg    string
}

// Error formats the error as "tensor.Op: message (shapes [2 3], [4 5])".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("tensor.")
	b.WriteString(e.Op)
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if len(e.Shapes) > 0 {
		b.WriteString(" (shapes ")
		for i, s := range e.Shapes {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprint(&b, shapeString(s))
		}
		b.WriteString(")")
	}
	return b.String()
}

func shapeString(s []int) string {
	if s == nil {
		s = []int{}
	}
	return fmt.Sprint(s)
}

// panicf panics with an *Error for op with the given shapes and message.
func panicf(op string, shapes [][]int, format string, args ...any) {
	panic(&Error{Op: op, Shapes: shapes, Msg: fmt.Sprintf(format, args...)})
}

// shapesOf returns the shapes of ts, for error messages.
func shapesOf(ts ...*Tensor) [][]int {
	out := make([][]int, len(ts))
	for i, t := range ts {
		out[i] = t.Shape()
	}
	return out
}

// Try calls f and returns the *Error it panicked with, or nil if it returned
// normally. Panics with any other value are propagated unchanged.
func Try(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*Error); ok {
				err = e
				return
			}
			panic(r)
		}
	}()
	f()
	return nil
}
