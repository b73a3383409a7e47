package cases

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// corpusDir is the corpus of trained points written by
// testdata/corpus/make_corpus.py (real PyTorch and scikit-learn files).
var corpusDir = filepath.Join("..", "testdata", "corpus")

// corpusPoint is the part of an index.json entry the tests use.
type corpusPoint struct {
	Name       string            `json:"name"`
	Data       string            `json:"data"`
	DataCase   string            `json:"data_case"`
	YShape     []int             `json:"y_shape"`
	Weights    *string           `json:"weights"`
	WeightsNPZ string            `json:"weights_npz"`
	Names      map[string]string `json:"names"`
	Activation string            `json:"activation"`
	InputBias  bool              `json:"input_bias"`
	OutputBias bool              `json:"output_bias"`
	Dtype      string            `json:"dtype"`
	N, D, M, K int
	LossMSE    float64 `json:"loss_mse"`
	Layout     string  `json:"layout"`
}

func readCorpus(t *testing.T) []corpusPoint {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct {
		Format int           `json:"format"`
		Points []corpusPoint `json:"points"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	if idx.Format != 1 || len(idx.Points) < 20 {
		t.Fatalf("index.json: format %d, %d points", idx.Format, len(idx.Points))
	}
	return idx.Points
}

// floatLoss is PyTorch's mse_loss of the float network (W, A, B) on the
// case's data, computed in float64 from the exact values.
func floatLoss(c *Case, w *Weights, slopeNeg float64) float64 {
	var sum float64
	for i := range c.Inputs.Rows() {
		x := c.Inputs.Row(i)
		xi := make([]float64, 0, len(x)+1)
		for _, v := range x {
			f, _ := v.Float64()
			xi = append(xi, f)
		}
		if c.Bias {
			xi = append(xi, 1)
		}
		for l := range w.A {
			var f float64
			for j, row := range w.W {
				var z float64
				for c2, v := range row {
					z += v * xi[c2]
				}
				if z < 0 {
					z *= slopeNeg
				}
				f += w.A[l][j] * z
			}
			if w.B != nil {
				f += w.B[l]
			}
			y, _ := c.Targets.At(i, l).Float64()
			sum += (f - y) * (f - y)
		}
	}
	return sum / float64(c.Inputs.Rows()*len(w.A))
}

// TestCorpusWeights: every point of the corpus reads from its .pt file and
// its .npz file to the same numbers, with the shapes the index records,
// and the float network on the data reproduces the loss PyTorch recorded
// (an independent check that the right arrays were read the right way
// round: a transposed or misnamed layer changes the loss).
func TestCorpusWeights(t *testing.T) {
	slopes := map[string]float64{"relu": 0, "leaky:1/8": 0.125, "abs": -1}
	for _, p := range readCorpus(t) {
		w, err := ReadWeights(filepath.Join(corpusDir, p.WeightsNPZ))
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		if p.Weights != nil {
			pt, err := ReadWeights(filepath.Join(corpusDir, *p.Weights))
			if err != nil {
				t.Errorf("%s: %v", p.Name, err)
				continue
			}
			if !equalRows(pt.W, w.W) || !equalRows(pt.A, w.A) || !equalRows([][]float64{pt.B}, [][]float64{w.B}) {
				t.Errorf("%s: the .pt and the .npz differ", p.Name)
			}
			if pt.First != p.Names["first"] || pt.Second != p.Names["second"] ||
				pt.FirstBias != p.Names["first_bias"] || pt.SecondBias != p.Names["second_bias"] {
				t.Errorf("%s: .pt names %q %q %q %q, index %v", p.Name, pt.First, pt.Second, pt.FirstBias, pt.SecondBias, p.Names)
			}
		}
		d := p.D
		if p.InputBias {
			d++
		}
		if len(w.W) != p.M || len(w.W[0]) != d || len(w.A) != p.K || (w.B != nil) != p.OutputBias {
			t.Errorf("%s: read m = %d, d = %d, k = %d, output bias %v; index %d, %d, %d, %v",
				p.Name, len(w.W), len(w.W[0]), len(w.A), w.B != nil, p.M, d, p.K, p.OutputBias)
			continue
		}
		c, err := Load(filepath.Join(corpusDir, p.DataCase))
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		if c.Inputs.Rows() != p.N || c.Inputs.Cols() != p.D || c.Targets.Cols() != p.K {
			t.Errorf("%s: data case n = %d, d = %d, k = %d", p.Name, c.Inputs.Rows(), c.Inputs.Cols(), c.Targets.Cols())
		}
		// The data .npz (NumPy's binary values) and the case file (Python's
		// exact fractions of them) hold the same numbers.
		dc, err := DataCase(filepath.Join(corpusDir, p.Data), c.Activation, c.Bias, DataOptions{})
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
		} else {
			for i := range c.Inputs.Rows() {
				if !dc.Inputs.Row(i).Equal(c.Inputs.Row(i)) || !dc.Targets.Row(i).Equal(c.Targets.Row(i)) {
					t.Errorf("%s: sample %d: the .npz and the case file differ", p.Name, i)
					break
				}
			}
		}
		got := floatLoss(c, w, slopes[p.Activation])
		// PyTorch computed in the training dtype: residuals r carry
		// rounding errors δ ≈ ε·|y|, so r² is off by ≈ 2|r|δ.
		tol := 1e-9*p.LossMSE + 1e-14
		if p.Dtype == "float32" {
			tol = 1e-4*p.LossMSE + 1e-6*math.Sqrt(p.LossMSE)
		}
		if math.Abs(got-p.LossMSE) > tol {
			t.Errorf("%s: mse_loss of the weights read = %.10g, PyTorch recorded %.10g", p.Name, got, p.LossMSE)
		}
		if err := c.SetWeights(w); err != nil {
			t.Errorf("%s: SetWeights: %v", p.Name, err)
		} else if (c.OutputBias != nil) != p.OutputBias {
			t.Errorf("%s: SetWeights: output bias %v", p.Name, c.OutputBias)
		}
	}
}
