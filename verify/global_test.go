package verify_test

import (
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/recheck"
	. "github.com/relucert/relucert/verify"
)

// rat parses a "p/q" string.
func rat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("bad rational %q", s)
	}
	return r
}

// rows parses rows of "p/q" strings, appending a constant 1 when bias is set.
func ratRows(t *testing.T, xs [][]string, bias bool) []exact.Vec {
	t.Helper()
	out := make([]exact.Vec, len(xs))
	for i, r := range xs {
		for _, s := range r {
			out[i] = append(out[i], rat(t, s))
		}
		if bias {
			out[i] = append(out[i], big.NewRat(1, 1))
		}
	}
	return out
}

// directLoss evaluates (1/2n) Σ_i |Σ_j a_j ρ(w_j·x_i) + b − y_i|² straight
// from the definition in big.Rat, sharing no code with the engine (b = 0
// when bias is nil).
func directLoss(act Activation, xs, ys []exact.Vec, net []Neuron, bias exact.Vec) *big.Rat {
	sum := new(big.Rat)
	for i, x := range xs {
		for o := range ys[i] {
			f := new(big.Rat)
			if bias != nil {
				f.Set(bias[o])
			}
			for _, nr := range net {
				z := new(big.Rat)
				for c := range x {
					z.Add(z, new(big.Rat).Mul(nr.W[c], x[c]))
				}
				slope := act.Pos
				if z.Sign() < 0 {
					slope = act.Neg
				}
				f.Add(f, new(big.Rat).Mul(nr.A[o], new(big.Rat).Mul(slope, z)))
			}
			f.Sub(f, ys[i][o])
			sum.Add(sum, f.Mul(f, f))
		}
	}
	return sum.Quo(sum, big.NewRat(2*int64(len(xs)), 1))
}

// TestTheoremGByHand checks L* on small data worked out by hand.
//
// (a) d = 1 with bias, x = (−1, 1, 1, 2), y = (1, 0, 2, 5), ReLU. The
// inputs (x, 1) lie on three lines through 0 (x = 1 twice), so the feature
// space is S = {f : f_2 = f_3} (every other combination of values is an
// interpolant: with n distinct x a ReLU network with bias fits anything).
// P_S y = (1, 1, 1, 5), residual (0, −1, 1, 0), L* = (1 + 1)/(2·4) = 1/4.
// The absolute value and leaky ReLU give the same S (σ or κ ≠ 0 on three
// lines), hence the same 1/4.
//
// (b) The same data with ρ linear: L* is the affine least-squares fit.
// x̄ = 3/4, ȳ = 2, Sxx = 19/4, Sxy = 5, slope 20/19, intercept 23/19, fits
// (3/19, 43/19, 43/19, 63/19), residuals (16, −43, −5, 32)/19, sum of
// squares 3154/361, L* = 3154/(8·361) = 1577/1444.
//
// (c) d = 1 without bias, x = (−2, −1, 1, 2), y = (1, 3, 2, 2), ReLU: every
// sample is on the one line R, S = span{x₊, x₋}: a slope per side. Right:
// c = (2 + 4)/5 = 6/5, residuals (4/5, −2/5), 4/5; left (on (−x)₊ = (2, 1)):
// c = (2 + 3)/5 = 1, residuals (−1, 2), 5. L* = (29/5)/8 = 29/40. Leaky
// ReLU (σ, κ ≠ 0) spans the same S.
//
// (d) The same with ρ = |·|: σ = 0, S = span{|x|} = span{(2, 1, 1, 2)}:
// c = (2 + 3 + 2 + 4)/10 = 11/10, residuals (−6/5, 19/10, 9/10, −1/5),
// sum of squares 59/10, L* = 59/80.
//
// (f) (c) with an output bias b: S = span{x₊, x₋, 1}, whose orthogonal
// complement in Q⁴ is spanned by ν = (1, −2, 2, −1) (ν·x₋ = 2 − 2, ν·x₊ =
// 2 − 2, Σν = 0). The residual is y's component along ν: y·ν = 1 − 6 + 4 − 2
// = −3, |ν|² = 10, so |r|² = 9/10 and L* = 9/80.
//
// (e) k = 2: each output column is projected on S separately. On (c)'s
// inputs with targets ((1, 1), (3, 0), (2, 0), (2, 0)), column 1 is (c)'s,
// 29/5; column 2 = (1, 0, 0, 0) on x₋ = (2, 1, 0, 0): c = 2/5, residual
// (1/5, −2/5, 0, 0), 1/5; x₊ = (0, 0, 1, 2) is orthogonal to it. Sum 6,
// L* = 6/8 = 3/4.
func TestTheoremGByHand(t *testing.T) {
	relu, abs, lin := ReLU(), Abs(), Linear()
	leaky := Leaky(big.NewRat(1, 5))
	dataA := [][]string{{"-1"}, {"1"}, {"1"}, {"2"}}
	yA := [][]string{{"1"}, {"0"}, {"2"}, {"5"}}
	dataC := [][]string{{"-2"}, {"-1"}, {"1"}, {"2"}}
	yC := [][]string{{"1"}, {"3"}, {"2"}, {"2"}}
	tests := []struct {
		name string
		act  Activation
		x, y [][]string
		bias bool
		want string
	}{
		{"a relu bias", relu, dataA, yA, true, "1/4"},
		{"a abs bias", abs, dataA, yA, true, "1/4"},
		{"a leaky bias", leaky, dataA, yA, true, "1/4"},
		{"b linear bias", lin, dataA, yA, true, "1577/1444"},
		{"c relu", relu, dataC, yC, false, "29/40"},
		{"c leaky", leaky, dataC, yC, false, "29/40"},
		{"d abs", abs, dataC, yC, false, "59/80"},
		{"e relu k=2", relu, dataC, [][]string{{"1", "1"}, {"3", "0"}, {"2", "0"}, {"2", "0"}}, false, "3/4"},
		{"f relu output bias", relu, dataC, yC, false, "9/80"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &Point{Act: tc.act, X: exact.RatMatOf(ratRows(t, tc.x, tc.bias)), Y: exact.RatMatOf(ratRows(t, tc.y, false))}
			if strings.Contains(tc.name, "output bias") {
				p.OutputBias = exact.NewVec(p.K())
			}
			v, err := Check(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			g := v.Cert.Global
			if g == nil || g.Optimum == nil {
				t.Fatalf("no global proof: %+v", g)
			}
			if want := rat(t, tc.want); g.Optimum.Cmp(want) != 0 {
				t.Fatalf("L* = %s, worked out by hand %s", g.Optimum.RatString(), tc.want)
			}
			if g.IsGlobal {
				t.Fatalf("the empty network (L = %s) reported global", v.Loss.RatString())
			}
			if wl := directLoss(p.Act, p.X.Vecs(), p.Y.Vecs(), g.Witness.Neurons, g.Witness.OutputBias); wl.Cmp(g.Optimum) != 0 {
				t.Fatalf("the witness has loss %s by direct evaluation, L* = %s", wl.RatString(), tc.want)
			}
			if err := Recheck(p, v); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestTheoremGGlobalAtPositiveLoss: on (a) of TestTheoremGByHand, the
// network 1·ρ(0·x + 1) + 4·ρ(x − 1) computes (1, 1, 1, 5) = P_S y, so its
// loss 1/4 = L* > 0: global-min, which Theorem M alone (L ≠ 0) reported as
// local-min. The catalogue case global-min-positive-loss is this point.
func TestTheoremGGlobalAtPositiveLoss(t *testing.T) {
	p := &Point{Act: ReLU(),
		X: exact.RatMatOf(ratRows(t, [][]string{{"-1"}, {"1"}, {"1"}, {"2"}}, true)),
		Y: exact.RatMatOf(ratRows(t, [][]string{{"1"}, {"0"}, {"2"}, {"5"}}, false)),
		Neurons: []Neuron{
			{W: exact.VecOf(0, 1), A: exact.VecOf(1)},
			{W: exact.VecOf(1, -1), A: exact.VecOf(4)},
		}}
	local, err := Check(p, Options{SkipGlobal: true})
	if err != nil {
		t.Fatal(err)
	}
	if local.Kind != LocalMin {
		t.Fatalf("without Theorem G: %v, want local-min", local.Kind)
	}
	v, err := Check(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind != GlobalMin || v.Loss.Cmp(big.NewRat(1, 4)) != 0 || !v.Cert.Global.IsGlobal || v.Cert.Global.Width != recheck.WidthGlobal {
		t.Fatalf("got %v, L = %s, proof %+v; want global-min at L = L* = 1/4", v.Kind, v.Loss.RatString(), v.Cert.Global)
	}
	if err := Recheck(p, v); err != nil {
		t.Fatal(err)
	}
}

// optimumFile is testdata/global/optimum.json, written by optimum.py.
type optimumFile struct {
	Catalogue map[string]struct {
		Optimum string `json:"optimum"`
		Dim     int    `json:"dim"`
	} `json:"catalogue"`
	Random []struct {
		Activation [2]string  `json:"activation"`
		X          [][]string `json:"x"`
		Y          [][]string `json:"y"`
		OutputBias bool       `json:"output_bias"`
		Optimum    string     `json:"optimum"`
	} `json:"random"`
}

// TestTheoremGPatternFormulation compares L* with an independent
// computation by the pattern formulation of docs/theory.md §10
// (testdata/global/optimum.py: every cell of the samples' arrangement found
// by LP and confirmed exactly, S = Σ_cells col(D̃X), exact projection; its
// float64 solution of the cone-constrained program agrees with it on every
// instance it ran). Covers every catalogue case and 24 random instances
// with samples on shared lines (L* > 0 is common) for ReLU, leaky ReLU,
// |·|, linear, (ρ₊, ρ₋) = (2, −1/2) and ρ ≡ 0, k = 1 and 2.
func TestTheoremGPatternFormulation(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "global", "optimum.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want optimumFile
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	cat, err := cases.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, c := range cat {
		w, ok := want.Catalogue[c.Name]
		if !ok {
			continue // a case added after optimum.json was written
		}
		seen++
		v, err := Check(c.Point(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if g := v.Cert.Global; g == nil || g.Optimum == nil || g.Optimum.RatString() != w.Optimum {
			t.Errorf("%s: L* = %v, pattern formulation %s", c.Name, g, w.Optimum)
		}
	}
	if seen < 40 {
		t.Fatalf("only %d catalogue cases have an independent optimum", seen)
	}
	if len(want.Random) < 20 {
		t.Fatalf("only %d random instances", len(want.Random))
	}
	for ti, r := range want.Random {
		p := &Point{Act: Activation{Pos: rat(t, r.Activation[0]), Neg: rat(t, r.Activation[1])},
			X: exact.RatMatOf(ratRows(t, r.X, false)), Y: exact.RatMatOf(ratRows(t, r.Y, false))}
		if r.OutputBias {
			p.OutputBias = exact.NewVec(p.K())
		}
		v, err := Check(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		g := v.Cert.Global
		if g.Optimum.RatString() != r.Optimum {
			t.Errorf("random %d: L* = %s, pattern formulation %s", ti, g.Optimum.RatString(), r.Optimum)
		}
		if err := Recheck(p, v); err != nil {
			t.Errorf("random %d: %v", ti, err)
		}
	}
}

// TestTheoremGCatalogue: every catalogue point's global proof re-checks; a
// point that is not global carries a network whose loss, evaluated straight
// from the definition, is L* < L(θ); the non-global local minima named
// below are shown not global at their own width by a network of width ≤ m
// with a smaller loss; and the verdict agrees with the local analysis
// (saddles and non-stationary points are never global).
func TestTheoremGCatalogue(t *testing.T) {
	notGlobalAtWidth := map[string]bool{"fig3-final": true, "nonglobal-local-min": true, "dead-relu-local-min": true}
	global := map[string]bool{"global-min-interpolation": true, "global-min-positive-loss": true, "bias-global-min": true,
		"linear-local-min-no-e2": true, "zero-rows-only-residual": true, "d1-two-sided-zero-neuron-local-min": true}
	cat, err := cases.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cat {
		p := c.Point()
		v, err := Check(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		g := v.Cert.Global
		if err := Recheck(p, v); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if global[c.Name] != g.IsGlobal || global[c.Name] != (v.Kind == GlobalMin) {
			t.Errorf("%s: %v, is_global %v", c.Name, v.Kind, g.IsGlobal)
		}
		if g.IsGlobal {
			continue
		}
		loss := directLoss(p.Act, p.X.Vecs(), p.Y.Vecs(), p.Neurons, p.OutputBias)
		wl := directLoss(p.Act, p.X.Vecs(), p.Y.Vecs(), g.Witness.Neurons, g.Witness.OutputBias)
		if wl.Cmp(g.Optimum) != 0 || wl.Cmp(loss) >= 0 {
			t.Errorf("%s: witness loss %s, L* = %s, L(θ) = %s", c.Name, wl.RatString(), g.Optimum.RatString(), loss.RatString())
		}
		if notGlobalAtWidth[c.Name] {
			if g.Width != recheck.WidthNotGlobal {
				t.Errorf("%s: not shown non-global at width %d: %s", c.Name, p.M(), g.Reason)
			}
			net := g.Witness
			if net == nil || len(net.Neurons) > p.M() {
				net = g.WidthWitness
			}
			if net == nil || len(net.Neurons) > p.M() || directLoss(p.Act, p.X.Vecs(), p.Y.Vecs(), net.Neurons, net.OutputBias).Cmp(loss) >= 0 {
				t.Errorf("%s: no width witness beats L(θ) at width ≤ %d", c.Name, p.M())
			}
		}
	}
}

// TestTheoremGZeroNeuron: at a stationary point θ, the zero neuron added to
// θ escapes (a saddle of width m + 1, docs/theory.md §5) exactly when L(θ) > L*:
// Theorem E's verdict on θ ⊕ 0 against Theorem G's on θ, on random points
// whose targets are often the network's own outputs, perturbed.
func TestTheoremGZeroNeuron(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	both := map[bool]int{}
	for trial := 0; trial < 300; trial++ {
		p := RandomPoint(rng)
		if rng.IntN(2) == 0 {
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				p.Y.SetRow(i, p.Output(x))
				if rng.IntN(4) == 0 {
					p.Y.Set(i, 0, new(big.Rat).Add(p.Y.At(i, 0), big.NewRat(1, 1)))
				}
			}
		}
		v, err := Check(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := Recheck(p, v); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if !v.Stationary {
			continue
		}
		q := p.Clone()
		q.Neurons = append(q.Neurons, Neuron{W: exact.NewVec(p.D()), A: exact.NewVec(p.K())})
		w, err := Check(q, Options{SkipGlobal: true})
		if err != nil {
			t.Fatal(err)
		}
		zeroEscapes := false
		for _, j := range w.Escape {
			zeroEscapes = zeroEscapes || j == p.M()
		}
		g := v.Cert.Global.IsGlobal
		if zeroEscapes == g {
			t.Fatalf("trial %d: the zero neuron escapes: %v, but is_global = %v", trial, zeroEscapes, g)
		}
		both[g]++
	}
	if both[true] < 10 || both[false] < 10 {
		t.Fatalf("too few of each kind: %v", both)
	}
}

// TestRecheckGlobalRejectsTampering alters one part of genuine global
// proofs at a time; Recheck must reject every altered one.
func TestRecheckGlobalRejectsTampering(t *testing.T) {
	cat, err := cases.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	tampers := []struct {
		name  string
		apply func(v *Verdict, g *recheck.GlobalProof) bool
	}{
		// A complete, self-consistent forgery: only the E1/E2 test of θ's
		// residuals can reject it (fig3-final's residuals pass E1 and fail
		// E2; others fail E1).
		{"forged global", func(v *Verdict, g *recheck.GlobalProof) bool {
			if g.IsGlobal {
				return false
			}
			if v.Kind == LocalMin {
				v.Kind = GlobalMin
			}
			*g = recheck.GlobalProof{Optimum: new(big.Rat).Set(v.Loss), IsGlobal: true, Width: recheck.WidthGlobal, Lines: g.Lines, Reason: "forged"}
			return true
		}},
		{"optimum", func(_ *Verdict, g *recheck.GlobalProof) bool {
			g.Optimum.Add(g.Optimum, big.NewRat(1, 1000))
			return true
		}},
		{"is_global flipped", func(_ *Verdict, g *recheck.GlobalProof) bool { g.IsGlobal = !g.IsGlobal; return true }},
		{"witness output weight", func(_ *Verdict, g *recheck.GlobalProof) bool {
			if g.Witness == nil || len(g.Witness.Neurons) == 0 {
				return false
			}
			g.Witness.Neurons[0].A = g.Witness.Neurons[0].A.Scale(big.NewRat(3, 2))
			return true
		}},
		{"witness input weight", func(_ *Verdict, g *recheck.GlobalProof) bool {
			if g.Witness == nil || len(g.Witness.Neurons) == 0 {
				return false
			}
			// ρ(2w·x) = 2ρ(w·x): the outputs move by a·ρ(Xw) ≠ 0, away from
			// the unique optimal outputs P_S Y.
			nr := &g.Witness.Neurons[len(g.Witness.Neurons)-1]
			nr.W = nr.W.Scale(big.NewRat(2, 1))
			return true
		}},
		{"witness neuron dropped", func(_ *Verdict, g *recheck.GlobalProof) bool {
			if g.Witness == nil || len(g.Witness.Neurons) < 2 {
				return false
			}
			g.Witness.Neurons = g.Witness.Neurons[1:]
			return true
		}},
		{"witness zero neuron", func(_ *Verdict, g *recheck.GlobalProof) bool {
			if g.Witness == nil || len(g.Witness.Neurons) == 0 {
				return false
			}
			nr := g.Witness.Neurons[0]
			g.Witness.Neurons = append(g.Witness.Neurons, Neuron{W: exact.NewVec(len(nr.W)), A: exact.NewVec(len(nr.A))})
			return true
		}},
		{"width claimed", func(_ *Verdict, g *recheck.GlobalProof) bool {
			if g.Width != recheck.WidthUndecided {
				return false
			}
			g.Width = recheck.WidthNotGlobal
			return true
		}},
		{"width loss", func(_ *Verdict, g *recheck.GlobalProof) bool {
			if g.WidthLoss == nil {
				return false
			}
			g.WidthLoss.Sub(g.WidthLoss, big.NewRat(1, 1000))
			return true
		}},
		{"fit line coefficient", func(_ *Verdict, g *recheck.GlobalProof) bool {
			if g.Fit == nil || len(g.Fit.Beta) == 0 {
				return false
			}
			b := g.Fit.Beta[len(g.Fit.Beta)-1]
			b[0].Add(b[0], big.NewRat(1, 2))
			return true
		}},
		{"fit column coefficient", func(_ *Verdict, g *recheck.GlobalProof) bool {
			if g.Fit == nil {
				return false
			}
			g.Fit.Gamma[0][0].Add(g.Fit.Gamma[0][0], big.NewRat(1, 3))
			return true
		}},
		{"fit dropped", func(_ *Verdict, g *recheck.GlobalProof) bool {
			if g.Fit == nil {
				return false
			}
			g.Fit = nil
			return true
		}},
		{"escape response", func(_ *Verdict, g *recheck.GlobalProof) bool {
			if g.Q == nil {
				return false
			}
			g.Q[0].Add(g.Q[0], big.NewRat(1, 1))
			return true
		}},
		{"lines", func(_ *Verdict, g *recheck.GlobalProof) bool {
			if len(g.Lines) == 0 {
				return false
			}
			g.Lines = g.Lines[1:]
			return true
		}},
	}
	tried := map[string]int{}
	for _, c := range cat {
		p := c.Point()
		for _, tm := range tampers {
			v, err := Check(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !tm.apply(v, v.Cert.Global) {
				continue
			}
			tried[tm.name]++
			if err := Recheck(p, v); err == nil {
				t.Errorf("%s: tampered %q accepted", c.Name, tm.name)
			}
		}
	}
	for _, tm := range tampers {
		if tried[tm.name] == 0 {
			t.Errorf("tamper %q never applied", tm.name)
		}
	}
}

// ExampleCheck_global: two samples share the input x = 1 with targets 0 and
// 2, so no network fits both: L* = ((0 − 1)² + (2 − 1)²)/(2·4) = 1/4, and a
// network whose outputs are the targets elsewhere and their mean at x = 1
// is a global minimum with L > 0 (TestTheoremGByHand (a) works it out).
func ExampleCheck_global() {
	x := func(v int64) exact.Vec { return exact.VecOf(v, 1) } // input x with a bias coordinate
	y := func(v int64) exact.Vec { return exact.VecOf(v) }
	p := &Point{Act: ReLU(),
		X: exact.RatMatOf([]exact.Vec{x(-1), x(1), x(1), x(2)}),
		Y: exact.RatMatOf([]exact.Vec{y(1), y(0), y(2), y(5)}),
		Neurons: []Neuron{
			{W: exact.VecOf(0, 1), A: exact.VecOf(1)},  // 1·ρ(1) = 1
			{W: exact.VecOf(1, -1), A: exact.VecOf(4)}, // 4·ρ(x − 1)
		}}
	v, err := Check(p, Options{})
	if err != nil {
		panic(err)
	}
	g := v.Cert.Global
	fmt.Println(v.Kind, "L =", v.Loss.RatString(), "L* =", g.Optimum.RatString(), "at width", p.M(), ":", g.Width)
	fmt.Println("recheck:", Recheck(p, v))
	// Output:
	// global-min L = 1/4 L* = 1/4 at width 2 : yes
	// recheck: <nil>
}
