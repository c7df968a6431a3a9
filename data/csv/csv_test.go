package csv_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data/csv"
	"github.com/backprop-go/backprop/tensor"
)

const iris = `sepal,petal,color,species
5.0, 1.0,red,setosa
6.0,3.0,blue,versicolor
7.0,5.0,red,virginica
6.0,3.0,green,setosa
`

func read(t *testing.T, src string, cfg csv.Config) (x, y *tensor.Tensor, s *csv.Schema) {
	t.Helper()
	ds, s, err := csv.Read(strings.NewReader(src), "test.csv", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ds.X(), ds.Y(), s
}

func close32(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-6 {
			return false
		}
	}
	return true
}

func TestReadClassification(t *testing.T) {
	x, y, s := read(t, iris, csv.Config{Target: "species", Classification: true})
	// color is categorical (its first value is not a number): blue 0,
	// green 1, red 2.
	want := []float32{5, 1, 2, 6, 3, 0, 7, 5, 2, 6, 3, 1}
	if got := x.Float32s(); !slices.Equal(got, want) || !slices.Equal(x.Shape(), []int{4, 3}) {
		t.Fatalf("x = %v %v, want %v", x.Shape(), got, want)
	}
	if got := y.Int64s(); !slices.Equal(got, []int64{0, 1, 2, 0}) || y.DType() != tensor.Int64 {
		t.Fatalf("y = %v", y)
	}
	wantSchema := &csv.Schema{
		Columns: []string{"sepal", "petal", "color", "species"},
		Features: []csv.Feature{
			{Name: "sepal", Std: 1},
			{Name: "petal", Std: 1},
			{Name: "color", Categories: []string{"blue", "green", "red"}, Std: 1},
		},
		Target: "species", Classification: true,
		Classes: []string{"setosa", "versicolor", "virginica"},
	}
	if !reflect.DeepEqual(s, wantSchema) {
		t.Fatalf("schema %+v, want %+v", s, wantSchema)
	}
}

func TestReadStandardize(t *testing.T) {
	x, _, s := read(t, iris, csv.Config{Target: "species", Classification: true, Standardize: true})
	// sepal: mean 6, population std sqrt(0.5); petal: mean 3, std sqrt(2).
	r2 := float32(math.Sqrt2)
	want := []float32{-r2, -r2, 2, 0, 0, 0, r2, r2, 2, 0, 0, 1}
	if got := x.Float32s(); !close32(got, want) {
		t.Fatalf("x = %v, want %v", got, want)
	}
	if s.Features[0].Mean != 6 || math.Abs(s.Features[0].Std-math.Sqrt(0.5)) > 1e-12 ||
		s.Features[1].Mean != 3 || math.Abs(s.Features[1].Std-math.Sqrt2) > 1e-12 {
		t.Fatalf("features %+v", s.Features)
	}
	// A constant column keeps std 1, even when rounding leaves a tiny spread.
	x, _, s = read(t, "a,b\n0.1,1\n0.1,2\n0.1,3\n", csv.Config{Standardize: true})
	if s.Features[0].Std != 1 {
		t.Fatalf("constant column: std %v", s.Features[0].Std)
	}
	for _, v := range x.Float32s() {
		if math.Abs(float64(v)) > 1e-6 {
			t.Fatalf("constant column standardized to %v", x.Float32s())
		}
	}
}

func TestReadRegression(t *testing.T) {
	x, y, s := read(t, "a;b;price\n1;2;10.5\n3;4;-2\n", csv.Config{Comma: ';'})
	if got := y.Float32s(); !slices.Equal(got, []float32{10.5, -2}) || !slices.Equal(y.Shape(), []int{2, 1}) {
		t.Fatalf("y = %v", y)
	}
	if got := x.Float32s(); !slices.Equal(got, []float32{1, 2, 3, 4}) {
		t.Fatalf("x = %v", got)
	}
	if s.Target != "price" || s.Classification || s.Classes != nil {
		t.Fatalf("schema %+v", s)
	}
}

func TestReadNumericClasses(t *testing.T) {
	// Numeric class labels sort as numbers: 2 < 10.
	_, y, s := read(t, "f,label\n1,10\n2,2\n3,10\n", csv.Config{Classification: true})
	if !slices.Equal(s.Classes, []string{"2", "10"}) || !slices.Equal(y.Int64s(), []int64{1, 0, 1}) {
		t.Fatalf("classes %v, y %v", s.Classes, y.Int64s())
	}
}

func TestReadNoHeader(t *testing.T) {
	x, y, s := read(t, "1,a,0\n2,b,1\n", csv.Config{NoHeader: true, Target: "0", Classification: true})
	if got := x.Float32s(); !slices.Equal(got, []float32{0, 0, 1, 1}) {
		t.Fatalf("x = %v (features: column 1 categorical, column 2)", got)
	}
	if got := y.Int64s(); !slices.Equal(got, []int64{0, 1}) {
		t.Fatalf("y = %v", got)
	}
	if s.Features[0].Name != "1" || s.Target != "0" {
		t.Fatalf("schema %+v", s)
	}
}

func TestReadExplicitCategorical(t *testing.T) {
	// zip looks numeric but is declared categorical; 02 and 2 differ.
	x, _, s := read(t, "zip,v,t\n2,1,0\n02,2,0\n2,3,1\n", csv.Config{Categorical: []string{"zip"}})
	if !slices.Equal(s.Features[0].Categories, []string{"02", "2"}) {
		t.Fatalf("categories %v", s.Features[0].Categories)
	}
	if got := x.Float32s(); !slices.Equal(got, []float32{1, 1, 0, 2, 1, 3}) {
		t.Fatalf("x = %v", got)
	}
}

func TestSchemaReuse(t *testing.T) {
	_, _, s := read(t, iris, csv.Config{Target: "species", Classification: true, Standardize: true})
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back csv.Schema
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, s) {
		t.Fatalf("JSON round trip: %+v, want %+v", back, *s)
	}
	// Columns in another order, encoded with the training statistics.
	test := "species,color,petal,sepal\nvirginica,green,3,6\n"
	x, y, _ := read(t, test, csv.Config{Schema: &back})
	if got := x.Float32s(); !close32(got, []float32{0, 0, 1}) || y.Int64s()[0] != 2 {
		t.Fatalf("x = %v, y = %v", got, y.Int64s())
	}
	// The same without a header.
	x, y, _ = read(t, "6,3,green,virginica\n", csv.Config{Schema: &back, NoHeader: true})
	if got := x.Float32s(); !close32(got, []float32{0, 0, 1}) || y.Int64s()[0] != 2 {
		t.Fatalf("no header: x = %v, y = %v", got, y.Int64s())
	}
	// Features alone, for prediction.
	for _, c := range []struct {
		src      string
		noHeader bool
	}{
		{"color,sepal,petal\nred,7,5\n", false},
		{"7,5,red\n", true},
		{"7,5,red,anything\n", true},
	} {
		f, err := csv.ReadFeatures(strings.NewReader(c.src), "new.csv", csv.Config{Schema: s, NoHeader: c.noHeader})
		if err != nil {
			t.Fatal(err)
		}
		r2 := float32(math.Sqrt2)
		if got := f.Float32s(); !close32(got, []float32{r2, r2, 2}) {
			t.Fatalf("%q: features %v", c.src, got)
		}
	}
	if _, err := csv.ReadFeatures(strings.NewReader("a\n1\n"), "x.csv", csv.Config{}); err == nil {
		t.Fatal("ReadFeatures without a schema: no error")
	}
}

func TestReadErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		cfg  csv.Config
		want string
	}{
		{"empty", "", csv.Config{}, "csv: test.csv: empty file"},
		{"header only", "a,b\n", csv.Config{}, "csv: test.csv: no data rows"},
		{"bad cell", "a,b,t\n1,2,0\n3,x y,1\n", csv.Config{}, `csv: test.csv: line 3, column "b": "x y" is not a number`},
		{"bad cell standardize", "a,b,t\n1,2,0\n\n3,oops,1\n", csv.Config{Standardize: true}, `line 4, column "b": "oops" is not a number`},
		{"empty cell", "a,b,t\n1,2,0\n3,,1\n", csv.Config{}, `line 3, column "b": empty cell`},
		{"nan", "a,t\n1,0\nNaN,1\n", csv.Config{}, `line 3, column "a": "NaN" is not a number`},
		{"range", "a,t\n1,0\n-1e39,1\n", csv.Config{}, `line 3, column "a": "-1e39" is out of the float32 range`},
		{"inf", "a,t\n1,0\n1,Inf\n", csv.Config{}, `line 3, column "t": "Inf" is out of the float32 range`},
		{"declared numeric", "a,c,t\n1,u,0\n", csv.Config{Categorical: []string{}}, `line 2, column "c": "u" is not a number`},
		{"fields", "a,b,t\n1,2,0\n1,2\n", csv.Config{}, "csv: test.csv: line 3: 2 fields, want 3 as in the header"},
		{"fields no header", "1,2\n1,2,3\n", csv.Config{NoHeader: true}, "line 2: 3 fields, want 2 as in the first row"},
		{"target", "a,b\n1,2\n", csv.Config{Target: "price"}, `csv: test.csv: no target column "price" (columns: a, b)`},
		{"categorical", "a,b\n1,2\n", csv.Config{Categorical: []string{"z"}}, `no categorical column "z"`},
		{"categorical target", "a,b\n1,2\n", csv.Config{Categorical: []string{"b"}}, `the target column "b" cannot be a categorical feature`},
		{"regression target", "a,b\n1,2\n3,high\n", csv.Config{}, `line 3, column "b": "high" is not a number`},
		{"only target", "a\n1\n", csv.Config{}, `no feature columns besides the target "a"`},
		{"duplicate", "a,b,a\n1,2,3\n", csv.Config{}, `line 1: columns 1 and 3 are both named "a"`},
		{"unnamed", "a,,c\n1,2,3\n", csv.Config{}, "line 1: column 2 has no name"},
		{"quote", "a,b\n1,\"2\n", csv.Config{}, "csv: test.csv: line 2: extraneous or missing \" in quoted-field"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := csv.Read(strings.NewReader(c.src), "test.csv", c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestSchemaErrors(t *testing.T) {
	_, _, s := read(t, iris, csv.Config{Target: "species", Classification: true})
	cases := []struct {
		name string
		src  string
		want string
	}{
		{"category", "sepal,petal,color,species\n1,2,purple,setosa\n", `line 2, column "color": unknown category "purple" (known: blue, green, red)`},
		{"class", "sepal,petal,color,species\n1,2,red,rose\n", `line 2, column "species": unknown class "rose" (known: setosa, versicolor, virginica)`},
		{"feature", "sepal,color,species\n1,red,setosa\n", `no feature column "petal"`},
		{"target", "sepal,petal,color\n1,2,red\n", `no target column "species"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := csv.Read(strings.NewReader(c.src), "test.csv", csv.Config{Schema: s})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	p := filepath.Join(t.TempDir(), "iris.csv")
	if err := os.WriteFile(p, []byte(iris), 0o644); err != nil {
		t.Fatal(err)
	}
	ds, _, err := csv.Load(p, csv.Config{Target: "species", Classification: true})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 4 {
		t.Fatalf("Len %d", ds.Len())
	}
	if _, _, err := csv.Load(p+".missing", csv.Config{}); err == nil || !strings.Contains(err.Error(), "iris.csv.missing") {
		t.Fatalf("missing file: error %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("a,b\n1,2\nx,3\n"), 0o644)
	if _, _, err := csv.Load(bad, csv.Config{Target: "a"}); err == nil || !strings.Contains(err.Error(), bad+`: line 3, column "a"`) {
		t.Fatalf("bad file: error %v", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(iris, "species", true, true)
	f.Add("a,b\n1,2\n3,4\n", "", false, false)
	f.Add("x;y\n1;a\n", "y", true, false)
	f.Add("a,\"b\nc\",d\n1,2,3\n", "d", false, true)
	f.Add("", "", false, false)
	f.Fuzz(func(t *testing.T, src, target string, class, std bool) {
		cfg := csv.Config{Target: target, Classification: class, Standardize: std}
		ds, s, err := csv.Read(strings.NewReader(src), "fuzz.csv", cfg)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "csv: fuzz.csv: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		n := ds.Len()
		if n == 0 || ds.X().Size(0) != n || ds.X().Size(1) != len(s.Features) {
			t.Fatalf("dataset of %d examples, x %v, %d features", n, ds.X().Shape(), len(s.Features))
		}
		for _, v := range ds.X().Float32s() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("feature %v from %q", v, src)
			}
		}
		if class {
			for _, v := range ds.Y().Int64s() {
				if v < 0 || int(v) >= len(s.Classes) {
					t.Fatalf("class %d of %d", v, len(s.Classes))
				}
			}
		}
		// The learnt schema reproduces the dataset.
		again, _, err := csv.Read(strings.NewReader(src), "fuzz.csv", csv.Config{Schema: s})
		if err != nil {
			t.Fatalf("re-reading with the learnt schema: %v", err)
		}
		if !tensor.Equal(again.X(), ds.X()) || !tensor.Equal(again.Y(), ds.Y()) {
			t.Fatalf("re-reading with the learnt schema changed the data")
		}
	})
}
