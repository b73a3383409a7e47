package verify_test

// External tests of network embedding: the λ scan, the metamorphic and
// prediction tests on every catalogue case (package verify_test, so that it
// may import cases, which imports verify), and the Split example.

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// kink is the hand-worked non-global local minimum: x ∈ {−1, 0, 1} with a
// bias, y = (1, −1, 1), ReLU, one neuron w = (1, 0), a = 1 whose hyperplane
// holds the sample x = 0. f = (0, 0, 1), r = (−1, 1, 0), L = 1/3, G_0 = 0,
// nφ_0(u) = (u_2)₊ (≥ 0, ≢ 0), Q_0(u) = (u_2)₊ ≢ 0.
func kink() *verify.Point {
	return &verify.Point{
		Act:     verify.ReLU(),
		X:       exact.RatMatOf([]exact.Vec{exact.VecOf(-1, 1), exact.VecOf(0, 1), exact.VecOf(1, 1)}),
		Y:       exact.RatMatOf([]exact.Vec{exact.VecOf(1), exact.VecOf(-1), exact.VecOf(1)}),
		Neurons: []verify.Neuron{{W: exact.VecOf(1, 0), A: exact.VecOf(1)}},
	}
}

func check(t *testing.T, p *verify.Point) *verify.Verdict {
	t.Helper()
	v, err := verify.Check(p, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := verify.Recheck(p, v); err != nil {
		t.Fatalf("Recheck of %v: %v", v.Kind, err)
	}
	return v
}

// TestScanHandWorked: by docs/theory.md §5 with φ_0 ≢ 0 and Q_0 ≢ 0 at a local
// minimum (k = 1): λ ∉ [0, 1] breaks (S2) of one copy, λ ∈ {0, 1} leaves a
// zero-output copy that escapes, λ ∈ (0, 1) keeps the local minimum.
func TestScanHandWorked(t *testing.T) {
	p := kink()
	before := check(t, p)
	sc, err := verify.ScanSplit(p, before, 0, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "λ < 0: not-stationary · λ = 0: saddle · 0 < λ < 1: local-min · λ = 1: saddle · λ > 1: not-stationary"
	if got := sc.String(); got != want {
		t.Errorf("scan:\n got %s\nwant %s", got, want)
	}
	if !sc.OK() {
		t.Errorf("scan not confirmed: %+v", sc.Pieces)
	}
	wantEscape := [][]int{{}, {0}, {}, {1}, {}}
	for i, pc := range sc.Pieces {
		if !slices.Equal(pc.Verdict.Escape, wantEscape[i]) {
			t.Errorf("%s: escape %v, want %v", pc.Label, pc.Verdict.Escape, wantEscape[i])
		}
		if pc.Verdict.Loss.Cmp(big.NewRat(1, 3)) != 0 {
			t.Errorf("%s: loss %s, want 1/3", pc.Label, pc.Verdict.Loss.RatString())
		}
	}
	for _, s := range []string{"φ_0 ≢ 0", "Q_0(u) = [1] ≠ 0 at u = [0, 1]"} {
		if !strings.Contains(sc.Reason, s) {
			t.Errorf("scan reason lacks %q: %s", s, sc.Reason)
		}
	}
	// A neuron with a = 0 gives the same verdict for every λ; a
	// not-stationary point is not stationary for every λ.
	q := kink()
	q.Neurons = append(q.Neurons, verify.Neuron{W: exact.VecOf(0, 0), A: exact.VecOf(0)})
	sc, err = verify.ScanSplit(q, check(t, q), 1, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sc.String(), "λ < 0: saddle · λ = 0: saddle · 0 < λ < 1: saddle · λ = 1: saddle · λ > 1: saddle"; got != want || !sc.OK() {
		t.Errorf("zero neuron scan: %s (ok %v)", got, sc.OK())
	}
	r := kink()
	r.Y.SetRow(2, exact.VecOf(2)) // r_3 = −1: G_0 = −1/3 ≠ 0
	sc, err = verify.ScanSplit(r, check(t, r), 0, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sc.String(), "λ < 0: not-stationary · λ = 0: not-stationary · 0 < λ < 1: not-stationary · λ = 1: not-stationary · λ > 1: not-stationary"; got != want || !sc.OK() {
		t.Errorf("not-stationary scan: %s (ok %v)", got, sc.OK())
	}
	if _, err := verify.ScanSplit(p, before, 1, verify.Options{}); err == nil || !strings.Contains(err.Error(), "neuron 1 out of range [0, 1)") {
		t.Errorf("scan of a missing neuron: %v", err)
	}
}

// catalogue returns every case of the embedded catalogue (cases.Catalogue).
func catalogue(t *testing.T) []*cases.Case {
	t.Helper()
	cs, err := cases.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 10 {
		t.Fatalf("only %d catalogue cases", len(cs))
	}
	return cs
}

// TestCatalogueMetamorphic: on every catalogue case, rescale(j, c) for
// random c > 0 (one neuron, and every neuron in turn) and random
// permutations leave the verdict, the loss and the (permuted) escape set
// unchanged.
func TestCatalogueMetamorphic(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	for _, c := range catalogue(t) {
		p := c.Point()
		if p.M() == 0 {
			continue
		}
		before := check(t, p)
		same := func(what string, q *verify.Point, perm []int) {
			t.Helper()
			after := check(t, q)
			var want []int
			for i, j := range perm {
				if slices.Contains(before.Escape, j) {
					want = append(want, i)
				}
			}
			if want == nil {
				want = []int{}
			}
			if after.Kind != before.Kind || after.Loss.Cmp(before.Loss) != 0 || !slices.Equal(after.Escape, want) {
				t.Errorf("%s: %s: %v %v L=%s → %v %v L=%s (want escape %v)", c.Name, what,
					before.Kind, before.Escape, before.Loss.RatString(), after.Kind, after.Escape, after.Loss.RatString(), want)
			}
		}
		id := make([]int, p.M())
		for i := range id {
			id[i] = i
		}
		randC := func() *big.Rat { return big.NewRat(rng.Int64N(20)+1, rng.Int64N(7)+1) }
		j := rng.IntN(p.M())
		cj := randC()
		e, err := verify.Rescale(p, j, cj)
		if err != nil {
			t.Fatal(err)
		}
		same(fmt.Sprintf("rescale(%d, %s)", j, cj.RatString()), e.To, id)
		q := p
		for j := range p.Neurons {
			e, err := verify.Rescale(q, j, randC())
			if err != nil {
				t.Fatal(err)
			}
			q = e.To
		}
		if err := verify.SameFunction(p, q); err != nil {
			t.Fatalf("%s: rescaling every neuron: %v", c.Name, err)
		}
		same("rescale every neuron", q, id)
		for k := 0; k < 2; k++ {
			perm := rng.Perm(p.M())
			e, err := verify.Permute(p, perm)
			if err != nil {
				t.Fatal(err)
			}
			same(fmt.Sprintf("permute(%v)", perm), e.To, perm)
		}
	}
}

// TestCataloguePredictions: on every catalogue case, Predict agrees with
// Check (and Recheck) after every operation, and the split scan of every
// neuron is confirmed.
func TestCataloguePredictions(t *testing.T) {
	n, dead := 0, 0
	for _, c := range catalogue(t) {
		p := c.Point()
		if p.M() == 0 {
			continue
		}
		before := check(t, p)
		var ops []verify.Op
		for j := range p.Neurons {
			for _, l := range []*big.Rat{big.NewRat(0, 1), big.NewRat(1, 2), big.NewRat(2, 1)} {
				ops = append(ops, verify.Op{Kind: verify.OpSplit, J: j, Lambda: l})
			}
		}
		zw := exact.NewVec(p.D())
		ops = append(ops,
			verify.Op{Kind: verify.OpAddZeroOutput, W: zw},
			verify.Op{Kind: verify.OpAddZeroOutput, W: p.Neurons[0].W},
			verify.Op{Kind: verify.OpAddZeroInput, A: onesLike(p.K())},
			verify.Op{Kind: verify.OpAddZeroInput, A: onesLike(p.K()).Neg()},
		)
		if p.Act.Neg.Sign() == 0 {
			// −Σ_i x_i/|x_i|² is dead when every sample has a positive
			// product with that sum (not always): try it.
			w := exact.NewVec(p.D())
			for _, x := range p.X.Vecs() {
				if !x.IsZero() {
					w.AddScaled(new(big.Rat).Inv(x.Norm2()), x)
				}
			}
			w = w.Neg()
			if _, err := verify.AddDead(p, w, onesLike(p.K())); err == nil {
				ops = append(ops, verify.Op{Kind: verify.OpAddDead, W: w, A: onesLike(p.K())})
				dead++
			}
		}
		for _, op := range ops {
			e, err := verify.Apply(p, op)
			if err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
			after := check(t, e.To)
			pr, err := verify.Predict(e, before, verify.Options{})
			if err != nil {
				t.Fatalf("%s: %s: %v", c.Name, op, err)
			}
			if err := pr.Compare(after); err != nil {
				t.Errorf("%s: %s (before %v): %v\nreason: %s", c.Name, op, before.Kind, err, pr.Reason)
			}
			n++
		}
		for j := range p.Neurons {
			sc, err := verify.ScanSplit(p, before, j, verify.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !sc.OK() {
				for _, pc := range sc.Pieces {
					if pc.Mismatch != nil || pc.RecheckErr != nil {
						t.Errorf("%s: scan of neuron %d, %s: %v %v", c.Name, j, pc.Label, pc.Mismatch, pc.RecheckErr)
					}
				}
			}
		}
	}
	t.Logf("%d predictions confirmed (%d with add-dead)", n, dead)
	if dead == 0 {
		t.Errorf("no catalogue case took add-dead")
	}
}

func onesLike(k int) exact.Vec {
	v := exact.NewVec(k)
	for i := range v {
		v[i].SetInt64(1)
	}
	return v
}

// The hand-worked non-global local minimum (one ReLU neuron whose
// hyperplane holds the sample x = 0, L = 1/3) split at λ = 0, 1/2 and 2.
// Values by hand: both copies have G = G_0 = 0; φ of the copies is λφ_0 and
// (1−λ)φ_0 with nφ_0(u) = (u_2)₊; Q_0(u) = (u_2)₊ ≢ 0. So λ = 0 leaves the
// zero-output copy 0, which escapes (saddle); λ = 1/2 keeps the local
// minimum; λ = 2 gives the copy 1 output weight −1 and φ = −φ_0 < 0 at
// u = (0, 1) (not stationary).
func ExampleSplit() {
	p := &verify.Point{
		Act:     verify.ReLU(),
		X:       exact.RatMatOf([]exact.Vec{exact.VecOf(-1, 1), exact.VecOf(0, 1), exact.VecOf(1, 1)}),
		Y:       exact.RatMatOf([]exact.Vec{exact.VecOf(1), exact.VecOf(-1), exact.VecOf(1)}),
		Neurons: []verify.Neuron{{W: exact.VecOf(1, 0), A: exact.VecOf(1)}},
	}
	before, _ := verify.Check(p, verify.Options{})
	fmt.Printf("before: %v, L = %s\n", before.Kind, before.Loss.RatString())
	for _, l := range []*big.Rat{big.NewRat(0, 1), big.NewRat(1, 2), big.NewRat(2, 1)} {
		e, err := verify.Split(p, 0, l)
		if err != nil {
			fmt.Println(err)
			return
		}
		after, _ := verify.Check(e.To, verify.Options{})
		fmt.Printf("λ = %s: a = %s, %s; f = %v %v %v; %v, escape %v, L = %s\n", l.RatString(),
			e.To.Neurons[0].A, e.To.Neurons[1].A, e.Outputs[0], e.Outputs[1], e.Outputs[2],
			after.Kind, after.Escape, after.Loss.RatString())
	}
	// Output:
	// before: local-min, L = 1/3
	// λ = 0: a = [0], [1]; f = [0] [0] [1]; saddle, escape [0], L = 1/3
	// λ = 1/2: a = [1/2], [1/2]; f = [0] [0] [1]; local-min, escape [], L = 1/3
	// λ = 2: a = [2], [-1]; f = [0] [0] [1]; not-stationary, escape [], L = 1/3
}
