package cases

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// caseWith returns a small valid case file whose first input is x.
func caseWith(x string) string {
	return `{"activation": "relu", "inputs": [[` + x + `], ["1"]], "targets": [["1"], ["2"]], "neurons": [{"w": ["1"], "a": ["1"]}]}`
}

// TestMaxBits: numerators, denominators and common denominators over
// Limits.MaxBits are refused with a message naming the field and the
// limit; raising the limit accepts them.
func TestMaxBits(t *testing.T) {
	big := "\"" + strings.Repeat("9", 1300) + "\"" // 10^1300 − 1: 4319 bits (Python: (10**1300-1).bit_length())
	for _, tc := range []struct {
		name, file string
		lim        Limits
		frags      []string // empty: accepted
	}{
		{"numerator", caseWith(big), Limits{}, []string{"inputs[0][0]", "numerator of 4319 bits", "limit of 4096 bits", "--max-bits"}},
		{"numerator raised", caseWith(big), Limits{MaxBits: 5000}, nil},
		{"denominator", caseWith(`"1/` + strings.Repeat("7", 1300) + `"`), Limits{}, []string{"inputs[0][0]", "denominator of 4319 bits"}},
		{"exponent", caseWith(`"1e-1300"`), Limits{}, []string{"inputs[0][0]", "denominator of 4319 bits"}},
		{"json number", caseWith("1e1300"), Limits{}, []string{"inputs[0][0]", "numerator of"}},
		// Two coprime denominators of 2101 and 2100 bits (2^2100 is
		// even, 2^2100 − 1 odd) have a common denominator of 4200 bits:
		// refused at targets[1][0], the number that makes it.
		{"common denominator", `{"activation": "relu", "inputs": [["1"], ["1"]], "targets": [["1/` + pow2(2100) + `"], ["1/` + pow2m1(2100) + `"]]}`,
			Limits{}, []string{"targets[1][0]", "common denominator of targets reaches 4200 bits"}},
		{"common denominator raised", `{"activation": "relu", "inputs": [["1"], ["1"]], "targets": [["1/` + pow2(2100) + `"], ["1/` + pow2m1(2100) + `"]]}`,
			Limits{MaxBits: 4200}, nil},
		{"same denominator", `{"activation": "relu", "inputs": [["1"], ["1"]], "targets": [["1/` + pow2m1(2100) + `"], ["3/` + pow2m1(2100) + `"]]}`,
			Limits{}, nil},
		{"neurons' w", `{"activation": "relu", "inputs": [["1"]], "targets": [["1"]], "neurons": [{"w": ["1/` + pow2(2100) + `"], "a": ["1"]}, {"w": ["1/` + pow2m1(2100) + `"], "a": ["1"]}]}`,
			Limits{}, []string{"neurons[1].w[0]", "the neurons' w"}},
		// Numbers read as float64s (power-of-two denominators) count as
		// their exact values do: 1/2048 has a 12-bit denominator, and
		// lcm(2048, 3) = 6144 has 13 bits; 3/4 and 1/3 make 12 (lcm 12, 4
		// bits) — so only the 2048 pair fails under a 12-bit limit.
		{"float64 denominator", caseWith(`"1/2048"`), Limits{MaxBits: 11}, []string{"inputs[0][0]", "denominator of 12 bits", "limit of 11 bits"}},
		{"float64 denominator fits", caseWith(`"1/2048"`), Limits{MaxBits: 12}, nil},
		{"float64 numerator", caseWith(`"4096"`), Limits{MaxBits: 12}, []string{"inputs[0][0]", "numerator of 13 bits"}},
		{"float64 numerator as a decimal", caseWith(`"1.024e3"`), Limits{MaxBits: 10}, []string{"inputs[0][0]", "numerator of 11 bits"}},
		{"float64 common denominator", `{"activation": "relu", "inputs": [["1/3"], ["1/2048"]], "targets": [["1"], ["1"]]}`,
			Limits{MaxBits: 12}, []string{"inputs[1][0]", "common denominator of inputs reaches 13 bits, more than the limit of 12"}},
		{"float64 then exact common denominator", `{"activation": "relu", "inputs": [["0.00048828125"], ["1/3"]], "targets": [["1"], ["1"]]}`,
			Limits{MaxBits: 12}, []string{"inputs[1][0]", "common denominator of inputs reaches 13 bits"}},
		{"float64 common denominator fits", `{"activation": "relu", "inputs": [["1/3"], ["3/4"]], "targets": [["1"], ["1"]]}`,
			Limits{MaxBits: 4}, nil},
		{"leaky slope", `{"activation": "leaky:1/` + pow2(4100) + `", "inputs": [["1"]], "targets": [["1"]]}`,
			Limits{}, []string{"activation", "denominator of 4101 bits"}},
	} {
		_, err := Decode(tc.name+".json", strings.NewReader(tc.file), tc.lim)
		if len(tc.frags) == 0 {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		for _, f := range tc.frags {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("%s: %q does not contain %q", tc.name, err, f)
			}
		}
	}
}

// pow2 and pow2m1 are 2^k and 2^k − 1 in decimal.
func pow2(k int) string {
	r, _ := ParseNumber("2")
	n := r.Num()
	n.Lsh(n.SetInt64(1), uint(k))
	return n.String()
}

func pow2m1(k int) string {
	r, _ := ParseNumber("2")
	n := r.Num()
	n.Lsh(n.SetInt64(1), uint(k))
	n.Sub(n, r.Denom())
	return n.String()
}

// TestMaxValues: the values (numbers, rows, neurons) of a file are counted
// as they are read; the first one over the limit is named.
func TestMaxValues(t *testing.T) {
	file := `{"activation": "relu", "inputs": [["1", "2"], ["3", "4"]], "targets": [["1"], ["2"]], "neurons": [{"w": ["1", "1"], "a": ["1"]}]}`
	// 2 rows + 4 numbers + 2 rows + 2 numbers + 1 neuron + 3 numbers = 14.
	if _, err := Decode("v.json", strings.NewReader(file), Limits{MaxValues: 14}); err != nil {
		t.Errorf("14 values with a limit of 14: %v", err)
	}
	_, err := Decode("v.json", strings.NewReader(file), Limits{MaxValues: 13})
	if err == nil || !strings.Contains(err.Error(), "neurons[0].a[0]: more than 13 values") || !strings.Contains(err.Error(), "--max-values") {
		t.Errorf("limit 13: %v", err)
	}
	_, err = Decode("v.json", strings.NewReader(file), Limits{MaxValues: 2})
	if err == nil || !strings.Contains(err.Error(), "inputs[0][1]: more than 2 values") {
		t.Errorf("limit 2: %v", err)
	}
}

// TestFieldOrder: the fields may come in any order; the case is the same
// and the checks that need two fields still run.
func TestFieldOrder(t *testing.T) {
	canonical := `{"name": "o", "activation": "relu", "bias": true, "inputs": [["1"], ["-1"]], "targets": [["1"], ["0"]],
		"neurons": [{"w": ["1", "0"], "a": ["1"]}], "expect": {"verdict": "local-min", "escape_neurons": []}}`
	reordered := `{"expect": {"escape_neurons": [], "verdict": "local-min"}, "neurons": [{"a": ["1"], "w": ["1", "0"]}],
		"targets": [["1"], ["0"]], "inputs": [["1"], ["-1"]], "bias": true, "activation": "relu", "name": "o"}`
	a, err := Parse("a.json", []byte(canonical))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("a.json", []byte(reordered))
	if err != nil {
		t.Fatal(err)
	}
	equalCases(t, a, b)
	if a.Expect.Escape == nil || len(a.Expect.Escape) != 0 {
		t.Errorf("\"escape_neurons\": [] read as %#v, want an empty non-nil list", a.Expect.Escape)
	}
	for in, frag := range map[string]string{
		// w before the bias that makes it the right length
		`{"neurons": [{"w": ["1"], "a": ["1"]}], "bias": true, "activation": "relu", "inputs": [["1"]], "targets": [["1"]]}`: "neurons[0].w: length 1, want 2: d = 1 plus 1 for the bias",
		// escape neurons before the neurons they index
		`{"expect": {"escape_neurons": [1]}, "activation": "relu", "inputs": [["1"]], "targets": [["1"]], "neurons": [{"w": ["1"], "a": ["1"]}]}`: "expect.escape_neurons[0]: neuron 1 out of range: the case has 1 neurons",
		`{"expect": {"escape_neurons": [99999999999999999999999]}, "activation": "relu", "inputs": [["1"]], "targets": [["1"]]}`:                  "expect.escape_neurons[0]: neuron index out of range: the case has no neurons",
		`{"targets": [["1"]], "activation": "relu", "inputs": [["1"], ["2"]]}`:                                                                    "targets: 1 rows, but inputs has 2",
	} {
		_, err := Parse("o.json", []byte(in))
		if err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("%s:\n  error %v, want %q", in, err, frag)
		}
	}
}

// TestNonRegularCase: a named pipe given as a case file, or inside a
// directory read by ReadEntries, is refused at once, not waited on.
func TestNonRegularCase(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no mkfifo:", err)
	}
	os.WriteFile(filepath.Join(dir, "good.json"), []byte(caseWith(`"1"`)), 0o644)
	done := make(chan string)
	go func() {
		var out []string
		e := LoadEntry(fifo, Limits{})
		out = append(out, fmt.Sprint(e.Err))
		es, err := ReadEntries(os.DirFS(dir), ".")
		if err != nil {
			out = append(out, err.Error())
		}
		for _, e := range es {
			out = append(out, e.File+" "+fmt.Sprint(e.Err))
		}
		done <- strings.Join(out, "\n")
	}()
	select {
	case got := <-done:
		for _, want := range []string{
			"case " + fifo + ": a named pipe (FIFO), not a regular file",
			"good.json <nil>",
			"pipe.json case pipe.json: a named pipe (FIFO), not a regular file",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("output\n%s\ndoes not contain %q", got, want)
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reading a named pipe blocked") // the pipe has no writer: open would wait forever
	}
	if e := LoadEntry(dir, Limits{}); e.Err == nil || !strings.Contains(e.Err.Error(), "a directory, not a regular file") {
		t.Errorf("a directory as a case: %v", e.Err)
	}
}

// TestHostileStreams: documents that used to be read whole before any
// check (64 MiB of "0," or "[],") are refused at their first bad value or
// at the value limit. Generated as streams, nothing is held in memory.
func TestHostileStreams(t *testing.T) {
	for _, tc := range []struct {
		name, head, unit string
		want             string
	}{
		{"zeros", `{"inputs": [`, "0,", "inputs[0]: want an array of numbers, got 0"},
		{"empty rows", `{"bias": true, "inputs": [`, "[],", "inputs[4194304]: more than 4194304 values"},
		{"long row", `{"inputs": [[`, "0,", "inputs[0][4194303]: more than 4194304 values"},
		{"long string", `{"name": "`, "x", "limit of 64 MiB"},
		{"whitespace", `{"inputs": [[`, " ", "limit of 64 MiB"},
	} {
		if testing.Short() && tc.name != "zeros" {
			continue
		}
		r := io.MultiReader(strings.NewReader(tc.head), io.LimitReader(repeat(tc.unit), 64<<20))
		_, err := Decode(tc.name+".json", r, Limits{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// repeat is an endless reader of copies of s.
func repeat(s string) io.Reader { return &repeater{s: s} }

type repeater struct {
	s   string
	off int
}

func (r *repeater) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.s[r.off]
		r.off = (r.off + 1) % len(r.s)
	}
	return len(p), nil
}
