package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeSessions re-runs every `$ go run ./cmd/relucert …` session pasted
// in README.md whose command is deterministic and compares the output word
// for word, so the README cannot drift from the program.
func TestReadmeSessions(t *testing.T) {
	root := filepath.Join("..", "..")
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const prompt = "$ go run ./cmd/relucert "
	blocks := strings.Split(string(data), "```")
	ran := 0
	for b := 1; b < len(blocks); b += 2 {
		lines := strings.Split(blocks[b], "\n")
		// Drop the fence's language tag line.
		lines = lines[1:]
		for i := 0; i < len(lines); i++ {
			if !strings.HasPrefix(lines[i], prompt) {
				continue
			}
			args := strings.Fields(strings.TrimPrefix(lines[i], prompt))
			if !deterministicSession(args) {
				continue
			}
			var want []string
			for i++; i < len(lines) && !strings.HasPrefix(lines[i], "$ "); i++ {
				want = append(want, lines[i])
			}
			i--
			wantText := strings.TrimRight(strings.Join(want, "\n"), "\n")
			wd, _ := os.Getwd()
			if err := os.Chdir(root); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			run(args, &out, &errb)
			os.Chdir(wd)
			got := strings.TrimRight(out.String()+errb.String(), "\n")
			if got != wantText {
				t.Errorf("README session %q differs from a real run:\n--- README\n%s\n--- run\n%s", strings.Join(args, " "), wantText, got)
			}
			ran++
		}
	}
	if ran == 0 {
		t.Fatal("no README session found")
	}
}

// deterministicSession reports whether a README command prints the same
// text on every run: timings (suite, bench) and single training runs (whose
// report has timings) are excluded; explore's atlas has none.
func deterministicSession(args []string) bool {
	if len(args) == 0 {
		return false
	}
	switch args[0] {
	case "check", "embed", "snap", "recheck", "explore":
		return true
	}
	return false
}
