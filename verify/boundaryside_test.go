package verify

import (
	"math/big"
	"slices"
	"testing"

	"github.com/relucert/relucert/exact"
)

// TestBoundarySides checks the integer signs of boundarySides and the
// integer (E2) of qVanishes against the definitions in rationals, with
// residuals r_i = f(x_i) − y_i evaluated directly (Point.Output, not the
// engine): Z^± = {i ∈ Z_j : ±κ·(a_j·r_i) > 0} in the order of the
// boundary, boundary's κc_i, and Q_j ≡ 0 iff (E1) and, when κ ≠ 0, every
// line's Σ |t_i| r_i = 0 (lines grouped by exact.Vec.AppendLineKey). The
// points are planted (local minima, saddles, zero-input neurons; ReLU and
// leaky; k = 1 and 3), the same with a boundary sample's target moved
// (breaks (E1)), and with the samples ±2x_i of a boundary sample added, both
// with residual 1 (keeps (E1), breaks (E2)), so that both signs and both
// outcomes of each condition occur.
func TestBoundarySides(t *testing.T) {
	var plus, minus, vanish, not int
	for _, kind := range []GenKind{GenLocalMin, GenSaddle, GenZeroInput} {
		for _, act := range []Activation{ReLU(), Leaky(big.NewRat(1, 4))} {
			for _, k := range []int{1, 3} {
				if kind == GenSaddle && act.Neg.Sign() != 0 {
					continue // gen plants saddles for ρ₋ ≤ 0 only
				}
				for seed := uint64(1); seed <= 3; seed++ {
					p, _, err := Generate(GenConfig{Kind: kind, N: 40, D: 4, M: 6, K: k, Act: act, Boundary: 8, Dyadic: seed != 2, Seed: seed})
					if err != nil {
						t.Fatal(err)
					}
					for _, q := range []*Point{p, moveBoundaryTarget(p), addOppositePair(p)} {
						c := checkBoundarySides(t, q)
						plus, minus, vanish, not = plus+c[0], minus+c[1], vanish+c[2], not+c[3]
					}
				}
			}
		}
	}
	if plus == 0 || minus == 0 || vanish == 0 || not == 0 {
		t.Fatalf("|Z⁺| total %d, |Z⁻| %d, Q ≡ 0 on %d neurons, ≢ 0 on %d: want every case", plus, minus, vanish, not)
	}
}

// checkBoundarySides checks every neuron of q (see TestBoundarySides) and
// returns the counts of Z⁺ and Z⁻ samples and of neurons with and without
// Q_j ≡ 0 among those with a boundary.
func checkBoundarySides(t *testing.T, q *Point) [4]int {
	t.Helper()
	var counts [4]int
	s := newCheckState(q)
	r := make([]exact.Vec, q.N())
	for i := range r {
		r[i] = q.Output(q.X.Row(i)).Sub(q.Y.Row(i))
	}
	kappa := new(big.Rat).Sub(q.Act.Pos, q.Act.Neg)
	for j, nr := range q.Neurons {
		bnd := s.pt.Boundary(j)
		var wantP, wantM []int
		kc := map[int]*big.Rat{}
		for _, i := range bnd {
			x := new(big.Rat).Mul(kappa, nr.A.Dot(r[i]))
			switch x.Sign() {
			case 1:
				wantP = append(wantP, i)
			case -1:
				wantM = append(wantM, i)
			}
			kc[i] = x
		}
		gotP, gotM := s.boundarySides(j)
		if !slices.Equal(gotP, wantP) || !slices.Equal(gotM, wantM) {
			t.Fatalf("neuron %d: boundarySides = %v, %v; want %v, %v", j, gotP, gotM, wantP, wantM)
		}
		bt := s.boundary(j)
		for _, i := range append(slices.Clone(wantP), wantM...) {
			if bt.kc[i].Cmp(kc[i]) != 0 {
				t.Fatalf("neuron %d sample %d: κc = %v, want %v", j, i, bt.kc[i], kc[i])
			}
		}
		counts[0] += len(wantP)
		counts[1] += len(wantM)
		if len(bnd) == 0 {
			continue
		}
		want := s.E1Matrix(j).IsZero()
		if want && kappa.Sign() != 0 {
			for _, l := range groupLines(q.X, bnd, nil) {
				sum := exact.NewVec(q.K())
				for c, i := range l.samples {
					sum.AddScaled(new(big.Rat).Abs(l.t[c]), r[i])
				}
				if !sum.IsZero() {
					want = false
				}
			}
		}
		if got := s.qVanishes(j); got != want {
			t.Fatalf("neuron %d: qVanishes = %v, want %v", j, got, want)
		}
		if want {
			counts[2]++
		} else {
			counts[3]++
		}
	}
	return counts
}

// moveBoundaryTarget returns p with the target of its first boundary
// sample (firstBoundary) raised by 1 in every output.
func moveBoundaryTarget(p *Point) *Point {
	q := p.Clone()
	if i := firstBoundary(p); i >= 0 {
		y := q.Y.Row(i)
		for l := range y {
			y[l] = new(big.Rat).Add(y[l], big.NewRat(1, 1))
		}
		q.Y.SetRow(i, y)
	}
	return q
}

// addOppositePair returns p with two samples added: 2x_i and −2x_i for its
// first boundary sample x_i (firstBoundary), both with residual
// (1, …, 1). For the neuron of that boundary they add (2x_i − 2x_i)·1 = 0
// to the (E1) matrix and 4|t_i|·1 ≠ 0 to the (E2) sum of x_i's line.
func addOppositePair(p *Point) *Point {
	q := p.Clone()
	i := firstBoundary(p)
	if i < 0 {
		return q
	}
	one := exact.NewVec(p.K())
	for l := range one {
		one[l].SetInt64(1)
	}
	for _, f := range []int64{2, -2} {
		x := p.X.Row(i).Scale(big.NewRat(f, 1))
		q.X = q.X.AppendRow(x)
		q.Y = q.Y.AppendRow(p.Output(x).Sub(one))
	}
	return q
}

// firstBoundary returns the first boundary sample of the first neuron with
// one (−1: none).
func firstBoundary(p *Point) int {
	pt := PatternOf(p)
	for j := range p.Neurons {
		if b := pt.Boundary(j); len(b) > 0 {
			return b[0]
		}
	}
	return -1
}
