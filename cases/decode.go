package cases

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// decoder reads one case file token by token and checks every field as it
// is read, so that memory stays proportional to the numbers kept (never a
// tree of the whole document) and a bad file is refused at its first bad
// value. The checks that need two fields (a neuron's w against d and the
// bias, targets against inputs, the escape neurons against m) run when the
// document is complete, in the order of the case format's fields (README "Case files").
type decoder struct {
	lex  *lexer
	file string
	lim  Limits
	// values counts the numbers, rows and neurons read (Limits.MaxValues).
	values int
	rats   ratSlab
	dens   map[string]*denominator
	// lastGroup is dens[lastName], the group of the last float64 read.
	lastGroup *denominator
	lastName  string
	c         *Case
	// seen records the top-level keys read.
	seen map[string]bool
	// escape holds expect.escape_neurons as read, for the range check.
	escape []int
	// shared maps short decimals already read (as num, den) to their
	// rational, which later occurrences share (Case's numbers are
	// read-only).
	shared map[[2]int64]*big.Rat
}

// maxShared bounds the distinct short decimals shared.
const maxShared = 1 << 16

// fail returns an *Error for fieldPath of the file.
func (d *decoder) fail(fieldPath, format string, args ...any) *Error {
	return &Error{File: d.file, Field: fieldPath, Err: fmt.Errorf(format, args...)}
}

// field joins a parent path and an object key.
func field(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// index joins a parent path and an array index.
func index(parent string, i int) string { return parent + "[" + strconv.Itoa(i) + "]" }

// token reads the next token; the end of the input or bad JSON is an
// error of the whole file.
func (d *decoder) token() (json.Token, *Error) {
	t, err := d.next()
	if err != nil {
		return nil, err
	}
	return t.value(), nil
}

// next is token without the conversion to json.Token: a number's or a
// string's text is a view of the lexer's buffer, valid until the next call.
func (d *decoder) next() (token, *Error) {
	t, err := d.lex.next()
	if err != nil {
		return token{}, d.lexError(err)
	}
	return t, nil
}

// lexError formats an error of the lexer as an error of the whole file.
func (d *decoder) lexError(err error) *Error {
	var se *syntaxError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		err = fmt.Errorf("truncated JSON: unexpected end of input at byte %d", d.lex.offset())
	case errors.As(err, &se):
		err = fmt.Errorf("invalid JSON at byte %d: %v", se.off, se)
	case errors.Is(err, errTooLarge):
		err = d.lim.tooLarge(d.lim.FileSize() + 1)
	default:
		err = fmt.Errorf("invalid JSON: %v", err)
	}
	return &Error{File: d.file, Err: err}
}

// describe names a token for an error message: a quoted string (shortened
// when long), a number's text, true, false, null, "an array", "an object".
func describe(tok json.Token) string {
	const maxShown = 64
	switch t := tok.(type) {
	case string:
		if len(t) > maxShown {
			return strconv.Quote(t[:maxShown]) + fmt.Sprintf("… (%d bytes)", len(t))
		}
		return strconv.Quote(t)
	case json.Number:
		if len(t) > maxShown {
			return string(t[:maxShown]) + fmt.Sprintf("… (%d bytes)", len(t))
		}
		return string(t)
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return "null"
	case json.Delim:
		switch t {
		case '[':
			return "an array"
		case '{':
			return "an object"
		}
	}
	return fmt.Sprint(tok)
}

func isDelim(tok json.Token, c byte) bool {
	d, ok := tok.(json.Delim)
	return ok && byte(d) == c
}

// count adds one value (a number, a row, a neuron) and enforces
// Limits.MaxValues.
func (d *decoder) count(fieldPath string) *Error { return d.countAt(fieldPath, -1) }

// countAt is count for the value at parent[i] (at parent itself when
// i < 0); the path is formed only for an error.
func (d *decoder) countAt(parent string, i int) *Error {
	d.values++
	if d.values <= d.lim.MaxValues && (d.values&4095 != 0 || d.lim.Deadline.IsZero()) {
		return nil
	}
	fieldPath := parent
	if i >= 0 {
		fieldPath = index(parent, i)
	}
	if d.values > d.lim.MaxValues {
		return d.fail(fieldPath, "more than %d values (numbers, rows and neurons) in one case file (--max-values raises the limit)", d.lim.MaxValues)
	}
	if !time.Now().Before(d.lim.Deadline) {
		return &Error{File: d.file, Field: fieldPath, Err: fmt.Errorf("time budget exceeded while reading the case file: %w", exact.ErrBudget)}
	}
	return nil
}

// object reads an object whose opening token is tok. Every key must be in
// allowed and appear once; member reads the value of each key.
func (d *decoder) object(tok json.Token, fieldPath string, allowed []string, member func(key string) *Error) *Error {
	if !isDelim(tok, '{') {
		return d.fail(fieldPath, "want an object, got %s", describe(tok))
	}
	var seen []string
	for {
		t, err := d.token()
		if err != nil {
			return err
		}
		if isDelim(t, '}') {
			return nil
		}
		key, _ := t.(string) // the decoder guarantees a string key
		if slices.Contains(seen, key) {
			return d.fail(field(fieldPath, key), "duplicate key %q", key)
		}
		if !slices.Contains(allowed, key) {
			return d.fail(field(fieldPath, key), "unknown field %q (allowed: %s)", key, strings.Join(allowed, ", "))
		}
		seen = append(seen, key)
		if err := member(key); err != nil {
			return err
		}
	}
}

// number reads an exact number from tok: a string in the case syntax or
// the literal text of a JSON number. group names the common denominator
// the number joins ("inputs", "neurons.w", …) for Limits.MaxBits.
func (d *decoder) number(tok json.Token, fieldPath, group string) (*big.Rat, *Error) {
	var s string
	switch t := tok.(type) {
	case string:
		s = t
	case json.Number:
		s = string(t)
	default:
		return nil, d.fail(fieldPath, "want a number (a string such as \"-3/5\" or \"0.25\", or a JSON number), got %s", describe(tok))
	}
	if err := d.count(fieldPath); err != nil {
		return nil, err
	}
	num, den, short := shortDecimal(s)
	if short {
		if r := d.shared[[2]int64{num, den}]; r != nil {
			return r, nil
		}
	}
	r := d.rats.next()
	if short {
		r.SetFrac64(num, den)
		if len(d.shared) < maxShared {
			if d.shared == nil {
				d.shared = map[[2]int64]*big.Rat{}
			}
			d.shared[[2]int64{num, den}] = r
		}
		return r, d.bits(r, fieldPath, group) // the first occurrence joins the common denominator
	}
	if err := setNumber(r, s); err != nil {
		return nil, d.fail(fieldPath, "%s: %v", describe(tok), err)
	}
	if err := d.bits(r, fieldPath, group); err != nil {
		return nil, err
	}
	return r, nil
}

// vector reads an array of numbers whose opening token is tok.
func (d *decoder) vector(tok json.Token, fieldPath, group string) ([]*big.Rat, *Error) {
	if !isDelim(tok, '[') {
		return nil, d.fail(fieldPath, "want an array of numbers, got %s", describe(tok))
	}
	var v []*big.Rat
	for n := 0; ; n++ {
		t, err := d.token()
		if err != nil {
			return nil, err
		}
		if isDelim(t, ']') {
			return slices.Clip(v), nil
		}
		r, err := d.number(t, index(fieldPath, n), group)
		if err != nil {
			return nil, err
		}
		v = append(v, r)
	}
}

// matrix reads a non-empty array of rows of equal length whose opening
// token is tok into a compact matrix; what names the row length in
// messages ("d", "k").
func (d *decoder) matrix(tok json.Token, fieldPath, what string) (*exact.RatMat, *Error) {
	if !isDelim(tok, '[') {
		return nil, d.fail(fieldPath, "want an array of rows, got %s", describe(tok))
	}
	var b matrixBuilder
	width := -1
	for i := 0; ; i++ {
		t, err := d.token()
		if err != nil {
			return nil, err
		}
		if isDelim(t, ']') {
			if i == 0 {
				return nil, d.fail(fieldPath, "no samples (n = 0)")
			}
			return b.matrix(i, width), nil
		}
		fp := index(fieldPath, i)
		if err := d.count(fp); err != nil {
			return nil, err
		}
		n, err := d.row(t, fp, fieldPath, width, &b)
		if err != nil {
			return nil, err
		}
		if width < 0 {
			width = n
		} else if n != width {
			return nil, d.fail(fp, "ragged rows: length %d, but %s[0] has %d (%s = %d)", n, fieldPath, width, what, width)
		}
	}
}

// row reads one row of a data matrix whose opening token is tok into b
// and returns its length. When width ≥ 0 is known the numbers beyond it are
// read and checked but not kept (the caller reports the length).
func (d *decoder) row(tok json.Token, fieldPath, group string, width int, b *matrixBuilder) (int, *Error) {
	if !isDelim(tok, '[') {
		return 0, d.fail(fieldPath, "want an array of numbers, got %s", describe(tok))
	}
	for n := 0; ; n++ {
		t, err := d.next()
		if err != nil {
			return 0, err
		}
		if t.is(']') {
			return n, nil
		}
		keep := width < 0 || n < width
		if err := d.dataNumber(t, fieldPath, n, group, b, keep); err != nil {
			return 0, err
		}
	}
}

// dataNumber reads entry j of the row at rowPath, as number does, into b
// (when keep is set): a literal whose value is exactly a float64 in one of
// the forms fastDyadic reads is stored as that float64 without a big.Rat;
// any other is read exactly by number.
func (d *decoder) dataNumber(t token, rowPath string, j int, group string, b *matrixBuilder, keep bool) *Error {
	s := t.text
	if t.kind != tokenString && t.kind != tokenNumber {
		s = nil
	}
	if x, ok := fastDyadic(s); ok {
		if v, ok := x.float(); ok {
			if err := d.countAt(rowPath, j); err != nil {
				return err
			}
			if err := d.dyadicBits(x, rowPath, j, group); err != nil {
				return err
			}
			if keep {
				b.addFloat(v)
			}
			return nil
		}
	}
	r, err := d.number(t.value(), index(rowPath, j), group)
	if err != nil {
		return err
	}
	if keep {
		b.addRat(r)
	}
	return nil
}

func (d *decoder) str(fieldPath string) (string, *Error) {
	t, err := d.token()
	if err != nil {
		return "", err
	}
	s, ok := t.(string)
	if !ok {
		return "", d.fail(fieldPath, "want a string, got %s", describe(t))
	}
	return s, nil
}

func (d *decoder) boolean(fieldPath string) (bool, *Error) {
	t, err := d.token()
	if err != nil {
		return false, err
	}
	b, ok := t.(bool)
	if !ok {
		return false, d.fail(fieldPath, "want true or false, got %s", describe(t))
	}
	return b, nil
}

// activation reads the "activation" field.
func (d *decoder) activation() (verify.Activation, *Error) {
	const f = "activation"
	tok, err := d.token()
	if err != nil {
		return verify.Activation{}, err
	}
	if isDelim(tok, '{') {
		var act verify.Activation
		err := d.object(tok, f, []string{"pos", "neg"}, func(key string) *Error {
			t, err := d.token()
			if err != nil {
				return err
			}
			r, err := d.number(t, field(f, key), f)
			if key == "pos" {
				act.Pos = r
			} else {
				act.Neg = r
			}
			return err
		})
		if err != nil {
			return verify.Activation{}, err
		}
		for _, m := range []struct {
			key string
			r   *big.Rat
		}{{"pos", act.Pos}, {"neg", act.Neg}} {
			if m.r == nil {
				return verify.Activation{}, d.fail(field(f, m.key), "missing (an activation object needs both \"pos\" and \"neg\")")
			}
		}
		return act, nil
	}
	s, ok := tok.(string)
	if !ok {
		return verify.Activation{}, d.fail(f, "want \"relu\", \"leaky:ALPHA\", \"abs\", \"linear\" or {\"pos\": P, \"neg\": N}, got %s", describe(tok))
	}
	if strings.HasPrefix(s, "pos:") {
		// The command-line spelling; a case file writes the object form.
		return verify.Activation{}, d.fail(f, "unknown activation %q (in a case file, write {\"pos\": P, \"neg\": N})", s)
	}
	act, perr := ParseActivation(s)
	if perr != nil {
		return verify.Activation{}, d.fail(f, "%v", perr)
	}
	if err := d.bits(act.Neg, f, f); err != nil {
		return verify.Activation{}, err
	}
	return act, nil
}

// neurons reads the "neurons" array; the lengths of w and a are checked
// when the document is complete.
func (d *decoder) neurons() *Error {
	tok, err := d.token()
	if err != nil {
		return err
	}
	if !isDelim(tok, '[') {
		return d.fail("neurons", "want an array of {\"w\": [...], \"a\": [...]}, got %s", describe(tok))
	}
	for j := 0; ; j++ {
		t, err := d.token()
		if err != nil {
			return err
		}
		if isDelim(t, ']') {
			d.c.Neurons = slices.Clip(d.c.Neurons)
			return nil
		}
		fp := index("neurons", j)
		if err := d.count(fp); err != nil {
			return err
		}
		var nr verify.Neuron
		err = d.object(t, fp, []string{"w", "a"}, func(key string) *Error {
			t, err := d.token()
			if err != nil {
				return err
			}
			v, err := d.vector(t, field(fp, key), "neurons."+key)
			if key == "w" {
				nr.W = v
			} else {
				nr.A = v
			}
			return err
		})
		if err != nil {
			return err
		}
		if nr.W == nil {
			return d.fail(field(fp, "w"), "missing")
		}
		if nr.A == nil {
			return d.fail(field(fp, "a"), "missing")
		}
		d.c.Neurons = append(d.c.Neurons, nr)
	}
}

// expect reads the "expect" block; the escape neurons are checked against
// m when the document is complete.
func (d *decoder) expect() (*Expect, *Error) {
	const f = "expect"
	tok, err := d.token()
	if err != nil {
		return nil, err
	}
	e := &Expect{}
	var verdict string
	haveVerdict := false
	err = d.object(tok, f, []string{"verdict", "escape_neurons", "error"}, func(key string) *Error {
		fp := field(f, key)
		var err *Error
		switch key {
		case "error":
			e.Error, err = d.boolean(fp)
		case "verdict":
			verdict, err = d.str(fp)
			haveVerdict = err == nil
		case "escape_neurons":
			err = d.escapeNeurons(fp)
			e.Escape = []int{}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if haveVerdict {
		k, ok := verify.ParseVerdict(verdict)
		if !ok {
			return nil, d.fail(field(f, "verdict"), "unknown verdict %q (want not-stationary, saddle, local-min, global-min or undetermined)", verdict)
		}
		if e.Error {
			return nil, d.fail(field(f, "verdict"), "a file that expects an error cannot expect a verdict")
		}
		e.Verdict = &k
	}
	return e, nil
}

// escapeNeurons reads expect.escape_neurons into d.escape: non-negative
// integers, no duplicates; the range is checked at the end.
func (d *decoder) escapeNeurons(fp string) *Error {
	tok, err := d.token()
	if err != nil {
		return err
	}
	if !isDelim(tok, '[') {
		return d.fail(fp, "want an array of neuron indices, got %s", describe(tok))
	}
	seen := map[int]bool{}
	for i := 0; ; i++ {
		t, err := d.token()
		if err != nil {
			return err
		}
		if isDelim(t, ']') {
			return nil
		}
		ip := index(fp, i)
		if err := d.count(ip); err != nil {
			return err
		}
		num, ok := t.(json.Number)
		if !ok || !digitsOnly(string(num)) {
			return d.fail(ip, "want a neuron index (a non-negative JSON integer), got %s", describe(t))
		}
		j, cerr := strconv.Atoi(string(num))
		if cerr != nil {
			j = -1 // out of range whatever m is
		}
		if j >= 0 && seen[j] {
			return d.fail(ip, "neuron %d listed twice", j)
		}
		seen[j] = true
		d.escape = append(d.escape, j)
	}
}

// topFields are the keys a case file may have, in the order they are
// written and their cross-checks run.
var topFields = []string{"name", "source", "activation", "bias", "inputs", "targets", "neurons", "output_bias", "expect", "float_must_agree"}

// member reads the value of the top-level key.
func (d *decoder) member(key string) *Error {
	c := d.c
	var err *Error
	switch key {
	case "name":
		if c.Name, err = d.str("name"); err == nil && c.Name == "" {
			err = d.fail("name", "empty name")
		}
	case "source":
		c.Source, err = d.str("source")
	case "activation":
		c.Activation, err = d.activation()
	case "bias":
		c.Bias, err = d.boolean("bias")
	case "inputs", "targets":
		var tok json.Token
		if tok, err = d.token(); err != nil {
			return err
		}
		what := map[string]string{"inputs": "d", "targets": "k"}[key]
		m, err := d.matrix(tok, key, what)
		if err != nil {
			return err
		}
		if key == "inputs" {
			c.Inputs = m
		} else {
			c.Targets = m
		}
	case "neurons":
		err = d.neurons()
	case "output_bias":
		var tok json.Token
		if tok, err = d.token(); err != nil {
			return err
		}
		c.OutputBias, err = d.vector(tok, "output_bias", "output_bias")
	case "expect":
		c.Expect, err = d.expect()
	case "float_must_agree":
		c.FloatMustAgree, err = d.boolean("float_must_agree")
	}
	return err
}

// finish runs the checks that need the whole document, in the order of
// topFields.
func (d *decoder) finish() *Error {
	c := d.c
	if !d.seen["name"] {
		c.Name = strings.TrimSuffix(path.Base(filepath.ToSlash(d.file)), ".json")
	}
	if !d.seen["activation"] {
		return d.fail("activation", "missing")
	}
	if !d.seen["inputs"] {
		return d.fail("inputs", "missing")
	}
	dim := c.Inputs.Cols()
	if dim == 0 && !c.Bias {
		return d.fail("inputs[0]", "empty row: no input coordinates (d = 0) and no bias")
	}
	if !d.seen["targets"] {
		return d.fail("targets", "missing")
	}
	if c.Targets.Rows() != c.Inputs.Rows() {
		return d.fail("targets", "%d rows, but inputs has %d (one target per sample)", c.Targets.Rows(), c.Inputs.Rows())
	}
	k := c.Targets.Cols()
	if k == 0 {
		return d.fail("targets[0]", "empty row: no outputs (k = 0)")
	}
	dw, biasNote := dim, ""
	if c.Bias {
		dw++
		biasNote = fmt.Sprintf(": d = %d plus 1 for the bias", dim)
	}
	for j, nr := range c.Neurons {
		fp := index("neurons", j)
		if len(nr.W) != dw {
			return d.fail(field(fp, "w"), "length %d, want %d%s", len(nr.W), dw, biasNote)
		}
		if len(nr.A) != k {
			return d.fail(field(fp, "a"), "length %d, want k = %d (the length of the targets)", len(nr.A), k)
		}
	}
	if c.OutputBias != nil && len(c.OutputBias) != k {
		return d.fail("output_bias", "length %d, want k = %d (the length of the targets)", len(c.OutputBias), k)
	}
	if c.Expect != nil && c.Expect.Escape != nil {
		m := len(c.Neurons)
		for i, j := range d.escape {
			if j < 0 || j >= m {
				ip := index("expect.escape_neurons", i)
				what := "neuron index"
				if j >= 0 {
					what = fmt.Sprintf("neuron %d", j)
				}
				if m == 0 {
					return d.fail(ip, "%s out of range: the case has no neurons", what)
				}
				return d.fail(ip, "%s out of range: the case has %d neurons (indices 0 to %d)", what, m, m-1)
			}
		}
		c.Expect.Escape = append([]int{}, d.escape...)
		slices.Sort(c.Expect.Escape)
	}
	return nil
}

// document reads the whole case file.
func (d *decoder) document() *Error {
	t, err := d.lex.next()
	if errors.Is(err, io.EOF) {
		return &Error{File: d.file, Err: errors.New("empty file")}
	}
	if err != nil {
		return d.lexError(err)
	}
	tok := t.value()
	if !isDelim(tok, '{') {
		kind := describe(tok)
		switch tok.(type) {
		case string:
			kind = "a string"
		case json.Number:
			kind = "a number"
		case bool:
			kind = "a boolean"
		}
		return &Error{File: d.file, Err: fmt.Errorf("want a JSON object at the top level, got %s", kind)}
	}
	d.seen = map[string]bool{}
	perr := d.object(tok, "", topFields, func(key string) *Error {
		d.seen[key] = true
		return d.member(key)
	})
	if perr != nil {
		return perr
	}
	off := d.lex.offset()
	if _, err := d.lex.next(); err != io.EOF {
		return &Error{File: d.file, Err: fmt.Errorf("trailing data after the JSON object at byte %d", off)}
	}
	return d.finish()
}

// Decode reads a case file from r, token by token, within the limits lim
// (zero fields: the defaults), checking every field as it is read. name
// labels the file in errors and becomes Case.File (and Case.Name when the
// file has none). Every error is an *Error naming the file, the field path
// and the index. The data are read into exact.RatMats: a number whose
// value is exactly a float64 costs 8 bytes (and is read without big
// integers in the forms float-derived data are written in: "p/q" with q a
// power of two, integers, decimals such as "0.5"), any other about 100
// bytes as a big.Rat; nothing else of the document is held but the
// longest single JSON token.
func Decode(name string, r io.Reader, lim Limits) (c *Case, err error) {
	defer func() {
		// Decoding is written not to panic; this is a last resort so a bug
		// cannot take a command down.
		if rec := recover(); rec != nil {
			c, err = nil, &Error{File: name, Err: fmt.Errorf("internal error while parsing: %v", rec)}
		}
	}()
	lim = lim.resolved()
	lex := newLexer(&limitedReader{r: r, left: lim.FileSize()})
	d := &decoder{lex: lex, file: name, lim: lim, c: &Case{File: name}}
	if perr := d.document(); perr != nil {
		return nil, perr
	}
	return d.c, nil
}

// errTooLarge is returned by limitedReader past its limit.
var errTooLarge = errors.New("case file too large")

// limitedReader reads from r and fails with errTooLarge after more than
// left bytes.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errTooLarge
	}
	return n, err
}

// ratSlab hands out rationals from large blocks, so that a million numbers
// are a few allocations rather than a million.
type ratSlab struct{ buf []big.Rat }

func (s *ratSlab) next() *big.Rat {
	if len(s.buf) == 0 {
		s.buf = make([]big.Rat, 1024)
	}
	r := &s.buf[0]
	s.buf = s.buf[1:]
	return r
}

// denominator is the running common denominator of a group of numbers:
// lcm·2^shift's odd part and power of two, kept as the lcm of the
// denominators read exactly (lcm) and the largest power of two 2^shift of
// the numbers read as float64s (dyadicBits), whose least common multiple
// is the group's.
type denominator struct {
	lcm      big.Int
	gcd, rem big.Int
	shift    int
}

// group returns the running common denominator of group.
func (d *decoder) group(group string) *denominator {
	if d.dens == nil {
		d.dens = map[string]*denominator{}
	}
	g := d.dens[group]
	if g == nil {
		g = &denominator{}
		g.lcm.SetInt64(1)
		d.dens[group] = g
	}
	return g
}

// bitLen returns the bit length of lcm(g.lcm, 2^g.shift).
func (g *denominator) bitLen() int {
	return g.lcm.BitLen() + max(0, g.shift-int(g.lcm.TrailingZeroBits()))
}

// groupBits enforces Limits.MaxBits on the common denominator of g after
// the number at fieldPath joined it.
func (d *decoder) groupBits(g *denominator, fieldPath, group string) *Error {
	if b := g.bitLen(); b > d.lim.MaxBits {
		return d.fail(fieldPath, "the common denominator of %s reaches %d bits, more than the limit of %d bits (--max-bits raises it)", groupName(group), b, d.lim.MaxBits)
	}
	return nil
}

// bits enforces Limits.MaxBits on r and on the common denominator of its
// group.
func (d *decoder) bits(r *big.Rat, fieldPath, group string) *Error {
	max := d.lim.MaxBits
	if b := r.Num().BitLen(); b > max {
		return d.fail(fieldPath, "numerator of %d bits, more than the limit of %d bits (--max-bits raises it)", b, max)
	}
	den := r.Denom()
	if b := den.BitLen(); b > max {
		return d.fail(fieldPath, "denominator of %d bits, more than the limit of %d bits (--max-bits raises it)", b, max)
	}
	if r.IsInt() {
		return nil
	}
	g := d.group(group)
	if g.rem.Rem(&g.lcm, den).Sign() == 0 {
		return nil // den divides the common denominator: the usual case
	}
	g.gcd.GCD(nil, nil, &g.lcm, den)
	g.lcm.Mul(&g.lcm, g.rem.Quo(den, &g.gcd))
	return d.groupBits(g, fieldPath, group)
}

// dyadicBits is bits for the number x read as a float64, entry j of the
// row at rowPath: its denominator is 2^max(0, −e).
func (d *decoder) dyadicBits(x dyadic, rowPath string, j int, group string) *Error {
	max := d.lim.MaxBits
	if b := x.numBits(); b > max {
		return d.fail(index(rowPath, j), "numerator of %d bits, more than the limit of %d bits (--max-bits raises it)", b, max)
	}
	if b := x.denBits(); b > max {
		return d.fail(index(rowPath, j), "denominator of %d bits, more than the limit of %d bits (--max-bits raises it)", b, max)
	}
	if x.e >= 0 {
		return nil
	}
	if g := d.lastGroup; g != nil && d.lastName == group && -x.e <= g.shift {
		return nil // the usual case: no new power of two
	}
	g := d.group(group)
	d.lastGroup, d.lastName = g, group
	if -x.e <= g.shift {
		return nil
	}
	g.shift = -x.e
	return d.groupBits(g, index(rowPath, j), group)
}

// groupName names a group of numbers in messages.
func groupName(group string) string {
	switch group {
	case "neurons.w":
		return "the neurons' w"
	case "neurons.a":
		return "the neurons' a"
	}
	return group
}
