package verify_test

import (
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// These tests snap points trained by PyTorch (testdata/corpus, written by
// its make_corpus.py) and check what snap says by arguments that do not
// use Check:
//
//   - the exact loss of a plateau is a property of the data: the zero
//     network's (1/2n)Σy² or the least-squares affine fit's, computed from
//     the data files alone by testdata/snapcorpus/expected.py (Python
//     fractions) and copied here;
//   - a saddle's decreasing path is re-evaluated by direct exact loss
//     evaluation along it;
//   - a local minimum survives a random perturbation search (300 random
//     directions at four scales, exact loss);
//   - a float point that is not stationary decreases, by direct exact
//     evaluation, along its certificate's descent direction.
//
// Check runs without Theorem G (the comparison with the least loss of any
// width), the slow part here: it can only turn a local minimum into a
// global one, and these have positive loss on data that a wide enough
// network interpolates.

const corpusDir = "../testdata/corpus"

type corpusEntry struct {
	Name       string  `json:"name"`
	Data       string  `json:"data"`
	Weights    *string `json:"weights"`
	WeightsNPZ string  `json:"weights_npz"`
	Activation string  `json:"activation"`
	InputBias  bool    `json:"input_bias"`
	K          int     `json:"k"`
}

// corpusEntryPoint loads the corpus point of index.json named name as a
// float candidate.
func corpusEntryPoint(t *testing.T, name string) *verify.Point {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ix struct{ Points []corpusEntry }
	if err := json.Unmarshal(data, &ix); err != nil {
		t.Fatal(err)
	}
	for _, e := range ix.Points {
		if e.Name != name {
			continue
		}
		act, err := cases.ParseActivation(e.Activation)
		if err != nil {
			t.Fatal(err)
		}
		c, err := cases.DataCase(filepath.Join(corpusDir, e.Data), act, e.InputBias, cases.DataOptions{Targets: e.K})
		if err != nil {
			t.Fatal(err)
		}
		wf := e.WeightsNPZ
		if e.Weights != nil {
			wf = *e.Weights
		}
		w, err := cases.ReadWeights(filepath.Join(corpusDir, wf))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SetWeights(w); err != nil {
			t.Fatal(err)
		}
		return c.Point()
	}
	t.Fatalf("no corpus point %s", name)
	return nil
}

func ratOf(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatal(s)
	}
	return r
}

// Expected losses (1/2n scaling) from testdata/snapcorpus/expected.py.
const (
	fig3ZeroLoss64   = "61853236327296140955929452317403/3245185536584267267831560205762560"
	fig3AffineLoss64 = "2175532896305720958022564333903048850140194514239776754102046578403/156030691336134318944412615802072122428640237198740059124575198248960"
	fig3ZeroLoss32   = "54936710363242673/2882303761517117440"
	fig3AffineLoss32 = "418992414568833915035437832549347/30050418268001301761233520101949440"
)

// checkPathDecreases evaluates L along the certificate's path at
// τ = 1, 1/2, …, 1/2¹⁰ and requires L(θ + τΔ) < L(θ) at each.
func checkPathDecreases(t *testing.T, p *verify.Point, delta verify.Direction, db exact.Vec) {
	t.Helper()
	l0 := verify.Loss(p)
	tau := big.NewRat(1, 1)
	for k := 0; k <= 10; k++ {
		q := p.Add(delta.Scale(tau))
		if db != nil {
			q = q.AddBias(db.Scale(tau))
		}
		if verify.Loss(q).Cmp(l0) >= 0 {
			t.Fatalf("L does not decrease at τ = %s along the certificate", tau.RatString())
		}
		tau.Mul(tau, big.NewRat(1, 2))
	}
}

// perturbationSearch requires L(θ + Δ) ≥ L(θ) for random directions Δ of
// norm 10⁻³…10⁻⁶ on every weight (the output bias too).
func perturbationSearch(t *testing.T, p *verify.Point, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	l0 := verify.Loss(p)
	for it := 0; it < 300; it++ {
		scale := []float64{1e-3, 1e-4, 1e-5, 1e-6}[it%4]
		delta := p.ZeroDirection()
		for j := range delta {
			for c := range delta[j].W {
				delta[j].W[c] = new(big.Rat).SetFloat64(scale * rng.NormFloat64())
			}
			for c := range delta[j].A {
				delta[j].A[c] = new(big.Rat).SetFloat64(scale * rng.NormFloat64())
			}
		}
		q := p.Add(delta)
		if p.HasOutputBias() {
			db := exact.NewVec(p.K())
			for c := range db {
				db[c] = new(big.Rat).SetFloat64(scale * rng.NormFloat64())
			}
			q = q.AddBias(db)
		}
		if verify.Loss(q).Cmp(l0) < 0 {
			t.Fatalf("perturbation %d (scale %g) lowers the loss: not a local minimum", it, scale)
		}
	}
}

// TestSnapCorpusFig3: the Figure 3 runs (ReLU and |·|, float64 and
// float32): the first plateau snaps to a saddle of the zero network's
// loss, whose path decreases; the end snaps to a local minimum with the
// affine least-squares loss, which no random perturbation lowers.
func TestSnapCorpusFig3(t *testing.T) {
	for _, c := range []struct {
		point, loss string
		kind        verify.VerdictKind
	}{
		{"fig3-relu-64-p1", fig3ZeroLoss64, verify.Saddle},
		{"fig3-relu-32-p1", fig3ZeroLoss32, verify.Saddle},
		{"fig3-abs-64-p1", fig3ZeroLoss64, verify.Saddle},
		{"fig3-relu-64-end", fig3AffineLoss64, verify.LocalMin},
		{"fig3-relu-32-end", fig3AffineLoss32, verify.LocalMin},
		{"fig3-abs-64-end", fig3AffineLoss64, verify.LocalMin},
		{"fig3-abs-32-end", fig3AffineLoss32, verify.LocalMin},
	} {
		t.Run(c.point, func(t *testing.T) {
			p := corpusEntryPoint(t, c.point)
			res, err := verify.Snap(p, verify.SnapOptions{MaxNeighbours: -1, Check: verify.Options{SkipGlobal: true}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Point == nil || res.Verdict == nil || res.RecheckErr != nil {
				t.Fatalf("no certified point: %+v, recheck %v", res.Failure, res.RecheckErr)
			}
			v := res.Verdict
			if v.Kind != c.kind {
				t.Fatalf("verdict %v (%s), want %v", v.Kind, v.Reason, c.kind)
			}
			if got := verify.Loss(res.Point); got.Cmp(ratOf(t, c.loss)) != 0 {
				t.Fatalf("loss %s, want %s", exact.Text(got), exact.Text(ratOf(t, c.loss)))
			}
			switch c.kind {
			case verify.Saddle:
				checkPathDecreases(t, res.Point, v.Cert.Path.Delta, v.Cert.Path.Bias)
			case verify.LocalMin:
				perturbationSearch(t, res.Point, 7)
			}
		})
	}
}

// TestSnapCorpusTeacherStudent: the saddle-to-saddle teacher–student run
// (β = 10⁻⁶): both plateaus snap to saddles whose paths decrease; the
// over-parameterised students near a global minimum (ts1-over-64-end,
// ts1-relu-32-end, ts1-relu-64-end: dying neurons zeroed, aligned neurons
// given one pattern, samples that break their side on both sides of a
// hyperplane put on it) snap to stationary points whose verdict is checked
// (path or perturbation search); the student with an output bias
// (ts1-relu-ob-64-end) has no stationary point near θ̃ in any pattern
// tried, and gets θ̃'s own certified verdict, which decreases along its
// certificate's descent direction.
func TestSnapCorpusTeacherStudent(t *testing.T) {
	if testing.Short() {
		t.Skip("the n = 50 points take a few seconds each")
	}
	for _, c := range []struct {
		name    string
		snapped bool
	}{{"ts1-s2s-64-p1", true}, {"ts1-s2s-32-p2", true}, {"ts1-over-64-end", true}, {"ts1-relu-32-end", true},
		{"ts1-relu-64-end", true}, {"ts1-relu-ob-64-end", false}} {
		name := c.name
		t.Run(name, func(t *testing.T) {
			p := corpusEntryPoint(t, name)
			res, err := verify.Snap(p, verify.SnapOptions{MaxNeighbours: -1, Check: verify.Options{SkipGlobal: true}})
			if err != nil {
				t.Fatal(err)
			}
			if snapped := res.Verdict != nil && res.Verdict.Kind != verify.NotStationary; snapped != c.snapped {
				t.Fatalf("snapped to a stationary point: %v, want %v (%+v)", snapped, c.snapped, res.Failure)
			}
			switch {
			case res.Verdict != nil && res.Verdict.Kind != verify.NotStationary:
				if res.RecheckErr != nil {
					t.Fatalf("recheck: %v", res.RecheckErr)
				}
				switch v := res.Verdict; v.Kind {
				case verify.Saddle:
					checkPathDecreases(t, res.Point, v.Cert.Path.Delta, v.Cert.Path.Bias)
				case verify.LocalMin, verify.GlobalMin:
					perturbationSearch(t, res.Point, 11)
				}
				if name == "ts1-s2s-64-p1" || name == "ts1-s2s-32-p2" {
					if res.Verdict.Kind != verify.Saddle {
						t.Fatalf("a plateau of saddle-to-saddle training snaps to %v", res.Verdict.Kind)
					}
				}
			case res.Candidate != nil:
				if name == "ts1-s2s-64-p1" || name == "ts1-s2s-32-p2" {
					t.Fatalf("no stationary point for a saddle plateau: %s", res.Failure.Reason)
				}
				// The failure says how far θ̃ is: its measured gradient bound.
				if !strings.Contains(res.Failure.Reason, "θ̃'s gradient, with every kink within τ = 0.01 relaxed") {
					t.Errorf("failure without the gradient bound: %s", res.Failure.Reason)
				}
				v := res.Candidate
				if res.CandidateRecheck != nil || v.Kind != verify.NotStationary || v.Cert.Descent == nil {
					t.Fatalf("θ̃'s verdict %v, recheck %v", v.Kind, res.CandidateRecheck)
				}
				d := v.Cert.Descent
				if d.Path == nil {
					t.Fatal("descent without a path")
				}
				checkPathDecreases(t, p, d.Path.Delta, d.Path.Bias)
			default:
				t.Fatalf("no verdict at all: %+v", res.Failure)
			}
		})
	}
}
