package cases

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// OpenRegular opens the file at path for reading when it is a regular file
// (after following symbolic links) and returns it with its size. Anything
// else — a named pipe (FIFO), a device, a socket, a directory — is refused
// with an error saying what it is, and without blocking: the type is
// checked before the file is opened, and the file is opened with
// O_NONBLOCK and checked again, so a FIFO swapped in between cannot make
// open wait for a writer. The error does not name the file; callers wrap
// it with the file and the role (case, weights, data).
func OpenRegular(path string) (*os.File, int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, 0, unwrapPath(err)
	}
	if err := regular(st.Mode()); err != nil {
		return nil, 0, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, unwrapPath(err)
	}
	st, err = f.Stat()
	if err == nil {
		err = regular(st.Mode())
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// regular is nil for a regular file's mode and otherwise says what the
// file is.
func regular(mode fs.FileMode) error {
	var what string
	switch {
	case mode.IsRegular():
		return nil
	case mode.IsDir():
		what = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeDevice != 0:
		what = "a device"
	default:
		what = "not a regular file (mode " + mode.String() + ")"
		return errors.New(what)
	}
	return fmt.Errorf("%s, not a regular file", what)
}

// unwrapPath drops the *fs.PathError layer (its operation and path), since
// callers name the file themselves: "no such file or directory".
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
