package cases

import (
	"embed"
	"errors"
	"io/fs"
	"sort"
)

// catalogueFS holds the reference cases, embedded at build time.
//
//go:embed catalogue/*.json
var catalogueFS embed.FS

// CatalogueDir is the directory of the embedded catalogue inside
// CatalogueFS, and of the source files relative to this package.
const CatalogueDir = "catalogue"

// CatalogueFS returns the embedded catalogue files, named
// "catalogue/NAME.json".
func CatalogueFS() fs.FS { return catalogueFS }

// CatalogueEntries parses every embedded catalogue file, in file name
// order, reporting for each whether it parsed and whether it expects to be
// rejected (see Entry). Entry.File is "catalogue/NAME.json".
func CatalogueEntries() []Entry {
	es, err := ReadEntries(catalogueFS, CatalogueDir)
	if err != nil {
		// The directory is embedded, so it exists; report rather than hide.
		return []Entry{{File: CatalogueDir, Err: &Error{File: CatalogueDir, Err: err}}}
	}
	return es
}

// Catalogue returns the embedded reference cases sorted by name. Files
// whose expect block says "error": true and that are rejected, as they
// should be, are left out (CatalogueEntries has them). The error joins one
// *Error per file that does not behave as it expects; the cases that did
// parse are returned with it.
func Catalogue() ([]*Case, error) {
	var cs []*Case
	var errs []error
	for _, e := range CatalogueEntries() {
		switch {
		case e.Err != nil && !e.ExpectsError:
			errs = append(errs, e.Err)
		case e.Err == nil && e.ExpectsError:
			errs = append(errs, &Error{File: e.File, Field: "expect.error", Err: errors.New("the file expects to be rejected, but it parsed")})
		case e.Err == nil:
			cs = append(cs, e.Case)
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs, errors.Join(errs...)
}
