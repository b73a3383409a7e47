package recheck_test

import (
	"bytes"
	"encoding/gob"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
	nt "github.com/relucert/relucert/network/networktest"
	"github.com/relucert/relucert/recheck"
	"github.com/relucert/relucert/verify"
)

// TestForgedLocalMin is the forged certificate of issue 11: ReLU, one sample
// x = 1, y = 1, one neuron w = 0, a = 1. Then r = −1, the sample is on the
// neuron's hyperplane with κc = −1, so Z⁻ = {0} and the Z⁻ arrangement of
// Q¹ has two cells, T = ∅ and T = {0}. On T = {0} the cell LP asks
// −1 = μ·1 with μ ≥ 0, infeasible: u = 1 gives nφ(u) = −(u)₊ < 0, so the
// point is not stationary. A local-min certificate that lists only the
// cell T = ∅ (point −1, μ = 0, which is valid on its own) must be
// rejected, and so must the genuine verdict with that cell dropped.
func TestForgedLocalMin(t *testing.T) {
	one := big.NewRat(1, 1)
	p := &network.Point{Act: network.ReLU(), X: exact.RatMatOf([]exact.Vec{{one}}), Y: exact.RatMatOf([]exact.Vec{{one}}),
		Neurons: []network.Neuron{{W: exact.VecOf(0), A: exact.VecOf(1)}}}
	forged := &recheck.Verdict{
		Kind: recheck.LocalMin, Loss: big.NewRat(1, 2), Stationary: true, Escape: []int{},
		Neurons: []recheck.NeuronReport{{Kind: recheck.ZeroInput, Boundary: 1, S1: true, S2: true, Decided: true, G: exact.VecOf(0)}},
		Cert: &recheck.Certificate{Stationarity: []recheck.StationarityProof{{
			Neuron: 0, ZMinus: []int{0},
			Cells: []recheck.CellProof{{Point: exact.VecOf(-1), T: nil, Lambda: []*big.Rat{}, Mu: []*big.Rat{new(big.Rat)}}},
			Cover: &recheck.Cover{},
		}}},
	}
	if err := recheck.Recheck(p, forged); err == nil {
		t.Fatal("the forged local-min certificate passes")
	} else {
		t.Logf("forged certificate rejected: %v", err)
	}
	forged.Cert.Stationarity[0].Cover = nil
	if err := recheck.Recheck(p, forged); err == nil {
		t.Fatal("the forged certificate without a cover passes")
	}
	genuineNotStationary(t, p)
}

// TestForgedS2NoBoundary: ReLU, one neuron w = (1, 0), a = 1, samples
// x₁ = (1, 1), x₂ = (1, −1) (both active: w·x = 1, no boundary sample) with
// y = (0, 2), so r = (1, −1) by hand: G = r₁ + r₂ = 0, (S1) holds, but
// v = a·(r₁x₁ + r₂x₂) = (0, 2) ≠ 0, so φ(u) = v·u < 0 at u = (0, −1):
// (S2) fails and the point is not stationary; L = (1 + 1)/4 = 1/2. A
// local-min certificate whose (S2) proof is the one cell of the empty
// arrangement (point 0, no T, λ or μ — the proof of a neuron whose v is
// 0) must be rejected; Check's own verdict is not-stationary and passes.
func TestForgedS2NoBoundary(t *testing.T) {
	p := &network.Point{Act: network.ReLU(), X: exact.RatMatOf([]exact.Vec{exact.VecOf(1, 1), exact.VecOf(1, -1)}),
		Y: exact.RatMatOf([]exact.Vec{exact.VecOf(0), exact.VecOf(2)}), Neurons: []network.Neuron{{W: exact.VecOf(1, 0), A: exact.VecOf(1)}}}
	forged := &recheck.Verdict{
		Kind: recheck.LocalMin, Loss: big.NewRat(1, 2), Stationary: true, Escape: []int{},
		Neurons: []recheck.NeuronReport{{Kind: recheck.Alive, Boundary: 0, S1: true, S2: true, Decided: true, G: exact.VecOf(0)}},
		Cert: &recheck.Certificate{Stationarity: []recheck.StationarityProof{{
			Neuron: 0, Cells: []recheck.CellProof{{Point: exact.VecOf(0, 0), Lambda: []*big.Rat{}, Mu: []*big.Rat{}}},
		}}},
	}
	// Rejected for the reason above, v ≠ 0 (not, say, for its missing
	// cover, which alone would let a skipped v = 0 test go unnoticed).
	if err := recheck.Recheck(p, forged); err == nil {
		t.Fatal("the forged local-min certificate passes")
	} else if !strings.Contains(err.Error(), "(S2)") || !strings.Contains(err.Error(), "subgradient") {
		t.Fatalf("forged certificate rejected for another reason: %v", err)
	}
	genuineNotStationary(t, p)
}

// tamperPoints returns the points the tamper test runs on: the catalogue
// (every verdict kind), random small points, and planted zero-input
// neurons in d = 3, 4 whose arrangements have many cells and flats (k = 1:
// (S2) cells; k = 2: no-escape faces), and planted local minima of
// float64 data.
func tamperPoints(t *testing.T) []*network.Point {
	cat, err := cases.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	var ps []*network.Point
	for _, c := range cat {
		ps = append(ps, c.Point())
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 60; trial++ {
		ps = append(ps, nt.RandomPoint(rng))
	}
	for trial := 0; trial < 8; trial++ {
		p, _, err := verify.Generate(verify.GenConfig{Kind: verify.GenZeroInput, N: 12 + trial, D: 2 + trial%3, M: 1 + trial%2,
			K: 1 + trial%2, Act: nt.Activations[trial%3], Seed: uint64(trial)})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	// Float data whose images fit a word, m = 16 (the residual pass by
	// subset-sum tables of chunks of neurons), ReLU and leaky.
	for trial, act := range []network.Activation{network.ReLU(), network.Leaky(big.NewRat(1, 10))} {
		p, _, err := verify.Generate(verify.GenConfig{Kind: verify.GenLocalMin, N: 300, D: 3, M: 16, K: 2, Act: act,
			Boundary: 6, Dyadic: true, Seed: uint64(20 + trial)})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

// A tamper alters one claimed fact of a fresh verdict, or reports false
// when it does not apply.
type tamper struct {
	name  string
	apply func(p *network.Point, v *recheck.Verdict, rng *rand.Rand) bool
}

// plainTampers apply only to certificates made without verify.Options.Cells.
var plainTampers = map[string]bool{"(S2) Q zero claimed": true, "no-escape Q zero claimed": true}

func bump(x *big.Rat) *big.Rat { return new(big.Rat).Add(x, big.NewRat(1, 7)) }

// tampers are the tamper classes of issue 11: a multiplier, a witness
// coordinate, Δ, the loss, the verdict, the cell list (and the coverage
// proof), the escape set, the stationary flag, the per-neuron flags, the
// descent labels, the no-escape proofs and global against local.
var tampers = []tamper{
	{"loss", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool { v.Loss = bump(v.Loss); return true }},
	{"verdict", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		v.Kind = map[recheck.VerdictKind]recheck.VerdictKind{recheck.NotStationary: recheck.LocalMin, recheck.Saddle: recheck.LocalMin,
			recheck.LocalMin: recheck.Saddle, recheck.GlobalMin: recheck.Saddle, recheck.Undetermined: recheck.LocalMin}[v.Kind]
		return true
	}},
	{"global relabelled local", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		if v.Kind != recheck.GlobalMin {
			return false
		}
		v.Kind = recheck.LocalMin
		return true
	}},
	{"local relabelled global", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		if v.Kind != recheck.LocalMin {
			return false
		}
		v.Kind = recheck.GlobalMin
		return true
	}},
	{"stationary flag", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		v.Stationary = !v.Stationary
		return true
	}},
	{"drop cell", func(_ *network.Point, v *recheck.Verdict, rng *rand.Rand) bool {
		for k := range v.Cert.Stationarity {
			sp := &v.Cert.Stationarity[k]
			if len(sp.Cells) >= 2 {
				c := rng.IntN(len(sp.Cells))
				sp.Cells = slices.Delete(slices.Clone(sp.Cells), c, c+1)
				return true
			}
		}
		return false
	}},
	{"drop face cell", func(_ *network.Point, v *recheck.Verdict, rng *rand.Rand) bool {
		for k := range v.Cert.NoEscape {
			ne := &v.Cert.NoEscape[k]
			if len(ne.Cells) >= 2 {
				c := rng.IntN(len(ne.Cells))
				ne.Cells = slices.Delete(slices.Clone(ne.Cells), c, c+1)
				return true
			}
		}
		return false
	}},
	{"drop flat", func(_ *network.Point, v *recheck.Verdict, rng *rand.Rand) bool {
		for _, cv := range covers(v) {
			if len(cv.Flats) > 0 {
				f := rng.IntN(len(cv.Flats))
				cv.Flats = slices.Delete(slices.Clone(cv.Flats), f, f+1)
				return true
			}
		}
		return false
	}},
	{"drop flat point", func(_ *network.Point, v *recheck.Verdict, rng *rand.Rand) bool {
		for _, cv := range covers(v) {
			for f := range cv.Flats {
				if fl := &cv.Flats[f]; len(fl.Points) >= 2 {
					c := rng.IntN(len(fl.Points))
					fl.Points = slices.Delete(slices.Clone(fl.Points), c, c+1)
					return true
				}
			}
		}
		return false
	}},
	{"bogus parallel pair", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		for k := range v.Cert.Stationarity {
			sp := &v.Cert.Stationarity[k]
			if len(sp.ZMinus) >= 3 && sp.Cover != nil && len(sp.Cover.Parallel) == 0 {
				sp.Cover.Parallel = [][2]int{{len(sp.ZMinus) - 1, 0}}
				return true
			}
		}
		return false
	}},
	{"cell multiplier", func(_ *network.Point, v *recheck.Verdict, rng *rand.Rand) bool {
		for _, sp := range v.Cert.Stationarity {
			for _, c := range sp.Cells {
				// Replace, not change: 0 and 1 may be shared.
				if len(c.Mu) > 0 {
					i := rng.IntN(len(c.Mu))
					c.Mu[i] = bump(c.Mu[i])
					return true
				}
				if len(c.Lambda) > 0 {
					i := rng.IntN(len(c.Lambda))
					c.Lambda[i] = bump(c.Lambda[i])
					return true
				}
			}
		}
		return false
	}},
	{"face multiplier", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		// α multiplies a nonzero ±x_i, so a change of it always breaks the
		// identity (β multiplies g = Q_Cᵀa_j, which may be 0).
		for _, ne := range v.Cert.NoEscape {
			for _, c := range ne.Cells {
				for _, row := range c.Alpha {
					if len(row) > 0 {
						row[0] = bump(row[0])
						return true
					}
				}
			}
		}
		return false
	}},
	// Without Options.Cells, Check claims Q_j ≡ 0 whenever (E1)/(E2) hold
	// for a neuron with boundary terms, so a proof with cells is one of a
	// neuron with Q_j ≢ 0: the claim in its place must be refuted.
	{"(S2) Q zero claimed", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		for k := range v.Cert.Stationarity {
			sp := &v.Cert.Stationarity[k]
			if len(sp.Cells) > 0 && len(sp.ZPlus)+len(sp.ZMinus) > 0 {
				sp.QZero, sp.Cells, sp.Cover = true, nil, nil
				return true
			}
		}
		return false
	}},
	{"no-escape Q zero claimed", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		for k := range v.Cert.NoEscape {
			ne := &v.Cert.NoEscape[k]
			if len(ne.Cells) > 0 {
				ne.QZero, ne.Cells, ne.Cover = true, nil, nil
				return true
			}
		}
		return false
	}},
	{"Q zero with cells", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		for k := range v.Cert.Stationarity {
			if sp := &v.Cert.Stationarity[k]; sp.QZero {
				sp.Cells = []recheck.CellProof{{Point: exact.NewVec(len(v.Neurons[0].G))}}
				return true
			}
		}
		for k := range v.Cert.NoEscape {
			if ne := &v.Cert.NoEscape[k]; ne.QZero {
				ne.Cells = []recheck.FaceProof{{}}
				return true
			}
		}
		return false
	}},
	{"cell T", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		for _, sp := range v.Cert.Stationarity {
			for c := range sp.Cells {
				if len(sp.Cells[c].T) > 0 {
					sp.Cells[c].T = sp.Cells[c].T[1:]
					return true
				}
			}
		}
		return false
	}},
	{"cell point", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		for _, sp := range v.Cert.Stationarity {
			if len(sp.ZMinus) > 0 && len(sp.Cells) > 0 {
				c := sp.Cells[0]
				for i := range c.Point {
					c.Point[i] = new(big.Rat).Neg(c.Point[i])
				}
				return true
			}
		}
		return false
	}},
	{"Z minus", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		for k := range v.Cert.Stationarity {
			sp := &v.Cert.Stationarity[k]
			if len(sp.ZPlus) > 0 {
				sp.ZMinus = append(slices.Clone(sp.ZMinus), sp.ZPlus[0])
				slices.Sort(sp.ZMinus)
				return true
			}
		}
		return false
	}},
	{"add escape neuron", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		if !v.Stationary {
			return false
		}
		for j := range v.Neurons {
			if !v.Neurons[j].Escape && v.Neurons[j].Decided {
				v.Neurons[j].Escape = true
				v.Escape = append(slices.Clone(v.Escape), j)
				slices.Sort(v.Escape)
				return true
			}
		}
		return false
	}},
	{"remove escape neuron", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		if len(v.Escape) == 0 {
			return false
		}
		j := v.Escape[0]
		v.Escape = slices.Clone(v.Escape[1:])
		v.Neurons[j].Escape = false
		v.Cert.Escapes = slices.DeleteFunc(slices.Clone(v.Cert.Escapes), func(w recheck.EscapeWitness) bool { return w.Neuron == j })
		if len(v.Escape) == 0 && v.Kind == recheck.Saddle {
			v.Kind = recheck.Undetermined
			v.Cert.Path = nil
		}
		return true
	}},
	{"escape flag", func(_ *network.Point, v *recheck.Verdict, rng *rand.Rand) bool {
		j := rng.IntN(len(v.Neurons))
		v.Neurons[j].Escape = !v.Neurons[j].Escape
		return true
	}},
	{"escape witness coordinate", func(p *network.Point, v *recheck.Verdict, rng *rand.Rand) bool {
		if len(v.Cert.Escapes) == 0 {
			return false
		}
		w := &v.Cert.Escapes[0]
		w.U = w.U.Clone()
		i := rng.IntN(len(w.U))
		w.U[i] = bump(w.U[i])
		// Only a change of the claimed fact counts: Q_j at the new u, by
		// the definition, must differ from the certificate's Q.
		return !nt.Q(p, nt.Residuals(p), w.Neuron, w.U).Equal(w.Q)
	}},
	{"escape Q", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		if len(v.Cert.Escapes) == 0 {
			return false
		}
		w := &v.Cert.Escapes[0]
		w.Q = w.Q.Clone()
		w.Q[0] = bump(w.Q[0])
		return true
	}},
	{"drop no-escape proof", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		if len(v.Cert.NoEscape) == 0 {
			return false
		}
		v.Cert.NoEscape = v.Cert.NoEscape[1:]
		return true
	}},
	{"neuron kind", func(_ *network.Point, v *recheck.Verdict, rng *rand.Rand) bool {
		j := rng.IntN(len(v.Neurons))
		v.Neurons[j].Kind = (v.Neurons[j].Kind + 1) % (recheck.Alive + 1)
		return true
	}},
	{"neuron boundary", func(_ *network.Point, v *recheck.Verdict, rng *rand.Rand) bool {
		v.Neurons[rng.IntN(len(v.Neurons))].Boundary++
		return true
	}},
	{"neuron G", func(_ *network.Point, v *recheck.Verdict, rng *rand.Rand) bool {
		nr := &v.Neurons[rng.IntN(len(v.Neurons))]
		nr.G = nr.G.Clone()
		nr.G[0] = bump(nr.G[0])
		return true
	}},
	{"neuron S1", func(_ *network.Point, v *recheck.Verdict, rng *rand.Rand) bool {
		nr := &v.Neurons[rng.IntN(len(v.Neurons))]
		nr.S1 = !nr.S1
		return true
	}},
	{"neuron S2", func(_ *network.Point, v *recheck.Verdict, rng *rand.Rand) bool {
		nr := &v.Neurons[rng.IntN(len(v.Neurons))]
		if !nr.Decided {
			return false
		}
		nr.S2 = !nr.S2
		return true
	}},
	{"S2 failure direction", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		if len(v.Cert.S2Failures) == 0 {
			return false
		}
		f := &v.Cert.S2Failures[0]
		f.Q = f.Q.Clone()
		f.Q[0] = bump(f.Q[0])
		return true
	}},
	{"descent condition", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		d := v.Cert.Descent
		if d == nil || d.Condition == "S0" {
			return false
		}
		d.Condition = map[string]string{"S1": "S2", "S2": "S1"}[d.Condition]
		return true
	}},
	{"descent neuron", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		d := v.Cert.Descent
		if d == nil || len(v.Neurons) < 2 {
			return false
		}
		d.Neuron = (d.Neuron + 1) % len(v.Neurons)
		return true
	}},
	{"derivative", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		if v.Cert.Descent == nil {
			return false
		}
		v.Cert.Descent.Derivative = new(big.Rat).Mul(v.Cert.Descent.Derivative, big.NewRat(2, 1))
		return true
	}},
	{"path delta", func(p *network.Point, v *recheck.Verdict, rng *rand.Rand) bool {
		path := v.Cert.Path
		if v.Cert.Descent != nil {
			path = v.Cert.Descent.Path
		}
		if path == nil {
			return false
		}
		for j, dj := range path.Delta {
			for _, vec := range []exact.Vec{dj.W, dj.A} {
				for i := range vec {
					if vec[i].Sign() != 0 {
						path.Delta = slices.Clone(path.Delta)
						path.Delta[j] = dj.Clone()
						mv := path.Delta[j].W
						if &vec[0] == &dj.A[0] {
							mv = path.Delta[j].A
						}
						mv[i] = new(big.Rat).Mul(mv[i], big.NewRat(3, 2))
						return true
					}
				}
			}
		}
		return false
	}},
	{"end loss", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		path := v.Cert.Path
		if v.Cert.Descent != nil {
			path = v.Cert.Descent.Path
		}
		if path == nil {
			return false
		}
		path.Loss1 = bump(path.Loss1)
		return true
	}},
	// Weaker claims (docs/theory.md §11.4): the certificate still holds the
	// proof of the stronger one, so the weaker label misreports the point.
	{"weakened to undetermined", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		if v.Kind == recheck.Undetermined {
			return false
		}
		v.Kind = recheck.Undetermined
		return true
	}},
	{"stationary withdrawn", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		if !v.Stationary {
			return false
		}
		v.Stationary = false
		if v.Kind != recheck.NotStationary {
			v.Kind = recheck.Undetermined
		}
		return true
	}},
	{"decided withdrawn", func(_ *network.Point, v *recheck.Verdict, rng *rand.Rand) bool {
		var js []int
		for j, nr := range v.Neurons {
			if nr.Decided {
				js = append(js, j)
			}
		}
		if len(js) == 0 {
			return false
		}
		v.Neurons[js[rng.IntN(len(js))]].Decided = false
		if v.Kind != recheck.NotStationary {
			v.Kind = recheck.Undetermined // the weaker verdict goes with it
		}
		return true
	}},
	{"saddle relabelled undetermined", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		// The path stays: it proves the saddle (k ≥ 2 saddles included,
		// whose escape neurons have a_j ≠ 0 and would be undetermined
		// without it).
		if v.Kind != recheck.Saddle {
			return false
		}
		v.Kind = recheck.Undetermined
		v.Reason = "tampered"
		return true
	}},
	{"global proof kept, undetermined", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		if g := v.Cert.Global; g == nil || !g.IsGlobal {
			return false
		}
		v.Kind = recheck.Undetermined
		return true
	}},
	{"pruned", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		if g := v.Cert.Global; g == nil || g.Witness == nil {
			return false
		}
		v.Cert.Global.Pruned = !v.Cert.Global.Pruned
		return true
	}},
	{"at_width weakened", func(_ *network.Point, v *recheck.Verdict, _ *rand.Rand) bool {
		if g := v.Cert.Global; g == nil || g.Width != recheck.WidthNotGlobal {
			return false
		}
		v.Cert.Global.Width = recheck.WidthUndecided
		return true
	}},
}

// covers returns the coverage proofs of a certificate.
func covers(v *recheck.Verdict) []*recheck.Cover {
	var out []*recheck.Cover
	for _, sp := range v.Cert.Stationarity {
		if sp.Cover != nil {
			out = append(out, sp.Cover)
		}
	}
	for _, ne := range v.Cert.NoEscape {
		if ne.Cover != nil {
			out = append(out, ne.Cover)
		}
	}
	return out
}

// TestRecheckRejectsEveryTamperClass applies every tamper class of issue 11
// to fresh genuine certificates of the catalogue (every verdict kind) and
// of random and planted points; the genuine ones must pass and every
// tampered one must be rejected, and no re-check may modify the point.
// Each class must apply somewhere, and the catalogue must supply every
// verdict kind.
func TestRecheckRejectsEveryTamperClass(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	applied := map[string]int{}
	kinds := map[string]map[recheck.VerdictKind]bool{}
	pts := tamperPoints(t)
	for pi := 0; pi < 2*len(pts); pi++ {
		// Each point twice: as Check certifies it, and by the cell method
		// throughout, so that neurons with Q_j ≡ 0 (all of the planted
		// zero-input points) carry cells too.
		p := pts[pi/2]
		v, err := verify.Check(p, verify.Options{Cells: pi%2 == 1})
		if err != nil {
			t.Fatal(err)
		}
		// Recheck never modifies its point (cmd/relucert's check hands it
		// the case's own numbers): p must encode the same after the
		// genuine and every tampered re-check.
		var before bytes.Buffer
		if err := gob.NewEncoder(&before).Encode(p); err != nil {
			t.Fatal(err)
		}
		if err := recheck.Recheck(p, v); err != nil {
			t.Fatalf("point %d: the genuine %v certificate fails: %v", pi, v.Kind, err)
		}
		var saved bytes.Buffer
		if err := gob.NewEncoder(&saved).Encode(v); err != nil {
			t.Fatal(err)
		}
		for _, tp := range tampers {
			if plainTampers[tp.name] && pi%2 == 1 {
				continue
			}
			w := new(recheck.Verdict) // a fresh deep copy to alter
			if err := gob.NewDecoder(bytes.NewReader(saved.Bytes())).Decode(w); err != nil {
				t.Fatal(err)
			}
			if !tp.apply(p, w, rng) {
				continue
			}
			if err := recheck.Recheck(p, w); err == nil {
				t.Errorf("point %d: %v certificate with %q altered passes", pi, v.Kind, tp.name)
			}
			applied[tp.name]++
			if kinds[tp.name] == nil {
				kinds[tp.name] = map[recheck.VerdictKind]bool{}
			}
			kinds[tp.name][v.Kind] = true
		}
		var after bytes.Buffer
		if err := gob.NewEncoder(&after).Encode(p); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(before.Bytes(), after.Bytes()) {
			t.Errorf("point %d: Recheck modified its point", pi)
		}
	}
	for _, tp := range tampers {
		if applied[tp.name] == 0 {
			t.Errorf("tamper %q never applied", tp.name)
		}
	}
	for _, name := range []string{"loss", "verdict", "stationary flag", "neuron G", "neuron kind"} {
		for k := recheck.NotStationary; k <= recheck.Undetermined; k++ {
			if !kinds[name][k] {
				t.Errorf("tamper %q never applied to a %v certificate", name, k)
			}
		}
	}
	t.Logf("tampers rejected: %v", applied)
}

// TestBudgetCutClaimsNothing: a Check stopped by its time budget before
// anything was certified returns an undetermined verdict that claims
// nothing (no neuron reports, an empty certificate); it re-checks, and a
// decided verdict put in its place, or a wrong loss, does not.
func TestBudgetCutClaimsNothing(t *testing.T) {
	cat, err := cases.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	p := cat[0].Point()
	v, err := verify.Check(p, verify.Options{Deadline: time.Now().Add(-time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind != recheck.Undetermined || !recheck.ClaimsNothing(v) {
		t.Fatalf("a check past its deadline: %v, claims nothing %v (%s)", v.Kind, recheck.ClaimsNothing(v), v.Reason)
	}
	if err := recheck.Recheck(p, v); err != nil {
		t.Fatalf("the claim-free verdict fails: %v", err)
	}
	for k := recheck.NotStationary; k < recheck.Undetermined; k++ {
		w := *v
		w.Kind = k
		if recheck.Recheck(p, &w) == nil {
			t.Errorf("a claim-free %v passes", k)
		}
	}
	w := *v
	w.Loss = big.NewRat(12345, 7)
	if recheck.Recheck(p, &w) == nil {
		t.Error("a claim-free verdict with a wrong loss passes")
	}
}

// genuineNotStationary checks that Check's own verdict on p is
// not-stationary and that its certificate passes Recheck (the forged ones
// above must not).
func genuineNotStationary(t *testing.T, p *network.Point) {
	t.Helper()
	v, err := verify.Check(p, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind != recheck.NotStationary {
		t.Fatalf("Check says %v, want not-stationary", v.Kind)
	}
	if err := recheck.Recheck(p, v); err != nil {
		t.Fatalf("the genuine certificate fails: %v", err)
	}
}
