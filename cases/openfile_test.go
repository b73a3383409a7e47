//go:build unix

package cases

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOpenRegular: regular files open; a FIFO without a writer, a device, a
// directory and a missing file are refused with a message saying what they
// are — and the FIFO does not block.
func TestOpenRegular(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "reg.json")
	if err := os.WriteFile(reg, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(reg, link); err != nil {
		t.Fatal(err)
	}
	f, size, err := OpenRegular(link)
	if err != nil || size != 2 {
		t.Fatalf("symlink to a regular file: size %d, %v", size, err)
	}
	f.Close()
	for _, c := range []struct{ path, want string }{
		{fifo, "a named pipe (FIFO), not a regular file"},
		{"/dev/null", "a device, not a regular file"},
		{dir, "a directory, not a regular file"},
		{filepath.Join(dir, "absent.json"), "no such file or directory"},
	} {
		done := make(chan error, 1)
		go func() {
			f, _, err := OpenRegular(c.path)
			if f != nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v, want %q", c.path, err, c.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: OpenRegular blocked", c.path)
		}
	}
}
