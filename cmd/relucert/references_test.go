package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoReferenceOutsideRepository walks the repository (code, docs, case
// files, scripts) and fails on any citation of a file that is not in it —
// the steering spec DESIGN.md or ../shared — and on any citation
// "theory.md §N" / "theory §N" whose section N docs/theory.md does not have.
func TestNoReferenceOutsideRepository(t *testing.T) {
	root := filepath.Join("..", "..")
	theory, err := os.ReadFile(filepath.Join(root, "docs", "theory.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^##+ (\d+(?:\.\d+)*)[. ]`).FindAllStringSubmatch(string(theory), -1) {
		sections[m[1]] = true
	}
	outside := regexp.MustCompile(`DESIGN(\.md| §| [Ss]ection)|\.\./shared`)
	cite := regexp.MustCompile(`theory(?:\.md)? §(\d+(?:\.\d+)*)`)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == ".git" || name == "fuzz" {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".md", ".json", ".py", ".txt", ".sh":
		default:
			return nil
		}
		if path == filepath.Join(root, "cmd", "relucert", "references_test.go") {
			return nil // this file names what it looks for
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(b)
		for _, line := range strings.Split(text, "\n") {
			if outside.MatchString(line) {
				t.Errorf("%s cites a file outside the repository: %.120s", path, strings.TrimSpace(line))
			}
			for _, m := range cite.FindAllStringSubmatch(line, -1) {
				if !sections[m[1]] {
					t.Errorf("%s cites docs/theory.md §%s, which has no such section", path, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sections) < 11 {
		t.Fatalf("docs/theory.md has %d numbered sections, want at least 11", len(sections))
	}
}
