// Package npzfixture writes the .npz and .npy weight files the tests of
// cases.LoadWeights read (cases/testdata/weights), with the npyio library:
// well-formed files in the layouts researchers produce (PyTorch state-dict
// names in float32, W1/W2 in float64, a pair of .npy files, a Fortran-order
// array) and malformed ones (truncated archive, wrong shapes, missing and
// unknown arrays, integer dtype, NaN, a nonzero output bias, two names for
// one layer).
//
// Regenerate the committed fixtures with
//
//	go run ./cases/internal/npzfixture/gen cases/testdata/weights
//
// (or go generate ./cases). The output is deterministic.
package npzfixture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npz"
)

// Array is one named array of an .npz archive. Data is anything npy.Write
// accepts (a slice, a slice of slices, a gonum mat.Dense).
type Array struct {
	Name string
	Data any
}

// WriteNPZ writes the arrays, in order, to an .npz archive at path. Names
// are stored as given; numpy's savez adds ".npy" to each name, and the
// fixtures do too.
func WriteNPZ(path string, arrays ...Array) error {
	var buf bytes.Buffer
	w := npz.NewWriter(&buf)
	for _, a := range arrays {
		if err := w.Write(a.Name, a.Data); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// WriteNPY writes one array to an .npy file at path.
func WriteNPY(path string, data any) error {
	var buf bytes.Buffer
	if err := npy.Write(&buf, data); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// FortranNPY returns the bytes of an .npy file holding rows (r×c, float64,
// little endian) in Fortran (column-major) order, as numpy writes a
// transposed view. npyio writes only C order, so the header is built here
// in the format of the NPY specification (version 1.0).
func FortranNPY(rows [][]float64) []byte {
	r, c := len(rows), 0
	if r > 0 {
		c = len(rows[0])
	}
	dict := fmt.Sprintf("{'descr': '<f8', 'fortran_order': True, 'shape': (%d, %d), }", r, c)
	// Magic (6) + version (2) + length (2) + dict + padding + '\n' ≡ 0 mod 64.
	pad := 64 - (10+len(dict)+1)%64
	if pad == 64 {
		pad = 0
	}
	hdr := dict + string(bytes.Repeat([]byte{' '}, pad)) + "\n"
	var b bytes.Buffer
	b.Write([]byte("\x93NUMPY\x01\x00"))
	_ = binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	b.WriteString(hdr)
	for j := 0; j < c; j++ {
		for i := 0; i < r; i++ {
			_ = binary.Write(&b, binary.LittleEndian, math.Float64bits(rows[i][j]))
		}
	}
	return b.Bytes()
}

// The weights of the fixtures, for the Figure 3 data of docs/theory.md §7 (d = 1
// input plus a bias, k = 1 output): m = 3 neurons.
var (
	// W1 is the first layer with the bias weight as its last column
	// (m × (d_in+1)).
	W1 = [][]float64{{0.5, -0.25}, {-1, 0.7}, {1e-5, -3.0000000000001}}
	// W2 is the second layer (k × m).
	W2 = [][]float64{{-0.5, 0.125, 2e-5}}
	// FC1Weight and FC1Bias are W1 split as PyTorch's nn.Linear(1, 3) keeps
	// it (weight m × d_in, bias m), in float32.
	FC1Weight = [][]float32{{0.5}, {-1}, {1e-5}}
	FC1Bias   = []float32{-0.25, 0.7, -3}
	// FC2Weight is W2 in float32, FC2Bias the (zero) output bias of
	// nn.Linear(3, 1).
	FC2Weight = [][]float32{{-0.5, 0.125, 2e-5}}
	FC2Bias   = []float32{0}
)

// Generate writes every fixture into dir (which must exist).
func Generate(dir string) error {
	p := func(name string) string { return filepath.Join(dir, name) }
	good := []struct {
		name   string
		arrays []Array
	}{
		{"w1w2.npz", []Array{{"W1.npy", W1}, {"W2.npy", W2}}},
		{"torch.npz", []Array{{"fc1.weight.npy", FC1Weight}, {"fc1.bias.npy", FC1Bias}, {"fc2.weight.npy", FC2Weight}, {"fc2.bias.npy", FC2Bias}}},
		{"sequential.npz", []Array{{"0.weight", FC1Weight}, {"0.bias", FC1Bias}, {"2.weight", FC2Weight}}},
		{"vector-a.npz", []Array{{"W1.npy", W1}, {"W2.npy", W2[0]}}},
	}
	for _, g := range good {
		if err := WriteNPZ(p(g.name), g.arrays...); err != nil {
			return err
		}
	}
	if err := WriteNPY(p("first.npy"), W1); err != nil {
		return err
	}
	if err := WriteNPY(p("second.npy"), W2); err != nil {
		return err
	}
	if err := os.WriteFile(p("first-fortran.npy"), FortranNPY(W1), 0o644); err != nil {
		return err
	}

	nan := [][]float64{{0.5, -0.25}, {math.NaN(), 0.7}, {1e-5, -3}}
	inf := [][]float64{{-0.5, 0.125, math.Inf(1)}}
	bad := []struct {
		name   string
		arrays []Array
	}{
		{"missing.npz", []Array{{"W1.npy", W1}}},
		{"wrong-m.npz", []Array{{"W1.npy", W1}, {"W2.npy", [][]float64{{1, 2}}}}},
		{"wrong-d.npz", []Array{{"W1.npy", [][]float64{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}}, {"W2.npy", W2}}},
		{"three-d.npz", []Array{{"W1.npy", [][][]float64{{{1}, {2}}, {{3}, {4}}}}, {"W2.npy", W2}}},
		{"int.npz", []Array{{"W1.npy", [][]int64{{1, 2}, {3, 4}, {5, 6}}}, {"W2.npy", W2}}},
		{"nan.npz", []Array{{"W1.npy", nan}, {"W2.npy", W2}}},
		{"inf.npz", []Array{{"W1.npy", W1}, {"W2.npy", inf}}},
		{"unknown.npz", []Array{{"W1.npy", W1}, {"W2.npy", W2}, {"W3.npy", W2}}},
		{"ambiguous.npz", []Array{{"W1.npy", W1}, {"fc1.weight.npy", FC1Weight}, {"W2.npy", W2}}},
		{"nonzero-b2.npz", []Array{{"fc1.weight.npy", FC1Weight}, {"fc1.bias.npy", FC1Bias}, {"fc2.weight.npy", FC2Weight}, {"fc2.bias.npy", []float32{0.5}}}},
		{"bias-wrong-length.npz", []Array{{"fc1.weight.npy", FC1Weight}, {"fc1.bias.npy", []float32{1, 2}}, {"fc2.weight.npy", FC2Weight}}},
	}
	for _, b := range bad {
		if err := WriteNPZ(p(b.name), b.arrays...); err != nil {
			return err
		}
	}
	// A truncated archive: the first half of a good one.
	full, err := os.ReadFile(p("w1w2.npz"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(p("truncated.npz"), full[:len(full)/2], 0o644); err != nil {
		return err
	}
	// A truncated .npy: header intact, data cut short.
	first, err := os.ReadFile(p("first.npy"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(p("truncated.npy"), first[:len(first)-12], 0o644); err != nil {
		return err
	}
	// Not an archive at all.
	return os.WriteFile(p("not-npz.npz"), []byte("this is not a zip archive\n"), 0o644)
}
