package cases

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// This file reads NumPy's .npy and .npz formats
// (numpy.lib.format, https://numpy.org/neps/nep-0001-npy-format.html):
// an .npy file is the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), the
// header length (2 bytes in version 1, 4 after), a header that is a Python
// dict literal with the keys 'descr', 'fortran_order' and 'shape' (in any
// order), then the entries; an .npz file is a zip archive of .npy members.
// The shape is checked against MaxEntries and against the bytes that
// follow the header before anything is allocated; a zip member's declared
// size is checked before it is decompressed, and archive/zip refuses to
// inflate a member past its declared size, so a zip bomb is refused at
// once.

// npyHeader is the parsed header of an .npy file.
type npyHeader struct {
	dtype   dtype
	fortran bool
	shape   []int
}

// readNPYHeader reads the header of an .npy stream of size bytes and
// checks the declared shape against the bytes that follow it. It returns
// the header and the number of data bytes.
func readNPYHeader(r io.Reader, size int64) (*npyHeader, int, error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil || string(pre[:6]) != "\x93NUMPY" {
		return nil, 0, errors.New("not an .npy array (no \\x93NUMPY magic)")
	}
	var hlen, used int64
	switch pre[6] {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return nil, 0, errors.New("truncated .npy header")
		}
		hlen, used = int64(binary.LittleEndian.Uint16(pre[8:10])), 10
	case 2, 3:
		var l [4]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return nil, 0, errors.New("truncated .npy header")
		}
		hlen, used = int64(binary.LittleEndian.Uint32(l[:])), 12
	default:
		return nil, 0, fmt.Errorf(".npy format version %d.%d: want 1.0, 2.0 or 3.0", pre[6], pre[7])
	}
	if hlen > maxHeaderBytes || used+hlen > size {
		return nil, 0, fmt.Errorf(".npy header of %d bytes: longer than the file or the limit of %d bytes", hlen, maxHeaderBytes)
	}
	text := make([]byte, hlen)
	if _, err := io.ReadFull(r, text); err != nil {
		return nil, 0, errors.New("truncated .npy header")
	}
	h, err := parseNPYHeader(string(text))
	if err != nil {
		return nil, 0, fmt.Errorf("malformed .npy header %q: %v", strings.TrimSpace(string(text)), err)
	}
	n, err := entries(h.shape)
	if err != nil {
		return nil, 0, err
	}
	need := int64(n) * int64(h.dtype.size)
	if have := size - used - hlen; need > have {
		return nil, 0, fmt.Errorf("shape %s of %s needs %d bytes of data, the file holds %d (truncated?)",
			shapeString(h.shape), h.dtype.kind, need, have)
	}
	return h, int(need), nil
}

// parseNPYHeader parses the header dict, e.g.
// "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }".
func parseNPYHeader(s string) (*npyHeader, error) {
	p := &pyLiteral{s: s}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the dict", p.rest())
	}
	dict, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a dict")
	}
	for k := range dict {
		switch k {
		case "descr", "fortran_order", "shape":
		default:
			return nil, fmt.Errorf("unknown key %q", k)
		}
	}
	h := &npyHeader{}
	switch d := dict["descr"].(type) {
	case nil:
		return nil, errors.New("no 'descr'")
	case string:
		h.dtype, err = npyDtype(d)
		if err != nil {
			return nil, err
		}
	default:
		return nil, errors.New("'descr' is a structured dtype: want a float array (float64 '<f8', float32 '<f4' or float16 '<f2')")
	}
	switch f := dict["fortran_order"].(type) {
	case bool:
		h.fortran = f
	case nil:
		return nil, errors.New("no 'fortran_order'")
	default:
		return nil, errors.New("'fortran_order' is not True or False")
	}
	t, ok := dict["shape"].([]any)
	if !ok {
		return nil, errors.New("no 'shape' tuple")
	}
	h.shape = make([]int, len(t))
	for i, x := range t {
		n, ok := x.(int)
		if !ok {
			return nil, fmt.Errorf("shape entry %d is not an integer", i)
		}
		h.shape[i] = n
	}
	return h, nil
}

// npyDtype reads a descr string such as "<f8".
func npyDtype(d string) (dtype, error) {
	bad := fmt.Errorf("dtype %s: want a float array (float64 '<f8', float32 '<f4' or float16 '<f2')", d)
	if len(d) < 3 {
		return dtype{}, bad
	}
	var t dtype
	switch d[0] {
	case '<', '|':
	case '>':
		t.big = true
	default:
		return dtype{}, bad
	}
	switch d[1:] {
	case "f8":
		t.kind, t.size = "float64", 8
	case "f4":
		t.kind, t.size = "float32", 4
	case "f2":
		t.kind, t.size = "float16", 2
	default:
		return dtype{}, bad
	}
	return t, nil
}

// pyLiteral parses the Python literals of an .npy header: dicts, tuples,
// lists, strings, integers, True, False and None.
type pyLiteral struct {
	s     string
	i     int
	depth int
}

func (p *pyLiteral) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyLiteral) rest() string {
	r := p.s[p.i:]
	if len(r) > 20 {
		r = r[:20] + "…"
	}
	return r
}

func (p *pyLiteral) value() (any, error) {
	p.space()
	if p.i >= len(p.s) {
		return nil, errors.New("unexpected end")
	}
	if p.depth > 8 {
		return nil, errors.New("nested too deeply")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		p.depth++
		defer func() { p.depth-- }()
		p.i++
		d := map[string]any{}
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return d, nil
			}
			k, err := p.value()
			if err != nil {
				return nil, err
			}
			key, ok := k.(string)
			if !ok {
				return nil, errors.New("a dict key is not a string")
			}
			p.space()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, fmt.Errorf("want ':' after %q", key)
			}
			p.i++
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			if _, dup := d[key]; dup {
				return nil, fmt.Errorf("key %q twice", key)
			}
			d[key] = v
			if !p.comma('}') {
				return nil, fmt.Errorf("want ',' or '}' at %q", p.rest())
			}
		}
	case c == '(' || c == '[':
		p.depth++
		defer func() { p.depth-- }()
		end := byte(')')
		if c == '[' {
			end = ']'
		}
		p.i++
		var t []any
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == end {
				p.i++
				return t, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			t = append(t, v)
			if !p.comma(end) {
				return nil, fmt.Errorf("want ',' or '%c' at %q", end, p.rest())
			}
		}
	case c == '\'' || c == '"':
		j := strings.IndexByte(p.s[p.i+1:], c)
		if j < 0 {
			return nil, errors.New("unterminated string")
		}
		v := p.s[p.i+1 : p.i+1+j]
		p.i += j + 2
		return v, nil
	case c == '-' || c >= '0' && c <= '9':
		j := p.i + 1
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(p.s[p.i:j])
		if err != nil {
			return nil, fmt.Errorf("integer %q out of range", p.s[p.i:j])
		}
		p.i = j
		if p.i < len(p.s) && p.s[p.i] == 'L' { // Python 2 long
			p.i++
		}
		return n, nil
	}
	for word, v := range map[string]any{"True": true, "False": false, "None": nil} {
		if strings.HasPrefix(p.s[p.i:], word) {
			p.i += len(word)
			return v, nil
		}
	}
	return nil, fmt.Errorf("unexpected %q", p.rest())
}

// comma consumes a ',' (then reports true) or sees the closing end (left
// for the caller, reports true); anything else reports false.
func (p *pyLiteral) comma(end byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ',' {
		p.i++
		return true
	}
	return p.i < len(p.s) && p.s[p.i] == end
}

// npyArray declares the array of an .npy stream: header read and checked,
// entries read by the returned array's read function from open.
func npyArray(file, name string, size int64, open func() (io.ReadCloser, error)) (*array, error) {
	fail := func(err error) error { return &WeightsError{File: file, Array: name, Err: err} }
	rc, err := open()
	if err != nil {
		return nil, fail(err)
	}
	h, nbytes, err := readNPYHeader(rc, size)
	rc.Close()
	if err != nil {
		return nil, fail(err)
	}
	a := &array{file: file, name: name, shape: h.shape, dtype: h.dtype, fortran: h.fortran}
	a.read = func() ([]float64, error) {
		rc, err := open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		if _, _, err := readNPYHeader(rc, size); err != nil {
			return nil, err
		}
		return readValues(rc, nbytes/h.dtype.size, h.dtype)
	}
	return a, nil
}

// readNPYFile declares the array of a lone .npy file. The caller closes
// the returned file after reading the array.
func readNPYFile(path string) (*array, io.Closer, error) {
	f, size, err := OpenRegular(path)
	if err != nil {
		return nil, nil, &WeightsError{File: path, Err: err}
	}
	open := func() (io.ReadCloser, error) {
		return io.NopCloser(io.NewSectionReader(f, 0, size)), nil
	}
	a, err := npyArray(path, "", size, open)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return a, f, nil
}

// npzArrays declares the arrays of the .npz archive z (read from file),
// in the archive's order, named without numpy's ".npy" suffix.
func npzArrays(file string, z *zip.Reader) ([]*array, error) {
	var out []*array
	seen := map[string]bool{}
	for _, m := range z.File {
		name := strings.TrimSuffix(m.Name, ".npy")
		if seen[name] {
			return nil, &WeightsError{File: file, Array: name, Err: errors.New("stored twice")}
		}
		seen[name] = true
		if err := memberSize(m, maxHeaderBytes+12+8*MaxEntries); err != nil {
			return nil, &WeightsError{File: file, Array: name, Err: err}
		}
		a, err := npyArray(file, name, int64(m.UncompressedSize64), m.Open)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// memberSize refuses a zip member that declares more than limit bytes
// uncompressed, before anything is decompressed. (archive/zip itself
// refuses to produce more bytes than a member declares, so the check
// bounds what decompression can cost: a zip bomb is refused at once.)
func memberSize(m *zip.File, limit uint64) error {
	if m.UncompressedSize64 > limit {
		return fmt.Errorf("the zip member %s declares %d bytes uncompressed, more than the %d an array within the limits needs (at most %d entries)",
			m.Name, m.UncompressedSize64, limit, MaxEntries)
	}
	return nil
}
