package cases

//go:generate go run ./internal/npzfixture/gen testdata/weights

import (
	"bytes"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relucert/relucert/cases/internal/npzfixture"
)

func wpath(name string) string { return filepath.Join("testdata", "weights", name) }

// TestWeightFixturesUpToDate: the committed fixtures are what the
// generator writes (it is deterministic).
func TestWeightFixturesUpToDate(t *testing.T) {
	dir := t.TempDir()
	if err := npzfixture.Generate(dir); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		got, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(wpath(e.Name()))
		if err != nil {
			t.Fatalf("%v (run go generate ./cases)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output (run go generate ./cases)", e.Name())
		}
	}
}

func equalRows(a, b [][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

func f32rows(rows [][]float32) [][]float64 {
	out := make([][]float64, len(rows))
	for i, r := range rows {
		for _, x := range r {
			out[i] = append(out[i], float64(x))
		}
	}
	return out
}

// TestLoadWeightsRoundTrip: every good fixture reads back bit for bit, in
// every layout, and fits the Figure 3 data set.
func TestLoadWeightsRoundTrip(t *testing.T) {
	// The PyTorch layout in float32: fc1.weight with fc1.bias appended.
	torchW := f32rows(npzfixture.FC1Weight)
	for j := range torchW {
		torchW[j] = append(torchW[j], float64(npzfixture.FC1Bias[j]))
	}
	torchA := f32rows(npzfixture.FC2Weight)
	for _, c := range []struct {
		path, first, second, bias string
		W, A                      [][]float64
	}{
		{wpath("w1w2.npz"), "W1", "W2", "", npzfixture.W1, npzfixture.W2},
		{wpath("vector-a.npz"), "W1", "W2", "", npzfixture.W1, npzfixture.W2},
		{wpath("torch.npz"), "fc1.weight", "fc2.weight", "fc1.bias", torchW, torchA},
		{wpath("sequential.npz"), "0.weight", "2.weight", "0.bias", torchW, torchA},
		{wpath("first.npy") + "," + wpath("second.npy"), wpath("first.npy"), wpath("second.npy"), "", npzfixture.W1, npzfixture.W2},
		{wpath("first-fortran.npy") + "," + wpath("second.npy"), wpath("first-fortran.npy"), wpath("second.npy"), "", npzfixture.W1, npzfixture.W2},
	} {
		w, err := ReadWeights(c.path)
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		if !equalRows(w.W, c.W) || !equalRows(w.A, c.A) {
			t.Errorf("%s: read W = %v, A = %v; want %v, %v", c.path, w.W, w.A, c.W, c.A)
		}
		if w.First != c.first || w.Second != c.second || w.FirstBias != c.bias {
			t.Errorf("%s: names %q %q %q", c.path, w.First, w.Second, w.FirstBias)
		}
		W, A, err := LoadWeights(c.path)
		if err != nil || !equalRows(W, c.W) || !equalRows(A, c.A) {
			t.Errorf("%s: LoadWeights: %v", c.path, err)
		}
		cs, err := Load(wpath("fig3-data.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := cs.SetWeights(w); err != nil {
			t.Errorf("%s: SetWeights: %v", c.path, err)
			continue
		}
		if len(cs.Neurons) != 3 {
			t.Fatalf("%s: %d neurons", c.path, len(cs.Neurons))
		}
		for j, nr := range cs.Neurons {
			for i, x := range nr.W {
				if x.Cmp(new(big.Rat).SetFloat64(c.W[j][i])) != 0 {
					t.Errorf("%s: neurons[%d].w[%d] = %s", c.path, j, i, x.RatString())
				}
			}
			if nr.A[0].Cmp(new(big.Rat).SetFloat64(c.A[0][j])) != 0 {
				t.Errorf("%s: neurons[%d].a = %s", c.path, j, nr.A[0].RatString())
			}
		}
		// The case with the weights is a valid case file.
		data, err := Write(cs)
		if err != nil {
			t.Fatalf("%s: Write: %v", c.path, err)
		}
		back, err := Parse("back.json", data)
		if err != nil {
			t.Fatalf("%s: Parse(Write): %v", c.path, err)
		}
		for j := range back.Neurons {
			if !back.Neurons[j].W.Equal(cs.Neurons[j].W) || !back.Neurons[j].A.Equal(cs.Neurons[j].A) {
				t.Errorf("%s: neuron %d changed through the case file", c.path, j)
			}
		}
	}
}

// TestLoadWeightsRejects: malformed files are rejected with a message
// naming the file and the array.
func TestLoadWeightsRejects(t *testing.T) {
	for _, c := range []struct {
		path string
		want []string
	}{
		{wpath("truncated.npz"), []string{"truncated.npz", "not a readable .npz or .pt archive"}},
		{wpath("not-npz.npz"), []string{"not-npz.npz", "not a weights file"}},
		{wpath("absent.npz"), []string{"absent.npz", "no such file"}},
		{wpath("missing.npz"), []string{"missing.npz", "cannot tell which arrays are the two layers", "found W1 (3, 2)", "W1/W2", "fc1.weight/fc2.weight", "--layers"}},
		{wpath("wrong-m.npz"), []string{"wrong-m.npz", "W2", "shape (1, 2)", "m = 3"}},
		{wpath("three-d.npz"), []string{"three-d.npz", "W1", "shape (2, 2, 1)"}},
		{wpath("int.npz"), []string{"int.npz", "W1", "dtype <i8", "float"}},
		{wpath("nan.npz"), []string{"nan.npz", "W1", "entry [1][0] is NaN"}},
		{wpath("inf.npz"), []string{"inf.npz", "W2", "entry [0][2] is +Inf"}},
		{wpath("unknown.npz"), []string{"unknown.npz", "W3", "unknown array"}},
		{wpath("ambiguous.npz"), []string{"ambiguous.npz", "fc1.weight: unknown array(s) besides the layers W1 and W2"}},
		{wpath("bias-wrong-length.npz"), []string{"bias-wrong-length.npz", "fc1.bias", "length m = 3"}},
		{wpath("truncated.npy") + "," + wpath("second.npy"), []string{"truncated.npy", "needs 48 bytes of data, the file holds 36"}},
		{wpath("second.npy") + "," + wpath("first.npy"), []string{"first.npy", "m = 1"}},
		{wpath("first.npy") + ",", []string{"first.npy,", "pair"}},
	} {
		_, err := ReadWeights(c.path)
		if err == nil {
			t.Errorf("%s: accepted", c.path)
			continue
		}
		var we *WeightsError
		if !errors.As(err, &we) {
			t.Errorf("%s: error %T %v is not a *WeightsError", c.path, err, err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.path, err, w)
			}
		}
	}
}

// TestSetWeightsRejects: weights that do not fit the case's d and k.
func TestSetWeightsRejects(t *testing.T) {
	load := func(path string) *Weights {
		w, err := ReadWeights(path)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	cs, err := Load(wpath("fig3-data.json"))
	if err != nil {
		t.Fatal(err)
	}
	// wrong-d.npz: W1 is 3 × 3, the case wants d = 2.
	if err := cs.SetWeights(load(wpath("wrong-d.npz"))); err == nil || !strings.Contains(err.Error(), "d = d_in + 1 = 2") {
		t.Errorf("wrong d: %v", err)
	}
	// The case without a bias: W1 (3 × 2) does not fit d = 1; fc1.bias is refused.
	nobias := *cs
	nobias.Bias = false
	if err := nobias.SetWeights(load(wpath("w1w2.npz"))); err == nil || !strings.Contains(err.Error(), "wants d = 1") {
		t.Errorf("no bias: %v", err)
	}
	if err := nobias.SetWeights(load(wpath("torch.npz"))); err == nil || !strings.Contains(err.Error(), `no "bias": true`) {
		t.Errorf("separate bias without bias: %v", err)
	}
	// A first layer without the bias column for a case with a bias.
	w := load(wpath("w1w2.npz"))
	for j := range w.W {
		w.W[j] = w.W[j][:1]
	}
	if err := cs.SetWeights(w); err == nil || !strings.Contains(err.Error(), "d_in + 1 = 2 columns (the bias weight last)") {
		t.Errorf("missing bias column: %v", err)
	}
	// k mismatch: two outputs.
	w = load(wpath("w1w2.npz"))
	w.A = append(w.A, w.A[0])
	if err := cs.SetWeights(w); err == nil || !strings.Contains(err.Error(), "k = 1") {
		t.Errorf("k mismatch: %v", err)
	}
	if len(cs.Neurons) != 0 {
		t.Errorf("a rejected SetWeights changed the case")
	}
}

// TestSetWeightsOutputBias: the second-layer bias becomes the case's
// trainable output bias, exactly (nonzero-b2.npz: fc2.bias = [0.5]); a
// file without one leaves the case without one.
func TestSetWeightsOutputBias(t *testing.T) {
	cs, err := Load(wpath("fig3-data.json"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := ReadWeights(wpath("nonzero-b2.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	if len(cs.OutputBias) != 1 || cs.OutputBias[0].RatString() != "1/2" || w.SecondBias != "fc2.bias" {
		t.Errorf("output bias %v (%q)", cs.OutputBias, w.SecondBias)
	}
	w, err = ReadWeights(wpath("w1w2.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.SetWeights(w); err != nil || cs.OutputBias != nil {
		t.Errorf("no output bias in the file: %v, %v", cs.OutputBias, err)
	}
}
