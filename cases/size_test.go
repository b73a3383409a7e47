package cases

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLargeFileRejected: a 100 MB case file (sparse, so the test is cheap)
// is refused with a limit message naming the file, without being read into
// memory.
func TestLargeFileRejected(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(100 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Load(path)
	if err == nil {
		t.Fatal("a 100 MB case file was accepted")
	}
	for _, want := range []string{"huge.json", "100.0 MiB", "limit of 64 MiB"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	// Through a reader that is not a regular file, the limit still holds.
	r := io.LimitReader(spaces{}, MaxFileSize+1)
	if _, err := Decode("stream.json", r, Limits{}); err == nil || !strings.Contains(err.Error(), "limit of 64 MiB") {
		t.Errorf("streamed oversized input: %v", err)
	}
}

// spaces is an endless reader of blanks.
type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}
