package main

import (
	"bytes"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// noiseVar is the variance of the noise in the targets: no model can
// expect a test MSE below it.
const noiseVar = noiseStd * noiseStd

func TestRunFitsCurve(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		var out bytes.Buffer
		res, err := run(&out, seed, epochs)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		// The noise-free curve x·sin(2πx) over U(−1, 1) has variance about
		// 0.16; a good fit leaves little more than the noise.
		if !(res.testVar > 0.1) {
			t.Errorf("seed %d: test target variance %.5f, want above 0.1", seed, res.testVar)
		}
		if !(res.testMSE < 2*noiseVar) || !(res.testMSE < res.testVar/8) {
			t.Errorf("seed %d: test MSE %.5f, want below %.5f and %.5f (variance/8)", seed, res.testMSE, 2*noiseVar, res.testVar/8)
		}
		if !(res.trainMSE < 1.5*noiseVar) {
			t.Errorf("seed %d: train MSE %.5f, want below %.5f", seed, res.trainMSE, 1.5*noiseVar)
		}
		if !(res.trainMSE < res.firstTrainMSE/5) {
			t.Errorf("seed %d: train MSE fell from %.5f to only %.5f", seed, res.firstTrainMSE, res.trainMSE)
		}
		checkTable(t, seed, out.String())
	}
}

// checkTable checks the final table of out against x·sin(2πx), computed
// here independently of the program's curve.
func checkTable(t *testing.T, seed uint64, out string) {
	t.Helper()
	_, table, ok := strings.Cut(out, "predicted\n")
	if !ok {
		t.Fatalf("seed %d: no table in output:\n%s", seed, out)
	}
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != tablePts {
		t.Fatalf("seed %d: %d table rows, want %d:\n%s", seed, len(lines), tablePts, table)
	}
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("seed %d: table row %q does not have 3 columns", seed, line)
		}
		var v [3]float64
		for j, s := range f {
			var err error
			if v[j], err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatalf("seed %d: table row %q: %v", seed, line, err)
			}
		}
		x, truth, pred := v[0], v[1], v[2]
		if want := -0.9 + 0.2*float64(i); math.Abs(x-want) > 1e-6 {
			t.Errorf("seed %d: row %d has x = %v, want %v", seed, i, x, want)
		}
		if want := x * math.Sin(2*math.Pi*x); math.Abs(truth-want) > 1e-4 {
			t.Errorf("seed %d: row %d: true y %v, want %v", seed, i, truth, want)
		}
		if math.Abs(pred-truth) > 0.1 {
			t.Errorf("seed %d: row %d: prediction %v at x = %v, true %v", seed, i, pred, x, truth)
		}
	}
}

func TestRunIsDeterministic(t *testing.T) {
	const n = 120
	var a, b, c bytes.Buffer
	ra, errA := run(&a, 7, n)
	rb, errB := run(&b, 7, n)
	_, errC := run(&c, 8, n)
	for _, err := range []error{errA, errB, errC} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if a.String() != b.String() || ra != rb {
		t.Fatalf("two runs with the same seed differ:\n%s\n%s", a.String(), b.String())
	}
	if a.String() == c.String() {
		t.Fatalf("runs with seeds 7 and 8 print the same output:\n%s", a.String())
	}
	// A header, the column titles, epochs 1, 50, 100 and 120, the table's
	// titles and its rows.
	if got, want := strings.Count(a.String(), "\n"), 2+4+1+tablePts; got != want {
		t.Fatalf("%d lines of output, want %d:\n%s", got, want, a.String())
	}
	for _, prefix := range []string{"     1  ", "    50  ", "   100  ", "   120  "} {
		if !strings.Contains(a.String(), "\n"+prefix) {
			t.Errorf("no line for epoch %s in output:\n%s", strings.TrimSpace(prefix), a.String())
		}
	}
}

func TestRunRejectsBadEpochs(t *testing.T) {
	for _, n := range []int{0, -1} {
		if _, err := run(io.Discard, 1, n); err == nil || !strings.Contains(err.Error(), "epochs must be positive") {
			t.Errorf("run with %d epochs: error %v, want one about epochs", n, err)
		}
	}
}
