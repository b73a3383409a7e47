// Package cases reads and writes relucert case files (README, "Case files") and holds
// the embedded catalogue of reference cases.
//
// A case file is a JSON object naming a data set, an activation and a
// parameter point, with an optional expectation:
//
//	{
//	  "name": "origin-saddle",
//	  "source": "where the numbers come from",
//	  "activation": "relu" | "leaky:1/10" | "abs" | "linear" | {"pos": "1", "neg": "1/5"},
//	  "bias": true,
//	  "inputs":  [["-1"], ["-3/5"]],
//	  "targets": [["0.28"], ["-0.1"]],
//	  "neurons": [{"w": ["1", "1/2"], "a": ["-2"]}],
//	  "output_bias": ["1/10"],
//	  "expect":  {"verdict": "saddle", "escape_neurons": [0]},
//	  "float_must_agree": true
//	}
//
// Parsing is strict and exact: every number is read from its text as the
// exact rational it denotes (see ParseNumber; the data are stored as
// exact.RatMats, a number that is exactly a float64 as that float64),
// unknown or duplicated keys are errors at every level, and every error is
// an *Error naming the file, the field path and the index ("case foo.json:
// inputs[3][1]: \"1/0\": zero denominator"). The parser never panics on
// input.
package cases

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sort"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// Case is one parsed case file.
type Case struct {
	// Name is the case's name ("name"; defaults to the file name without
	// ".json" when the file has none).
	Name string
	// Source says where the numbers come from ("source"; may be empty).
	Source string
	// File is the path or name the case was read from ("" for a case built
	// in memory).
	File string
	// Activation is ρ.
	Activation verify.Activation
	// Bias reports "bias": true: a constant 1 is appended to every input.
	Bias bool
	// Inputs and Targets are the data as written, Inputs before the bias
	// coordinate is appended: n×d and n×k matrices, each number that is
	// exactly a float64 stored as one (8 bytes), any other as a big.Rat.
	Inputs, Targets *exact.RatMat
	// Neurons are the parameter point; each W has d entries, d+1 with a
	// bias, and each A has k entries. A case may have no neurons (m = 0).
	Neurons []verify.Neuron
	// OutputBias is the trainable output bias b of f(x) = Σ_j a_j ρ(w_j·x) + b
	// ("output_bias", k numbers), nil when the file has none: then the
	// network has no output bias, a different model from b = 0 (b is a
	// parameter, and stationarity asks Σ_i r_i = 0).
	OutputBias []*big.Rat
	// Expect is the expected outcome, nil when the file has none.
	Expect *Expect
	// FloatMustAgree reports "float_must_agree": true: the float64 path
	// must reach the exact verdict on this case.
	FloatMustAgree bool
}

// Expect is the optional "expect" block of a case.
type Expect struct {
	// Verdict is the expected verdict, nil when not given.
	Verdict *verify.VerdictKind
	// Escape lists the expected escape neurons, 0-based, ascending and
	// without duplicates; nil when not given (an empty, non-nil slice
	// expects no escape neuron).
	Escape []int
	// Error reports that the file must be rejected.
	Error bool
}

// Error is a problem with a case file. Every error returned by Parse, Load,
// LoadDir, Catalogue and Write has this type (possibly wrapped in a join).
type Error struct {
	// File is the file the case came from.
	File string
	// Field is the path of the offending value, such as "inputs[3][1]",
	// "neurons[2].w" or "expect.escape_neurons[0]"; empty for errors of the
	// whole file (syntax errors, trailing data, unreadable file).
	Field string
	// Err is what is wrong.
	Err error
}

// Error formats the error as "case FILE: FIELD: message".
func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("case %s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("case %s: %s: %v", e.File, e.Field, e.Err)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Point returns the case's parameter point as verify uses it: the inputs
// with the constant 1 appended when Bias is set, the targets, the neurons
// and the activation, all copies (the data as exact.RatMats: a float64
// number is copied as its 8 bytes, never through a big.Rat).
func (c *Case) Point() *verify.Point {
	p := &verify.Point{Act: verify.Activation{
		Pos: ratCopy(c.Activation.Pos),
		Neg: ratCopy(c.Activation.Neg),
	}}
	extra := 0
	if c.Bias {
		extra = 1
	}
	p.X = copyColumns(c.Inputs, c.Inputs.Cols(), extra)
	p.Y = copyColumns(c.Targets, c.Targets.Cols(), 0)
	// The weights are copied by PackWeights: new numbers in two shared
	// arrays (a number at a time, a copy cost twice the memory).
	for _, nr := range c.Neurons {
		p.Neurons = append(p.Neurons, verify.Neuron{W: slices.Clone(nr.W), A: slices.Clone(nr.A)})
	}
	if c.OutputBias != nil {
		p.OutputBias = slices.Clone(exact.Vec(c.OutputBias))
	}
	p.PackWeights()
	return p
}

func ratCopy(r *big.Rat) *big.Rat {
	if r == nil {
		return nil
	}
	return new(big.Rat).Set(r)
}

// FromPoint builds a case from a point, for commands that write case files
// (embed -o, snap -o). With bias set, every input of p must end in the
// constant 1, which is removed from Inputs (the neurons keep their full
// weights). The case has no expectation; set Expect before writing if
// wanted. The numbers are deep copies.
func FromPoint(name, source string, p *verify.Point, bias bool) (*Case, error) {
	if p == nil {
		return nil, &Error{File: name, Err: errors.New("nil point")}
	}
	if err := p.Validate(); err != nil {
		return nil, &Error{File: name, Err: err}
	}
	c := &Case{
		Name:   name,
		Source: source,
		Activation: verify.Activation{
			Pos: ratCopy(p.Act.Pos),
			Neg: ratCopy(p.Act.Neg),
		},
		Bias: bias,
	}
	d := p.X.Cols()
	if bias {
		for i := range p.X.Rows() {
			if d == 0 || !isOne(p.X, i, d-1) {
				return nil, &Error{File: name, Field: fmt.Sprintf("inputs[%d]", i),
					Err: errors.New("bias requested but the last coordinate is not 1")}
			}
		}
		d--
	}
	c.Inputs = copyColumns(p.X, d, 0)
	c.Targets = copyColumns(p.Y, p.Y.Cols(), 0)
	for j, nr := range p.Neurons {
		if hasNil(nr.W) || hasNil(nr.A) {
			return nil, &Error{File: name, Field: fmt.Sprintf("neurons[%d]", j), Err: errors.New("nil entry")}
		}
		c.Neurons = append(c.Neurons, nr.Clone())
	}
	if p.OutputBias != nil {
		c.OutputBias = p.OutputBias.Clone()
	}
	return c, nil
}

// isOne reports whether entry (i, j) of m is 1.
func isOne(m *exact.RatMat, i, j int) bool {
	v, ok := m.Float(i, j)
	return ok && v == 1
}

func hasNil(v exact.Vec) bool {
	for _, x := range v {
		if x == nil {
			return true
		}
	}
	return false
}

// check validates the shapes of c as Parse does, for Write and FromPoint
// users that build cases by hand. Field paths match the file format.
func (c *Case) check() error {
	file := c.File
	if file == "" {
		file = c.Name
	}
	fail := func(field, format string, args ...any) error {
		return &Error{File: file, Field: field, Err: fmt.Errorf(format, args...)}
	}
	if c.Activation.Pos == nil || c.Activation.Neg == nil {
		return fail("activation", "missing slope")
	}
	if c.Inputs.Rows() == 0 {
		return fail("inputs", "no samples (n = 0)")
	}
	if c.Targets.Rows() != c.Inputs.Rows() {
		return fail("targets", "%d rows for %d inputs", c.Targets.Rows(), c.Inputs.Rows())
	}
	d, k := c.Inputs.Cols(), c.Targets.Cols()
	if d == 0 && !c.Bias {
		return fail("inputs[0]", "empty row (d = 0)")
	}
	if k == 0 {
		return fail("targets[0]", "empty row (k = 0)")
	}
	dw := d
	if c.Bias {
		dw++
	}
	for j, nr := range c.Neurons {
		if len(nr.W) != dw {
			return fail(fmt.Sprintf("neurons[%d].w", j), "length %d, want %d", len(nr.W), dw)
		}
		if hasNil(nr.W) {
			return fail(fmt.Sprintf("neurons[%d].w", j), "nil entry")
		}
		if len(nr.A) != k {
			return fail(fmt.Sprintf("neurons[%d].a", j), "length %d, want %d", len(nr.A), k)
		}
		if hasNil(nr.A) {
			return fail(fmt.Sprintf("neurons[%d].a", j), "nil entry")
		}
	}
	if c.OutputBias != nil {
		if len(c.OutputBias) != k {
			return fail("output_bias", "length %d, want k = %d", len(c.OutputBias), k)
		}
		if hasNil(c.OutputBias) {
			return fail("output_bias", "nil entry")
		}
	}
	if e := c.Expect; e != nil {
		if e.Error && e.Verdict != nil {
			return fail("expect", "\"error\": true and a verdict exclude each other")
		}
		if e.Verdict != nil && e.Verdict.String() == "unknown" {
			return fail("expect.verdict", "unknown verdict %d", int(*e.Verdict))
		}
		seen := map[int]bool{}
		for i, j := range e.Escape {
			if j < 0 || j >= len(c.Neurons) {
				return fail(fmt.Sprintf("expect.escape_neurons[%d]", i), "neuron %d out of range [0, %d)", j, len(c.Neurons))
			}
			if seen[j] {
				return fail(fmt.Sprintf("expect.escape_neurons[%d]", i), "neuron %d listed twice", j)
			}
			seen[j] = true
		}
	}
	return nil
}

// sortedCopy returns the ints of s in ascending order (nil for nil).
func sortedCopy(s []int) []int {
	if s == nil {
		return nil
	}
	t := append([]int{}, s...)
	sort.Ints(t)
	return t
}
