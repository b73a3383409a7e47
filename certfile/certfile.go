// Package certfile reads and writes certificate files: a verdict of
// relucert with its certificate, bound to the case it is about, so that it
// can be re-checked later, elsewhere, by "relucert recheck" or
// recheck.Recheck (docs/theory.md §11; the format is documented in the
// README, "Certificate files").
//
// A certificate file is one JSON object:
//
//	{
//	  "format": "relucert-certificate",
//	  "format_version": 1,
//	  "case_sha256": "…",          SHA-256 of the canonical case (CaseHash)
//	  "case": { … },               the case file itself (cases.Write)
//	  "verdict": "local-min", …    the fields of recheck.Verdict
//	}
//
// The verdict's fields are recheck.Verdict's JSON encoding (its struct
// tags): exact numbers are strings as big.Rat.RatString writes them. A box
// certificate file (a k ≥ 2 verdict of snap's big-float layer, BoxFile)
// has, after the same header, one field "box": recheck.BoxVerdict's
// encoding, its binary floats written exactly as dyadic rationals. The
// encoding is canonical: Decode re-encodes what it read and rejects a file
// that differs from that (a number written another way, a field the format
// does not have, a null inside a list), so nothing in a file is silently
// read as something else.
package certfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/recheck"
)

// Format is the value of the "format" field.
const Format = "relucert-certificate"

// Version is the format version this package writes and reads.
const Version = 1

// Header is what every certificate file starts with: the format, its
// version, and the case it is about.
type Header struct {
	Format        string          `json:"format"`
	FormatVersion int             `json:"format_version"`
	CaseSHA256    string          `json:"case_sha256"`
	Case          json.RawMessage `json:"case"`
}

// File is a decoded certificate file of a verdict on an exact point.
type File struct {
	Header
	recheck.Verdict
}

// BoxFile is a decoded certificate file of a k ≥ 2 box verdict (snap's
// big-float layer, docs/theory.md §8.2): its one field after the header,
// "box", is recheck.BoxVerdict's JSON encoding. The case carries the data
// (and, as its neurons, the box's center, which RecheckBox does not read:
// the point certified is the exact zero θ* in the box).
type BoxFile struct {
	Header
	Box *recheck.BoxVerdict `json:"box"`
}

// canonicalCase is the canonical form of a case: the fields that define
// the point, in this order, numbers as big.Rat.RatString strings, compact.
type canonicalCase struct {
	Activation struct {
		Pos string `json:"pos"`
		Neg string `json:"neg"`
	} `json:"activation"`
	Bias    bool       `json:"bias"`
	Inputs  [][]string `json:"inputs"`
	Targets [][]string `json:"targets"`
	Neurons []struct {
		W []string `json:"w"`
		A []string `json:"a"`
	} `json:"neurons"`
	OutputBias []string `json:"output_bias"`
}

// texts returns the entries of m as strings in big.Rat.RatString form, row
// by row.
func texts(m *exact.RatMat) [][]string {
	out := make([][]string, m.Rows())
	for i := range out {
		out[i] = make([]string, m.Cols())
		for j := range out[i] {
			out[i][j] = cases.FormatEntry(m, i, j)
		}
	}
	return out
}

func rats(v []*big.Rat) []string {
	if v == nil {
		return nil
	}
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = x.RatString()
	}
	return out
}

// Canonical returns the canonical form of the point a case defines:
// compact JSON of {"activation": {"pos", "neg"}, "bias", "inputs",
// "targets", "neurons": [{"w", "a"}], "output_bias"} in that order, every
// number a string in big.Rat.RatString form, output_bias null when the
// network has none. The name, source, expect block and float_must_agree
// are not part of it: they do not change the point.
func Canonical(c *cases.Case) []byte {
	var cc canonicalCase
	cc.Activation.Pos, cc.Activation.Neg = c.Activation.Pos.RatString(), c.Activation.Neg.RatString()
	cc.Bias = c.Bias
	cc.Inputs, cc.Targets = texts(c.Inputs), texts(c.Targets)
	cc.Neurons = make([]struct {
		W []string `json:"w"`
		A []string `json:"a"`
	}, len(c.Neurons))
	for j, nr := range c.Neurons {
		cc.Neurons[j].W, cc.Neurons[j].A = rats(nr.W), rats(nr.A)
	}
	cc.OutputBias = rats(c.OutputBias)
	b, err := json.Marshal(cc)
	if err != nil {
		panic(err) // strings, bools and slices of them always encode
	}
	return b
}

// CaseHash returns the SHA-256 of Canonical(c) in hexadecimal.
func CaseHash(c *cases.Case) string {
	h := sha256.Sum256(Canonical(c))
	return hex.EncodeToString(h[:])
}

// Encode returns the certificate file of verdict v for case c (indented
// JSON, a final newline).
func Encode(c *cases.Case, v *recheck.Verdict) ([]byte, error) {
	if c == nil || v == nil {
		return nil, errors.New("certfile: nil case or verdict")
	}
	h, err := header(c)
	if err != nil {
		return nil, err
	}
	return encode(c.Name, &File{Header: h, Verdict: *v})
}

// EncodeBox returns the certificate file of the box verdict v for the data
// of case c (indented JSON, a final newline).
func EncodeBox(c *cases.Case, v *recheck.BoxVerdict) ([]byte, error) {
	if c == nil || v == nil || v.Cert == nil {
		return nil, errors.New("certfile: nil case, box verdict or box certificate")
	}
	h, err := header(c)
	if err != nil {
		return nil, err
	}
	return encode(c.Name, &BoxFile{Header: h, Box: v})
}

// header returns the header of a certificate file about case c.
func header(c *cases.Case) (Header, error) {
	cw := *c
	if cw.Name == "" {
		cw.Name = "case"
	}
	caseJSON, err := cases.Write(&cw)
	if err != nil {
		return Header{}, fmt.Errorf("case %s: %w", c.Name, err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, caseJSON); err != nil {
		return Header{}, fmt.Errorf("case %s: %w", c.Name, err)
	}
	return Header{Format: Format, FormatVersion: Version, CaseSHA256: CaseHash(c), Case: compact.Bytes()}, nil
}

func encode(name string, f any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("certificate of case %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// Error is a malformed certificate file: the file, the field (a JSON path
// such as "certificate.stationarity[0].cells[3].mu[1]") and what is wrong.
type Error struct {
	File, Field string
	Err         error
}

func (e *Error) Error() string {
	switch {
	case e.Field != "":
		return fmt.Sprintf("certificate %s: %s: %v", e.File, e.Field, e.Err)
	}
	return fmt.Sprintf("certificate %s: %v", e.File, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// treeLimit bounds the size of a file whose first difference from its
// canonical encoding is located as a JSON path (a decoded tree costs many
// times the file's size); beyond it the byte offset is reported.
const treeLimit = 8 << 20

// IsBox reports whether data is (meant as) a box certificate file: a JSON
// object with a "box" field. Use DecodeBox for those, Decode otherwise.
func IsBox(data []byte) bool {
	var head struct {
		Box json.RawMessage `json:"box"`
	}
	return json.Unmarshal(data, &head) == nil && head.Box != nil
}

// Decode reads a certificate file named name (for messages): the format
// and version, the case hash's form, and the verdict in its canonical
// encoding (compact, the fields in the order and the numbers in the form
// Encode writes; whitespace is free). The embedded case is parsed by
// EmbeddedCase.
func Decode(name string, data []byte) (*File, error) {
	f := new(File)
	if err := decode(name, data, f); err != nil {
		return nil, err
	}
	return f, nil
}

// DecodeBox reads a box certificate file as Decode reads the others.
func DecodeBox(name string, data []byte) (*BoxFile, error) {
	f := new(BoxFile)
	if err := decode(name, data, f); err != nil {
		return nil, err
	}
	if f.Box == nil || f.Box.Cert == nil {
		return nil, &Error{File: name, Field: "box", Err: errors.New("no box verdict with its certificate")}
	}
	return f, nil
}

// decode reads the file into f (a *File or *BoxFile) strictly and
// canonically.
func decode(name string, data []byte, f any) error {
	fail := func(field string, format string, args ...any) error {
		return &Error{File: name, Field: field, Err: fmt.Errorf(format, args...)}
	}
	var head struct {
		Format        any             `json:"format"`
		FormatVersion any             `json:"format_version"`
		CaseSHA256    any             `json:"case_sha256"`
		Case          json.RawMessage `json:"case"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return fail("", "not a JSON object: %v", err)
	}
	if head.Format != Format {
		return fail("format", "want %q, got %v", Format, describe(head.Format))
	}
	if v, ok := head.FormatVersion.(float64); !ok || v != Version {
		return fail("format_version", "this relucert reads version %d, the file has %v", Version, describe(head.FormatVersion))
	}
	if h, ok := head.CaseSHA256.(string); !ok || len(h) != 64 || !isHex(h) {
		return fail("case_sha256", "want 64 lowercase hexadecimal digits, got %v", describe(head.CaseSHA256))
	}
	if len(head.Case) == 0 || head.Case[0] != '{' {
		return fail("case", "want the case object")
	}
	sdec := json.NewDecoder(bytes.NewReader(data))
	sdec.DisallowUnknownFields()
	if err := sdec.Decode(f); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fail(te.Field, "%v", err)
		}
		return fail("", "%v", err)
	}
	if sdec.More() {
		return fail("", "data after the JSON object")
	}
	// Canonical: what was read, encoded again, must be the file.
	var back, in bytes.Buffer
	enc := json.NewEncoder(&back)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return fail("", "%v", err)
	}
	if err := json.Compact(&in, data); err != nil {
		return fail("", "%v", err)
	}
	got, want := in.Bytes(), bytes.TrimRight(back.Bytes(), "\n")
	if !bytes.Equal(got, want) {
		if len(data) <= treeLimit {
			var a, b any
			_ = json.Unmarshal(got, &a)
			_ = json.Unmarshal(want, &b)
			if path, msg := firstDifference("", a, b); msg != "" {
				return fail(path, "%s", msg)
			}
		}
		at := 0
		for at < len(got) && at < len(want) && got[at] == want[at] {
			at++
		}
		return fail("", "not in canonical form from byte %d of its compact form (the fields in the order relucert writes them, numbers as p/q)", at)
	}
	return nil
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// describe names a decoded JSON value for an error message.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		return strconv.Quote(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprint(v)
}

// firstDifference compares the file's tree a with its canonical
// re-encoding b and returns the path of the first difference and what it
// is ("" when they agree; then only the order of fields differs).
func firstDifference(path string, a, b any) (string, string) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return path, fmt.Sprintf("%s where the format has %s", describe(a), describe(b))
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			xv, inX := x[k]
			yv, inY := y[k]
			switch {
			case !inY:
				return join(k), "a field the format does not have"
			case !inX:
				return join(k), "missing"
			}
			if p, msg := firstDifference(join(k), xv, yv); msg != "" {
				return p, msg
			}
		}
		return "", ""
	case []any:
		y, ok := b.([]any)
		if !ok {
			return path, fmt.Sprintf("%s where the format has %s", describe(a), describe(b))
		}
		if len(x) != len(y) {
			return path, fmt.Sprintf("%d entries, read as %d", len(x), len(y))
		}
		for i := range x {
			p := path + "[" + strconv.Itoa(i) + "]"
			if p, msg := firstDifference(p, x[i], y[i]); msg != "" {
				return p, msg
			}
		}
		return "", ""
	}
	if a != b {
		return path, fmt.Sprintf("%s is not in canonical form (read as %s)", describe(a), describe(b))
	}
	return "", ""
}

// EmbeddedCase parses the case the file carries.
func (f *Header) EmbeddedCase(name string) (*cases.Case, error) {
	c, err := cases.Parse(name+" (embedded case)", f.Case)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Mismatch is the error of a certificate that is about another case.
var Mismatch = errors.New("the certificate is about another case")

// Check validates the certificate f for the case c: the case's canonical
// hash must be f's, the case embedded in f must be the same point, and
// recheck.Recheck must accept the verdict for c's point. The error names
// the first fact that fails.
func Check(c *cases.Case, f *File) error {
	if err := f.Header.check(c); err != nil {
		return err
	}
	// Recheck never modifies its point: the case's own numbers, no copy.
	return recheck.Recheck(c.Point(), &f.Verdict)
}

// CheckBox validates the box certificate f for the data of case c as
// Check does, with recheck.RecheckBox. Only c's data count — activation,
// bias column, inputs, targets, and whether there is an output bias — so c
// may be the candidate that snap read: the point certified is θ* in the
// box, and the neurons (and output bias value) compared are the embedded
// case's, the box's center.
func CheckBox(c *cases.Case, f *BoxFile) error {
	emb, err := f.EmbeddedCase("certificate")
	if err != nil {
		return fmt.Errorf("case: %w", err)
	}
	if (c.OutputBias != nil) != (emb.OutputBias != nil) {
		return fmt.Errorf("case: %w: one network has an output bias, the other not", Mismatch)
	}
	data := *c
	data.Neurons, data.OutputBias = emb.Neurons, emb.OutputBias
	if err := f.Header.check(&data); err != nil {
		return err
	}
	return recheck.RecheckBox(data.Point(), f.Box)
}

// check: c's canonical hash is the header's, and so is the embedded case's.
func (f *Header) check(c *cases.Case) error {
	if h := CaseHash(c); h != f.CaseSHA256 {
		return fmt.Errorf("case_sha256: %w: the case hashes to %s, the certificate says %s", Mismatch, h, f.CaseSHA256)
	}
	emb, err := f.EmbeddedCase("certificate")
	if err != nil {
		return fmt.Errorf("case: %w", err)
	}
	if h := CaseHash(emb); h != f.CaseSHA256 {
		return fmt.Errorf("case: %w: the embedded case hashes to %s, the certificate says %s", Mismatch, h, f.CaseSHA256)
	}
	return nil
}
