package cases

import (
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

	"github.com/relucert/relucert/verify"
)

// MaxFileSize bounds the size of a case file read by Load and LoadDir.
const MaxFileSize = 64 << 20

// maxDepth bounds the nesting of JSON values; a case file needs 4.
const maxDepth = 16

// jkind is the kind of a JSON value.
type jkind int

const (
	jString jkind = iota
	jNumber
	jBool
	jNull
	jArray
	jObject
)

func (k jkind) String() string {
	return [...]string{"a string", "a number", "a boolean", "null", "an array", "an object"}[k]
}

// jval is a JSON value with its object keys in file order and numbers kept
// as their literal text.
type jval struct {
	kind jkind
	s    string // string contents or number literal
	b    bool
	arr  []*jval
	keys []string
	vals []*jval
}

// describe names v for an error message ("an array", "true", "\"x\"").
func (v *jval) describe() string {
	switch v.kind {
	case jString:
		return strconv.Quote(v.s)
	case jNumber:
		return v.s
	case jBool:
		return strconv.FormatBool(v.b)
	}
	return v.kind.String()
}

// field joins a parent path and an object key.
func field(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// index joins a parent path and an array index.
func index(parent string, i int) string { return fmt.Sprintf("%s[%d]", parent, i) }

// readValue reads one JSON value from dec, whose next token starts it.
// fieldPath names the value in errors.
func readValue(dec *json.Decoder, fieldPath string, depth int) (*jval, *Error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(dec, err)
	}
	return readFrom(dec, tok, fieldPath, depth)
}

func readFrom(dec *json.Decoder, tok json.Token, fieldPath string, depth int) (*jval, *Error) {
	switch t := tok.(type) {
	case string:
		return &jval{kind: jString, s: t}, nil
	case json.Number:
		return &jval{kind: jNumber, s: string(t)}, nil
	case bool:
		return &jval{kind: jBool, b: t}, nil
	case nil:
		return &jval{kind: jNull}, nil
	case json.Delim:
		if depth >= maxDepth {
			return nil, &Error{Field: fieldPath, Err: fmt.Errorf("nested more than %d levels deep", maxDepth)}
		}
		switch t {
		case '[':
			v := &jval{kind: jArray}
			for i := 0; ; i++ {
				tok, err := dec.Token()
				if err != nil {
					return nil, syntaxError(dec, err)
				}
				if d, ok := tok.(json.Delim); ok && d == ']' {
					return v, nil
				}
				e, perr := readFrom(dec, tok, index(fieldPath, i), depth+1)
				if perr != nil {
					return nil, perr
				}
				v.arr = append(v.arr, e)
			}
		case '{':
			v := &jval{kind: jObject}
			seen := map[string]bool{}
			for {
				tok, err := dec.Token()
				if err != nil {
					return nil, syntaxError(dec, err)
				}
				if d, ok := tok.(json.Delim); ok && d == '}' {
					return v, nil
				}
				key, ok := tok.(string)
				if !ok { // the decoder guarantees a string key; be safe anyway
					return nil, &Error{Field: fieldPath, Err: fmt.Errorf("object key is not a string")}
				}
				if seen[key] {
					return nil, &Error{Field: field(fieldPath, key), Err: fmt.Errorf("duplicate key %q", key)}
				}
				seen[key] = true
				e, perr := readValue(dec, field(fieldPath, key), depth+1)
				if perr != nil {
					return nil, perr
				}
				v.keys = append(v.keys, key)
				v.vals = append(v.vals, e)
			}
		}
	}
	return nil, &Error{Field: fieldPath, Err: fmt.Errorf("unexpected JSON token %v", tok)}
}

// syntaxError turns a decoder error into an *Error for the whole file.
func syntaxError(dec *json.Decoder, err error) *Error {
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Err: fmt.Errorf("truncated JSON: unexpected end of input at byte %d", dec.InputOffset())}
	case errors.As(err, &se):
		return &Error{Err: fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, se)}
	}
	return &Error{Err: fmt.Errorf("invalid JSON: %v", err)}
}

// readDocument reads data as exactly one JSON object with nothing but
// white space after it.
func readDocument(data []byte) (*jval, *Error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{Err: errors.New("empty file")}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	root, err := readValue(dec, "", 0)
	if err != nil {
		return nil, err
	}
	if root.kind != jObject {
		return nil, &Error{Err: fmt.Errorf("want a JSON object at the top level, got %s", root.kind)}
	}
	off := dec.InputOffset()
	if _, terr := dec.Token(); terr != io.EOF {
		return nil, &Error{Err: fmt.Errorf("trailing data after the JSON object at byte %d", off)}
	}
	return root, nil
}

// decoder turns a JSON tree into a Case, stopping at the first error.
type decoder struct {
	file string
}

func (d *decoder) fail(fieldPath, format string, args ...any) *Error {
	return &Error{File: d.file, Field: fieldPath, Err: fmt.Errorf(format, args...)}
}

// number reads an exact number: a string in the case syntax or the literal
// text of a JSON number.
func (d *decoder) number(v *jval, fieldPath string) (*big.Rat, *Error) {
	switch v.kind {
	case jString:
		r, err := ParseNumber(v.s)
		if err != nil {
			return nil, d.fail(fieldPath, "%q: %v", v.s, err)
		}
		return r, nil
	case jNumber:
		r, err := ParseNumber(v.s)
		if err != nil {
			return nil, d.fail(fieldPath, "%s: %v", v.s, err)
		}
		return r, nil
	}
	return nil, d.fail(fieldPath, "want a number (a string such as \"-3/5\" or \"0.25\", or a JSON number), got %s", v.describe())
}

// vector reads an array of numbers.
func (d *decoder) vector(v *jval, fieldPath string) ([]*big.Rat, *Error) {
	if v.kind != jArray {
		return nil, d.fail(fieldPath, "want an array of numbers, got %s", v.describe())
	}
	out := make([]*big.Rat, len(v.arr))
	for i, e := range v.arr {
		r, err := d.number(e, index(fieldPath, i))
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// matrix reads a non-empty array of rows of equal length; what names the
// row length in messages ("d", "k").
func (d *decoder) matrix(v *jval, fieldPath, what string) ([][]*big.Rat, *Error) {
	if v.kind != jArray {
		return nil, d.fail(fieldPath, "want an array of rows, got %s", v.describe())
	}
	if len(v.arr) == 0 {
		return nil, d.fail(fieldPath, "no samples (n = 0)")
	}
	rows := make([][]*big.Rat, len(v.arr))
	for i, e := range v.arr {
		r, err := d.vector(e, index(fieldPath, i))
		if err != nil {
			return nil, err
		}
		if i > 0 && len(r) != len(rows[0]) {
			return nil, d.fail(index(fieldPath, i), "ragged rows: length %d, but %s[0] has %d (%s = %d)",
				len(r), fieldPath, len(rows[0]), what, len(rows[0]))
		}
		rows[i] = r
	}
	return rows, nil
}

func (d *decoder) str(v *jval, fieldPath string) (string, *Error) {
	if v.kind != jString {
		return "", d.fail(fieldPath, "want a string, got %s", v.describe())
	}
	return v.s, nil
}

func (d *decoder) boolean(v *jval, fieldPath string) (bool, *Error) {
	if v.kind != jBool {
		return false, d.fail(fieldPath, "want true or false, got %s", v.describe())
	}
	return v.b, nil
}

// object checks that v is an object whose keys are all in allowed and
// returns its members by key.
func (d *decoder) object(v *jval, fieldPath string, allowed ...string) (map[string]*jval, *Error) {
	if v.kind != jObject {
		return nil, d.fail(fieldPath, "want an object, got %s", v.describe())
	}
	m := make(map[string]*jval, len(v.keys))
	for i, k := range v.keys {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			return nil, d.fail(field(fieldPath, k), "unknown field %q (allowed: %s)", k, strings.Join(allowed, ", "))
		}
		m[k] = v.vals[i]
	}
	return m, nil
}

// activation reads the "activation" field.
func (d *decoder) activation(v *jval) (verify.Activation, *Error) {
	const f = "activation"
	if v.kind == jObject {
		m, err := d.object(v, f, "pos", "neg")
		if err != nil {
			return verify.Activation{}, err
		}
		var act verify.Activation
		for _, k := range []string{"pos", "neg"} {
			x, ok := m[k]
			if !ok {
				return verify.Activation{}, d.fail(field(f, k), "missing (an activation object needs both \"pos\" and \"neg\")")
			}
			r, err := d.number(x, field(f, k))
			if err != nil {
				return verify.Activation{}, err
			}
			if k == "pos" {
				act.Pos = r
			} else {
				act.Neg = r
			}
		}
		return act, nil
	}
	if v.kind != jString {
		return verify.Activation{}, d.fail(f, "want \"relu\", \"leaky:ALPHA\", \"abs\", \"linear\" or {\"pos\": P, \"neg\": N}, got %s", v.describe())
	}
	if strings.HasPrefix(v.s, "pos:") {
		// The command-line spelling; a case file writes the object form.
		return verify.Activation{}, d.fail(f, "unknown activation %q (in a case file, write {\"pos\": P, \"neg\": N})", v.s)
	}
	act, err := ParseActivation(v.s)
	if err != nil {
		return verify.Activation{}, d.fail(f, "%v", err)
	}
	return act, nil
}

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

// expect reads the "expect" block; m is the width, for range checks.
func (d *decoder) expect(v *jval, m int) (*Expect, *Error) {
	const f = "expect"
	mem, err := d.object(v, f, "verdict", "escape_neurons", "error")
	if err != nil {
		return nil, err
	}
	e := &Expect{}
	if x, ok := mem["error"]; ok {
		b, err := d.boolean(x, field(f, "error"))
		if err != nil {
			return nil, err
		}
		e.Error = b
	}
	if x, ok := mem["verdict"]; ok {
		s, err := d.str(x, field(f, "verdict"))
		if err != nil {
			return nil, err
		}
		k, ok := verify.ParseVerdict(s)
		if !ok {
			return nil, d.fail(field(f, "verdict"), "unknown verdict %q (want not-stationary, saddle, local-min, global-min or undetermined)", s)
		}
		if e.Error {
			return nil, d.fail(field(f, "verdict"), "a file that expects an error cannot expect a verdict")
		}
		e.Verdict = &k
	}
	if x, ok := mem["escape_neurons"]; ok {
		fp := field(f, "escape_neurons")
		if x.kind != jArray {
			return nil, d.fail(fp, "want an array of neuron indices, got %s", x.describe())
		}
		e.Escape = []int{}
		seen := map[int]bool{}
		for i, y := range x.arr {
			ip := index(fp, i)
			if y.kind != jNumber || !digitsOnly(y.s) {
				return nil, d.fail(ip, "want a neuron index (a non-negative JSON integer), got %s", y.describe())
			}
			j, cerr := strconv.Atoi(y.s)
			if cerr != nil || j >= m {
				if m == 0 {
					return nil, d.fail(ip, "neuron %s out of range: the case has no neurons", y.s)
				}
				return nil, d.fail(ip, "neuron %s out of range: the case has %d neurons (indices 0 to %d)", y.s, m, m-1)
			}
			if seen[j] {
				return nil, d.fail(ip, "neuron %d listed twice", j)
			}
			seen[j] = true
			e.Escape = append(e.Escape, j)
		}
		sort.Ints(e.Escape)
	}
	return e, nil
}

// topFields are the keys a case file may have, in the order they are
// decoded and written.
var topFields = []string{"name", "source", "activation", "bias", "inputs", "targets", "neurons", "output_bias", "expect", "float_must_agree"}

// decode turns the tree of a case file into a Case.
func (d *decoder) decode(root *jval) (*Case, *Error) {
	mem, err := d.object(root, "", topFields...)
	if err != nil {
		return nil, err
	}
	c := &Case{File: d.file}
	if x, ok := mem["name"]; ok {
		if c.Name, err = d.str(x, "name"); err != nil {
			return nil, err
		}
		if c.Name == "" {
			return nil, d.fail("name", "empty name")
		}
	} else {
		c.Name = strings.TrimSuffix(path.Base(filepath.ToSlash(d.file)), ".json")
	}
	if x, ok := mem["source"]; ok {
		if c.Source, err = d.str(x, "source"); err != nil {
			return nil, err
		}
	}
	x, ok := mem["activation"]
	if !ok {
		return nil, d.fail("activation", "missing")
	}
	if c.Activation, err = d.activation(x); err != nil {
		return nil, err
	}
	if x, ok := mem["bias"]; ok {
		if c.Bias, err = d.boolean(x, "bias"); err != nil {
			return nil, err
		}
	}
	if x, ok = mem["inputs"]; !ok {
		return nil, d.fail("inputs", "missing")
	}
	if c.Inputs, err = d.matrix(x, "inputs", "d"); err != nil {
		return nil, err
	}
	dim := len(c.Inputs[0])
	if dim == 0 && !c.Bias {
		return nil, d.fail("inputs[0]", "empty row: no input coordinates (d = 0) and no bias")
	}
	if x, ok = mem["targets"]; !ok {
		return nil, d.fail("targets", "missing")
	}
	if c.Targets, err = d.matrix(x, "targets", "k"); err != nil {
		return nil, err
	}
	if len(c.Targets) != len(c.Inputs) {
		return nil, d.fail("targets", "%d rows, but inputs has %d (one target per sample)", len(c.Targets), len(c.Inputs))
	}
	k := len(c.Targets[0])
	if k == 0 {
		return nil, d.fail("targets[0]", "empty row: no outputs (k = 0)")
	}
	dw := dim
	biasNote := ""
	if c.Bias {
		dw++
		biasNote = fmt.Sprintf(": d = %d plus 1 for the bias", dim)
	}
	if x, ok := mem["neurons"]; ok {
		if x.kind != jArray {
			return nil, d.fail("neurons", "want an array of {\"w\": [...], \"a\": [...]}, got %s", x.describe())
		}
		for j, y := range x.arr {
			fp := index("neurons", j)
			nm, err := d.object(y, fp, "w", "a")
			if err != nil {
				return nil, err
			}
			var nr verify.Neuron
			for _, key := range []string{"w", "a"} {
				z, ok := nm[key]
				if !ok {
					return nil, d.fail(field(fp, key), "missing")
				}
				vec, err := d.vector(z, field(fp, key))
				if err != nil {
					return nil, err
				}
				if key == "w" {
					if len(vec) != dw {
						return nil, d.fail(field(fp, key), "length %d, want %d%s", len(vec), dw, biasNote)
					}
					nr.W = vec
				} else {
					if len(vec) != k {
						return nil, d.fail(field(fp, key), "length %d, want k = %d (the length of the targets)", len(vec), k)
					}
					nr.A = vec
				}
			}
			c.Neurons = append(c.Neurons, nr)
		}
	}
	if x, ok := mem["output_bias"]; ok {
		if c.OutputBias, err = d.vector(x, "output_bias"); err != nil {
			return nil, err
		}
		if len(c.OutputBias) != k {
			return nil, d.fail("output_bias", "length %d, want k = %d (the length of the targets)", len(c.OutputBias), k)
		}
	}
	if x, ok := mem["expect"]; ok {
		if c.Expect, err = d.expect(x, len(c.Neurons)); err != nil {
			return nil, err
		}
	}
	if x, ok := mem["float_must_agree"]; ok {
		if c.FloatMustAgree, err = d.boolean(x, "float_must_agree"); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Parse reads a case file. name labels the file in errors and becomes
// Case.File (and Case.Name when the file has no "name"). Every error is an
// *Error naming the file, the field path and the index.
//
// A file whose expect block says "error": true is returned like any other
// when it parses (with Expect.Error set): deciding that this is a failure
// is the caller's business. Use ExpectsError to learn what a rejected file
// expected.
func Parse(name string, data []byte) (c *Case, err error) {
	defer func() {
		// Parsing is written not to panic; this is a last resort so a bug
		// cannot take a command down.
		if r := recover(); r != nil {
			c, err = nil, &Error{File: name, Err: fmt.Errorf("internal error while parsing: %v", r)}
		}
	}()
	root, perr := readDocument(data)
	if perr != nil {
		perr.File = name
		return nil, perr
	}
	dec := &decoder{file: name}
	c, perr = dec.decode(root)
	if perr != nil {
		return nil, perr
	}
	return c, nil
}

// readLimited reads a file of at most MaxFileSize bytes.
func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("file larger than the limit of %d MiB for a case file", MaxFileSize>>20)
	}
	return data, nil
}

// ReadFile reads a case file's bytes with the size limit MaxFileSize, for
// callers that want both the bytes (for ExpectsError) and the case.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	defer f.Close()
	// Refuse an oversized file before reading any of it.
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxFileSize {
		return nil, &Error{File: path, Err: fmt.Errorf("file is %.1f MiB, larger than the limit of %d MiB for a case file", float64(st.Size())/(1<<20), MaxFileSize>>20)}
	}
	data, err := readLimited(f)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	return data, nil
}

// Load reads and parses the case file at path; errors name the path.
func Load(path string) (*Case, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
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
		out = append(out, readEntry(fsys, n, n))
	}
	return out, nil
}

func readEntry(fsys fs.FS, name, label string) Entry {
	e := Entry{File: label}
	f, err := fsys.Open(name)
	if err != nil {
		e.Err = &Error{File: label, Err: err}
		return e
	}
	data, err := readLimited(f)
	f.Close()
	if err != nil {
		e.Err = &Error{File: label, Err: err}
		return e
	}
	e.ExpectsError = ExpectsError(data)
	e.Case, e.Err = Parse(label, data)
	return e
}

// LoadDir parses every *.json file directly in dir (not recursively), in
// file name order. It returns the cases that parsed and one error per file
// that did not, including files that expect to be rejected (use
// ReadEntries to tell those apart). A missing directory is one error.
func LoadDir(dir string) ([]*Case, []error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err == nil {
		_, err = os.Stat(dir)
	}
	if err != nil {
		return nil, []error{&Error{File: dir, Err: err}}
	}
	sort.Strings(names)
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
func ExpectsError(data []byte) (found bool) {
	defer func() {
		if recover() != nil {
			found = false
		}
	}()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// Each frame is an open container: for objects, key holds the key
	// whose value comes next (""), and wantKey whether a key comes next.
	type frame struct {
		obj     bool
		wantKey bool
		key     string
	}
	var stack []frame
	// inExpect reports that the innermost container is the top-level
	// expect object.
	inExpect := func() bool {
		return len(stack) == 2 && stack[0].obj && stack[0].key == "expect" && stack[1].obj
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if len(stack) > 0 && stack[len(stack)-1].obj && stack[len(stack)-1].wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return false
				}
				stack[len(stack)-1].wantKey = stack[len(stack)-1].obj
				continue
			}
			s, _ := tok.(string)
			stack[len(stack)-1].key = s
			stack[len(stack)-1].wantKey = false
			continue
		}
		// tok is a value.
		if b, ok := tok.(bool); ok && b && inExpect() && stack[1].key == "error" {
			return true
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, frame{obj: true, wantKey: true})
				continue
			case '[':
				stack = append(stack, frame{})
				continue
			case ']':
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return false
				}
			}
		}
		if len(stack) == 0 {
			return false // a top-level scalar
		}
		// A value ended: the enclosing object wants a key next.
		stack[len(stack)-1].wantKey = stack[len(stack)-1].obj
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
	vec := func(v []*big.Rat) {
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			str(FormatNumber(x))
		}
		b.WriteByte(']')
	}
	rows := func(key string, m [][]*big.Rat) {
		fmt.Fprintf(&b, ",\n  %q: [", key)
		for i, r := range m {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n    ")
			vec(r)
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
