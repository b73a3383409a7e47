package verify

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/relucert/relucert/exact"
)

// TestVectorEscape works docs/theory.md §4's k ≥ 2 tests out by hand on one ReLU
// neuron w = (1, 0), a = (1, 0) with x_1 = (1, 0), y_1 = (1, 0) (fitted,
// r_1 = 0) and x_2 = (0, 1) on the hyperplane with y_2 = (0, −c), so
// r_2 = (0, c). Then G = 0, a·r_2 = 0 so φ ≡ 0 and the point is stationary,
// and Q(u) = (0, c·(u₂)₊) ≠ 0 on the critical half-plane u₂ ≥ 0: the neuron
// escapes with a ≠ 0. With A = Σρ(w·x_i)² = 1 and B(u) = u₁² + u₂²,
// H(u) = c²u₂² − (u₁² + u₂²): positive at u = (0, 1) iff c > 1.
//   - c = 2: the indefinite test certifies a saddle.
//   - c = 1: H = −u₁² ≤ 0 on the face; the second-order minimum is
//     min_b ½[b₂u₂ + ½(|b + (u₁, 0)|² + u₂²)] = 0 (at b = (−u₁, −u₂)), so
//     neither test certifies a descent: undetermined.
func TestVectorEscape(t *testing.T) {
	for _, tt := range []struct {
		c    int64
		want VerdictKind
		rule string
	}{{2, Saddle, "indefinite test"}, {1, Undetermined, ""}} {
		p := &Point{
			Act:     ReLU(),
			X:       exact.RatMatOf([]exactVec{vec(1, 0), vec(0, 1)}),
			Y:       exact.RatMatOf([]exactVec{vec(1, 0), vec(0, -tt.c)}),
			Neurons: []Neuron{{W: vec(1, 0), A: vec(1, 0)}},
		}
		v, err := Check(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if v.Kind != tt.want || len(v.Escape) != 1 || v.Escape[0] != 0 {
			t.Fatalf("c = %d: %v escape %v (%s); want %v escape [0]", tt.c, v.Kind, v.Escape, v.Reason, tt.want)
		}
		if tt.rule != "" && !strings.Contains(v.Cert.Path.Rule, tt.rule) {
			t.Errorf("c = %d: path rule %q, want the %s", tt.c, v.Cert.Path.Rule, tt.rule)
		}
		if tt.want == Undetermined && !strings.Contains(v.Reason, "dimension ≤ 2") {
			t.Errorf("c = %d: reason %q should say the 2-dimensional face was searched exhaustively", tt.c, v.Reason)
		}
		if err := Recheck(p, v); err != nil {
			t.Errorf("c = %d: Recheck: %v", tt.c, err)
		}
	}
}

func never() bool { return false }

// quadForm returns F(u) = uᵀGu for an integer symmetric matrix G.
func quadForm(G [][]int64) func(exact.Vec) *big.Rat {
	return func(u exact.Vec) *big.Rat {
		s := new(big.Rat)
		for a := range G {
			for b := range G {
				t := new(big.Rat).Mul(u[a], u[b])
				s.Add(s, t.Mul(t, big.NewRat(G[a][b], 1)))
			}
		}
		return s
	}
}

// basis returns the standard basis of Q^r: the cone it generates is the
// orthant, where F < 0 somewhere iff G is not copositive.
func basis(r int) []exact.Vec {
	gs := make([]exact.Vec, r)
	for a := range gs {
		gs[a] = exact.NewVec(r)
		gs[a][a].SetInt64(1)
	}
	return gs
}

// TestConeNegative checks coneNegative on matrices whose copositivity is
// known: positive semidefinite and Horn's matrix (copositive, neither
// semidefinite nor nonnegative) have no negative point; an entry
// −2 between unit diagonals and Horn's matrix minus εI (at x = e₁ + e₂,
// xᵀHx = 0) do. A returned point must make F negative.
func TestConeNegative(t *testing.T) {
	horn := [][]int64{{1, -1, 1, 1, -1}, {-1, 1, -1, 1, 1}, {1, -1, 1, -1, 1}, {1, 1, -1, 1, -1}, {-1, 1, 1, -1, 1}}
	hornEps := [][]int64{{0, -1, 1, 1, -1}, {-1, 0, -1, 1, 1}, {1, -1, 0, -1, 1}, {1, 1, -1, 0, -1}, {-1, 1, 1, -1, 0}}
	for _, tt := range []struct {
		name string
		G    [][]int64
		neg  bool
	}{
		{"psd", [][]int64{{1, -1}, {-1, 1}}, false},
		{"interior-negative", [][]int64{{1, -2}, {-2, 1}}, true},
		{"negative-generator", [][]int64{{-1, 0}, {0, 1}}, true},
		{"nonnegative", [][]int64{{0, 3, 1}, {3, 0, 2}, {1, 2, 0}}, false},
		{"horn", horn, false},
		{"horn-minus-I", hornEps, true},
	} {
		F := quadForm(tt.G)
		u, complete := coneNegative(basis(len(tt.G)), gramOver(basis(len(tt.G)), F), F, never)
		if !complete {
			t.Errorf("%s: not complete", tt.name)
		}
		if (u != nil) != tt.neg {
			t.Errorf("%s: found %v, want a negative point: %v", tt.name, u, tt.neg)
		}
		if u != nil && F(u).Sign() >= 0 {
			t.Errorf("%s: F(%v) = %s is not negative", tt.name, u, F(u).RatString())
		}
	}
	big13 := make([][]int64, maxConeGens+1)
	for a := range big13 {
		big13[a] = make([]int64, maxConeGens+1)
		big13[a][a] = 1
	}
	gs := basis(maxConeGens + 1)
	if _, complete := coneNegative(gs, gramOver(gs, quadForm(big13)), quadForm(big13), never); complete {
		t.Errorf("%d generators: complete, want over budget", maxConeGens+1)
	}
}

// TestConeNegativeRandom compares coneNegative with a brute-force search
// over the grid points x ∈ {0, …, 6}^r of the orthant on random symmetric
// integer matrices (r ≤ 4): a grid point with xᵀGx < 0 means coneNegative
// must find one, and every point it returns is checked.
func TestConeNegativeRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	found, grid := 0, 0
	for it := 0; it < 300; it++ {
		r := 2 + rng.IntN(3)
		G := make([][]int64, r)
		for a := range G {
			G[a] = make([]int64, r)
		}
		for a := 0; a < r; a++ {
			G[a][a] = rng.Int64N(6) - 1
			for b := a + 1; b < r; b++ {
				v := rng.Int64N(9) - 4
				G[a][b], G[b][a] = v, v
			}
		}
		F := quadForm(G)
		u, complete := coneNegative(basis(r), gramOver(basis(r), F), F, never)
		if !complete {
			t.Fatalf("G = %v: not complete", G)
		}
		if u != nil {
			found++
			if F(u).Sign() >= 0 {
				t.Fatalf("G = %v: F(%v) = %s", G, u, F(u).RatString())
			}
			continue
		}
		x := make([]int64, r)
		var walk func(a int)
		walk = func(a int) {
			if a == r {
				v := int64(0)
				for p := range x {
					for q := range x {
						v += x[p] * G[p][q] * x[q]
					}
				}
				if v < 0 {
					grid++
					t.Errorf("G = %v: coneNegative found nothing, but x = %v gives xᵀGx = %d", G, x, v)
				}
				return
			}
			for x[a] = 0; x[a] <= 6; x[a]++ {
				walk(a + 1)
			}
		}
		walk(0)
	}
	if found < 50 || found > 250 {
		t.Errorf("%d of 300 random matrices had a negative point: the sample does not test both answers", found)
	}
}

// TestVectorEscapeCone is a k = 2 point (found by numeric's random
// cross-check) whose escape neuron w = (−3, 3, −1) has x_0, x_1, x_3 on its
// hyperplane and a critical face of dimension 3 (a cell on which φ_0 is
// constant). Generators and segments there do not decide the tests; coneNegative
// does, and both tests fail on every critical face, so the verdict is
// undetermined with a complete search. Before the cone step the float64
// path reported a second-order descent here from a rounding-level Q_0(u) ≈
// 5e-16 — the point that made both paths filter q = 0.
func TestVectorEscapeCone(t *testing.T) {
	p := conePoint()
	v, err := Check(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind != Undetermined || !strings.Contains(v.Reason, "by the supports of the minima over the cone") {
		t.Fatalf("%v (%s); want undetermined after the cone step", v.Kind, v.Reason)
	}
}

// TestVectorEscapeDeadline: the k ≥ 2 tests stop at the time budget with a
// "budget:" reason instead of running on.
func TestVectorEscapeDeadline(t *testing.T) {
	s := newCheckState(conePoint())
	v := &Verdict{Loss: s.ev.loss(), Escape: []int{}, Neurons: make([]NeuronReport, s.p.M()), Cert: &Certificate{}}
	if ok, err := s.TheoremS(v, Options{}); err != nil || !ok || !v.Stationary {
		t.Fatalf("TheoremS: %v %v %v", ok, err, v.Reason)
	}
	faces, _, err := s.EscapeNeurons(v, Options{})
	if err != nil || len(faces[0]) == 0 {
		t.Fatalf("EscapeNeurons: %v, %d faces", err, len(faces[0]))
	}
	s.preAll()
	path, reason, err := s.vectorEscape(0, faces[0], Options{Deadline: time.Unix(1, 0)})
	if err != nil || path != nil || !strings.HasPrefix(reason, "budget: time budget exceeded") {
		t.Fatalf("path %v, reason %q, err %v; want the time budget", path, reason, err)
	}
}

// conePoint is the point of TestVectorEscapeCone.
func conePoint() *Point {
	half, one := big.NewRat(1, 2), big.NewRat(-1, 1)
	return &Point{
		Act:     Activation{Pos: half, Neg: one},
		X:       exact.RatMatOf([]exactVec{vec(-2, -1, 3), vec(-3, -1, 6), vec(1, 3, -3), vec(-1, 0, 3)}),
		Y:       exact.RatMatOf([]exactVec{vec(-2, -2), vec(2, -3), exact.Vec{big.NewRat(9, 2), new(big.Rat)}, vec(-2, -2)}),
		Neurons: []Neuron{{W: vec(-3, 3, -1), A: vec(1, 0)}},
	}
}

// TestQuadFormGrams compares the Gram matrices of −H and min_b c₂ that
// vectorEscape builds from the linear parts at the generators with the
// ones obtained by evaluating the forms themselves (indefiniteH, and c₂ of
// secondOrderMin's direction through Expansion) at the generators and their
// pairwise sums, on every critical face of every escape neuron of a few k = 2
// points — including one whose normal equations are inconsistent (split
// copies: Φ has two equal columns), where the c₂ matrix must be absent.
func TestQuadFormGrams(t *testing.T) {
	third := big.NewRat(1, 3)
	points := map[string]*Point{
		"cone": conePoint(),
		"c=1": {Act: ReLU(), X: exact.RatMatOf([]exactVec{vec(1, 0), vec(0, 1)}), Y: exact.RatMatOf([]exactVec{vec(1, 0), vec(0, -1)}),
			Neurons: []Neuron{{W: vec(1, 0), A: vec(1, 0)}}},
		"split": {Act: ReLU(), X: exact.RatMatOf([]exactVec{vec(1, 0), vec(0, 1)}), Y: exact.RatMatOf([]exactVec{vec(0, -1), vec(1, 0)}),
			Neurons: []Neuron{{W: vec(0, 1), A: vec(2, 0)}, {W: vec(0, 1), A: vec(-1, 0)}}},
		// With an output bias (the catalogue's bias-k2-* cases): Φ gains a
		// column of ones, so the Gram matrices of min c₂ change.
		"bias-k2": {Act: ReLU(), X: exact.RatMatOf([]exactVec{vec(1, 0), vec(0, 1)}), Y: exact.RatMatOf([]exactVec{vec(2, 1), vec(2, -1)}),
			Neurons: []Neuron{{W: vec(1, 1), A: vec(2, 0)}}, OutputBias: vec(0, 0)},
		"bias-centred": {Act: Linear(), X: exact.RatMatOf([]exactVec{vec(1, 0), vec(0, 1), vec(-1, 0), vec(0, -1)}),
			Y:       exact.RatMatOf([]exactVec{vec(2, 1), vec(2, -1), vec(-2, -1), vec(-2, 1)}),
			Neurons: []Neuron{{W: vec(1, 1), A: vec(2, 0)}}, OutputBias: vec(0, 0)},
		"leaky-d5": {Act: Leaky(third),
			X:       exact.RatMatOf([]exactVec{vec(1, -2, -1, 0, 0), vec(-2, 1, 0, 3, 0), vec(1, 0, -2, 3, 2), vec(4, 1, 0, -3, -3), vec(-2, 0, -3, -3, -3), vec(3, -2, -1, 3, -6)}),
			Y:       exact.RatMatOf([]exactVec{vec(-21, -21), vec(-21, -21), vec(-30, 12), vec(21, 21), vec(20, -34), vec(-14, -14)}),
			Neurons: []Neuron{{W: vec(3, 0, 3, 2, 2), A: vec(-3, 3)}}},
	}
	faces := map[string]int{}
	for name, p := range points {
		s := newCheckState(p)
		v := &Verdict{Loss: s.ev.loss(), Escape: []int{}, Neurons: make([]NeuronReport, s.p.M()), Cert: &Certificate{}}
		if ok, err := s.TheoremS(v, Options{}); err != nil || !ok || !v.Stationary {
			t.Fatalf("%s: TheoremS: %v %v %s", name, ok, err, v.Reason)
		}
		fm, _, err := s.EscapeNeurons(v, Options{})
		if err != nil {
			t.Fatal(err)
		}
		s.preAll()
		for _, j := range v.Escape {
			qf := s.newQuadForms(j)
			negH := func(u exact.Vec) *big.Rat { return new(big.Rat).Neg(s.indefiniteH(j, u)) }
			consistent := true
			c2at := func(u exact.Vec) *big.Rat {
				d, db, q := s.secondOrderMinQ(j, u)
				if d == nil || !q {
					consistent = false
					return nil
				}
				return s.ExpansionBias(d, db)[2]
			}
			for fi, f := range fm[j] {
				gens, _, _ := f.generators(s.p.D())
				faces[name]++
				gh, gc := qf.grams(gens)
				wantH := gramOver(gens, negH)
				consistent = true
				wantC := gramOver(gens, c2at)
				if !consistent {
					wantC = nil
				}
				for _, m := range []struct {
					what      string
					got, want exact.Mat
				}{{"−H", gh, wantH}, {"min c₂", gc, wantC}} {
					if (m.got == nil) != (m.want == nil) {
						t.Fatalf("%s neuron %d face %d %s: got %v, want %v", name, j, fi, m.what, m.got, m.want)
					}
					for a := range m.got {
						for b := range m.got[a] {
							if m.got[a][b].Cmp(m.want[a][b]) != 0 {
								t.Fatalf("%s neuron %d face %d %s[%d][%d] = %s, want %s", name, j, fi, m.what, a, b, m.got[a][b].RatString(), m.want[a][b].RatString())
							}
						}
					}
				}
				if name == "split" && gc != nil {
					t.Errorf("split: c₂ Gram present, want nil (inconsistent normal equations)")
				}
			}
		}
	}
	for name := range points {
		if faces[name] == 0 {
			t.Errorf("%s: no critical face compared", name)
		}
	}
}

// gramOver is the reference for quadForms.grams: it returns the Gram matrix G_ab = (F(g_a+g_b) − F(g_a) − F(g_b))/2
// of a quadratic form F over the generators, so that F(Σ x_a g_a) = xᵀGx;
// nil when F is undefined at one of the points.
func gramOver(gens []exact.Vec, F func(exact.Vec) *big.Rat) exact.Mat {
	r := len(gens)
	f := make([]*big.Rat, r)
	for a, g := range gens {
		if f[a] = F(g); f[a] == nil {
			return nil
		}
	}
	G := exact.NewMat(r, r)
	half := big.NewRat(1, 2)
	for a := 0; a < r; a++ {
		G[a][a] = f[a]
		for b := a + 1; b < r; b++ {
			v := F(gens[a].Add(gens[b]))
			if v == nil {
				return nil
			}
			v = new(big.Rat).Sub(v, f[a])
			v.Sub(v, f[b]).Mul(v, half)
			G[a][b], G[b][a] = v, v
		}
	}
	return G
}
