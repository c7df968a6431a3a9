// Package csv loads tabular data from CSV files as datasets.
//
// Every row is an example: the target column (by name) gives the target
// and the other columns the features. Numeric columns are parsed as
// numbers; categorical columns (named in Config.Categorical, or detected
// because their first value is not a number) are mapped to the indices of
// their sorted distinct values. Features can be standardized to mean 0 and
// standard deviation 1. For classification the target values become class
// indices; for regression they are numbers.
//
// What was learnt from the training file (feature names, categories,
// classes, means and standard deviations) is returned as a Schema, which
// serializes to JSON and encodes later files (validation data, rows to
// predict) the same way:
//
//	train, schema, err := csv.Load("train.csv", csv.Config{Target: "species", Classification: true, Standardize: true})
//	test, _, err := csv.Load("test.csv", csv.Config{Schema: schema})
//	x, err := csv.ReadFeatures(f, "new.csv", csv.Config{Schema: schema}) // no target needed
//
// Errors name the file, the line (counted from 1, the header included) and
// the column of a bad cell.
package csv

import (
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/tensor"
)

// Config says how to read a CSV file.
type Config struct {
	// Target names the target column; empty means the last column. Without
	// a header, columns are named by their 0-based index ("0", "1", ...).
	Target string

	// NoHeader says the file has no header row.
	NoHeader bool

	// Comma is the field separator; 0 means ','.
	Comma rune

	// Categorical names the feature columns that hold categories. When it
	// is nil, a column is categorical if its first non-empty value is not a
	// number; when it is not nil, every other feature column must be
	// numeric.
	Categorical []string

	// Standardize maps every numeric feature to (value − mean) / std over
	// the file (std 1 where a column is constant).
	Standardize bool

	// Classification makes the target a class label: the distinct target
	// values, sorted (numerically when all are numbers), become the classes
	// 0, 1, .... Otherwise the target is a number.
	Classification bool

	// Schema, when not nil, encodes the file with an existing schema
	// instead of learning one: columns are found by name, and Target,
	// Categorical, Standardize and Classification are ignored.
	Schema *Schema
}

// Schema describes how a CSV file was encoded; it serializes to JSON so
// that later files (and the rows given to predict) are encoded the same
// way.
type Schema struct {
	// Columns are the names of all the columns of the file the schema was
	// learnt from, in order.
	Columns []string `json:"columns"`

	// Features are the feature columns, in the order of the dataset's
	// input elements.
	Features []Feature `json:"features"`

	// Target is the name of the target column.
	Target string `json:"target"`

	// Classification reports whether the target holds class labels.
	Classification bool `json:"classification"`

	// Classes are the target values of the classes 0, 1, ... (for
	// classification).
	Classes []string `json:"classes,omitempty"`
}

// Feature describes one feature column.
type Feature struct {
	// Name is the column's name in the header (or its index without one).
	Name string `json:"name"`

	// Categories are the values of a categorical column: value
	// Categories[k] is encoded as k. It is empty for numeric columns.
	Categories []string `json:"categories,omitempty"`

	// Mean and Std standardize a numeric column: the feature is
	// (value − Mean) / Std. They are 0 and 1 without standardization.
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
}

// Categorical reports whether the feature is categorical.
func (f *Feature) Categorical() bool { return len(f.Categories) > 0 }

// table is a parsed file: header names and rows with their line numbers.
type table struct {
	name  string // for errors
	cols  []string
	rows  [][]string
	lines []int
}

func (t *table) errorf(format string, args ...any) error {
	return fmt.Errorf("csv: %s: "+format, append([]any{t.name}, args...)...)
}

// cellError reports a bad cell of row i, column c.
func (t *table) cellError(i, c int, format string, args ...any) error {
	return fmt.Errorf("csv: %s: line %d, column %q: %s", t.name, t.lines[i], t.cols[c], fmt.Sprintf(format, args...))
}

// readTable parses r.
func readTable(r io.Reader, name string, cfg Config) (*table, error) {
	cr := stdcsv.NewReader(r)
	if cfg.Comma != 0 {
		cr.Comma = cfg.Comma
	}
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	t := &table{name: name}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *stdcsv.ParseError
			if errors.As(err, &pe) {
				return nil, t.errorf("line %d: %v", pe.Line, pe.Err)
			}
			return nil, t.errorf("%v", err)
		}
		line, _ := cr.FieldPos(0)
		for k := range rec {
			rec[k] = strings.TrimSpace(rec[k])
		}
		if t.cols == nil {
			if cfg.NoHeader {
				t.cols = make([]string, len(rec))
				for k := range rec {
					t.cols[k] = strconv.Itoa(k)
				}
			} else {
				t.cols = rec
				if err := t.checkHeader(); err != nil {
					return nil, err
				}
				continue
			}
		}
		if len(rec) != len(t.cols) {
			what := "the header"
			if cfg.NoHeader {
				what = "the first row"
			}
			return nil, t.errorf("line %d: %d fields, want %d as in %s", line, len(rec), len(t.cols), what)
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	if t.cols == nil {
		return nil, t.errorf("empty file")
	}
	if len(t.rows) == 0 {
		return nil, t.errorf("no data rows")
	}
	return t, nil
}

func (t *table) checkHeader() error {
	seen := map[string]int{}
	for k, c := range t.cols {
		if c == "" {
			return t.errorf("line 1: column %d has no name", k+1)
		}
		if j, ok := seen[c]; ok {
			return t.errorf("line 1: columns %d and %d are both named %q", j+1, k+1, c)
		}
		seen[c] = k
	}
	return nil
}

// column returns the index of the named column; what says what it is for
// errors ("target", "feature", ...).
func (t *table) column(name, what string) (int, error) {
	for k, c := range t.cols {
		if c == name {
			return k, nil
		}
	}
	return 0, t.errorf("no %s column %q (columns: %s)", what, name, strings.Join(t.cols, ", "))
}

// number parses a numeric cell; it accepts finite numbers within the
// float32 range only.
func number(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(math.Abs(v) <= math.MaxFloat32) {
		return 0, false
	}
	return v, true
}

// Load reads the CSV file at path; see Read.
func Load(path string, cfg Config) (*data.TensorDataset, *Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("csv: %w", err)
	}
	defer f.Close()
	return Read(f, path, cfg)
}

// Read reads a CSV file from r; name identifies it in errors. It returns
// the dataset, with Float32 inputs [N, features] and targets that are Int64
// class indices [N] for classification or Float32 [N, 1] for regression,
// and the schema used to encode it (cfg.Schema, or the one learnt from the
// file).
func Read(r io.Reader, name string, cfg Config) (*data.TensorDataset, *Schema, error) {
	t, err := readTable(r, name, cfg)
	if err != nil {
		return nil, nil, err
	}
	s := cfg.Schema
	if s == nil {
		if s, err = fit(t, cfg); err != nil {
			return nil, nil, err
		}
	}
	s.name(t, cfg)
	x, err := s.features(t)
	if err != nil {
		return nil, nil, err
	}
	y, err := s.targets(t)
	if err != nil {
		return nil, nil, err
	}
	ds, err := data.NewTensorDataset(x, y)
	if err != nil {
		return nil, nil, t.errorf("%v", err)
	}
	return ds, s, nil
}

// ReadFeatures reads the rows of a CSV file from r and encodes their
// features with cfg.Schema, which is required; the target column may be
// absent. Only NoHeader and Comma of cfg are used besides. Without a
// header, a row holds either every column of the schema's file in order
// (features and target) or the features alone, in schema order. It returns
// Float32 [N, features].
func ReadFeatures(r io.Reader, name string, cfg Config) (*tensor.Tensor, error) {
	s := cfg.Schema
	if s == nil {
		return nil, fmt.Errorf("csv: %s: ReadFeatures needs a schema", name)
	}
	t, err := readTable(r, name, cfg)
	if err != nil {
		return nil, err
	}
	s.name(t, cfg)
	if cfg.NoHeader && len(t.cols) == len(s.Features) {
		for k, f := range s.Features {
			t.cols[k] = f.Name
		}
	}
	return s.features(t)
}

// name gives the columns of a file without a header the names of the
// schema's columns, when it has as many.
func (s *Schema) name(t *table, cfg Config) {
	if cfg.NoHeader && len(t.cols) == len(s.Columns) {
		copy(t.cols, s.Columns)
	}
}

// fit learns a schema from the table.
func fit(t *table, cfg Config) (*Schema, error) {
	ti := len(t.cols) - 1
	if cfg.Target != "" {
		var err error
		if ti, err = t.column(cfg.Target, "target"); err != nil {
			return nil, err
		}
	}
	s := &Schema{Columns: slices.Clone(t.cols), Target: t.cols[ti], Classification: cfg.Classification}
	cat := map[int]bool{}
	for _, c := range cfg.Categorical {
		k, err := t.column(c, "categorical")
		if err != nil {
			return nil, err
		}
		if k == ti {
			return nil, t.errorf("the target column %q cannot be a categorical feature", c)
		}
		cat[k] = true
	}
	for c := range t.cols {
		if c == ti {
			continue
		}
		if cfg.Categorical == nil {
			for _, row := range t.rows {
				if row[c] != "" {
					_, ok := number(row[c])
					cat[c] = !ok
					break
				}
			}
		}
		f := Feature{Name: t.cols[c], Std: 1}
		if cat[c] {
			f.Categories = distinct(t.rows, c, false)
		} else if cfg.Standardize {
			vals := make([]float64, len(t.rows))
			var sum float64
			for i, row := range t.rows {
				v, ok := number(row[c])
				if !ok {
					return nil, badNumber(t, i, c)
				}
				vals[i] = v
				sum += v
			}
			n := float64(len(vals))
			f.Mean = sum / n
			var sq float64
			for _, v := range vals {
				sq += (v - f.Mean) * (v - f.Mean)
			}
			// A constant column keeps Std 1 (rounding of the mean can leave a
			// tiny spread).
			if sd := math.Sqrt(sq / n); sd > 1e-12*math.Abs(f.Mean) && sd > 0 {
				f.Std = sd
			}
		}
		s.Features = append(s.Features, f)
	}
	if len(s.Features) == 0 {
		return nil, t.errorf("no feature columns besides the target %q", s.Target)
	}
	if s.Classification {
		s.Classes = distinct(t.rows, ti, true)
	}
	return s, nil
}

func badNumber(t *table, i, c int) error {
	if t.rows[i][c] == "" {
		return t.cellError(i, c, "empty cell")
	}
	if v, err := strconv.ParseFloat(t.rows[i][c], 64); err == nil && !math.IsNaN(v) {
		return t.cellError(i, c, "%q is out of the float32 range", t.rows[i][c])
	}
	return t.cellError(i, c, "%q is not a number", t.rows[i][c])
}

// distinct returns the distinct values of column c, sorted as strings, or
// numerically when numeric is set and every value is a number.
func distinct(rows [][]string, c int, numeric bool) []string {
	set := map[string]bool{}
	for _, row := range rows {
		set[row[c]] = true
	}
	vals := make([]string, 0, len(set))
	allNum := numeric
	for v := range set {
		vals = append(vals, v)
		if _, ok := number(v); !ok {
			allNum = false
		}
	}
	if allNum {
		slices.SortFunc(vals, func(a, b string) int {
			x, _ := number(a)
			y, _ := number(b)
			if x != y {
				if x < y {
					return -1
				}
				return 1
			}
			return strings.Compare(a, b)
		})
	} else {
		slices.Sort(vals)
	}
	return vals
}

// features encodes the features of the table's rows.
func (s *Schema) features(t *table) (*tensor.Tensor, error) {
	cols := make([]int, len(s.Features))
	index := make([]map[string]int, len(s.Features))
	for k, f := range s.Features {
		c, err := t.column(f.Name, "feature")
		if err != nil {
			return nil, err
		}
		cols[k] = c
		if f.Categorical() {
			index[k] = make(map[string]int, len(f.Categories))
			for j, v := range f.Categories {
				index[k][v] = j
			}
		}
	}
	nf := len(s.Features)
	x := tensor.Zeros(tensor.Float32, len(t.rows), nf)
	v := x.RawFloat32()
	for i, row := range t.rows {
		for k, f := range s.Features {
			c := cols[k]
			if index[k] != nil {
				j, ok := index[k][row[c]]
				if !ok {
					return nil, t.cellError(i, c, "unknown category %q (known: %s)", row[c], strings.Join(f.Categories, ", "))
				}
				v[i*nf+k] = float32(j)
				continue
			}
			n, ok := number(row[c])
			if !ok {
				return nil, badNumber(t, i, c)
			}
			std := f.Std
			if std == 0 {
				std = 1
			}
			v[i*nf+k] = float32((n - f.Mean) / std)
		}
	}
	return x, nil
}

// targets encodes the targets of the table's rows.
func (s *Schema) targets(t *table) (*tensor.Tensor, error) {
	c, err := t.column(s.Target, "target")
	if err != nil {
		return nil, err
	}
	n := len(t.rows)
	if !s.Classification {
		y := tensor.Zeros(tensor.Float32, n, 1)
		v := y.RawFloat32()
		for i, row := range t.rows {
			f, ok := number(row[c])
			if !ok {
				return nil, badNumber(t, i, c)
			}
			v[i] = float32(f)
		}
		return y, nil
	}
	index := make(map[string]int64, len(s.Classes))
	for k, v := range s.Classes {
		index[v] = int64(k)
	}
	y := tensor.Zeros(tensor.Int64, n)
	v := y.RawInt64()
	for i, row := range t.rows {
		k, ok := index[row[c]]
		if !ok {
			return nil, t.cellError(i, c, "unknown class %q (known: %s)", row[c], strings.Join(s.Classes, ", "))
		}
		v[i] = k
	}
	return y, nil
}
