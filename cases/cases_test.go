package cases

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

func TestParseNumber(t *testing.T) {
	good := map[string]string{
		"0":        "0",
		"-0":       "0",
		"+7":       "7",
		"-3/5":     "-3/5",
		"+4/2":     "2",
		"0/7":      "0",
		"0.28":     "7/25",
		"0.1":      "1/10",
		".5":       "1/2",
		"-.5":      "-1/2",
		"5.":       "5",
		"1e-3":     "1/1000",
		"1E3":      "1000",
		"2.5E+2":   "250",
		"-1.25e-1": "-1/8",
		"1e00005":  "100000",
		"007":      "7",
		"1e10000":  "1" + strings.Repeat("0", 10000),
	}
	for in, want := range good {
		got, err := ParseNumber(in)
		if err != nil {
			t.Errorf("ParseNumber(%q): %v", in, err)
			continue
		}
		if got.Cmp(rat(want)) != 0 {
			t.Errorf("ParseNumber(%q) = %s, want %s", in, got.RatString(), want)
		}
	}
	bad := map[string]string{
		"":                                   "empty",
		"-":                                  "sign",
		"+":                                  "sign",
		"1/0":                                "zero denominator",
		"-1/000":                             "zero denominator",
		"1/-0":                               "denominator",
		"3/-5":                               "denominator",
		"1/2/3":                              "denominator",
		"/2":                                 "numerator",
		"1/":                                 "denominator",
		"1.5/2":                              "numerator",
		"NaN":                                "not a number",
		"Inf":                                "not a number",
		"-Inf":                               "not a number",
		"infinity":                           "not a number",
		" 1":                                 "not a number",
		"1 ":                                 "not a number",
		"1_000":                              "not a number",
		"0x10":                               "not a number",
		".":                                  "at least one digit",
		"e5":                                 "at least one digit",
		"1e":                                 "exponent",
		"1e+":                                "exponent",
		"1.2.3":                              "not a number",
		"--1":                                "not a number",
		"1e999999999":                        "exponent out of range",
		"1e-10001":                           "exponent out of range",
		"1e99999999999999999999999999":       "exponent out of range",
		"1" + strings.Repeat("0", MaxDigits): "digits",
	}
	for in, frag := range bad {
		r, err := ParseNumber(in)
		if err == nil {
			t.Errorf("ParseNumber(%.20q) = %s, want an error", in, r.RatString())
			continue
		}
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("ParseNumber(%.20q): error %q does not mention %q", in, err, frag)
		}
	}
}

// badFiles maps each file in testdata/bad to text its error must contain:
// the field path (with index) where there is one.
var badFiles = map[string][]string{
	"ragged.json":                    {"inputs[1]", "ragged"},
	"zero-denominator.json":          {`inputs[3][1]: "1/0": zero denominator`},
	"negative-zero-denominator.json": {`inputs[0][0]: "1/-0"`},
	"negative-denominator.json":      {`inputs[0][0]: "3/-5"`},
	"nan.json":                       {`targets[1][0]: "NaN"`},
	"inf.json":                       {`neurons[0].w[1]: "Inf"`},
	"empty-string.json":              {`neurons[1].a[0]: ""`, "empty number"},
	"whitespace.json":                {`inputs[0][0]: " 1"`},
	"hex.json":                       {`inputs[0][0]: "0x10"`},
	"wrong-type.json":                {"inputs[0][0]", "got true"},
	"null-number.json":               {"targets[0][0]", "got null"},
	"no-samples.json":                {"inputs: no samples"},
	"d-zero.json":                    {"inputs[0]", "d = 0"},
	"k-zero.json":                    {"targets[0]", "k = 0"},
	"targets-count.json":             {"targets:", "2 rows", "3"},
	"k-mismatch.json":                {"targets[1]", "ragged"},
	"wrong-w-length.json":            {"neurons[1].w", "length 1, want 2", "bias"},
	"wrong-a-length.json":            {"neurons[0].a", "length 1, want k = 2"},
	"missing-a.json":                 {"neurons[0].a: missing"},
	"unknown-activation.json":        {"activation", `"sigmoid"`},
	"bad-leaky.json":                 {"activation", `"leaky:abc"`},
	"activation-missing-neg.json":    {"activation.neg: missing"},
	"activation-extra-key.json":      {"activation.mid", "unknown field"},
	"missing-activation.json":        {"activation: missing"},
	"missing-targets.json":           {"targets: missing"},
	"unknown-field.json":             {"weights", `unknown field "weights"`},
	"unknown-nested-field.json":      {"neurons[0].b", "unknown field"},
	"unknown-expect-field.json":      {"expect.verdcit", "unknown field"},
	"duplicate-key.json":             {"inputs", `duplicate key "inputs"`},
	"bad-verdict.json":               {"expect.verdict", `"maximum"`},
	"escape-out-of-range.json":       {"expect.escape_neurons[0]", "out of range"},
	"escape-negative.json":           {"expect.escape_neurons[0]", "-1"},
	"escape-duplicate.json":          {"expect.escape_neurons[2]", "twice"},
	"escape-not-integer.json":        {"expect.escape_neurons[0]", "0.5"},
	"error-and-verdict.json":         {"expect.verdict"},
	"huge-exponent.json":             {`inputs[0][0]: "1e999999999"`, "exponent out of range"},
	"huge-exponent-number.json":      {"targets[0][0]: 1E-999999999999999999999", "exponent out of range"},
	"huge-digits-exponent.json":      {"targets[0][0]", "exponent out of range"},
	"trailing.json":                  {"trailing data"},
	"top-level-array.json":           {"top level"},
	"truncated.json":                 {"truncated JSON"},
	"empty.json":                     {"empty file"},
	"not-json.json":                  {"invalid JSON"},
	"bias-not-bool.json":             {"bias", `"yes"`},
	"name-empty.json":                {"name: empty"},
	"neurons-not-array.json":         {"neurons", "an object"},
	"too-deep.json":                  {"inputs[0][0]", "got an array"}, // the streaming parser stops at the first level the format does not allow
	"output-bias-length.json":        {"output_bias", "length 1, want k = 2"},
	"output-bias-entry.json":         {`output_bias[1]: "1/0": zero denominator`},
	"output-bias-not-array.json":     {"output_bias", "want an array of numbers"},
}

func TestBadFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(badFiles) {
		t.Errorf("testdata/bad has %d files, the table %d", len(files), len(badFiles))
	}
	for _, f := range files {
		base := filepath.Base(f)
		t.Run(base, func(t *testing.T) {
			frags, ok := badFiles[base]
			if !ok {
				t.Fatalf("no expectation for %s", base)
			}
			c, err := Load(f)
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "case "+f+": ") {
				t.Errorf("error %q does not start with the file name", msg)
			}
			for _, frag := range frags {
				if !strings.Contains(msg, frag) {
					t.Errorf("error %q does not contain %q", msg, frag)
				}
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.File != f {
				t.Errorf("error %#v is not an *Error for %s", err, f)
			}
			data, _ := os.ReadFile(f)
			if want := base != "empty.json" && base != "top-level-array.json"; ExpectsError(data) != want {
				t.Errorf("ExpectsError = %v, want %v", !want, want)
			}
		})
	}
}

// TestBadInline covers inputs that are awkward to keep as files, and checks
// that nothing panics on arbitrary prefixes of a good file.
func TestBadInline(t *testing.T) {
	cases := map[string]string{
		"\x00": "invalid JSON",
		"{":    "truncated",
		"nul":  "",
		`{"activation": "relu", "inputs": [["1"]], "targets": [["1"]]}` + "\n\n{":                                                                               "trailing",
		`{"activation": "relu", "inputs": [["1"]], "targets": [["1"]], "float_must_agree": 1}`:                                                                  "float_must_agree",
		`{"activation": "relu", "inputs": [["1"]], "targets": [["1"]], "neurons": [{"w": ["1"], "a": ["1"]}], "expect": {"escape_neurons": [0], "verdict": 3}}`: "expect.verdict",
		`{"activation": "relu", "inputs": "1", "targets": [["1"]]}`:                                                                                             "inputs: want an array",
		`{"activation": "relu", "inputs": ["1"], "targets": [["1"]]}`:                                                                                           "inputs[0]: want an array",
		`{"activation": "leaky:", "inputs": [["1"]], "targets": [["1"]]}`:                                                                                       "activation",
		`{"activation": "RELU", "inputs": [["1"]], "targets": [["1"]]}`:                                                                                         "activation",
		`{"activation": 1, "inputs": [["1"]], "targets": [["1"]]}`:                                                                                              "activation",
		`{"activation": "relu", "inputs": [[-0.5e]], "targets": [["1"]]}`:                                                                                       "invalid JSON",
		`{"activation": "relu", "inputs": [[NaN]], "targets": [["1"]]}`:                                                                                         "invalid JSON",
		`{"activation": "relu", "inputs": [[Infinity]], "targets": [["1"]]}`:                                                                                    "invalid JSON",
	}
	for in, frag := range cases {
		_, err := Parse("inline.json", []byte(in))
		if err == nil {
			t.Errorf("Parse(%q) accepted", in)
			continue
		}
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("Parse(%q): %q does not contain %q", in, err, frag)
		}
	}
	good, err := os.ReadFile(filepath.Join("testdata", "fig3-origin.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(good)-2; i++ { // every proper prefix is truncated
		if _, err := Parse("prefix.json", good[:i]); err == nil {
			t.Errorf("prefix of length %d accepted", i)
		}
		ExpectsError(good[:i])
	}
}

func TestExactJSONNumbers(t *testing.T) {
	c, err := Parse("n.json", []byte(`{"activation": {"pos": 1, "neg": 0.2},
		"inputs": [[0.1, 1e-3], [-2.5E+1, 12345678901234567890123]],
		"targets": [[0.3], [-0]]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"1/10", "1/1000"}, {"-25", "12345678901234567890123"}}
	for i, row := range want {
		for j, w := range row {
			if c.Inputs.At(i, j).Cmp(rat(w)) != 0 {
				t.Errorf("inputs[%d][%d] = %s, want %s", i, j, c.Inputs.At(i, j).RatString(), w)
			}
		}
	}
	if c.Targets.At(0, 0).Cmp(rat("3/10")) != 0 {
		t.Errorf("0.3 read as %s", c.Targets.At(0, 0).RatString())
	}
	if c.Activation.Neg.Cmp(rat("1/5")) != 0 || c.Activation.String() != "leaky:1/5" {
		t.Errorf("activation %v", c.Activation)
	}
	if c.Name != "n" {
		t.Errorf("default name %q, want n", c.Name)
	}
}

func TestActivations(t *testing.T) {
	for in, want := range map[string][2]string{
		`"relu"`:                     {"1", "0"},
		`"abs"`:                      {"1", "-1"},
		`"linear"`:                   {"1", "1"},
		`"leaky:1/10"`:               {"1", "1/10"},
		`"leaky:-0.5"`:               {"1", "-1/2"},
		`{"pos": "2", "neg": "1/5"}`: {"2", "1/5"},
		`{"neg": 0, "pos": 3}`:       {"3", "0"},
	} {
		c, err := Parse("a.json", []byte(`{"activation": `+in+`, "inputs": [["1"]], "targets": [["1"]]}`))
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if c.Activation.Pos.Cmp(rat(want[0])) != 0 || c.Activation.Neg.Cmp(rat(want[1])) != 0 {
			t.Errorf("%s: got (%s, %s), want %v", in, c.Activation.Pos.RatString(), c.Activation.Neg.RatString(), want)
		}
	}
}

func TestGoodFiles(t *testing.T) {
	cs, errs := LoadDir("testdata")
	for _, err := range errs {
		t.Error(err)
	}
	if len(cs) < 5 {
		t.Fatalf("only %d cases in testdata", len(cs))
	}
	for _, c := range cs {
		if c.File != filepath.Join("testdata", c.Name+".json") {
			t.Errorf("%s: name %q does not match the file", c.File, c.Name)
		}
		p := c.Point()
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", c.File, err)
		}
	}
}

func TestFig3Point(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "fig3-origin.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Bias || c.Inputs.Rows() != 5 || c.Inputs.Cols() != 1 {
		t.Fatalf("shape: bias %v, inputs %v", c.Bias, c.Inputs)
	}
	p := c.Point()
	if p.N() != 5 || p.D() != 2 || p.K() != 1 || p.M() != 1 {
		t.Fatalf("point n=%d d=%d k=%d m=%d", p.N(), p.D(), p.K(), p.M())
	}
	if !p.X.Row(1).Equal(exact.Vec{rat("-3/5"), rat("1")}) {
		t.Errorf("x_1 = %v", p.X.Row(1))
	}
	if c.Inputs.Cols() != 1 {
		t.Errorf("Point modified the case's inputs")
	}
	if c.Expect == nil || c.Expect.Verdict == nil || *c.Expect.Verdict != verify.Saddle ||
		len(c.Expect.Escape) != 1 || c.Expect.Escape[0] != 0 {
		t.Errorf("expect %+v", c.Expect)
	}
	// The point is a deep copy.
	p.X.Set(0, 0, big.NewRat(99, 1))
	if c.Inputs.At(0, 0).Cmp(rat("-1")) != 0 {
		t.Errorf("Point shares numbers with the case")
	}
}

// TestPointData: the point's data are the case's numbers, entry by entry
// (inputs with the bias column's 1), on every catalogue case, and writing
// into the point leaves the case unchanged.
func TestPointData(t *testing.T) {
	cat, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	biased := 0
	for _, c := range cat {
		p := c.Point()
		if p.N() != c.Inputs.Rows() || p.Y.Rows() != c.Targets.Rows() {
			t.Fatalf("%s: %d×%d data for %d inputs, %d targets", c.File, p.N(), p.Y.Rows(), c.Inputs.Rows(), c.Targets.Rows())
		}
		for i := range p.N() {
			if want := c.Inputs.Cols() + map[bool]int{false: 0, true: 1}[c.Bias]; p.D() != want {
				t.Fatalf("%s: d = %d, want %d", c.File, p.D(), want)
			}
			for q, x := range c.Inputs.Row(i) {
				if p.X.At(i, q).Cmp(x) != 0 {
					t.Errorf("%s: inputs[%d][%d] = %s, want %s", c.File, i, q, p.X.At(i, q).RatString(), x.RatString())
				}
			}
			if c.Bias && p.X.At(i, p.D()-1).Cmp(big.NewRat(1, 1)) != 0 {
				t.Errorf("%s: inputs[%d]: bias column %s, want 1", c.File, i, p.X.At(i, p.D()-1).RatString())
			}
			for q, y := range c.Targets.Row(i) {
				if p.Y.At(i, q).Cmp(y) != 0 {
					t.Errorf("%s: targets[%d][%d] = %s, want %s", c.File, i, q, p.Y.At(i, q).RatString(), y.RatString())
				}
			}
		}
		if c.Bias {
			biased++
		}
		was := c.Inputs.At(0, 0)
		p.X.Set(0, 0, new(big.Rat).Add(was, big.NewRat(1, 1)))
		p.Y.Set(0, 0, new(big.Rat).Add(c.Targets.At(0, 0), big.NewRat(1, 3)))
		if c.Inputs.At(0, 0).Cmp(was) != 0 || c.Targets.At(0, 0).Cmp(p.Y.At(0, 0)) == 0 {
			t.Errorf("%s: writing into the point changed the case", c.File)
		}
	}
	if biased == 0 {
		t.Error("no catalogue case has a bias column: the test covers less than it says")
	}
}

func equalCases(t *testing.T, a, b *Case) {
	t.Helper()
	if a.Name != b.Name || a.Source != b.Source || a.Bias != b.Bias || a.FloatMustAgree != b.FloatMustAgree {
		t.Errorf("header differs: %+v vs %+v", a, b)
	}
	if a.Activation.Pos.Cmp(b.Activation.Pos) != 0 || a.Activation.Neg.Cmp(b.Activation.Neg) != 0 {
		t.Errorf("activation %v vs %v", a.Activation, b.Activation)
	}
	eqRows := func(what string, x, y *exact.RatMat) {
		if x.Rows() != y.Rows() || x.Cols() != y.Cols() {
			t.Errorf("%s: %d×%d vs %d×%d", what, x.Rows(), x.Cols(), y.Rows(), y.Cols())
			return
		}
		for i := range x.Rows() {
			if !x.Row(i).Equal(y.Row(i)) {
				t.Errorf("%s[%d]: %v vs %v", what, i, x.Row(i), y.Row(i))
			}
		}
	}
	eqRows("inputs", a.Inputs, b.Inputs)
	eqRows("targets", a.Targets, b.Targets)
	if (a.OutputBias == nil) != (b.OutputBias == nil) || !exact.Vec(a.OutputBias).Equal(b.OutputBias) {
		t.Errorf("output_bias %v vs %v", exact.Vec(a.OutputBias), exact.Vec(b.OutputBias))
	}
	if len(a.Neurons) != len(b.Neurons) {
		t.Fatalf("%d vs %d neurons", len(a.Neurons), len(b.Neurons))
	}
	for j := range a.Neurons {
		if !a.Neurons[j].W.Equal(b.Neurons[j].W) || !a.Neurons[j].A.Equal(b.Neurons[j].A) {
			t.Errorf("neuron %d differs", j)
		}
	}
	if (a.Expect == nil) != (b.Expect == nil) {
		t.Fatalf("expect %+v vs %+v", a.Expect, b.Expect)
	}
	if a.Expect != nil {
		ea, eb := a.Expect, b.Expect
		if (ea.Verdict == nil) != (eb.Verdict == nil) || (ea.Verdict != nil && *ea.Verdict != *eb.Verdict) {
			t.Errorf("expect.verdict differs")
		}
		if (ea.Escape == nil) != (eb.Escape == nil) || len(ea.Escape) != len(eb.Escape) {
			t.Errorf("expect.escape_neurons %v vs %v", ea.Escape, eb.Escape)
		}
		if ea.Error != eb.Error {
			t.Errorf("expect.error differs")
		}
	}
}

func TestRoundTrip(t *testing.T) {
	cs, errs := LoadDir("testdata")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	saddle := verify.Saddle
	cs = append(cs, &Case{
		Name:   `odd "name" <&>`,
		Source: "line\nbreak, unicode ρ₊",
		Activation: verify.Activation{
			Pos: rat("3/2"), Neg: rat("-7/3"),
		},
		Inputs:         ratRows([]string{"1/3", "-22/7"}, []string{"0", "123456789012345678901234567890/7"}),
		Targets:        ratRows([]string{"1", "-1/2"}, []string{"2", "0"}),
		Neurons:        []verify.Neuron{{W: exact.Vec{rat("1"), rat("2")}, A: exact.Vec{rat("0"), rat("5/9")}}, {W: exact.VecOf(0, 0), A: exact.VecOf(0, 0)}},
		Expect:         &Expect{Verdict: &saddle, Escape: []int{1, 0}},
		FloatMustAgree: true,
	}, &Case{
		Name:       "zero output bias",
		Activation: verify.ReLU(),
		Inputs:     ratRows([]string{"1"}),
		Targets:    ratRows([]string{"1", "2"}),
		OutputBias: []*big.Rat{rat("0"), rat("-3/4")},
	})
	for _, c := range cs {
		data, err := Write(c)
		if err != nil {
			t.Fatalf("%s: Write: %v", c.Name, err)
		}
		back, err := Parse("roundtrip.json", data)
		if err != nil {
			t.Fatalf("%s: Parse(Write): %v\n%s", c.Name, err, data)
		}
		equalCases(t, c, back)
		again, err := Write(back)
		if err != nil || !bytes.Equal(again, data) {
			t.Errorf("%s: Write is not stable:\n%s\n%s", c.Name, data, again)
		}
	}
}

func TestFromPoint(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "fig3-origin.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Point()
	back, err := FromPoint(c.Name, c.Source, p, true)
	if err != nil {
		t.Fatal(err)
	}
	back.Expect = c.Expect
	equalCases(t, c, back)
	data, err := Write(back)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse("fp.json", data)
	if err != nil {
		t.Fatal(err)
	}
	q := again.Point()
	for i := range p.X.Rows() {
		if !p.X.Row(i).Equal(q.X.Row(i)) || !p.Y.Row(i).Equal(q.Y.Row(i)) {
			t.Errorf("sample %d changed", i)
		}
	}
	// Without the bias flag the inputs keep the constant coordinate.
	nb, err := FromPoint("nb", "", p, false)
	if err != nil || nb.Inputs.Cols() != 2 {
		t.Errorf("FromPoint without bias: %v %v", nb, err)
	}
	// A point whose inputs do not end in 1 cannot be written with a bias.
	p.X.Set(2, 1, rat("2"))
	if _, err := FromPoint("x", "", p, true); err == nil || !strings.Contains(err.Error(), "inputs[2]") {
		t.Errorf("FromPoint with a bad bias coordinate: %v", err)
	}
	bad := c.Point()
	bad.Neurons[0].W = bad.Neurons[0].W[:1]
	if _, err := FromPoint("x", "", bad, true); err == nil || !strings.Contains(err.Error(), "neurons[0].w") {
		t.Errorf("FromPoint with a bad w: %v", err)
	}
}

func TestWriteRejects(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "origin-saddle.json"))
	if err != nil {
		t.Fatal(err)
	}
	c.Expect.Escape = []int{3}
	if _, err := Write(c); err == nil || !strings.Contains(err.Error(), "expect.escape_neurons[0]") {
		t.Errorf("Write with an out-of-range escape: %v", err)
	}
	c.Expect.Escape = nil
	c.Targets = copyColumns(c.Targets, c.Targets.Cols(), 1)
	if _, err := Write(c); err == nil || !strings.Contains(err.Error(), "neurons[0].a") {
		t.Errorf("Write with mismatched k: %v", err)
	}
	if _, err := Write(nil); err == nil {
		t.Errorf("Write(nil) accepted")
	}
}

func TestReadEntries(t *testing.T) {
	es, err := ReadEntries(os.DirFS("testdata"), "bad")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != len(badFiles) {
		t.Fatalf("%d entries", len(es))
	}
	for _, e := range es {
		if e.Err == nil || e.Case != nil {
			t.Errorf("%s accepted", e.File)
		}
		if want := e.File != "bad/empty.json" && e.File != "bad/top-level-array.json"; e.OK() != want {
			t.Errorf("%s: OK() = %v", e.File, e.OK())
		}
	}
	es, err = ReadEntries(os.DirFS("testdata"), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		want := e.File != "expects-error-but-valid.json"
		if e.Err != nil || e.OK() != want {
			t.Errorf("%s: err %v, OK %v", e.File, e.Err, e.OK())
		}
	}
	if _, err := ReadEntries(os.DirFS("testdata"), "missing"); err == nil {
		t.Errorf("missing directory accepted")
	}
	if _, errs := LoadDir(filepath.Join("testdata", "missing")); len(errs) != 1 {
		t.Errorf("LoadDir of a missing directory: %v", errs)
	}
}

// FuzzParse checks that Parse and ExpectsError never panic, that every
// error is an *Error naming the file, and that an accepted case survives
// Write → Parse.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.json"))
	more, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range append(files, more...) {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ExpectsError(data)
		c, err := Parse("fuzz.json", data)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.File != "fuzz.json" || strings.Contains(err.Error(), "internal error") {
				t.Fatalf("error %v", err)
			}
			return
		}
		out, err := Write(c)
		if err != nil {
			t.Fatalf("Write of a parsed case: %v", err)
		}
		back, err := Parse("fuzz.json", out)
		if err != nil {
			t.Fatalf("Parse(Write): %v\n%s", err, out)
		}
		equalCases(t, c, back)
	})
}

// TestActivationSpellings: the case format takes exactly the spellings of
// the README ("Case files"); the command-line form pos:P,neg:N is not one of them.
func TestActivationSpellings(t *testing.T) {
	base := `{"activation": %s, "inputs": [["1"]], "targets": [["1"]]}`
	for _, tt := range []struct {
		act string
		ok  bool
	}{
		{`"relu"`, true}, {`"abs"`, true}, {`"linear"`, true}, {`"leaky:1/10"`, true},
		{`{"pos": "2", "neg": "1/3"}`, true},
		{`"pos:2,neg:1/3"`, false}, {`"leaky:"`, false}, {`"ReLU"`, false},
	} {
		_, err := Parse("act.json", []byte(fmt.Sprintf(base, tt.act)))
		if (err == nil) != tt.ok {
			t.Errorf("activation %s: err = %v, want ok = %v", tt.act, err, tt.ok)
		}
	}
}

// TestOutputBiasField: "output_bias" is optional; absent means no output
// bias (nil), and a present zero is kept as a parameter (non-nil), through
// Parse, Point, FromPoint and Write.
func TestOutputBiasField(t *testing.T) {
	base := `{"activation": "relu", "inputs": [["1"], ["2"]], "targets": [["1", "0"], ["0", "1"]], "neurons": [{"w": ["1"], "a": ["1", "1"]}]`
	c, err := Parse("absent.json", []byte(base+"}"))
	if err != nil {
		t.Fatal(err)
	}
	if c.OutputBias != nil || c.Point().OutputBias != nil {
		t.Errorf("absent output_bias parsed as %v", c.OutputBias)
	}
	if data, err := Write(c); err != nil || strings.Contains(string(data), "output_bias") {
		t.Errorf("Write of a case without output bias: %v\n%s", err, data)
	}
	c, err = Parse("zero.json", []byte(base+`, "output_bias": ["0", 0]}`))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Point()
	if p.OutputBias == nil || len(p.OutputBias) != 2 || !p.OutputBias.IsZero() {
		t.Fatalf("output_bias [0, 0] gave %v", p.OutputBias)
	}
	c, err = Parse("b.json", []byte(base+`, "output_bias": ["-1/3", "0.25"]}`))
	if err != nil {
		t.Fatal(err)
	}
	p = c.Point()
	if !p.OutputBias.Equal(exact.Vec{rat("-1/3"), rat("1/4")}) {
		t.Errorf("output_bias parsed as %v", p.OutputBias)
	}
	p.OutputBias[0].SetInt64(7)
	if c.OutputBias[0].Cmp(rat("-1/3")) != 0 {
		t.Errorf("Point shares the output bias with the case")
	}
	back, err := FromPoint("b", "", c.Point(), false)
	if err != nil || !exact.Vec(back.OutputBias).Equal(exact.Vec{rat("-1/3"), rat("1/4")}) {
		t.Errorf("FromPoint lost the output bias: %v %v", back, err)
	}
	back.OutputBias = back.OutputBias[:1]
	if _, err := Write(back); err == nil || !strings.Contains(err.Error(), "output_bias") {
		t.Errorf("Write with a short output bias: %v", err)
	}
}

// ratRows returns the matrix whose rows are the numbers written.
func ratRows(rows ...[]string) *exact.RatMat {
	vs := make([]exact.Vec, len(rows))
	for i, r := range rows {
		for _, x := range r {
			vs[i] = append(vs[i], rat(x))
		}
	}
	return exact.RatMatOf(vs)
}
