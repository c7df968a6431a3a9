package backprop_test

import (
	"os/exec"
	"strings"
	"testing"
)

// layers lists the project's packages from the bottom up. A package may
// import only packages of lower layers (and its own layer's siblings when
// they share a rank: there are none today). cmd/ and examples/ are top.
var layers = []string{
	"internal/parallel",
	"internal/kernel",
	"tensor",
	"gradcheck",
	"nn", "loss",
	"optim",
	"data", "data/idx", "data/csv", "data/imagefolder", "datasets/mnist",
	"checkpoint",
	"train",
	"cmd/backprop",
}

// rank returns the layer index of a project package path (relative to the
// module), or -1 for packages outside the list (examples, bench) which may
// import anything.
func rank(rel string) int {
	for i, l := range layers {
		if rel == l {
			return i
		}
	}
	return -1
}

// sameRank groups packages that sit on one level and must not import each
// other: nn and loss; the data readers.
var sameRank = map[string]string{
	"nn": "nn|loss", "loss": "nn|loss",
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
		r := rank(rel)
		if r < 0 {
			continue
		}
		for _, imp := range strings.Split(imps, ",") {
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			irel := strings.TrimPrefix(imp, mod)
			ir := rank(irel)
			if ir < 0 {
				t.Errorf("%s imports %s, which is not in the layer list", rel, irel)
				continue
			}
			if ir >= r && !(strings.HasPrefix(irel, "data") && strings.HasPrefix(rel, "data")) {
				t.Errorf("%s imports %s: imports must point down the layers %v", rel, irel, layers)
			}
			if g, ok := sameRank[rel]; ok && strings.Contains(g, irel) && irel != rel {
				t.Errorf("%s imports its sibling %s", rel, irel)
			}
		}
		if strings.HasPrefix(rel, "data") {
			for _, imp := range strings.Split(imps, ",") {
				irel := strings.TrimPrefix(imp, mod)
				if strings.HasPrefix(imp, mod) && irel != "tensor" && !strings.HasPrefix(irel, "data") && !strings.HasPrefix(irel, "internal/") {
					t.Errorf("%s imports %s: data packages import only tensor", rel, irel)
				}
			}
		}
	}
}
