package numeric

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/relucert/relucert/verify"
)

func TestMinResidual(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows [][]float64
		b    []float64
		want float64 // least ℓ1 residual, by hand
	}{
		{"feasible", [][]float64{{1, 1}, {1, -1}}, []float64{2, 0}, 0}, // z = (1, 1)
		// Duplicate rows make the data rank deficient; gonum alone would
		// reject it (ErrSingular), the artificial columns make it harmless.
		{"duplicate rows feasible", [][]float64{{1, 2}, {1, 2}, {2, 4}}, []float64{3, 3, 6}, 0},
		{"duplicate rows inconsistent", [][]float64{{1, 2}, {1, 2}}, []float64{3, 4}, 1},
		// z ≥ 0 cannot make z₁ + z₂ = −1: residual 1 at z = 0.
		{"sign infeasible", [][]float64{{1, 1}}, []float64{-1}, 1},
		// z₁ = 1 exactly is forced by row 2, then row 1 wants z₁ = 3: the best
		// ℓ1 compromise costs 2.
		{"bounded infeasible", [][]float64{{1, 0}, {1, 1}}, []float64{3, 1}, 2},
		{"zero column dropped", [][]float64{{0, 1}, {0, 1}}, []float64{2, 2}, 0},
		{"all zero matrix", [][]float64{{0, 0}}, []float64{-2}, 2},
		{"no rows", nil, nil, 0},
	} {
		res, z, exact := minResidual(tc.rows, tc.b, 2)
		if !exact || math.Abs(res-tc.want) > 1e-12 {
			t.Errorf("%s: residual %v (exact %v), want %v", tc.name, res, exact, tc.want)
		}
		for _, v := range z {
			if v < 0 {
				t.Errorf("%s: negative z %v", tc.name, z)
			}
		}
	}
}

func TestMaxIneq(t *testing.T) {
	// max z₁ + 2z₂ s.t. z₁ + z₂ ≤ 1, z₂ ≤ 1/2 → 3/2 at (1/2, 1/2).
	val, z, exact := maxIneq([]float64{1, 2}, [][]float64{{1, 1}, {0, 1}}, []float64{1, 0.5})
	if !exact || math.Abs(val-1.5) > 1e-12 || math.Abs(z[0]-0.5) > 1e-12 {
		t.Errorf("got %v at %v (exact %v), want 3/2 at (1/2, 1/2)", val, z, exact)
	}
	// Degenerate: a duplicated constraint through the origin; max z₁ = 1.
	val, _, exact = maxIneq([]float64{1, 0}, [][]float64{{1, -1}, {1, -1}, {0, 1}}, []float64{0, 0, 1})
	if !exact || math.Abs(val-1) > 1e-12 {
		t.Errorf("duplicate rows: got %v (exact %v), want 1", val, exact)
	}
}

func unit(v ...float64) []float64 {
	n := norm2(v)
	for i := range v {
		v[i] /= n
	}
	return v
}

func TestArrangementCounts(t *testing.T) {
	// Central arrangements with hand-counted cells: m generic hyperplanes in
	// R^d have 2·Σ_{i<d} C(m−1, i) cells; repeated (or opposite) normals cut
	// nothing new.
	for _, tc := range []struct {
		name    string
		d       int
		normals [][]float64
		want    int
	}{
		{"none", 2, nil, 1},
		{"one line", 2, [][]float64{unit(1, 2)}, 2},
		{"three lines in the plane", 2, [][]float64{unit(1, 0), unit(0, 1), unit(1, 1)}, 6},
		{"repeated and opposite normals", 2, [][]float64{unit(1, 0), unit(2, 0), unit(-1, 0)}, 2},
		{"nearly repeated (1e-15) counts as repeated", 2, [][]float64{unit(1, 0), unit(1, 1e-15)}, 2},
		{"3 generic planes in R^3", 3, [][]float64{unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1)}, 8},
		{"4 generic planes in R^3", 3, [][]float64{unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1), unit(1, 1, 1)}, 14},
		{"planes through one axis", 3, [][]float64{unit(1, 0, 0), unit(0, 1, 0), unit(1, 1, 0), unit(1, -2, 0)}, 8},
	} {
		cells, dec := arrangement(tc.normals, tc.d, maxCells)
		if !dec || len(cells) != tc.want {
			t.Errorf("%s: %d cells (decided %v), want %d", tc.name, len(cells), dec, tc.want)
		}
		seen := map[string]bool{}
		for _, c := range cells {
			key := fmt.Sprint(c.signs)
			if seen[key] || len(c.signs) != len(tc.normals) {
				t.Errorf("%s: repeated or short sign vector %v", tc.name, c.signs)
			}
			seen[key] = true
		}
	}
}

// TestS2SubsetsAgreeWithCells runs the two exact-in-principle procedures of
// docs/theory.md §3 on random normalised instances and requires the same answer.
func TestS2SubsetsAgreeWithCells(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	counts := map[bool]int{}
	for trial := 0; trial < 150; trial++ {
		d := 2 + rng.IntN(2)
		s := s2Data{d: d, v: make([]float64, d)}
		randVec := func() []float64 {
			x := make([]float64, d)
			for k := range x {
				x[k] = float64(rng.IntN(7) - 3)
			}
			if norm2(x) == 0 {
				x[0] = 1
			}
			return x
		}
		scale := func(x []float64, c float64) []float64 {
			y := make([]float64, len(x))
			for k := range x {
				y[k] = c * x[k]
			}
			return y
		}
		q := 1 + rng.IntN(5)
		for l := 0; l < q; l++ {
			x := randVec()
			c := float64(1 + rng.IntN(3))
			s.minus = append(s.minus, scale(x, -c/20))
			s.dirs = append(s.dirs, unit(append([]float64(nil), x...)...))
			s.minusIdx = append(s.minusIdx, l)
			// Often cancel the concave term with a convex one on the same
			// sample direction, sometimes only partly.
			switch rng.IntN(3) {
			case 0:
				s.plus = append(s.plus, scale(x, c/20))
			case 1:
				s.plus = append(s.plus, scale(x, c/40))
			}
		}
		for l := rng.IntN(3); l > 0; l-- {
			s.plus = append(s.plus, scale(randVec(), float64(1+rng.IntN(3))/20))
		}
		if rng.IntN(2) == 0 {
			s.v = scale(randVec(), 0.01)
		}
		h1, d1, _ := s.subsets()
		h2, d2, _ := s.cells()
		if !d1 || !d2 || h1 != h2 {
			t.Fatalf("trial %d: subsets (%v, decided %v) ≠ cells (%v, decided %v) on %+v", trial, h1, d1, h2, d2, s)
		}
		if _, found := s.quickWitness(); found && h1 {
			t.Fatalf("trial %d: quickWitness found a descent where the LPs say (S2) holds: %+v", trial, s)
		}
		counts[h1]++
	}
	if counts[true] < 10 || counts[false] < 10 {
		t.Errorf("unbalanced instances: %v", counts)
	}
}

func TestMaxOverCone(t *testing.T) {
	// A face of a cell in R^4 (13 closed-cell rows and ±ĝ) on which the
	// objective has maximum 0: in the primal form gonum's simplex took 0.4 s
	// on it, pivoting at the degenerate vertex u = 0 (found by a random
	// stress run).
	s5, s10, s3, s7, s6 := 0.31622776601683794, 0.6324555320336759, 0.5773502691896258, 0.3779644730092272, 0.4082482904638631
	pointed := [][]float64{
		{-s10, -s10, s5, -s5}, {2 * s6, 0, s6, -s6}, {s5, s10, -s5, -s10}, {s7, -s7, -2 * s7, s7},
		{s10, -s5, s10, -s5}, {s7, -s7, 2 * s7, s7}, {s3, 0, -s3, s3}, {s10, s5, -s10, -s5},
		{-s6, 0, -2 * s6, -s6}, {2.0 / 3, 1.0 / 3, 2.0 / 3, 0}, {0.5, 0.5, -0.5, -0.5}, {s10, s10, s5, -s5},
		{-s6, -s6, 0, -2 * s6},
		{-0.6713450866373512, -0.5874269508076823, -0.1678362716593378, 0.41959067914834447},
		{0.6713450866373512, 0.5874269508076823, 0.1678362716593378, -0.41959067914834447},
	}
	for _, tc := range []struct {
		name string
		A    [][]float64
		b    []float64
		want float64 // by hand
	}{
		// F = quadrant u ≥ 0: max u₁ + 2u₂ on the box is 3 at (1, 1).
		{"quadrant", [][]float64{{-1, 0}, {0, -1}}, []float64{1, 2}, 3},
		{"quadrant, b pointing out", [][]float64{{-1, 0}, {0, -1}}, []float64{-1, -1}, 0},
		{"quadrant, b along an edge", [][]float64{{-1, 0}, {0, -1}}, []float64{-1, 1}, 1},
		// F = {0}.
		{"pointed at 0", [][]float64{{1, 0}, {-1, 0}, {0, 1}, {0, -1}}, []float64{1, 1}, 0},
		// F = the ray through (1, 1), with a duplicated plane: max u₂ = 1.
		{"ray", [][]float64{{1, -1}, {-1, 1}, {0, -1}, {2, -2}}, []float64{0, 1}, 1},
		{"ray, b orthogonal", [][]float64{{1, -1}, {-1, 1}, {0, -1}}, []float64{1, -1}, 0},
		// F = half-plane u₁ ≥ 0: max u₁ + u₂ = 2, max −u₁ = 0.
		{"half-plane", [][]float64{{-1, 0}}, []float64{1, 1}, 2},
		{"no constraints", nil, []float64{1, -2}, 3},
	} {
		val, u, exact := maxOverCone(tc.A, tc.b)
		if !exact || math.Abs(val-tc.want) > 1e-12 {
			t.Errorf("%s: value %v (exact %v), want %v", tc.name, val, exact, tc.want)
			continue
		}
		if tc.want == 0 {
			if u != nil {
				t.Errorf("%s: witness %v for value 0", tc.name, u)
			}
			continue
		}
		if u == nil || math.Abs(dot(tc.b, u)-tc.want) > 1e-9 || maxAbs(u) > 1+1e-12 {
			t.Errorf("%s: witness %v (b·u = %v), want a maximiser", tc.name, u, dot(tc.b, u))
			continue
		}
		for _, a := range tc.A {
			if dot(a, u) > 1e-12 {
				t.Errorf("%s: witness %v outside the cone (a = %v)", tc.name, u, a)
			}
		}
	}
	val, u, exact := maxOverCone(pointed, []float64{-0.0647, -0.0349, 0.0149, 0})
	if !exact || val > Eps || u != nil {
		t.Errorf("pointed cone in R^4: %v %v %v, want 0 with no witness", val, u, exact)
	}
}

// cyclingRows, cyclingB are the (S2) subset LP (T = Z⁻) of neuron 0 of the
// point in TestCheckGonumCycling (normalised data, as s2Data.lp builds it),
// on which gonum's simplex, started from the slack basis, cycles for ever in
// its degenerate-pivot fallback. Its least residual is 0, at z = (1, 1, 0, 0).
var (
	cyclingRows = [][]float64{
		{-0.00025249189394118933, 0, 0, 0},
		{-0.0005049837878823787, -0.0005049837878823787, 0, 0},
		{0, 0.00025249189394118933, 0, 0},
		{1, 0, 1, 0},
		{0, 1, 0, 1},
	}
	cyclingB = []float64{-0.00025249189394118933, -0.0010099675757647573, 0.00025249189394118933, 1, 1}
)

// within runs f, failing the test if it has not returned after d (the
// goroutine is then abandoned).
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %v", what, d)
	}
}

// TestLPCycling: gonum alone, on the unperturbed LP, cycles until the read
// limit stops it; with the perturbation the same LP is solved, exactly, with
// the least residual.
func TestLPCycling(t *testing.T) {
	c, A, _, basis, _ := residualLP(cyclingRows, cyclingB, 4)
	var err error
	within(t, 10*time.Second, "the unperturbed solve", func() { _, err = solve(c, A, cyclingB, basis) })
	if err != errLPLimit {
		t.Errorf("unperturbed: error %v, want the iteration limit (gonum cycles on this LP)", err)
	}
	var res float64
	var z []float64
	var exact bool
	within(t, 10*time.Second, "minResidual", func() { res, z, exact = minResidual(cyclingRows, cyclingB, 4) })
	if !exact || !normTol.Feasible(res) {
		t.Errorf("perturbed: residual %v at %v (exact %v), want ≈ 0", res, z, exact)
	}
}

// TestLPPerturbation checks the amounts: distinct, in [δ/2, δ), Σ ≤ Eps/8,
// and below the support threshold of coneWitness.
func TestLPPerturbation(t *testing.T) {
	if Eps/8192 >= supportTol/8 {
		t.Errorf("δ = Eps/8192 = %v is not below supportTol/8 = %v", Eps/8192, supportTol/8)
	}
	for _, r := range []int{1, 5, 1000, 5000} {
		eps := lpPerturbation(r)
		delta := math.Min(Eps/8192, Eps/(8*float64(r)))
		seen := map[float64]bool{}
		sum := 0.0
		for i, e := range eps {
			if e < delta/2 || e >= delta || seen[e] {
				t.Fatalf("r = %d: ε_%d = %v (δ = %v) out of range or repeated", r, i, e, delta)
			}
			seen[e] = true
			sum += e
		}
		if sum > Eps/8 {
			t.Errorf("r = %d: Σε = %v > Eps/8", r, sum)
		}
	}
}

// TestCheckGonumCycling is a point on which numeric.Check hung: one of its
// (S2) LPs (cyclingRows) made gonum's simplex cycle for ever. The float64
// verdict must come, and agree with the exact one (not-stationary).
func TestCheckGonumCycling(t *testing.T) {
	p := point(t, verify.Abs(),
		rows(row("-1", "-2", "0"), row("-1", "-4", "1"), row("2", "-1", "3"), row("3", "-2", "2"), row("0", "-2", "1"), row("1", "2", "-2")),
		rows(row("-13", "5"), row("-26", "8"), row("-16", "2"), row("-22", "-6"), row("-16", "6"), row("-22", "-6")),
		[]nrn{{row("-2", "1", "2"), row("-1", "-3")}, {row("0", "0", "0"), row("-2", "0")}, {row("0", "-2", "1"), row("-3", "1")}})
	v, err := verify.Check(p.Clone(), verify.Options{})
	if err != nil {
		t.Fatalf("verify.Check: %v", err)
	}
	var r *Result
	within(t, 20*time.Second, "numeric.Check", func() { r, err = Check(p.Clone()) })
	if err != nil {
		t.Fatalf("numeric.Check: %v", err)
	}
	if r.Kind != v.Kind || r.Stationary != v.Stationary || fmt.Sprint(r.Escape) != fmt.Sprint(v.Escape) {
		t.Fatalf("float64 %v (%s), exact %v (%s)", r.Kind, r.Reason, v.Kind, v.Reason)
	}
	for j, nr := range r.Neurons {
		ev := v.Neurons[j]
		if nr.Kind != ev.Kind || nr.Boundary != ev.Boundary || nr.S1 != ev.S1 || nr.S2 != ev.S2 || nr.Decided != ev.Decided {
			t.Errorf("neuron %d: float64 %+v, exact %+v", j, nr, ev)
		}
	}
	if v.Kind != verify.NotStationary {
		t.Errorf("exact verdict %v, want not-stationary", v.Kind)
	}
}
