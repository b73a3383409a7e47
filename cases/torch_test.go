package cases

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func ptpath(name string) string { return filepath.Join("testdata", "pt", name) }

// TestReadTorch: state dicts written by torch.save (torch 1.13, by
// testdata/pt/make_fixtures.py) read back to the values the script set,
// written here independently: float64 literals, their float32 roundings,
// and float16/bfloat16 values worked out by hand.
func TestReadTorch(t *testing.T) {
	f32 := func(x float64) float64 { return float64(float32(x)) }
	fig3W := [][]float64{{0.5, -0.25}, {-1, 0.7}, {1e-5, -3.0000000000001}}
	fig3A := [][]float64{{-0.5, 0.125, 2e-5}}
	fig3W32 := [][]float64{{0.5, -0.25}, {-1, f32(0.7)}, {f32(1e-5), -3}}
	fig3A32 := [][]float64{{-0.5, 0.125, f32(2e-5)}}
	for _, c := range []struct {
		file                  string
		layers                *Layers
		first, second, fb, sb string
		W, A                  [][]float64
		B                     []float64
	}{
		{"seq-f64.pt", nil, "0.weight", "2.weight", "0.bias", "", fig3W, fig3A, nil},
		{"fc-f32.pt", nil, "fc1.weight", "fc2.weight", "fc1.bias", "fc2.bias", fig3W32, fig3A32, []float64{0.375}},
		{"hidden-out.pt", nil, "hidden.weight", "out.weight", "hidden.bias", "", fig3W, fig3A, nil},
		{"net-seq.pt", nil, "net.0.weight", "net.2.weight", "net.0.bias", "", fig3W, fig3A, nil},
		{"module-prefix.pt", nil, "module.fc1.weight", "module.fc2.weight", "module.fc1.bias", "", fig3W, fig3A, nil},
		// dec.weight (1 × 3) is saved first; only the shapes say enc is first.
		{"shapes.pt", nil, "enc.weight", "dec.weight", "enc.bias", "",
			[][]float64{{0.5, 1, -0.25}, {-1, 2, 0.7}, {1e-5, 3, -3.0000000000001}}, fig3A, nil},
		{"both-orders.pt", &Layers{First: "b.weight", Second: "a.weight"}, "b.weight", "a.weight", "", "",
			[][]float64{{5, 6}, {7, 8}}, [][]float64{{1, 2}, {3, 4}}, nil},
		// float16: 65504 is the largest, 2⁻²⁴ the smallest subnormal, 0.1
		// rounds to 1638/16384 = 0.0999755859375, 2⁻¹⁴ the smallest normal.
		{"f16.pt", nil, "fc1.weight", "fc2.weight", "fc1.bias", "",
			[][]float64{{0.5, 65504}, {-1, 0}, {math.Ldexp(1, -24), 0.0999755859375}},
			[][]float64{{-0.5, 0.125, math.Ldexp(1, -14)}}, nil},
		// bfloat16: 0.1 rounds to 205/2048 = 0.10009765625; 2⁻¹³³ is the
		// smallest subnormal.
		{"bf16.pt", nil, "fc1.weight", "fc2.weight", "", "",
			[][]float64{{0.10009765625}, {3}, {math.Ldexp(1, -133)}}, [][]float64{{1, -2, 0.5}}, nil},
		// Views: fc1.weight = [[1,2,3],[4,5,6]]ᵀ (strides (1, 3)); fc1.bias =
		// big[0:3] and fc2.weight = big[4:7] of one storage big = k/4.
		{"views.pt", nil, "fc1.weight", "fc2.weight", "fc1.bias", "",
			[][]float64{{1, 4, 0}, {2, 5, 0.25}, {3, 6, 0.5}}, [][]float64{{1, 1.25, 1.5}}, nil},
		{"shared.pt", nil, "W1", "W2", "", "", [][]float64{{1, 4}, {2, 5}, {3, 6}}, [][]float64{{4, 5, 6}}, nil},
	} {
		w, err := ReadWeightsLayers(ptpath(c.file), c.layers)
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if !equalRows(w.W, c.W) || !equalRows(w.A, c.A) || !equalRows([][]float64{w.B}, [][]float64{c.B}) {
			t.Errorf("%s: read W = %v, A = %v, B = %v; want %v, %v, %v", c.file, w.W, w.A, w.B, c.W, c.A, c.B)
		}
		if w.First != c.first || w.Second != c.second || w.FirstBias != c.fb || w.SecondBias != c.sb {
			t.Errorf("%s: names %q %q %q %q", c.file, w.First, w.Second, w.FirstBias, w.SecondBias)
		}
		if c.file == "f16.pt" && !math.Signbit(w.W[1][1]) {
			t.Errorf("f16.pt: -0 read as +0")
		}
	}
}

// TestReadTorchRejects: files that are not a state dict of two float
// layers are refused with a message naming the file and saying why.
func TestReadTorchRejects(t *testing.T) {
	for _, c := range []struct {
		file string
		want []string
	}{
		{"legacy.pt", []string{"legacy (PyTorch < 1.6, not zip)", "torch.save(model.state_dict(), path)"}},
		{"whole-model.pt", []string{"torch.nn.modules.container.Sequential", "save model.state_dict()"}},
		{"one-tensor.pt", []string{"one tensor, not a state dict"}},
		{"int.pt", []string{"fc1.weight", "LongStorage", "want a float tensor"}},
		{"nan.pt", []string{"fc1.weight", "entry [1][0] is NaN"}},
		{"torchscript.pt", []string{"TorchScript"}},
		{"both-orders.pt", []string{"a.weight and b.weight chain in both orders", "--layers"}},
	} {
		_, err := ReadWeights(ptpath(c.file))
		if err == nil {
			t.Errorf("%s: accepted", c.file)
			continue
		}
		var we *WeightsError
		if !errors.As(err, &we) {
			t.Errorf("%s: %T %v is not a *WeightsError", c.file, err, err)
		}
		for _, w := range append(c.want, c.file) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.file, err, w)
			}
		}
	}
}

// TestLayersFlag: --layers names the layers, takes the bias companions,
// refuses names the file lacks and arrays left without a role.
func TestLayersFlag(t *testing.T) {
	w, err := ReadWeightsLayers(ptpath("hidden-out.pt"), &Layers{First: "hidden.weight", Second: "out.weight"})
	if err != nil || w.FirstBias != "hidden.bias" {
		t.Errorf("hidden-out.pt: %v, first bias %q", err, w.FirstBias)
	}
	for _, c := range []struct {
		layers string
		want   string
	}{
		{"hidden.weight,nope.weight", `--layers names "nope.weight", the file has no such array (found hidden.bias (3,), hidden.weight (3, 1), out.weight (1, 3))`},
		{"hidden.weight,out.weight,-,-", "hidden.bias: unknown array(s) besides the layers hidden.weight and out.weight"},
		{"hidden.weight,hidden.weight", "one array for two roles"},
	} {
		l, err := ParseLayers(c.layers)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ReadWeightsLayers(ptpath("hidden-out.pt"), l); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--layers %s: %v, want %q", c.layers, err, c.want)
		}
	}
	for _, bad := range []string{"a", "a,b,c", ",b", "a,-", "a,b,c,d,e"} {
		if _, err := ParseLayers(bad); err == nil {
			t.Errorf("ParseLayers(%q) accepted", bad)
		}
	}
}
