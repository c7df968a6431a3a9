package train

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/backprop-go/backprop/checkpoint"
)

// metricsFile writes one row of metrics per epoch, as CSV (a header line,
// then comma-separated values, an empty cell for a metric not measured)
// or as JSON lines (one object per epoch, metrics not measured left out),
// chosen by the file name's extension: ".csv" or ".jsonl".
type metricsFile struct {
	f     *os.File
	path  string
	jsonl bool
	cols  []string
}

// metricsFormat returns whether path names a JSON-lines file, or an error
// for an unknown extension.
func metricsFormat(path string) (jsonl bool, err error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return false, nil
	case ".jsonl":
		return true, nil
	}
	return false, fmt.Errorf("metrics file %s: unknown format (want a .csv or .jsonl name)", path)
}

// metricColumns returns the columns of a run's metrics file.
func metricColumns(hasVal bool, k int) []string {
	cols := []string{"epoch", "step", "loss", "acc"}
	if k > 1 {
		cols = append(cols, topKName(k))
	}
	if hasVal {
		cols = append(cols, "val_loss", "val_acc")
		if k > 1 {
			cols = append(cols, "val_"+topKName(k))
		}
	}
	return append(cols, "lr", "samples_per_sec", "seconds")
}

// openMetricsFile creates the metrics file at path. With keep ≥ 0 an
// existing file of the same columns is kept up to the row of epoch keep
// (the rows of later epochs are dropped: a resumed run writes them again);
// otherwise, and when the columns differ, the file starts afresh.
func openMetricsFile(path string, cols []string, keep int) (*metricsFile, error) {
	jsonl, err := metricsFormat(path)
	if err != nil {
		return nil, err
	}
	mf := &metricsFile{path: path, jsonl: jsonl, cols: cols}
	var kept []byte
	if keep >= 0 {
		if old, err := os.ReadFile(path); err == nil {
			kept = mf.keepRows(old, keep)
		}
	}
	if kept == nil && !jsonl {
		kept = []byte(strings.Join(cols, ",") + "\n")
	}
	// Replace the file atomically: a crash here must not lose the rows
	// of the epochs before the resumed one.
	if err := checkpoint.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(kept)
		return err
	}); err != nil {
		return nil, fmt.Errorf("metrics file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("metrics file: %w", err)
	}
	mf.f = f
	return mf, nil
}

// keepRows returns the content of the old file up to the row of epoch
// keep, or nil when the file does not have the expected form.
func (mf *metricsFile) keepRows(old []byte, keep int) []byte {
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(old))
	sc.Buffer(nil, 1<<20)
	first := true
	for sc.Scan() {
		line := sc.Text()
		var epoch int
		if mf.jsonl {
			var row map[string]any
			if json.Unmarshal([]byte(line), &row) != nil {
				return nil
			}
			e, ok := row["epoch"].(float64)
			if !ok {
				return nil
			}
			epoch = int(e)
		} else {
			if first {
				first = false
				if line != strings.Join(mf.cols, ",") {
					return nil
				}
				out.WriteString(line + "\n")
				continue
			}
			e, _, _ := strings.Cut(line, ",")
			n, err := strconv.Atoi(e)
			if err != nil {
				return nil
			}
			epoch = n
		}
		if epoch <= keep {
			out.WriteString(line + "\n")
		}
	}
	if sc.Err() != nil || (!mf.jsonl && first) {
		return nil
	}
	return out.Bytes()
}

// values returns the row of m, NaN for metrics not measured.
func (mf *metricsFile) values(m EpochMetrics) []float64 {
	vals := make([]float64, len(mf.cols))
	for i, c := range mf.cols {
		switch c {
		case "epoch":
			vals[i] = float64(m.Epoch)
		case "step":
			vals[i] = float64(m.Step)
		case "seconds":
			vals[i] = (m.Train.Duration + m.Val.Duration).Seconds()
		default:
			v, ok := m.Value(c)
			if !ok {
				v = math.NaN()
			}
			vals[i] = v
		}
	}
	return vals
}

// write appends the row of an epoch.
func (mf *metricsFile) write(m EpochMetrics) error {
	var b strings.Builder
	vals := mf.values(m)
	if mf.jsonl {
		b.WriteByte('{')
		sep := ""
		for i, c := range mf.cols {
			if math.IsNaN(vals[i]) || math.IsInf(vals[i], 0) {
				continue
			}
			fmt.Fprintf(&b, "%s%q:%s", sep, c, strconv.FormatFloat(vals[i], 'g', -1, 64))
			sep = ","
		}
		b.WriteString("}\n")
	} else {
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			if !math.IsNaN(v) {
				b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
			}
		}
		b.WriteByte('\n')
	}
	if _, err := mf.f.WriteString(b.String()); err != nil {
		return fmt.Errorf("metrics file: %w", err)
	}
	return nil
}

// close closes the file.
func (mf *metricsFile) close() error {
	if mf == nil || mf.f == nil {
		return nil
	}
	err := mf.f.Close()
	mf.f = nil
	if err != nil && !errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("metrics file: %w", err)
	}
	return nil
}
