package recheck_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
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

// TestTrustedBaseSizeInReadme: the README states the size of the trusted
// base (package recheck and what it imports from the module); each number
// must be within 15% of the line count of the package's non-test files,
// so the statement cannot drift far from the code.
func TestTrustedBaseSizeInReadme(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"recheck", "exact", "internal/parallel", "network"} {
		re := regexp.MustCompile("`" + regexp.QuoteMeta(pkg) + "`\\s*\\((\\d+)")
		files, err := filepath.Glob(filepath.Join("..", pkg, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		lines := 0
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lines += bytes.Count(b, []byte("\n"))
		}
		m := re.FindSubmatch(readme)
		if m == nil {
			t.Errorf("README does not state the size of %s as `%s` (N lines)", pkg, pkg)
			continue
		}
		stated, _ := strconv.Atoi(string(m[1]))
		if d := stated - lines; d*d*100 > 15*15*lines*lines/100 {
			t.Errorf("README says %s has %d lines, it has %d", pkg, stated, lines)
		}
	}
}
