package tensor_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// opTestProblems checks the op files of the package in dir: every
// op_<name>.go needs an op_<name>_test.go, and when the op file defines a
// backward rule (a backward method) or records an operation (calls record),
// that test file must run a numerical gradient check (call runGradCases or
// gradcheck.Check / gradcheck.CheckSecond). It returns one line per
// offending file, sorted.
func opTestProblems(dir string) ([]string, error) {
	ops, err := filepath.Glob(filepath.Join(dir, "op_*.go"))
	if err != nil {
		return nil, err
	}
	var problems []string
	fset := token.NewFileSet()
	for _, op := range ops {
		if strings.HasSuffix(op, "_test.go") {
			continue
		}
		name := filepath.Base(op)
		src, err := parser.ParseFile(fset, op, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		testPath := strings.TrimSuffix(op, ".go") + "_test.go"
		testName := filepath.Base(testPath)
		if _, err := os.Stat(testPath); err != nil {
			problems = append(problems, name+": no "+testName)
			continue
		}
		if !differentiable(src) {
			continue
		}
		test, err := parser.ParseFile(fset, testPath, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		if !checksGradients(test) {
			problems = append(problems, name+": defines a gradient but "+testName+" runs no gradient check (runGradCases or gradcheck.Check)")
		}
	}
	slices.Sort(problems)
	return problems, nil
}

// differentiable reports whether f defines a backward method or calls
// record.
func differentiable(f *ast.File) bool {
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Recv != nil && n.Name.Name == "backward" {
				found = true
			}
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "record" {
				found = true
			}
		}
		return !found
	})
	return found
}

// checksGradients reports whether f calls runGradCases, gradcheck.Check or
// gradcheck.CheckSecond.
func checksGradients(f *ast.File) bool {
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return !found
		}
		switch fun := call.Fun.(type) {
		case *ast.Ident:
			found = found || fun.Name == "runGradCases"
		case *ast.SelectorExpr:
			if pkg, ok := fun.X.(*ast.Ident); ok && pkg.Name == "gradcheck" {
				found = found || fun.Sel.Name == "Check" || fun.Sel.Name == "CheckSecond"
			}
		}
		return !found
	})
	return found
}

func TestEveryOpHasATest(t *testing.T) {
	problems, err := opTestProblems(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("%d op files lack tests:\n\t%s", len(problems), strings.Join(problems, "\n\t"))
	}
}

// TestOpTestProblems checks the checker on a made-up package.
func TestOpTestProblems(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		// Tested with runGradCases: fine.
		"op_good.go":      "package p\ntype goodOp struct{}\nfunc (goodOp) backward(g int, _ []bool) []int { return nil }\n",
		"op_good_test.go": "package p_test\nfunc TestGood(t *testing.T) { runGradCases(t, nil) }\n",
		// Tested with gradcheck.Check: fine.
		"op_direct.go":      "package p\nfunc F(x int) int { return record(x, \"F\", nil, x) }\n",
		"op_direct_test.go": "package p_test\nfunc TestDirect(t *testing.T) { _ = gradcheck.Check(nil, nil, nil) }\n",
		// No test file at all.
		"op_missing.go": "package p\nfunc G() {}\n",
		// Differentiable, but the test only mentions a gradient check in
		// a comment and a string.
		"op_nograd.go":      "package p\ntype hOp struct{}\nfunc (*hOp) backward(g int, _ []bool) []int { return nil }\n",
		"op_nograd_test.go": "package p_test\n// runGradCases is not called here.\nfunc TestH(t *testing.T) { _ = \"gradcheck.Check\" }\n",
		// Not differentiable (no backward, no record): any test will do.
		"op_index.go":      "package p\nfunc ArgMax() {}\n",
		"op_index_test.go": "package p_test\nfunc TestArgMax(t *testing.T) {}\n",
		// Not an op file.
		"helpers.go": "package p\nfunc record() {}\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := opTestProblems(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"op_missing.go: no op_missing_test.go",
		"op_nograd.go: defines a gradient but op_nograd_test.go runs no gradient check (runGradCases or gradcheck.Check)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
