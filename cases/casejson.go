package cases

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// ParseActivation reads an activation named as in a case file — "relu",
// "abs", "linear" or "leaky:ALPHA" with an exact number ALPHA, the negative
// slope — or, for command lines, "pos:P,neg:N" with exact slopes.
func ParseActivation(s string) (verify.Activation, error) {
	const want = `want "relu", "leaky:ALPHA", "abs", "linear" or {"pos": P, "neg": N}`
	switch {
	case s == "relu":
		return verify.ReLU(), nil
	case s == "abs":
		return verify.Abs(), nil
	case s == "linear":
		return verify.Linear(), nil
	case strings.HasPrefix(s, "leaky:"):
		alpha, err := ParseNumber(s[len("leaky:"):])
		if err != nil {
			return verify.Activation{}, fmt.Errorf("%q: negative slope: %v", s, err)
		}
		return verify.Leaky(alpha), nil
	case strings.HasPrefix(s, "pos:"):
		ps, ns, ok := strings.Cut(s[len("pos:"):], ",neg:")
		if ok {
			p, err1 := ParseNumber(ps)
			n, err2 := ParseNumber(ns)
			if err1 == nil && err2 == nil {
				return verify.Activation{Pos: p, Neg: n}, nil
			}
		}
		return verify.Activation{}, fmt.Errorf("%q: want pos:P,neg:N with exact numbers P and N", s)
	}
	return verify.Activation{}, fmt.Errorf("unknown activation %q (%s)", s, want)
}

// Parse reads a case file held in memory with the default limits; see
// Decode. name labels the file in errors and becomes Case.File (and
// Case.Name when the file has no "name"). Every error is an *Error naming
// the file, the field path and the index.
//
// A file whose expect block says "error": true is returned like any other
// when it parses (with Expect.Error set): deciding that this is a failure
// is the caller's business. Use ExpectsError to learn what a rejected file
// expected.
func Parse(name string, data []byte) (*Case, error) {
	return Decode(name, bytes.NewReader(data), Limits{})
}

// openCase opens the case file at path: a regular file (never a named pipe
// or a device, which could block or never end) no larger than lim allows.
func openCase(path string, lim Limits) (*os.File, error) {
	f, size, err := OpenRegular(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	if size > lim.FileSize() {
		f.Close()
		return nil, &Error{File: path, Err: lim.tooLarge(size)}
	}
	return f, nil
}

// ReadFile reads a case file's bytes, refusing what is not a regular file
// and files over the size limit of the default Limits.
func ReadFile(path string) ([]byte, error) {
	f, err := openCase(path, Limits{})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(&limitedReader{r: f, left: Limits{}.FileSize()})
	if errors.Is(err, errTooLarge) {
		err = Limits{}.tooLarge(int64(len(data)))
	}
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	return data, nil
}

// Load reads and parses the case file at path with the default limits;
// errors name the path.
func Load(path string) (*Case, error) {
	e := LoadEntry(path, Limits{})
	return e.Case, e.Err
}

// Entry is one case file of a directory or of the catalogue, with the
// outcome of parsing it.
type Entry struct {
	// File is the file's path (for the catalogue: "catalogue/NAME.json").
	File string
	// Case is the parsed case, nil when Err is set.
	Case *Case
	// Err is the reason the file was rejected.
	Err error
	// ExpectsError reports that the file's expect block says "error": true,
	// read by ExpectsError, so it is known also for rejected files.
	ExpectsError bool
}

// OK reports whether the file behaved as it expects: parsed when it does
// not expect an error, rejected when it does.
func (e Entry) OK() bool { return (e.Err != nil) == e.ExpectsError }

// LoadEntry reads and parses the case file at path within lim, streaming
// (see Decode). Only a regular file is read; a named pipe, a device or a
// directory is refused without blocking. For a rejected file, ExpectsError
// is read by a second pass over the file.
func LoadEntry(path string, lim Limits) Entry {
	e := Entry{File: path}
	f, err := openCase(path, lim)
	if err != nil {
		e.Err = err
		return e
	}
	e.Case, e.Err = Decode(path, f, lim)
	f.Close()
	switch {
	case e.Err == nil:
		e.ExpectsError = e.Case.Expect != nil && e.Case.Expect.Error
	case errors.Is(e.Err, exact.ErrBudget):
		// Out of time: no second pass.
	default:
		if f, err := openCase(path, lim); err == nil {
			e.ExpectsError = ExpectsErrorIn(f)
			f.Close()
		}
	}
	return e
}

// ReadEntries parses every *.json file directly in dir of fsys, in file name
// order. The error is for an unreadable directory only; problems with
// single files are in their entries.
func ReadEntries(fsys fs.FS, dir string) ([]Entry, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(fsys, dir); err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Entry
	for _, n := range names {
		out = append(out, readEntry(fsys, n))
	}
	return out, nil
}

// readEntry reads the file name of fsys as LoadEntry reads a path.
func readEntry(fsys fs.FS, name string) Entry {
	e := Entry{File: name}
	open := func() (fs.File, error) {
		st, err := fs.Stat(fsys, name)
		if err == nil {
			err = regular(st.Mode())
		}
		if err != nil {
			return nil, &Error{File: name, Err: unwrapPath(err)}
		}
		if lim := (Limits{}); st.Size() > lim.FileSize() {
			return nil, &Error{File: name, Err: lim.tooLarge(st.Size())}
		}
		f, err := fsys.Open(name)
		if err != nil {
			return nil, &Error{File: name, Err: unwrapPath(err)}
		}
		return f, nil
	}
	f, err := open()
	if err != nil {
		e.Err = err
		return e
	}
	e.Case, e.Err = Decode(name, f, Limits{})
	f.Close()
	if e.Err == nil {
		e.ExpectsError = e.Case.Expect != nil && e.Case.Expect.Error
	} else if f, err := open(); err == nil {
		e.ExpectsError = ExpectsErrorIn(f)
		f.Close()
	}
	return e
}

// Files returns the *.json files directly in dir (not recursively), in
// file name order, for callers that read them one at a time with
// LoadEntry. The error is for a missing or unreadable directory.
func Files(dir string) ([]string, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, &Error{File: dir, Err: unwrapPath(err)}
	}
	if !st.IsDir() {
		return nil, &Error{File: dir, Err: errors.New("not a directory")}
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, &Error{File: dir, Err: err}
	}
	sort.Strings(names)
	return names, nil
}

// LoadDir parses every *.json file directly in dir (not recursively), in
// file name order. It returns the cases that parsed and one error per file
// that did not, including files that expect to be rejected (use
// ReadEntries to tell those apart). A missing directory is one error.
func LoadDir(dir string) ([]*Case, []error) {
	names, err := Files(dir)
	if err != nil {
		return nil, []error{err}
	}
	var cs []*Case
	var errs []error
	for _, n := range names {
		c, err := Load(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		cs = append(cs, c)
	}
	return cs, errs
}

// ExpectsError reports whether data, a case file, has an expect block with
// "error": true at its top level. It reads only as far as it must and
// tolerates any error after that point, so it answers for files that are
// rejected — provided the expect block comes before what is wrong (put it
// first in a file that is truncated or not JSON at all).
func ExpectsError(data []byte) bool { return ExpectsErrorIn(bytes.NewReader(data)) }

// ExpectsErrorIn is ExpectsError reading the file from r. It scans bytes,
// not tokens (a second pass over a rejected 64 MiB file takes a fraction of
// a second), and stops at the end of the top-level object.
func ExpectsErrorIn(r io.Reader) bool {
	br := bufio.NewReaderSize(&limitedReader{r: r, left: Limits{}.FileSize()}, 64<<10)
	// The scanner follows the nesting: depth counts open containers;
	// inKey[depth] reports that the innermost container is an object
	// whose next string is a key; path holds the keys leading to the
	// innermost container (only the first two levels matter).
	var (
		depth  int
		objAt  [3]bool   // objAt[i]: the container at depth i+1 is an object
		keyAt  [3]string // keyAt[i]: the last key read at depth i+1
		expKey [3]bool   // the next string at depth i+1 is a key
	)
	inExpect := func() bool {
		return depth == 2 && objAt[0] && objAt[1] && keyAt[0] == "expect"
	}
	for {
		c, err := br.ReadByte()
		if err != nil {
			return false
		}
		switch c {
		case ' ', '\t', '\n', '\r', ',':
			if c == ',' && depth >= 1 && depth <= 3 && objAt[depth-1] {
				expKey[depth-1] = true
			}
		case ':':
		case '{', '[':
			if depth == 0 && c != '{' {
				return false // the top level must be an object
			}
			depth++
			if depth <= 3 {
				objAt[depth-1] = c == '{'
				expKey[depth-1] = c == '{'
				keyAt[depth-1] = ""
			}
		case '}', ']':
			depth--
			if depth <= 0 {
				return false
			}
		case '"':
			str, ok := scanString(br)
			if !ok {
				return false
			}
			if depth >= 1 && depth <= 3 && expKey[depth-1] {
				keyAt[depth-1] = str
				expKey[depth-1] = false
			}
		case 't':
			if inExpect() && keyAt[1] == "error" && !expKey[1] {
				rest := make([]byte, 3)
				if _, err := io.ReadFull(br, rest); err == nil && string(rest) == "rue" {
					return true
				}
			}
		default:
			if depth == 0 {
				return false
			}
		}
	}
}

// scanString reads a JSON string after its opening quote and returns its
// contents (escapes decoded; only short strings, as keys are, are kept).
func scanString(br *bufio.Reader) (string, bool) {
	var raw []byte
	escaped := false
	for {
		c, err := br.ReadByte()
		if err != nil {
			return "", false
		}
		if len(raw) < 64 {
			raw = append(raw, c)
		}
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			if len(raw) >= 64 {
				return "", true // a long string: not a key that matters
			}
			var s string
			if json.Unmarshal(append([]byte{'"'}, raw...), &s) != nil {
				return "", true
			}
			return s, true
		}
	}
}

// Write encodes c as a case file that Parse reads back to an equal case:
// the fields in the order of the README ("Case files"), every number as a JSON string in
// big.Rat.RatString form ("p/q" or "p"), one sample or neuron per line.
// Name is always written; File is not. It returns an *Error when c is
// malformed (the same shape rules as Parse).
func Write(c *Case) ([]byte, error) {
	if c == nil {
		return nil, &Error{Err: errors.New("nil case")}
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	if c.Name == "" {
		return nil, &Error{File: c.File, Field: "name", Err: errors.New("empty name")}
	}
	var b bytes.Buffer
	str := func(s string) {
		var sb bytes.Buffer
		enc := json.NewEncoder(&sb)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s) // encoding a string cannot fail
		b.Write(bytes.TrimRight(sb.Bytes(), "\n"))
	}
	// A number's text ("p/q", "-p") needs no escaping.
	vec := func(v []*big.Rat) {
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('"')
			b.WriteString(FormatNumber(x))
			b.WriteByte('"')
		}
		b.WriteByte(']')
	}
	var num []byte
	rows := func(key string, m *exact.RatMat) {
		fmt.Fprintf(&b, ",\n  %q: [", key)
		for i := range m.Rows() {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n    [")
			for j := range m.Cols() {
				if j > 0 {
					b.WriteString(", ")
				}
				num = append(appendEntry(append(num[:0], '"'), m, i, j), '"')
				b.Write(num)
			}
			b.WriteByte(']')
		}
		b.WriteString("\n  ]")
	}
	b.WriteString("{\n  \"name\": ")
	str(c.Name)
	if c.Source != "" {
		b.WriteString(",\n  \"source\": ")
		str(c.Source)
	}
	b.WriteString(",\n  \"activation\": ")
	act := c.Activation
	one := big.NewRat(1, 1)
	switch {
	case act.Pos.Cmp(one) == 0 && act.Neg.Sign() == 0:
		str("relu")
	case act.Pos.Cmp(one) == 0 && act.Neg.Cmp(one) == 0:
		str("linear")
	case act.Pos.Cmp(one) == 0 && act.Neg.Cmp(big.NewRat(-1, 1)) == 0:
		str("abs")
	case act.Pos.Cmp(one) == 0:
		str("leaky:" + FormatNumber(act.Neg))
	default:
		b.WriteString("{\"pos\": ")
		str(FormatNumber(act.Pos))
		b.WriteString(", \"neg\": ")
		str(FormatNumber(act.Neg))
		b.WriteByte('}')
	}
	fmt.Fprintf(&b, ",\n  \"bias\": %t", c.Bias)
	rows("inputs", c.Inputs)
	rows("targets", c.Targets)
	b.WriteString(",\n  \"neurons\": [")
	for j, nr := range c.Neurons {
		if j > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    {\"w\": ")
		vec(nr.W)
		b.WriteString(", \"a\": ")
		vec(nr.A)
		b.WriteByte('}')
	}
	if len(c.Neurons) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteByte(']')
	if c.OutputBias != nil {
		b.WriteString(",\n  \"output_bias\": ")
		vec(c.OutputBias)
	}
	if e := c.Expect; e != nil {
		b.WriteString(",\n  \"expect\": {")
		sep := ""
		if e.Verdict != nil {
			b.WriteString("\"verdict\": ")
			str(e.Verdict.String())
			sep = ", "
		}
		if e.Escape != nil {
			b.WriteString(sep + "\"escape_neurons\": [")
			for i, j := range sortedCopy(e.Escape) {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(strconv.Itoa(j))
			}
			b.WriteByte(']')
			sep = ", "
		}
		if e.Error {
			b.WriteString(sep + "\"error\": true")
		}
		b.WriteByte('}')
	}
	if c.FloatMustAgree {
		b.WriteString(",\n  \"float_must_agree\": true")
	}
	b.WriteString("\n}\n")
	return b.Bytes(), nil
}
