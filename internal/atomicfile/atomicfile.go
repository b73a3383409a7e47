// Package atomicfile replaces files all at once: a reader of the file, or a
// crash, sees either the old contents or the new ones, never a mixture or a
// truncated file.
//
// Every file relucert writes (case files from gen, snap and embed -o, the
// JUnit report of suite --junit, plots) goes through Write or WriteFunc.
package atomicfile

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write replaces the file at path by data, atomically; see WriteFunc.
func Write(path string, data []byte, perm fs.FileMode) error {
	return WriteFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc replaces the file at path by what write writes, atomically: the
// bytes go to a new temporary file in the same directory, which is flushed
// to disk (fsync) and then renamed over path. When anything fails — write
// returns an error, the disk is full, a file-size limit is hit — the
// temporary file is removed, the file at path is left as it was, and the
// error says what failed.
//
// A new file gets the permissions perm (less the umask); an existing one
// keeps its permissions. A symbolic link is followed and the file it names
// is replaced, the link is kept. A path that names something other than a
// regular file — a terminal or /dev/stdout, a named pipe — cannot be
// replaced: it is opened and written directly, without atomicity. A
// directory is an error.
func WriteFunc(path string, perm fs.FileMode, write func(io.Writer) error) (err error) {
	target := path
	mode := perm
	if st, serr := os.Stat(path); serr == nil {
		switch {
		case st.IsDir():
			return fmt.Errorf("%s is a directory", path)
		case !st.Mode().IsRegular():
			return writeDirect(path, write)
		}
		mode = st.Mode().Perm()
		if target, err = filepath.EvalSymlinks(path); err != nil {
			return err
		}
	} else if !errors.Is(serr, fs.ErrNotExist) {
		return serr
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	tmp, err := createTemp(dir, base, perm)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := write(bw); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if mode != perm {
		if err := tmp.Chmod(mode); err != nil {
			return err
		}
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return err
	}
	done = true
	syncDir(dir)
	return nil
}

// createTemp creates a new file ".BASE.tmp-RANDOM" in dir with permissions
// perm (less the umask), so that a file that is renamed into place has the
// permissions a plain create would give.
func createTemp(dir, base string, perm fs.FileMode) (*os.File, error) {
	for range 100 {
		var b [6]byte
		rand.Read(b[:])
		name := filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(b[:]))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("cannot create a temporary file in %s", dir)
}

// writeDirect writes to a file that cannot be replaced (a device, a pipe).
func writeDirect(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// syncDir flushes the directory entry of a rename to disk, where the file
// system allows it (the rename has happened either way).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
