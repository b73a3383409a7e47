package recheck_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestImportsOnlyArithmetic asserts the checker's independence from the
// search: the packages recheck depends on (go list -deps) are the standard
// library and exactly these packages of the module — the plain arithmetic
// of exact, the network model, and the parallel loops. In particular not
// exact/lp (the simplex), exact/arrangement (the cell enumeration) or
// verify (the search).
func TestImportsOnlyArithmetic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/relucert/relucert/recheck").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := []string{
		"github.com/relucert/relucert/exact",
		"github.com/relucert/relucert/internal/parallel",
		"github.com/relucert/relucert/network",
		"github.com/relucert/relucert/recheck",
	}
	var module []string
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/relucert/relucert") {
			module = append(module, pkg)
			continue
		}
		// Anything else must be the standard library (no dot in the first
		// path element).
		if first, _, _ := strings.Cut(pkg, "/"); strings.Contains(first, ".") {
			t.Errorf("recheck depends on %s outside the standard library", pkg)
		}
	}
	for _, pkg := range module {
		if !slices.Contains(allowed, pkg) {
			t.Errorf("recheck depends on %s; the checker may import only %v", pkg, allowed)
		}
	}
}
