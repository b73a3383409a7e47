package cases

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// This file reads the tokens of a JSON document from a stream, as
// encoding/json's Decoder.Token does — the same grammar, the same tokens,
// strings unquoted by encoding/json itself — without allocating for a
// number or a plain string: a token's text is a view of the read buffer.
// A case file of a million numbers is read at a small fraction of a
// microsecond per number, where Decoder.Token takes over one.

// tokenKind is the kind of a JSON token.
type tokenKind uint8

const (
	tokenDelim  tokenKind = iota + 1 // [ ] { }
	tokenString                      // text: the unquoted string
	tokenNumber                      // text: the number's literal text
	tokenBool
	tokenNull
)

// token is one JSON token. text is valid until the next call of next.
type token struct {
	kind  tokenKind
	delim byte
	text  []byte
	b     bool
}

// value returns t as encoding/json's Decoder.Token would: json.Delim,
// string, json.Number, bool or nil.
func (t token) value() json.Token {
	switch t.kind {
	case tokenDelim:
		return json.Delim(t.delim)
	case tokenString:
		return string(t.text)
	case tokenNumber:
		return json.Number(string(t.text))
	case tokenBool:
		return t.b
	}
	return nil
}

// is reports whether t is the delimiter c.
func (t token) is(c byte) bool { return t.kind == tokenDelim && t.delim == c }

// lexState is what the grammar allows next.
type lexState uint8

const (
	lexValue       lexState = iota // a value
	lexArrayStart                  // a value or ']'
	lexArrayComma                  // ',' or ']'
	lexObjectStart                 // a key or '}'
	lexObjectKey                   // a key
	lexObjectColon                 // ':'
	lexObjectComma                 // ',' or '}'
	lexEnd                         // the top-level value is complete
)

// syntaxError is a JSON syntax error after off bytes of input.
type syntaxError struct {
	msg string
	off int64
}

func (e *syntaxError) Error() string { return e.msg }

// errTrailing is next's error for data after the top-level value.
var errTrailing = errors.New("data after the top-level value")

// lexer reads JSON tokens from r.
type lexer struct {
	r   io.Reader
	buf []byte
	// pos is the first unread byte of buf, which starts at input offset off.
	pos   int
	off   int64
	rerr  error // the reader's error, once returned
	err   error // the lexer's error: every later call returns it
	state lexState
	stack []byte // the open containers, '[' or '{'
	// started reports that a token was read (EOF before is io.EOF).
	started bool
}

func newLexer(r io.Reader) *lexer {
	return &lexer{r: r, buf: make([]byte, 0, 64<<10)}
}

// offset returns the input offset of the next unread byte.
func (l *lexer) offset() int64 { return l.off + int64(l.pos) }

// fill reads more input, keeping buf[l.pos:]; false at the end of the input
// or on a read error (l.rerr).
func (l *lexer) fill() bool {
	if l.rerr != nil {
		return false
	}
	if l.pos > 0 {
		n := copy(l.buf, l.buf[l.pos:])
		l.off += int64(l.pos)
		l.buf, l.pos = l.buf[:n], 0
	}
	if len(l.buf) == cap(l.buf) {
		l.buf = append(l.buf, make([]byte, cap(l.buf))...)[:len(l.buf)]
	}
	for {
		n, err := l.r.Read(l.buf[len(l.buf):cap(l.buf)])
		l.buf = l.buf[:len(l.buf)+n]
		if err != nil {
			l.rerr = err
			return n > 0 && !errors.Is(err, errTooLarge)
		}
		if n > 0 {
			return true
		}
	}
}

// eof returns the error for input that ends (or fails) where more is
// needed.
func (l *lexer) eof() error {
	if l.rerr != nil && l.rerr != io.EOF {
		return l.rerr
	}
	return io.ErrUnexpectedEOF
}

// fail records a syntax error at the byte at buf[at].
func (l *lexer) fail(at int, format string, args ...any) error {
	l.err = &syntaxError{msg: fmt.Sprintf(format, args...), off: l.off + int64(at) + 1}
	return l.err
}

// quoteChar formats c as encoding/json does in its messages.
func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := fmt.Sprintf("%q", string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

// skipSpace skips JSON white space; false at the end of the input.
func (l *lexer) skipSpace() bool {
	for {
		for l.pos < len(l.buf) {
			switch l.buf[l.pos] {
			case ' ', '\t', '\n', '\r':
				l.pos++
			default:
				return true
			}
		}
		if !l.fill() {
			return false
		}
	}
}

// next returns the next token: io.EOF when the input ends after the
// top-level value (or holds none), errTrailing for more data after it,
// io.ErrUnexpectedEOF when it ends inside, *syntaxError for bad JSON, or
// the reader's error.
func (l *lexer) next() (token, error) {
	if l.err != nil {
		return token{}, l.err
	}
	t, err := l.scan()
	if err != nil && l.err == nil {
		l.err = err
	}
	return t, err
}

func (l *lexer) scan() (token, error) {
	for {
		if !l.skipSpace() {
			if l.rerr != io.EOF {
				return token{}, l.eof()
			}
			if l.state == lexEnd || !l.started {
				return token{}, io.EOF
			}
			return token{}, l.eof()
		}
		c := l.buf[l.pos]
		switch l.state {
		case lexEnd:
			return token{}, errTrailing
		case lexObjectColon:
			if c != ':' {
				return token{}, l.fail(l.pos, "invalid character %s after object key", quoteChar(c))
			}
			l.pos++
			l.state = lexValue
			continue
		case lexArrayComma, lexObjectComma:
			closer, where := byte(']'), "after array element"
			if l.state == lexObjectComma {
				closer, where = '}', "after object key:value pair"
			}
			switch c {
			case ',':
				l.pos++
				l.state = lexValue
				if closer == '}' {
					l.state = lexObjectKey
				}
				continue
			case closer:
				l.pos++
				return l.closed(closer), nil
			}
			return token{}, l.fail(l.pos, "invalid character %s %s", quoteChar(c), where)
		case lexObjectStart, lexObjectKey:
			if c == '}' && l.state == lexObjectStart {
				l.pos++
				return l.closed('}'), nil
			}
			if c != '"' {
				where := " looking for beginning of object key string"
				if l.state == lexObjectStart {
					where = "" // encoding/json says no more there
				}
				return token{}, l.fail(l.pos, "invalid character %s%s", quoteChar(c), where)
			}
			t, err := l.str()
			if err != nil {
				return token{}, err
			}
			l.state = lexObjectColon
			return t, nil
		}
		// A value (lexValue, lexArrayStart).
		l.started = true
		switch {
		case c == ']' && l.state == lexArrayStart:
			l.pos++
			return l.closed(']'), nil
		case c == '[' || c == '{':
			l.pos++
			l.stack = append(l.stack, c)
			l.state = lexArrayStart
			if c == '{' {
				l.state = lexObjectStart
			}
			return token{kind: tokenDelim, delim: c}, nil
		}
		var t token
		var err error
		switch {
		case c == '"':
			t, err = l.str()
		case c == '-' || c >= '0' && c <= '9':
			t, err = l.number()
		case c == 't' || c == 'f' || c == 'n':
			t, err = l.literal()
		default:
			return token{}, l.fail(l.pos, "invalid character %s looking for beginning of value", quoteChar(c))
		}
		if err != nil {
			return token{}, err
		}
		l.valueDone()
		return t, nil
	}
}

// closed pops the container that c closes and returns its token.
func (l *lexer) closed(c byte) token {
	l.stack = l.stack[:len(l.stack)-1]
	l.valueDone()
	return token{kind: tokenDelim, delim: c}
}

// valueDone sets the state after a complete value.
func (l *lexer) valueDone() {
	switch {
	case len(l.stack) == 0:
		l.state = lexEnd
	case l.stack[len(l.stack)-1] == '[':
		l.state = lexArrayComma
	default:
		l.state = lexObjectComma
	}
}

// str reads the string starting at buf[pos] = '"'.
func (l *lexer) str() (token, error) {
	i := l.pos + 1 // relative to buf; l.pos stays at the quote
	plain := true
	for {
		for i < len(l.buf) {
			c := l.buf[i]
			switch {
			case c == '"':
				raw := l.buf[l.pos : i+1]
				l.pos = i + 1
				if plain {
					return token{kind: tokenString, text: raw[1 : len(raw)-1]}, nil
				}
				var s string
				if err := json.Unmarshal(raw, &s); err != nil {
					return token{}, &syntaxError{msg: err.Error(), off: l.off + int64(i) + 1}
				}
				return token{kind: tokenString, text: []byte(s)}, nil
			case c < 0x20:
				return token{}, l.fail(i, "invalid character %s in string literal", quoteChar(c))
			case c == '\\':
				plain = false
				if i+1 >= len(l.buf) {
					goto more
				}
				switch e := l.buf[i+1]; e {
				case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
					i += 2
				case 'u':
					for k := i + 2; k < i+6 && k < len(l.buf); k++ {
						if !isHex(l.buf[k]) {
							return token{}, l.fail(k, "invalid character %s in \\u hexadecimal character escape", quoteChar(l.buf[k]))
						}
					}
					if i+6 > len(l.buf) {
						goto more
					}
					i += 6
				default:
					return token{}, l.fail(i+1, "invalid character %s in string escape code", quoteChar(e))
				}
			case c >= 0x80:
				plain = false
				i++
			default:
				i++
			}
		}
	more:
		start := l.pos
		more := l.fill()
		i -= start - l.pos // fill moved buf[start:] to buf[l.pos:]
		if !more {
			return token{}, l.eof()
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number reads the number starting at buf[pos], JSON's grammar
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, as long as it goes on:
// like encoding/json, "01" is the number 0 followed by a byte the next
// token refuses.
func (l *lexer) number() (token, error) {
	i := l.pos // relative to buf
	st := numStart
	for {
		if i == len(l.buf) {
			start := l.pos
			more := l.fill()
			i -= start - l.pos // fill moved buf[start:] to buf[l.pos:]
			if !more {
				if l.rerr != io.EOF || !st.final() {
					return token{}, l.eof()
				}
				break // the input ends with the number
			}
			continue
		}
		c := l.buf[i]
		next := st.step(c)
		if next == numEnd {
			if !st.final() {
				return token{}, l.fail(i, "invalid character %s %s", quoteChar(c), st.where())
			}
			break
		}
		st = next
		i++
	}
	t := token{kind: tokenNumber, text: l.buf[l.pos:i]}
	l.pos = i
	return t, nil
}

// numState is a state of JSON's number grammar.
type numState uint8

const (
	numStart    numState = iota // nothing read
	numMinus                    // "-"
	numZero                     // a leading 0
	numInt                      // integer digits
	numDot                      // "."
	numFrac                     // fraction digits
	numExp                      // "e"
	numExpSign                  // "e+" or "e-"
	numExpDigit                 // exponent digits
	numEnd                      // the byte does not continue the number
)

// step returns the state after byte c.
func (st numState) step(c byte) numState {
	digit := c >= '0' && c <= '9'
	switch st {
	case numStart:
		if c == '-' {
			return numMinus
		}
		fallthrough
	case numMinus:
		switch {
		case c == '0':
			return numZero
		case digit:
			return numInt
		}
	case numInt:
		if digit {
			return numInt
		}
		fallthrough
	case numZero:
		switch c {
		case '.':
			return numDot
		case 'e', 'E':
			return numExp
		}
	case numDot, numFrac:
		if digit {
			return numFrac
		}
		if st == numFrac && (c == 'e' || c == 'E') {
			return numExp
		}
	case numExp:
		if c == '+' || c == '-' {
			return numExpSign
		}
		fallthrough
	case numExpSign, numExpDigit:
		if digit {
			return numExpDigit
		}
	}
	return numEnd
}

// final reports whether a number may end in state st.
func (st numState) final() bool {
	return st == numZero || st == numInt || st == numFrac || st == numExpDigit
}

// where says, in encoding/json's words, where a bad byte is.
func (st numState) where() string {
	switch st {
	case numDot:
		return "after decimal point in numeric literal"
	case numExp, numExpSign:
		return "in exponent of numeric literal"
	}
	return "in numeric literal"
}

// literal reads true, false or null starting at buf[pos].
func (l *lexer) literal() (token, error) {
	var word string
	var t token
	switch l.buf[l.pos] {
	case 't':
		word, t = "true", token{kind: tokenBool, b: true}
	case 'f':
		word, t = "false", token{kind: tokenBool}
	default:
		word, t = "null", token{kind: tokenNull}
	}
	for len(l.buf)-l.pos < len(word) {
		if !l.fill() {
			for k := 1; k < len(l.buf)-l.pos; k++ {
				if l.buf[l.pos+k] != word[k] {
					return token{}, l.fail(l.pos+k, "invalid character %s in literal %s (expecting %s)", quoteChar(l.buf[l.pos+k]), word, quoteChar(word[k]))
				}
			}
			return token{}, l.eof()
		}
	}
	for k := 1; k < len(word); k++ {
		if c := l.buf[l.pos+k]; c != word[k] {
			return token{}, l.fail(l.pos+k, "invalid character %s in literal %s (expecting %s)", quoteChar(c), word, quoteChar(word[k]))
		}
	}
	l.pos += len(word)
	return t, nil
}
