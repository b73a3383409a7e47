package cases

import (
	"path"
	"strings"
	"testing"
)

// TestCatalogue checks every embedded catalogue file: it parses (or, when
// its expect block says "error": true, is rejected), its name is its file
// name, and it says where its numbers come from and what verdict to expect.
func TestCatalogue(t *testing.T) {
	es := CatalogueEntries()
	if len(es) == 0 {
		t.Fatal("the catalogue is empty")
	}
	for _, e := range es {
		if !e.OK() {
			t.Errorf("%s: error %v, expects error %v", e.File, e.Err, e.ExpectsError)
			continue
		}
		if e.Err != nil {
			if !strings.HasPrefix(e.Err.Error(), "case "+e.File+": ") {
				t.Errorf("%s: error %q does not name the file", e.File, e.Err)
			}
			continue
		}
		c := e.Case
		if want := strings.TrimSuffix(path.Base(e.File), ".json"); c.Name != want {
			t.Errorf("%s: name %q, want %q", e.File, c.Name, want)
		}
		if strings.TrimSpace(c.Source) == "" {
			t.Errorf("%s: no source", e.File)
		}
		if c.Expect == nil || c.Expect.Verdict == nil {
			t.Errorf("%s: no expect.verdict", e.File)
		}
		if err := c.Point().Validate(); err != nil {
			t.Errorf("%s: %v", e.File, err)
		}
	}
	cs, err := Catalogue()
	if err != nil {
		t.Error(err)
	}
	for i := 1; i < len(cs); i++ {
		if cs[i-1].Name >= cs[i].Name {
			t.Errorf("Catalogue not sorted by name, or names repeat: %q, %q", cs[i-1].Name, cs[i].Name)
		}
	}
}
