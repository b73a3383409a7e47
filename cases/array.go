package cases

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// This file holds what the weights and data readers share: a named array
// read from a file (NumPy .npy/.npz or a PyTorch .pt), its element types
// and the limits checked before anything is allocated.

// MaxEntries bounds the numbers read from one weights or data file, in
// each array and in all the arrays read together: 2²¹ = 2,097,152 numbers
// (16 MiB as float64, about 250 MiB as the exact rationals a case holds).
// The shapes a file declares are checked against it, and against the
// bytes the file really holds, before any memory is allocated for the
// entries.
const MaxEntries = 1 << 21

// maxHeaderBytes bounds an .npy header (NumPy itself refuses headers over
// 10,000 bytes by default).
const maxHeaderBytes = 1 << 16

// dtype is an array's element type: a float kind and a byte order.
type dtype struct {
	kind string // "float64", "float32", "float16", "bfloat16"
	size int    // bytes per entry
	big  bool   // big-endian
}

// decode returns the entries of b (len(b) = size·count) as float64, each
// converted exactly (every float16, bfloat16 and float32 is a float64).
func (t dtype) decode(b []byte) []float64 {
	var order binary.ByteOrder = binary.LittleEndian
	if t.big {
		order = binary.BigEndian
	}
	out := make([]float64, len(b)/t.size)
	for i := range out {
		p := b[i*t.size:]
		switch t.kind {
		case "float64":
			out[i] = math.Float64frombits(order.Uint64(p))
		case "float32":
			out[i] = float64(math.Float32frombits(order.Uint32(p)))
		case "float16":
			out[i] = half(order.Uint16(p))
		case "bfloat16":
			out[i] = float64(math.Float32frombits(uint32(order.Uint16(p)) << 16))
		}
	}
	return out
}

// half is the value of an IEEE 754 binary16 number (1 sign bit, 5 exponent
// bits with bias 15, 10 fraction bits), exactly.
func half(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0: // zero or subnormal: frac·2⁻²⁴
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(1024+frac, exp-25)
}

// array is one named array of a weights or data file: its shape and type
// as the file declares them (already checked against MaxEntries and
// the bytes the file holds), and a function reading its entries.
type array struct {
	file  string // the file, for messages
	name  string // the array's name in the file; "" for a lone .npy file
	shape []int
	dtype dtype
	// fortran reports column-major order (an .npy file's fortran_order);
	// strides, when not nil, are PyTorch's element strides.
	fortran bool
	strides []int
	offset  int // PyTorch's storage offset, in elements
	// read returns the stored entries (for PyTorch: the whole storage).
	read func() ([]float64, error)
}

// errorf is a *WeightsError naming the array's file and name.
func (a *array) errorf(format string, args ...any) error {
	return &WeightsError{File: a.file, Array: a.name, Err: fmt.Errorf(format, args...)}
}

// entries returns the number of entries of shape, or an error when a
// dimension is negative or the count exceeds MaxEntries (checked
// without overflow).
func entries(shape []int) (int, error) {
	n := 1
	for _, s := range shape {
		if s < 0 {
			return 0, fmt.Errorf("shape %s: negative dimension", shapeString(shape))
		}
		if s > 0 && n > MaxEntries/s {
			return 0, fmt.Errorf("shape %s: more than %d entries (the limit for a weights or data file)", shapeString(shape), MaxEntries)
		}
		n *= s
	}
	if n > MaxEntries {
		return 0, fmt.Errorf("shape %s: more than %d entries (the limit for a weights or data file)", shapeString(shape), MaxEntries)
	}
	return n, nil
}

// checkTotal refuses arrays that together hold more than MaxEntries
// numbers (each alone was checked when declared).
func checkTotal(file string, arrays ...*array) error {
	total := 0
	var names []string
	for _, a := range arrays {
		if a == nil {
			continue
		}
		n, _ := entries(a.shape)
		total += n
		names = append(names, a.name)
	}
	if total > MaxEntries {
		return &WeightsError{File: file, Err: fmt.Errorf("%s hold %d numbers together, more than the limit of %d for a weights or data file",
			strings.Join(names, ", "), total, MaxEntries)}
	}
	return nil
}

// values reads the array's entries in C (row-major) order, checks that
// each is finite (what names the role: "weights", "data") and returns them
// with the shape.
func (a *array) values(what string) ([]float64, error) {
	stored, err := a.read()
	if err != nil {
		return nil, a.errorf("%v", err)
	}
	n, _ := entries(a.shape) // checked when the array was declared
	var out []float64
	if a.strides != nil || a.fortran {
		out = make([]float64, n)
	}
	switch {
	case a.strides != nil:
		idx := make([]int, len(a.shape))
		for i := range out {
			k := a.offset
			for j, x := range idx {
				k += x * a.strides[j]
			}
			out[i] = stored[k] // k was checked against the storage size
			for j := len(idx) - 1; j >= 0; j-- {
				idx[j]++
				if idx[j] < a.shape[j] {
					break
				}
				idx[j] = 0
			}
		}
	case a.fortran && len(a.shape) == 2:
		r, c := a.shape[0], a.shape[1]
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				out[i*c+j] = stored[j*r+i]
			}
		}
	default:
		out = stored[:n] // C order: the entries as stored
	}
	for i, x := range out {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, a.errorf("entry %s is %v: %s must be finite", a.index(i), x, what)
		}
	}
	return out, nil
}

// index formats the C-order position i as "[r][c]" (or "[i]" for a vector).
func (a *array) index(i int) string {
	var b strings.Builder
	for j := range a.shape {
		stride := 1
		for _, s := range a.shape[j+1:] {
			stride *= s
		}
		fmt.Fprintf(&b, "[%d]", i/stride)
		i %= stride
	}
	return b.String()
}

// readValues reads n entries of type t from r, decoding as it goes (no
// buffer of the raw bytes; n was checked against the bytes the file holds
// and MaxEntries), then reads on to the end, so that archive/zip verifies
// the member's checksum and declared size: data beyond the n entries are an
// error.
func readValues(r io.Reader, n int, t dtype) ([]float64, error) {
	readErr := func(err error) error {
		if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) {
			return fmt.Errorf("corrupt zip member: its data do not match its declared size or checksum (%v)", err)
		}
		return fmt.Errorf("reading the data: %w", err)
	}
	out := make([]float64, 0, n)
	buf := make([]byte, 1<<16-(1<<16)%t.size)
	for len(out) < n {
		chunk := buf[:min(len(buf), (n-len(out))*t.size)]
		if _, err := io.ReadFull(r, chunk); err != nil {
			if err == io.ErrUnexpectedEOF || err == io.EOF {
				return nil, fmt.Errorf("the data end before the %d bytes the shape needs (truncated)", n*t.size)
			}
			return nil, readErr(err)
		}
		out = append(out, t.decode(chunk)...)
	}
	var extra [1]byte
	switch k, err := r.Read(extra[:]); {
	case k > 0:
		return nil, fmt.Errorf("more than the %d bytes of data the shape needs", n*t.size)
	case err != nil && err != io.EOF:
		return nil, readErr(err)
	}
	return out, nil
}

func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = fmt.Sprint(x)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
