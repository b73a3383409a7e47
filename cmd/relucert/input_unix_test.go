//go:build unix

package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHostileInputFiles: the weights and data files of issue 12 — a tiny
// .npz declaring a (10⁶, 10⁶) array, one declaring (10⁸, 2) over one float,
// a zip bomb (a member declaring 1 GiB), a FIFO — end check and snap with
// exit 2 and a message naming the file and the array, without blocking.
func TestHostileInputFiles(t *testing.T) {
	dir := t.TempDir()
	npy := func(shape string, data []byte) []byte {
		dict := "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }"
		hdr := dict + strings.Repeat(" ", 63-(10+len(dict))%64) + "\n"
		var b bytes.Buffer
		b.WriteString("\x93NUMPY\x01\x00")
		binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
		b.WriteString(hdr)
		b.Write(data)
		return b.Bytes()
	}
	npz := func(name string, declared uint64, members ...[2][]byte) string {
		var b bytes.Buffer
		z := zip.NewWriter(&b)
		for _, m := range members {
			if declared == 0 {
				w, _ := z.Create(string(m[0]))
				w.Write(m[1])
				continue
			}
			var c bytes.Buffer
			fw, _ := flate.NewWriter(&c, flate.BestCompression)
			fw.Write(m[1])
			fw.Close()
			w, _ := z.CreateRaw(&zip.FileHeader{Name: string(m[0]), Method: zip.Deflate,
				CompressedSize64: uint64(c.Len()), UncompressedSize64: declared})
			w.Write(c.Bytes())
			declared = 0 // only the first member lies
		}
		z.Close()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	one := make([]byte, 8)
	w2 := [2][]byte{[]byte("fc2.weight.npy"), npy("(1, 3)", make([]byte, 24))}
	fifo := filepath.Join(dir, "fifo.pt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	data := corpus("data", "fig3-relu-64.json")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"check", data, "--weights", npz("huge.npz", 0, [2][]byte{[]byte("fc1.weight.npy"), npy("(1000000, 1000000)", one)}, w2)},
			[]string{"huge.npz", "fc1.weight", "more than 2097152 entries"}},
		{[]string{"snap", data, "--weights", npz("long.npz", 0, [2][]byte{[]byte("fc1.weight.npy"), npy("(100000000, 2)", one)}, w2)},
			[]string{"long.npz", "fc1.weight", "more than 2097152 entries"}},
		{[]string{"check", data, "--weights", npz("bomb.npz", 1<<30, [2][]byte{[]byte("fc1.weight.npy"), make([]byte, 1<<20)}, w2)},
			[]string{"bomb.npz", "fc1.weight", "declares 1073741824 bytes uncompressed"}},
		{[]string{"check", data, "--weights", fifo}, []string{"fifo.pt", "a named pipe (FIFO), not a regular file"}},
		{[]string{"snap", "--data", fifo, "--activation", "relu"}, []string{"fifo.pt", "a named pipe (FIFO), not a regular file"}},
	} {
		done := make(chan struct{})
		var code int
		var stderr string
		go func() {
			code, _, stderr = runArgs(c.args...)
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("%v: still running after 30 s", c.args)
		}
		if code != exitUsage {
			t.Errorf("%v: exit %d, want 2", c.args, code)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: %q does not say %q", c.args, stderr, w)
			}
		}
	}
}
