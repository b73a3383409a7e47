package cases

import (
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNumbersRead: the nearest float64 / float32 of decimal text, as exact
// rationals worked out by hand: 0.1 = 0x1.999999999999ap-4 in float64 =
// 3602879701896397/2⁵⁵, 0x1.99999ap-4 in float32 = 13421773/2²⁷;
// 2⁵³ + 1 ties to the even 2⁵³; 2⁻¹⁰⁷⁵ (half the smallest subnormal) ties
// to 0; 1e400 overflows.
func TestNumbersRead(t *testing.T) {
	for _, c := range []struct {
		text string
		n    Numbers
		want string // "" for an error
	}{
		{"0.1", NumbersExact, "1/10"},
		{"0.1", NumbersFloat64, "3602879701896397/36028797018963968"},
		{"0.1", NumbersFloat32, "13421773/134217728"},
		{"0.10000000149011612", NumbersFloat64, "13421773/134217728"}, // a float32 written through a Python float
		{"9007199254740993", NumbersFloat64, "9007199254740992"},
		{"-2.5", NumbersFloat32, "-5/2"},
		{"1e400", NumbersFloat64, ""},
		{"1e39", NumbersFloat32, ""},
	} {
		x, err := ParseNumber(c.text)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.n.Read(x)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("%s as %s: %s, want an error", c.text, c.n, got.RatString())
		case c.want != "" && (err != nil || got.RatString() != c.want):
			t.Errorf("%s as %s: %v %v, want %s", c.text, c.n, got, err, c.want)
		}
	}
	half := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), 1075))
	if got, err := NumbersFloat64.Read(half); err != nil || got.Sign() != 0 {
		t.Errorf("2^-1075: %v %v, want 0", got, err)
	}
	for _, s := range []string{"exact", "float64", "float32"} {
		if n, err := ParseNumbers(s); err != nil || n.String() != s {
			t.Errorf("ParseNumbers(%q) = %v, %v", s, n, err)
		}
	}
	if _, err := ParseNumbers("float16"); err == nil {
		t.Error("float16 accepted")
	}
}

// TestReadNumbersAs: every number of a case is replaced, the source says
// so, and an out-of-range number is an error naming its field.
func TestReadNumbersAs(t *testing.T) {
	c, err := Parse("t.json", []byte(`{"activation": "relu", "inputs": [["0.1"]], "targets": [["0.2"]],
		"neurons": [{"w": ["0.3"], "a": ["1e-400"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ReadNumbersAs(NumbersFloat64); err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		got  *big.Rat
		want string
	}{
		{c.Inputs.At(0, 0), "3602879701896397/36028797018963968"},
		{c.Targets.At(0, 0), "3602879701896397/18014398509481984"},
		{c.Neurons[0].W[0], "5404319552844595/18014398509481984"},
		{c.Neurons[0].A[0], "0"}, // underflows to zero, as float("1e-400") does
	} {
		if x.got.RatString() != x.want {
			t.Errorf("%s, want %s", x.got.RatString(), x.want)
		}
	}
	if !strings.Contains(c.Source, "nearest float64") {
		t.Errorf("source %q", c.Source)
	}
	c, _ = Parse("t.json", []byte(`{"activation": "relu", "inputs": [["1e39"]], "targets": [["0"]], "neurons": []}`))
	if err := c.ReadNumbersAs(NumbersFloat32); err == nil || !strings.Contains(err.Error(), "inputs[0][0]") {
		t.Errorf("1e39 as float32: %v", err)
	}
}

// TestDataCSV: headers, comments, quoting, spaces, --targets and the
// float readings of a CSV file.
func TestDataCSV(t *testing.T) {
	dir := t.TempDir()
	relu, _ := ParseActivation("relu")
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c, err := DataCase(write("a.csv", "# made by hand\nx1, \"x2\",y1,y2\n1, 0.1, 2,3\n\n-1/2,4,5,6\n"), relu, true, DataOptions{Targets: 2})
	if err != nil {
		t.Fatal(err)
	}
	if c.Inputs.Rows() != 2 || c.Inputs.At(0, 1).RatString() != "1/10" || c.Inputs.At(1, 0).RatString() != "-1/2" ||
		c.Targets.At(1, 1).RatString() != "6" || c.Targets.Cols() != 2 || !c.Bias || len(c.Neurons) != 0 {
		t.Errorf("inputs %v targets %v", c.Inputs, c.Targets)
	}
	// No header: the first line is data.
	c, err = DataCase(write("b.csv", "1,2\n3,4\n"), relu, false, DataOptions{Numbers: NumbersFloat32})
	if err != nil || c.Inputs.Rows() != 2 || c.Targets.At(0, 0).RatString() != "2" {
		t.Errorf("no header: %v %v", c, err)
	}
	// numpy.savetxt's default: spaces, '#' comments.
	c, err = DataCase(write("d.txt", "# x y\n1.5e+00\t 2   # first\n\n-3 4\n"), relu, false, DataOptions{})
	if err != nil || c.Inputs.Rows() != 2 || c.Inputs.At(0, 0).RatString() != "3/2" || c.Targets.At(1, 0).RatString() != "4" {
		t.Errorf(".txt: %v %v", c, err)
	}
	if _, err := DataCase(write("e.txt", "1 2\n3\n"), relu, false, DataOptions{}); err == nil || !strings.Contains(err.Error(), "line 2: 1 fields, the first record has 2") {
		t.Errorf("ragged .txt: %v", err)
	}
	c, err = DataCase(write("c.csv", "x,y\n0.1,1\n"), relu, false, DataOptions{Numbers: NumbersFloat32})
	if err != nil || c.Inputs.At(0, 0).RatString() != "13421773/134217728" || !strings.Contains(c.Source, "float32") {
		t.Errorf("float32: %v %v", c, err)
	}
}

// TestDataVectors: a vector X is n samples of one input and a vector Y n
// targets; binary values are taken exactly.
func TestDataVectors(t *testing.T) {
	dir := t.TempDir()
	relu, _ := ParseActivation("relu")
	x := npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", []byte{0xcd, 0xcc, 0xcc, 0x3d, 0, 0, 0x80, 0xbf})                  // 0.1f, -1
	y := npyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 1), }", []byte{0x3f, 0xe0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0}) // 0.5, 2
	// float16 little endian: 0x3c00 = 1, 0x0001 = 2⁻²⁴ (the smallest subnormal), 0xfbff = -65504.
	h := npyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", []byte{0x00, 0x3c, 0x01, 0x00, 0xff, 0xfb})
	hp := filepath.Join(dir, "h.npz")
	if err := os.WriteFile(hp, zipBytes(t, member{name: "X.npy", data: h}, member{name: "Y.npy", data: h}), 0o644); err != nil {
		t.Fatal(err)
	}
	hc, err := DataCase(hp, relu, false, DataOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"1", "1/16777216", "-65504"} {
		if got := hc.Inputs.At(i, 0).RatString(); got != want {
			t.Errorf("float16 entry %d: %s, want %s", i, got, want)
		}
	}
	p := filepath.Join(dir, "v.npz")
	if err := os.WriteFile(p, zipBytes(t, member{name: "X.npy", data: x}, member{name: "Y.npy", data: y}), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := DataCase(p, relu, false, DataOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Inputs.Rows() != 2 || c.Inputs.At(0, 0).RatString() != "13421773/134217728" || c.Inputs.At(1, 0).RatString() != "-1" ||
		c.Targets.At(0, 0).RatString() != "1/2" || c.Targets.At(1, 0).RatString() != "2" {
		t.Errorf("inputs %v targets %v", c.Inputs, c.Targets)
	}
}
