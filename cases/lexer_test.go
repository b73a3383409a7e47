package cases

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// lexResult is what a tokenizer made of a document: the tokens of the
// first top-level value, then how it ended ("eof": nothing more;
// "trailing": more data after the value; "truncated"; "syntax: MESSAGE").
type lexResult struct {
	tokens []json.Token
	end    string
}

// withDecoder tokenizes data with encoding/json's Decoder (UseNumber), the
// reference.
func withDecoder(data []byte) lexResult {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var r lexResult
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			var se *json.SyntaxError
			switch {
			case err == io.EOF && len(r.tokens) == 0:
				r.end = "eof"
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
				r.end = "truncated"
			case errors.As(err, &se):
				r.end = "syntax: " + se.Error()
			default:
				r.end = "other: " + err.Error()
			}
			return r
		}
		r.tokens = append(r.tokens, tok)
		if d, ok := tok.(json.Delim); ok {
			if d == '[' || d == '{' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			if _, err := dec.Token(); err == io.EOF {
				r.end = "eof"
			} else {
				r.end = "trailing"
			}
			return r
		}
	}
}

// withLexer tokenizes data with the lexer.
func withLexer(data []byte) lexResult {
	l := newLexer(bytes.NewReader(data))
	l.buf = make([]byte, 0, 7) // small: every token crosses refills
	var r lexResult
	for {
		t, err := l.next()
		if err != nil {
			var se *syntaxError
			switch {
			case err == io.EOF:
				r.end = "eof"
			case err == errTrailing:
				r.end = "trailing"
			case errors.Is(err, io.ErrUnexpectedEOF):
				r.end = "truncated"
			case errors.As(err, &se):
				r.end = "syntax: " + se.Error()
			default:
				r.end = "other: " + err.Error()
			}
			return r
		}
		r.tokens = append(r.tokens, t.value())
	}
}

// lexerInputs returns the documents the lexer is compared on: every JSON
// file under testdata and the catalogue, FuzzParse's corpus, hand-written
// edge cases, every prefix of a case file and random mutations of it.
func lexerInputs(t *testing.T) [][]byte {
	var docs [][]byte
	for _, pat := range []string{"testdata/*.json", "testdata/*/*.json", "catalogue/*.json"} {
		files, _ := filepath.Glob(pat)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, data)
		}
	}
	corpus, _ := filepath.Glob("testdata/fuzz/FuzzParse/*")
	for _, f := range corpus {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, lit, _ := strings.Cut(string(data), "[]byte(")
		s, err := strconv.Unquote(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(lit), ")")))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		docs = append(docs, []byte(s))
	}
	if len(corpus) < 100 {
		t.Errorf("only %d fuzz corpus files", len(corpus))
	}
	for _, s := range []string{
		``, ` `, `{`, `}`, `[`, `]`, `[]`, `{}`, `{} `, `{}x`, `{} {}`, `[1]`, `[1 2]`, `[01]`, `[-]`, `[-x]`,
		`[1.]`, `[1.5.2]`, `[1e]`, `[1e+]`, `[1E-7]`, `[-0.0e-0]`, `[.5]`, `[+1]`, `[1,]`, `[,1]`, `[1,,2]`,
		`0`, `-`, `12`, `12 `, `"a"`, `"a`, `"\u00e9\ud83d\ude00"`, `"\uZZZZ"`, `"\x"`, "\"\x01\"", "\"\xff\xfe\"",
		`"é"`, `{"a":1}`, `{"a" 1}`, `{"a":}`, `{"a":1,}`, `{,}`, `{1:2}`, `{"a":1 "b":2}`, `{"a":[1,{"b":null}]}`,
		`true`, `tru`, `trux`, `[true,false,null]`, `nul`, `nulL`, `[NaN]`, `[Infinity]`, `[-Infinity]`,
		"\x00", "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", `[1]]`, `[[[]]]`, `{"a":{"b":{}}}`, "[1\n,\r\t2]",
		`{"inputs": [["1/2", 0.25e1, -3]], "x": "` + strings.Repeat("y", 200) + `"}`,
	} {
		docs = append(docs, []byte(s))
	}
	good, err := os.ReadFile(filepath.Join("testdata", "fig3-origin.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range good {
		docs = append(docs, good[:i])
	}
	rng := rand.New(rand.NewPCG(7, 11))
	const alphabet = "{}[]\",:.-+eE0123456789 \\/tfnulx\x00\xff"
	for range 3000 {
		m := append([]byte{}, good...)
		for range 1 + rng.IntN(3) {
			m[rng.IntN(len(m))] = alphabet[rng.IntN(len(alphabet))]
		}
		docs = append(docs, m)
	}
	return docs
}

// TestLexerAgainstDecoder: the lexer makes the tokens encoding/json's
// Decoder.Token makes, and ends (end of input, trailing data, truncation,
// syntax error with the same message) as it does, on every input of
// lexerInputs.
func TestLexerAgainstDecoder(t *testing.T) {
	bad := 0
	for _, doc := range lexerInputs(t) {
		want, got := withDecoder(doc), withLexer(doc)
		if !reflect.DeepEqual(want, got) {
			if bad++; bad <= 10 {
				t.Errorf("%q:\n lexer   %v %q\n decoder %v %q", doc, got.tokens, got.end, want.tokens, want.end)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d documents differ", bad)
	}
}

// FuzzLexer: on any input the lexer makes the tokens and the end that
// encoding/json's Decoder.Token makes (seeded with lexerInputs' hand-written
// documents and case files).
func FuzzLexer(f *testing.F) {
	for _, pat := range []string{"testdata/*.json", "testdata/bad/*.json"} {
		files, _ := filepath.Glob(pat)
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(`{"a": [01, 1.5.2, "\u00e9", tru]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if want, got := withDecoder(data), withLexer(data); !reflect.DeepEqual(want, got) {
			t.Fatalf("%q:\n lexer   %v %q\n decoder %v %q", data, got.tokens, got.end, want.tokens, want.end)
		}
	})
}
