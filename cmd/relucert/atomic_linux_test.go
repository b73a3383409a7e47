package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOutputsUnderFileSizeLimit runs gen -o and suite --junit in a child
// process whose file-size limit (RLIMIT_FSIZE, ulimit -f) is 4 KiB, over
// existing files: each command fails with exit 2 and a message, the old
// file keeps its contents, and no partial or temporary file is left.
func TestOutputsUnderFileSizeLimit(t *testing.T) {
	if arg := os.Getenv("RELUCERT_FSIZE_CHILD"); arg != "" {
		lim := syscall.Rlimit{Cur: 4 << 10, Max: 4 << 10}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
			os.Exit(3)
		}
		var out bytes.Buffer
		code := run(strings.Split(arg, "\x1f"), &out, os.Stderr)
		os.Exit(code)
	}
	for _, tc := range []struct {
		name string
		args func(out string) []string
	}{
		{"gen -o", func(out string) []string {
			return []string{"gen", "--n", "200", "--d", "5", "--m", "3", "-o", out}
		}},
		{"suite --junit", func(out string) []string {
			return []string{"suite", "--junit", out}
		}},
	} {
		dir := t.TempDir()
		out := filepath.Join(dir, "out")
		os.WriteFile(out, []byte("old contents\n"), 0o644)
		cmd := exec.Command(os.Args[0], "-test.run=^TestOutputsUnderFileSizeLimit$")
		cmd.Env = append(os.Environ(), "RELUCERT_FSIZE_CHILD="+strings.Join(tc.args(out), "\x1f"))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitUsage {
			t.Errorf("%s: %v, want exit %d; stderr %q", tc.name, err, exitUsage, stderr.String())
		}
		if !strings.Contains(stderr.String(), "file too large") {
			t.Errorf("%s: stderr %q does not say \"file too large\"", tc.name, stderr.String())
		}
		if got, _ := os.ReadFile(out); string(got) != "old contents\n" {
			t.Errorf("%s: the old file now holds %d bytes", tc.name, len(got))
		}
		if es, _ := os.ReadDir(dir); len(es) != 1 {
			t.Errorf("%s: %d entries left in the directory, want 1", tc.name, len(es))
		}
	}
}
