package verify

// Tests of network embedding (docs/theory.md §5) on random small instances, exact.
// Every fact is checked against Check on the old and the new point and
// against independent exact evaluations written here (the response map
// from its definition, tested on every cell of the boundary arrangement),
// never against Predict alone; Predict is then required to agree with
// Check. The catalogue tests and the scan tests are in scan_test.go
// (package verify_test, which may import cases).

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/exact/arrangement"
)

// qDef returns u ↦ Q(u) = Σ_i r_i ρ'(w·x_i; x_i·u), evaluated from the
// definition, for a neuron with input weight w at residuals r.
func qDef(p *Point, r []exact.Vec, w exact.Vec) func(u exact.Vec) exact.Vec {
	z := make([]*big.Rat, p.N())
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		z[i] = w.Dot(x)
	}
	return func(u exact.Vec) exact.Vec {
		q := exact.NewVec(p.K())
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			if t := x.Dot(u); t.Sign() != 0 {
				q.AddScaled(p.Act.Dir(z[i], t), r[i])
			}
		}
		return q
	}
}

// vanishesOnCells decides exactly whether the positively homogeneous,
// piecewise linear map f vanishes identically, given the normals of the
// hyperplanes off which it is linear: on every cell of their arrangement it
// checks f at an interior point c and at c + t·e_k for every coordinate k,
// with t small enough to stay in the cell (a linear map vanishing at c and
// at d further points c + t·e_k vanishes on the cell, hence on its closure).
func vanishesOnCells(t *testing.T, normals []exact.Vec, d int, f func(u exact.Vec) exact.Vec) bool {
	t.Helper()
	cells, err := arrangement.Cells(normals, d, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cells {
		if !f(c.Point).IsZero() {
			return false
		}
		for k := 0; k < d; k++ {
			step := big.NewRat(1, 1)
			for _, h := range normals {
				hk := h[k]
				if hk.Sign() == 0 {
					continue
				}
				b := new(big.Rat).Quo(h.Dot(c.Point), hk)
				b.Abs(b)
				b.Quo(b, big.NewRat(2, 1))
				if b.Cmp(step) < 0 {
					step = b
				}
			}
			u := c.Point.Clone()
			u[k].Add(u[k], step)
			if !f(u).IsZero() {
				return false
			}
		}
	}
	return true
}

// boundaryNormals returns the nonzero samples on the hyperplane ⊥ w.
func boundaryNormals(p *Point, w exact.Vec) []exact.Vec {
	var hs []exact.Vec
	for _, x := range p.X.Vecs() {
		if !x.IsZero() && w.Dot(x).Sign() == 0 {
			hs = append(hs, x)
		}
	}
	return hs
}

// qVanishes decides Q ≡ 0 for a neuron with input weight w at p.
func qVanishes(t *testing.T, p *Point, w exact.Vec) bool {
	r := ResidualsOf(p)
	return vanishesOnCells(t, boundaryNormals(p, w), p.D(), qDef(p, r, w))
}

// phiVanishes decides φ_j ≡ 0 at p.
func phiVanishes(t *testing.T, p *Point, j int) bool {
	r := ResidualsOf(p)
	nr := p.Neurons[j]
	q := qDef(p, r, nr.W)
	return vanishesOnCells(t, boundaryNormals(p, nr.W), p.D(), func(u exact.Vec) exact.Vec {
		return exact.Vec{nr.A.Dot(q(u))}
	})
}

// plantedStationary draws a random point and chooses its targets so that
// the point is often stationary while its residuals do not vanish: the
// residuals r are a random element of the nullspace of the linear
// conditions G_j = 0 (every j) and, for every j with a_j ≠ 0, "the odd part
// of φ_j is zero" (Σ_P ρ₊c_ix_i + Σ_N ρ₋c_ix_i + ((ρ₊+ρ₋)/2)Σ_Z c_ix_i = 0 with
// c_i = a_j·r_i). Then nφ_j(u) = (κ/2)Σ_{Z_j} c_i|x_i·u|, which is ≥ 0 when
// the boundary terms have the right signs: stationary, typically
// non-differentiable, with φ_j ≢ 0 and Q_j ≢ 0.
func plantedStationary(rng *rand.Rand) *Point {
	for {
		p := randomPoint(rng)
		d, k, m := p.D(), p.K(), p.M()
		for p.N() < m*(d+k)+2 {
			x := randVec(rng, d, 4)
			if rng.IntN(2) == 0 {
				if w := p.Neurons[rng.IntN(m)].W; !w.IsZero() {
					x = perp(rng, w)
				}
			}
			p.X = p.X.AppendRow(x)
			p.Y = p.Y.AppendRow(exact.NewVec(k))
		}
		n := p.N()
		pt := PatternOf(p)
		var rows exact.Mat
		half := new(big.Rat).Add(p.Act.Pos, p.Act.Neg)
		half.Quo(half, big.NewRat(2, 1))
		for j, nr := range p.Neurons {
			for l := 0; l < k; l++ {
				row := exact.NewVec(n * k)
				for i := range p.X.Rows() {
					row[i*k+l] = p.Act.Apply(pt.Pre[j][i])
				}
				rows = append(rows, row)
			}
			if nr.A.IsZero() {
				continue
			}
			for c := 0; c < d; c++ {
				row := exact.NewVec(n * k)
				for i := range p.X.Rows() {
					x := p.X.Row(i)
					coef := half
					switch pt.Sign(j, i) {
					case 1:
						coef = p.Act.Pos
					case -1:
						coef = p.Act.Neg
					}
					for l := 0; l < k; l++ {
						row[i*k+l] = new(big.Rat).Mul(coef, new(big.Rat).Mul(x[c], nr.A[l]))
					}
				}
				rows = append(rows, row)
			}
		}
		ns := exact.Nullspace(rows, n*k)
		if len(ns) == 0 {
			continue
		}
		r := exact.NewVec(n * k)
		for _, b := range ns {
			r.AddScaled(randRat(rng, 3), b)
		}
		if r.IsZero() {
			continue
		}
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			f := p.Output(x)
			for l := 0; l < k; l++ {
				p.Y.Set(i, l, new(big.Rat).Sub(f[l], r[i*k+l]))
			}
		}
		return p
	}
}

// testPoint mixes the instance families: planted stationary points, global
// minima with a perturbed target, and plain random points.
func testPoint(rng *rand.Rand) *Point {
	switch rng.IntN(4) {
	case 0, 1:
		return plantedStationary(rng)
	case 2:
		p := randomPoint(rng)
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			p.Y.SetRow(i, p.Output(x))
			if rng.IntN(3) == 0 {
				p.Y.Set(i, 0, new(big.Rat).Add(p.Y.At(i, 0), big.NewRat(1, 1)))
			}
		}
		return p
	}
	return randomPoint(rng)
}

func mustCheck(t *testing.T, p *Point) *Verdict {
	t.Helper()
	v, err := Check(p, Options{})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if err := Recheck(p, v); err != nil {
		t.Fatalf("Recheck of %v: %v", v.Kind, err)
	}
	return v
}

// mustAgree requires Predict on e to agree with Check on e.To.
func mustAgree(t *testing.T, e *Embedding, before, after *Verdict) {
	t.Helper()
	pr, err := Predict(e, before, Options{})
	if err != nil {
		t.Fatalf("%s: Predict: %v", e.Op, err)
	}
	if !pr.Known {
		t.Fatalf("%s: no prediction: %s", e.Op, pr.Reason)
	}
	if err := pr.Compare(after); err != nil {
		t.Fatalf("%s on %v point: %v\nreason: %s", e.Op, before.Kind, err, pr.Reason)
	}
}

func randomLambda(rng *rand.Rand) *big.Rat {
	fixed := []*big.Rat{big.NewRat(-1, 1), big.NewRat(0, 1), big.NewRat(1, 3), big.NewRat(1, 2), big.NewRat(1, 1), big.NewRat(5, 2), big.NewRat(-2, 7)}
	if rng.IntN(4) == 0 {
		return big.NewRat(rng.Int64N(13)-4, rng.Int64N(4)+1)
	}
	return fixed[rng.IntN(len(fixed))]
}

func inClosedUnit(l *big.Rat) bool { return l.Sign() >= 0 && l.Cmp(big.NewRat(1, 1)) <= 0 }

func escapeSet(v *Verdict) map[int]bool {
	s := map[int]bool{}
	for _, j := range v.Escape {
		s[j] = true
	}
	return s
}

// TestSplitFacts checks the facts of docs/theory.md §5 on split(j, λ), exactly, on
// random small instances.
func TestSplitFacts(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	seen := map[string]int{}
	for trial := 0; trial < 200; trial++ {
		p := testPoint(rng)
		before := mustCheck(t, p)
		j := rng.IntN(p.M())
		lam := randomLambda(rng)
		e, err := Split(p, j, lam)
		if err != nil {
			t.Fatal(err)
		}
		if err := SameFunction(p, e.To); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		after := mustCheck(t, e.To)
		m := p.M()
		old, nw := before.Neurons, after.Neurons
		// Every other neuron keeps (S1), (S2); split keeps (S1).
		for l := 0; l < m; l++ {
			if l != j && (nw[l].S1 != old[l].S1 || nw[l].S2 != old[l].S2) {
				t.Fatalf("trial %d: split(%d, %s) changed neuron %d", trial, j, lam.RatString(), l)
			}
		}
		if nw[j].S1 != old[j].S1 || nw[m].S1 != old[j].S1 {
			t.Fatalf("trial %d: split(%d, %s) does not keep (S1): %v → %v, %v", trial, j, lam.RatString(), old[j].S1, nw[j].S1, nw[m].S1)
		}
		// (S2) iff λφ_j ≥ 0 and (1−λ)φ_j ≥ 0.
		phiZero := old[j].S2 && phiVanishes(t, p, j) // only needed when φ_j ≥ 0
		bothS2 := nw[j].S2 && nw[m].S2
		if old[j].S2 {
			if want := inClosedUnit(lam) || phiZero; bothS2 != want {
				t.Fatalf("trial %d: split(%d, %s), φ_j ≥ 0, φ_j ≡ 0: %v: copies keep (S2) %v, want %v", trial, j, lam.RatString(), phiZero, bothS2, want)
			}
			if !inClosedUnit(lam) && !phiZero {
				seen["φ≢0, λ∉[0,1]: (S2) fails"]++
			}
		} else if bothS2 {
			t.Fatalf("trial %d: (S2) failed for neuron %d but holds for both copies after split(%d, %s)", trial, j, j, lam.RatString())
		}
		if want := before.Stationary && (inClosedUnit(lam) || phiZero); after.Stationary != want {
			t.Fatalf("trial %d: split(%d, %s): stationary %v, want %v", trial, j, lam.RatString(), after.Stationary, want)
		}
		if before.Stationary && after.Stationary {
			was, is := escapeSet(before), escapeSet(after)
			for l := 0; l < m; l++ {
				if l != j && was[l] != is[l] {
					t.Fatalf("trial %d: escape of untouched neuron %d changed", trial, l)
				}
			}
			aZero := p.Neurons[j].A.IsZero()
			qZero := qVanishes(t, p, p.Neurons[j].W)
			zero := -1
			switch {
			case aZero:
			case lam.Sign() == 0:
				zero = j
			case lam.Cmp(big.NewRat(1, 1)) == 0:
				zero = m
			}
			switch {
			case aZero:
				if is[j] != !qZero || is[m] != !qZero {
					t.Fatalf("trial %d: a_j = 0, Q_j ≡ 0: %v, but copies escape %v, %v", trial, qZero, is[j], is[m])
				}
			case zero >= 0:
				// λ ∈ {0, 1}: the zero-output copy escapes iff Q_j ≢ 0.
				if is[zero] != !qZero {
					t.Fatalf("trial %d: split(%d, %s): zero-output copy %d escapes %v, Q_j ≡ 0 %v", trial, j, lam.RatString(), zero, is[zero], qZero)
				}
				if !qZero && before.Kind == LocalMin {
					seen["local-min → saddle at λ ∈ {0,1}"]++
					if after.Kind != Saddle {
						t.Fatalf("trial %d: local minimum with an escaping zero-output copy is %v", trial, after.Kind)
					}
				}
			default:
				// λ ∉ {0, 1}: no new escape neuron; each copy escapes iff j did.
				if is[j] != was[j] || is[m] != was[j] {
					t.Fatalf("trial %d: split(%d, %s): copies escape %v, %v; neuron %d did %v", trial, j, lam.RatString(), is[j], is[m], j, was[j])
				}
				if p.K() == 1 && lam.Sign() > 0 && lam.Cmp(big.NewRat(1, 1)) < 0 && after.Kind != before.Kind {
					t.Fatalf("trial %d: k = 1, λ ∈ (0,1): verdict %v → %v", trial, before.Kind, after.Kind)
				}
				if before.Kind == LocalMin && lam.Sign() > 0 && lam.Cmp(big.NewRat(1, 1)) < 0 {
					seen["local-min kept for λ ∈ (0,1)"]++
				}
			}
		}
		mustAgree(t, e, before, after)
	}
	t.Logf("seen: %v", seen)
	for _, k := range []string{"φ≢0, λ∉[0,1]: (S2) fails", "local-min → saddle at λ ∈ {0,1}", "local-min kept for λ ∈ (0,1)"} {
		if seen[k] == 0 {
			t.Errorf("no instance of %q", k)
		}
	}
}

// TestSplitVerdictConstantOnIntervals checks the basis of ScanSplit: Check's
// verdict, stationarity and escape set of split(j, λ) are the same at two
// points of each open interval λ < 0, 0 < λ < 1, λ > 1.
func TestSplitVerdictConstantOnIntervals(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	pairs := [][2]*big.Rat{
		{big.NewRat(-1, 1), big.NewRat(-7, 3)},
		{big.NewRat(1, 2), big.NewRat(1, 5)},
		{big.NewRat(1, 2), big.NewRat(7, 9)},
		{big.NewRat(2, 1), big.NewRat(9, 8)},
	}
	for trial := 0; trial < 40; trial++ {
		p := testPoint(rng)
		before := mustCheck(t, p)
		j := rng.IntN(p.M())
		for _, pr := range pairs {
			e0, _ := Split(p, j, pr[0])
			e1, _ := Split(p, j, pr[1])
			v0, v1 := mustCheck(t, e0.To), mustCheck(t, e1.To)
			if v0.Kind != v1.Kind || v0.Stationary != v1.Stationary || !slices.Equal(v0.Escape, v1.Escape) {
				t.Fatalf("trial %d (%v): split(%d, %s) gives %v %v, split(%d, %s) gives %v %v", trial, before.Kind,
					j, pr[0].RatString(), v0.Kind, v0.Escape, j, pr[1].RatString(), v1.Kind, v1.Escape)
			}
		}
	}
}

// TestAddZeroOutputFacts: add-zero-output(w) keeps stationarity iff
// Σ_i r_i ρ(w·x_i) = 0, and the new neuron escapes iff its Q ≢ 0.
func TestAddZeroOutputFacts(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	seen := map[string]int{}
	for trial := 0; trial < 200; trial++ {
		p := testPoint(rng)
		before := mustCheck(t, p)
		var w exact.Vec
		switch rng.IntN(4) {
		case 0:
			w = exact.NewVec(p.D())
		case 1:
			w = p.Neurons[rng.IntN(p.M())].W.Clone()
		case 2:
			w = perp(rng, p.X.Row(rng.IntN(p.N())))
			if p.X.Row(0).IsZero() {
				w = randVec(rng, p.D(), 3)
			}
		default:
			w = randVec(rng, p.D(), 3)
		}
		e, err := AddZeroOutput(p, w)
		if err != nil {
			t.Fatal(err)
		}
		after := mustCheck(t, e.To)
		m := p.M()
		r := ResidualsOf(p)
		sum := exact.NewVec(p.K())
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			sum.AddScaled(p.Act.Apply(w.Dot(x)), r[i])
		}
		if want := before.Stationary && sum.IsZero(); after.Stationary != want {
			t.Fatalf("trial %d: add-zero-output(%s): Σ r_i ρ(w·x_i) = %s, stationary %v → %v", trial, w, sum, before.Stationary, after.Stationary)
		}
		if after.Neurons[m].S1 != sum.IsZero() || !after.Neurons[m].S2 {
			t.Fatalf("trial %d: new zero-output neuron: S1 %v S2 %v, Σ = %s", trial, after.Neurons[m].S1, after.Neurons[m].S2, sum)
		}
		if after.Stationary {
			qZero := qVanishes(t, e.To, w)
			if after.Neurons[m].Escape != !qZero {
				t.Fatalf("trial %d: new neuron escapes %v but Q ≡ 0 is %v", trial, after.Neurons[m].Escape, qZero)
			}
			for l := 0; l < m; l++ {
				if after.Neurons[l].Escape != before.Neurons[l].Escape {
					t.Fatalf("trial %d: escape of neuron %d changed", trial, l)
				}
			}
			if before.Kind == LocalMin && !qZero {
				seen["non-global local-min → saddle"]++
				if after.Kind != Saddle {
					t.Fatalf("trial %d: local-min + escaping zero-output neuron is %v", trial, after.Kind)
				}
			}
			if before.Kind == LocalMin && qZero {
				seen["local-min kept"]++
			}
		} else if before.Stationary {
			seen["stationarity lost"]++
		}
		mustAgree(t, e, before, after)
	}
	t.Logf("seen: %v", seen)
	for _, k := range []string{"non-global local-min → saddle", "local-min kept", "stationarity lost"} {
		if seen[k] == 0 {
			t.Errorf("no instance of %q", k)
		}
	}
}

// TestAddZeroInputFacts: add-zero-input(a) keeps (S1), and keeps (S2) iff
// Σ_i (a·r_i) ρ(x_i·u) ≥ 0 for all u — decided here by the subset method of
// docs/theory.md §3 (Check uses the cell method) and, when it fails, confirmed by
// evaluating the sum at Check's descent direction.
func TestAddZeroInputFacts(t *testing.T) {
	rng := rand.New(rand.NewPCG(47, 48))
	seen := map[string]int{}
	for trial := 0; trial < 200; trial++ {
		p := testPoint(rng)
		if p.N() > 9 {
			continue
		}
		before := mustCheck(t, p)
		a := randVec(rng, p.K(), 3)
		e, err := AddZeroInput(p, a)
		if err != nil {
			t.Fatal(err)
		}
		after := mustCheck(t, e.To)
		m := p.M()
		holds, err := newState(e.To).S2BySubsets(m)
		if err != nil {
			t.Fatal(err)
		}
		nr := after.Neurons[m]
		if !nr.S1 {
			t.Fatalf("trial %d: add-zero-input(%s) does not keep (S1)", trial, a)
		}
		if nr.S2 != holds {
			t.Fatalf("trial %d: add-zero-input(%s): Check says (S2) %v, subset method %v", trial, a, nr.S2, holds)
		}
		if want := before.Stationary && holds; after.Stationary != want {
			t.Fatalf("trial %d: stationary %v → %v with (S2) of the new neuron %v", trial, before.Stationary, after.Stationary, holds)
		}
		r := ResidualsOf(p)
		sumAt := func(u exact.Vec) *big.Rat {
			s := new(big.Rat)
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				s.Add(s, new(big.Rat).Mul(a.Dot(r[i]), p.Act.Apply(x.Dot(u))))
			}
			return s
		}
		if before.Stationary && !holds {
			seen["stationarity lost"]++
			d := after.Cert.Descent
			if d.Condition == "S2" && d.Neuron == m && sumAt(d.Delta[m].W).Sign() >= 0 {
				t.Fatalf("trial %d: descent direction %s has Σ (a·r_i)ρ(x_i·u) ≥ 0", trial, d.Delta[m].W)
			}
		}
		if holds {
			for k := 0; k < 20; k++ {
				if u := randVec(rng, p.D(), 5); sumAt(u).Sign() < 0 {
					t.Fatalf("trial %d: (S2) said to hold but Σ (a·r_i)ρ(x_i·u) < 0 at %s", trial, u)
				}
			}
			if before.Stationary && !a.IsZero() && !ResidualsOf(e.To)[0].IsZero() {
				seen["stationarity kept"]++
			}
		}
		if after.Stationary && p.K() == 1 && !a.IsZero() && nr.Escape {
			t.Fatalf("trial %d: k = 1: zero-input neuron with a ≠ 0 escapes", trial)
		}
		mustAgree(t, e, before, after)
	}
	t.Logf("seen: %v", seen)
	for _, k := range []string{"stationarity lost", "stationarity kept"} {
		if seen[k] == 0 {
			t.Errorf("no instance of %q", k)
		}
	}
}

// TestAddDeadFacts: a dead ReLU neuron changes nothing but the width.
func TestAddDeadFacts(t *testing.T) {
	rng := rand.New(rand.NewPCG(49, 50))
	added := 0
	for trial := 0; trial < 300; trial++ {
		p := testPoint(rng)
		p.Act = ReLU()
		if rng.IntN(3) == 0 {
			p.Act = Activation{Pos: big.NewRat(3, 2), Neg: new(big.Rat)}
		}
		var w exact.Vec
		for try := 0; try < 20 && w == nil; try++ {
			c := randVec(rng, p.D(), 3)
			dead := true
			for _, x := range p.X.Vecs() {
				if !x.IsZero() && c.Dot(x).Sign() >= 0 {
					dead = false
				}
			}
			if dead {
				w = c
			}
		}
		if w == nil {
			continue
		}
		added++
		before := mustCheck(t, p)
		e, err := AddDead(p, w, randVec(rng, p.K(), 3))
		if err != nil {
			t.Fatal(err)
		}
		after := mustCheck(t, e.To)
		nr := after.Neurons[p.M()]
		if after.Kind != before.Kind || !slices.Equal(after.Escape, before.Escape) || !nr.S1 || !nr.S2 || nr.Escape {
			t.Fatalf("trial %d: add-dead(%s): %v %v → %v %v (new neuron %+v)", trial, w, before.Kind, before.Escape, after.Kind, after.Escape, nr)
		}
		if !e.To.Neurons[p.M()].A.IsZero() && nr.Kind != Dead {
			t.Fatalf("trial %d: the added neuron is %v, not dead", trial, nr.Kind)
		}
		mustAgree(t, e, before, after)
	}
	if added < 20 {
		t.Errorf("only %d dead neurons added", added)
	}
}

// TestRescalePermuteRandom: rescale(j, c), c > 0, and permutations leave the
// verdict, the loss and the (permuted) escape set unchanged.
func TestRescalePermuteRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	for trial := 0; trial < 120; trial++ {
		p := testPoint(rng)
		before := mustCheck(t, p)
		j := rng.IntN(p.M())
		c := big.NewRat(rng.Int64N(20)+1, rng.Int64N(7)+1)
		e, err := Rescale(p, j, c)
		if err != nil {
			t.Fatal(err)
		}
		after := mustCheck(t, e.To)
		if after.Kind != before.Kind || after.Loss.Cmp(before.Loss) != 0 || !slices.Equal(after.Escape, before.Escape) {
			t.Fatalf("trial %d: rescale(%d, %s): %v %v → %v %v", trial, j, c.RatString(), before.Kind, before.Escape, after.Kind, after.Escape)
		}
		if g := before.Neurons[j].G.Scale(c); !after.Neurons[j].G.Equal(g) {
			t.Fatalf("trial %d: rescale(%d, %s): G = %s, want c·G_j = %s", trial, j, c.RatString(), after.Neurons[j].G, g)
		}
		mustAgree(t, e, before, after)

		perm := rng.Perm(p.M())
		e, err = Permute(p, perm)
		if err != nil {
			t.Fatal(err)
		}
		after = mustCheck(t, e.To)
		var want []int
		for i, j := range perm {
			if escapeSet(before)[j] {
				want = append(want, i)
			}
		}
		if after.Kind != before.Kind || after.Loss.Cmp(before.Loss) != 0 || !slices.Equal(after.Escape, append([]int{}, want...)) {
			t.Fatalf("trial %d: permute(%v): %v %v → %v %v (want escape %v)", trial, perm, before.Kind, before.Escape, after.Kind, after.Escape, want)
		}
		mustAgree(t, e, before, after)
	}
}

// TestEmbeddingKeepsFunction: every operation keeps f_θ on the data and L
// (exact), and deliberately wrong operations are caught by SameFunction.
func TestEmbeddingKeepsFunction(t *testing.T) {
	rng := rand.New(rand.NewPCG(53, 54))
	caught := 0
	for trial := 0; trial < 150; trial++ {
		p := randomPoint(rng)
		j := rng.IntN(p.M())
		ops := []Op{
			{Kind: OpSplit, J: j, Lambda: randomLambda(rng)},
			{Kind: OpAddZeroOutput, W: randVec(rng, p.D(), 3)},
			{Kind: OpAddZeroInput, A: randVec(rng, p.K(), 3)},
			{Kind: OpRescale, J: j, C: big.NewRat(rng.Int64N(9)+1, rng.Int64N(9)+1)},
			{Kind: OpPermute, Perm: rng.Perm(p.M())},
		}
		for _, op := range ops {
			e, err := Apply(p, op)
			if err != nil {
				t.Fatalf("trial %d: %v", trial, err)
			}
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				if !p.Output(x).Equal(e.To.Output(x)) || !e.Outputs[i].Equal(p.Output(x)) {
					t.Fatalf("trial %d: %s changed f(x_%d)", trial, op, i)
				}
			}
			if Loss(e.To).Cmp(Loss(p)) != 0 || e.Loss.Cmp(Loss(p)) != 0 {
				t.Fatalf("trial %d: %s changed the loss", trial, op)
			}
			if err := SameFunction(p, e.To); err != nil {
				t.Fatalf("trial %d: %s: %v", trial, op, err)
			}
		}
		// Wrong split: (w_j, λa_j) twice computes 2λ·a_jρ(w_j·x), which
		// differs unless λ = 1/2 or neuron j contributes nothing.
		lam := big.NewRat(1, 3)
		bad := p.Clone()
		bad.Neurons[j].A = p.Neurons[j].A.Scale(lam)
		bad.Neurons = append(bad.Neurons, bad.Neurons[j].Clone())
		contributes := false
		for _, x := range p.X.Vecs() {
			if !p.Neurons[j].A.Scale(p.Act.Apply(p.Neurons[j].W.Dot(x))).IsZero() {
				contributes = true
			}
		}
		err := SameFunction(p, bad)
		if contributes != (err != nil) {
			t.Fatalf("trial %d: wrong split (λa_j, λa_j): neuron contributes %v, SameFunction error %v", trial, contributes, err)
		}
		if err != nil {
			caught++
		}
		// Wrong rescale: (c·w_j, c·a_j).
		bad = p.Clone()
		c := big.NewRat(3, 1)
		bad.Neurons[j] = Neuron{W: p.Neurons[j].W.Scale(c), A: p.Neurons[j].A.Scale(c)}
		if err := SameFunction(p, bad); contributes != (err != nil) {
			t.Fatalf("trial %d: wrong rescale (c·w, c·a): SameFunction error %v", trial, err)
		}
	}
	if caught < 30 {
		t.Errorf("only %d wrong splits caught", caught)
	}
}

// kinkPoint is the hand-worked non-global local minimum of the tests: data
// x ∈ {−1, 0, 1} with a bias (x_i = (x, 1)), targets (1, −1, 1), ReLU, one
// neuron w = (1, 0), a = 1 whose hyperplane holds the sample x = 0.
// f = (0, 0, 1), r = (−1, 1, 0), L = (1 + 1 + 0)/6 = 1/3; G_0 = (1/3)·r_3·1 = 0;
// nφ_0(u) = 0·(u_1+u_2) + r_2·(u_2)₊ = (u_2)₊ ≥ 0 and ≢ 0; Q_0(u) = (u_2)₊ ≢ 0.
func kinkPoint() *Point {
	return &Point{
		Act:     ReLU(),
		X:       exact.RatMatOf([]exact.Vec{exact.VecOf(-1, 1), exact.VecOf(0, 1), exact.VecOf(1, 1)}),
		Y:       exact.RatMatOf([]exact.Vec{exact.VecOf(1), exact.VecOf(-1), exact.VecOf(1)}),
		Neurons: []Neuron{{W: exact.VecOf(1, 0), A: exact.VecOf(1)}},
	}
}

// TestEmbedHandWorked checks every operation on kinkPoint against values
// worked out by hand (see kinkPoint and the comments).
func TestEmbedHandWorked(t *testing.T) {
	p := kinkPoint()
	before := mustCheck(t, p)
	if before.Kind != LocalMin || before.Loss.Cmp(big.NewRat(1, 3)) != 0 {
		t.Fatalf("kink point: %v, L = %s; want local-min, 1/3", before.Kind, before.Loss.RatString())
	}
	for _, tc := range []struct {
		op     Op
		kind   VerdictKind
		escape []int
		reason []string // substrings of the prediction's reason
	}{
		// λ = 2: copy 1 has output weight (1−λ)a = −1, φ = −φ_0 < 0 at u = (0, 1).
		{Op{Kind: OpSplit, J: 0, Lambda: big.NewRat(2, 1)}, NotStationary, nil, []string{"∉ [0, 1]", "φ_0 ≢ 0", "(S2) fails for the copy 1 with output weight (1−λ)a_0 = [-1]"}},
		{Op{Kind: OpSplit, J: 0, Lambda: big.NewRat(-1, 2)}, NotStationary, nil, []string{"(S2) fails for the copy 0 with output weight λa_0 = [-1/2]"}},
		// λ = 0: copy 0 = (w, 0) escapes since Q_0 ≢ 0.
		{Op{Kind: OpSplit, J: 0, Lambda: big.NewRat(0, 1)}, Saddle, []int{0}, []string{"copy 0 has output weight 0", "it escapes", "Theorem E"}},
		{Op{Kind: OpSplit, J: 0, Lambda: big.NewRat(1, 1)}, Saddle, []int{1}, []string{"copy 1 has output weight 0"}},
		{Op{Kind: OpSplit, J: 0, Lambda: big.NewRat(1, 2)}, LocalMin, []int{}, []string{"neither escapes", "Theorem M"}},
		// A zero neuron: G = 0; Q(u) = −ρ(−u_1+u_2) + ρ(u_2) ≢ 0 (1 at u = (1, 1)).
		{Op{Kind: OpAddZeroOutput, W: exact.VecOf(0, 0)}, Saddle, []int{1}, []string{"here it is 0", "it escapes"}},
		// w = (−1, 0) is active on x = −1 only: Σ r_i ρ(w·x_i) = r_1 = −1 ≠ 0.
		{Op{Kind: OpAddZeroOutput, W: exact.VecOf(-1, 0)}, NotStationary, nil, []string{"here it is [-1] ≠ 0"}},
		// w = (1, 0) again: G = G_0 = 0, Q = Q_0 ≢ 0.
		{Op{Kind: OpAddZeroOutput, W: exact.VecOf(1, 0)}, Saddle, []int{1}, nil},
		// w = (0, −1) is dead: G = 0, Q ≡ 0 (ReLU).
		{Op{Kind: OpAddZeroOutput, W: exact.VecOf(0, -1)}, LocalMin, []int{}, []string{"does not escape"}},
		// Σ r_i ρ(x_i·u) = −ρ(−u_1+u_2) + ρ(u_2) takes both signs (−1 at (−1, 0), 1 at (1, 1)).
		{Op{Kind: OpAddZeroInput, A: exact.VecOf(1)}, NotStationary, nil, []string{"(S2) fails for the new neuron 1"}},
		{Op{Kind: OpAddZeroInput, A: exact.VecOf(-3)}, NotStationary, nil, nil},
		{Op{Kind: OpAddZeroInput, A: exact.VecOf(0)}, Saddle, []int{1}, nil},
		{Op{Kind: OpAddDead, W: exact.VecOf(0, -1), A: exact.VecOf(5)}, LocalMin, []int{}, nil},
		{Op{Kind: OpRescale, J: 0, C: big.NewRat(7, 2)}, LocalMin, []int{}, nil},
	} {
		e, err := Apply(p, tc.op)
		if err != nil {
			t.Fatal(err)
		}
		after := mustCheck(t, e.To)
		if after.Kind != tc.kind || (tc.escape != nil && !slices.Equal(after.Escape, tc.escape)) {
			t.Errorf("%s: %v %v, want %v %v", tc.op, after.Kind, after.Escape, tc.kind, tc.escape)
		}
		pr, err := Predict(e, before, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := pr.Compare(after); err != nil {
			t.Errorf("%s: %v", tc.op, err)
		}
		for _, s := range tc.reason {
			if !strings.Contains(pr.Reason, s) {
				t.Errorf("%s: reason lacks %q:\n%s", tc.op, s, pr.Reason)
			}
		}
	}
}

// TestEmbedErrors: errors name the operation and its argument.
func TestEmbedErrors(t *testing.T) {
	p := kinkPoint()
	for _, tc := range []struct {
		op   Op
		want []string
	}{
		{Op{Kind: OpSplit, J: 3, Lambda: big.NewRat(1, 2)}, []string{"split(3, λ = 1/2)", "neuron 3 out of range [0, 1)"}},
		{Op{Kind: OpSplit, J: 0}, []string{"split(0, λ = <nil>)", "λ is missing"}},
		{Op{Kind: OpRescale, J: 0, C: big.NewRat(0, 1)}, []string{"rescale(0, c = 0)", "c must be > 0"}},
		{Op{Kind: OpRescale, J: 0, C: big.NewRat(-2, 1)}, []string{"rescale(0, c = -2)"}},
		{Op{Kind: OpRescale, J: -1, C: big.NewRat(2, 1)}, []string{"rescale(-1, c = 2)", "out of range"}},
		{Op{Kind: OpAddZeroOutput, W: exact.VecOf(1)}, []string{"add-zero-output(w = [1])", "w has 1 entries, want d = 2"}},
		{Op{Kind: OpAddZeroInput, A: exact.VecOf(1, 2)}, []string{"add-zero-input(a = [1, 2])", "want k = 1"}},
		{Op{Kind: OpAddDead, W: exact.VecOf(1, -1), A: exact.VecOf(1)}, []string{"add-dead(w = [1, -1], a = [1])", "w·x_2 = 0 ≥ 0 on the nonzero sample x_2 = [1, 1]", "not dead"}},
		{Op{Kind: OpPermute, Perm: []int{0, 0}}, []string{"permute([0 0])", "2 entries for 1 neurons"}},
	} {
		_, err := Apply(p, tc.op)
		if err == nil {
			t.Errorf("%s: no error", tc.op)
			continue
		}
		for _, s := range tc.want {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q lacks %q", tc.op, err, s)
			}
		}
	}
	q := kinkPoint()
	q.Act = Leaky(big.NewRat(1, 10))
	if _, err := AddDead(q, exact.VecOf(0, -1), exact.VecOf(1)); err == nil || !strings.Contains(err.Error(), "add-dead needs ρ₋ = 0 (ReLU), not leaky:1/10") {
		t.Errorf("add-dead on leaky ReLU: %v", err)
	}
	two := kinkPoint()
	two.Neurons = append(two.Neurons, Neuron{W: exact.VecOf(0, 1), A: exact.VecOf(0)})
	if _, err := Permute(two, []int{1, 1}); err == nil || !strings.Contains(err.Error(), "entry 1: neuron 1 listed twice") {
		t.Errorf("permute [1 1]: %v", err)
	}
	// SameFunction names the sample that differs: the wrong split
	// (λa, λa) with λ = 2 computes 4ρ(x), so f(x_2) = 1 becomes 4.
	bad := kinkPoint()
	bad.Neurons = []Neuron{{W: exact.VecOf(1, 0), A: exact.VecOf(2)}, {W: exact.VecOf(1, 0), A: exact.VecOf(2)}}
	err := SameFunction(kinkPoint(), bad)
	if err == nil || !strings.Contains(err.Error(), "sample 2: f(x_2) = [1] before and [4] after") {
		t.Errorf("SameFunction on a wrong split: %v", err)
	}
}

// TestCompareCanFail: a tampered prediction is caught by Compare.
func TestCompareCanFail(t *testing.T) {
	p := kinkPoint()
	before := mustCheck(t, p)
	e, _ := Split(p, 0, big.NewRat(0, 1))
	after := mustCheck(t, e.To)
	pr, err := Predict(e, before, Options{})
	if err != nil || pr.Compare(after) != nil {
		t.Fatalf("untampered: %v, %v", err, pr.Compare(after))
	}
	tampered := *pr
	tampered.Verdicts = []VerdictKind{LocalMin}
	if err := tampered.Compare(after); err == nil || !strings.Contains(err.Error(), "verdict saddle, predicted local-min") {
		t.Errorf("wrong verdict not caught: %v", err)
	}
	tampered = *pr
	tampered.Escape = []int{1}
	if err := tampered.Compare(after); err == nil || !strings.Contains(err.Error(), "escape neurons [0], predicted [1]") {
		t.Errorf("wrong escape set not caught: %v", err)
	}
	tampered = *pr
	tampered.Neurons = append([]NeuronPrediction{}, pr.Neurons...)
	tampered.Neurons[1].S2 = false
	if err := tampered.Compare(after); err == nil || !strings.Contains(err.Error(), "neuron 1: (S2) true, predicted false") {
		t.Errorf("wrong (S2) not caught: %v", err)
	}
}
