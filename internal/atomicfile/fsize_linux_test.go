package atomicfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestWriteFileSizeLimit writes 64 KiB under a 16 KiB file-size limit
// (RLIMIT_FSIZE, as set by ulimit -f) in a child process: the write fails
// with "file too large", the old file keeps its contents and no temporary
// file is left.
func TestWriteFileSizeLimit(t *testing.T) {
	if p := os.Getenv("ATOMICFILE_FSIZE_CHILD"); p != "" {
		lim := syscall.Rlimit{Cur: 16 << 10, Max: 16 << 10}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
			os.Exit(3)
		}
		err := Write(p, make([]byte, 64<<10), 0o644)
		if err == nil {
			os.Exit(4)
		}
		os.Stderr.WriteString(err.Error())
		os.Exit(0)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "out.json")
	os.WriteFile(p, []byte("old contents\n"), 0o644)
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteFileSizeLimit$")
	cmd.Env = append(os.Environ(), "ATOMICFILE_FSIZE_CHILD="+p)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	if !strings.Contains(string(out), "file too large") {
		t.Errorf("child's error %q does not say \"file too large\"", out)
	}
	if got, _ := os.ReadFile(p); string(got) != "old contents\n" {
		t.Errorf("old file now holds %d bytes", len(got))
	}
	if names := listDir(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only out.json", names)
	}
}
