package backprop_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// layers lists the project's packages from the bottom up, one level per
// entry. A package may import only packages of lower levels: neither its
// siblings on its own level nor anything above. Packages outside the list
// (examples, bench) may import anything.
var layers = [][]string{
	{"internal/parallel"},
	{"internal/kernel"},
	{"tensor"},
	{"gradcheck"},
	{"nn", "loss"},
	{"optim"},
	{"data"},
	{"data/idx", "data/csv", "data/imagefolder"},
	{"datasets/mnist"},
	{"checkpoint"},
	{"train"},
	{"cmd/backprop"},
}

// level returns the level of a project package path (relative to the
// module), or -1 for packages outside the list.
func level(rel string) int {
	return slices.IndexFunc(layers, func(l []string) bool { return slices.Contains(l, rel) })
}

// importError returns why package rel must not import package irel (both
// relative to the module), or "" if it may.
func importError(rel, irel string) string {
	r, ir := level(rel), level(irel)
	dataLow := level("data")
	switch {
	case r < 0:
		return ""
	case ir < 0:
		return "it is not in the layer list"
	case ir == r:
		return "they are siblings on one level"
	case ir > r:
		return "imports must point down the layers"
	case r >= dataLow && ir < dataLow && ir > level("tensor") && r <= level("datasets/mnist"):
		// The data stack builds on tensor alone.
		return "data packages import only tensor and each other"
	}
	return ""
}

func TestImportsPointDown(t *testing.T) {
	const mod = "github.com/backprop-go/backprop/"
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}:{{join .Imports \",\"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imps, _ := strings.Cut(line, ":")
		rel := strings.TrimPrefix(pkg, mod)
		for _, imp := range strings.Split(imps, ",") {
			irel, ok := strings.CutPrefix(imp, mod)
			if !ok {
				continue
			}
			if msg := importError(rel, irel); msg != "" {
				t.Errorf("%s imports %s: %s", rel, irel, msg)
			}
		}
	}
}

// TestImportError checks that the rule TestImportsPointDown applies
// rejects each kind of forbidden import.
func TestImportError(t *testing.T) {
	for _, tc := range []struct {
		pkg, imp string
		ok       bool
	}{
		{"tensor", "internal/kernel", true},
		{"optim", "tensor", true},
		{"datasets/mnist", "data/idx", true},
		{"data/csv", "data", true},
		{"data", "internal/parallel", true},
		{"cmd/backprop", "train", true},
		{"examples/xor", "cmd/backprop", true},
		{"internal/kernel", "tensor", false},
		{"tensor", "nn", false},
		{"data", "data/idx", false},
		{"nn", "loss", false},
		{"loss", "nn", false},
		{"data/idx", "data/csv", false},
		{"data", "nn", false},
		{"data/imagefolder", "optim", false},
		{"tensor", "examples/xor", false},
	} {
		if got := importError(tc.pkg, tc.imp) == ""; got != tc.ok {
			t.Errorf("importError(%q, %q) allows = %v, want %v", tc.pkg, tc.imp, got, tc.ok)
		}
	}
}
