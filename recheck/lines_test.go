package recheck

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
	nt "github.com/relucert/relucert/network/networktest"
)

// linesByKey groups the nonzero samples by their line through 0 by exact
// keys alone (exact.Vec.AppendLineKey), in order of first appearance.
func linesByKey(xm *exact.RatMat) [][]int {
	xs := xm.Vecs()
	var lines [][]int
	at := map[string]int{}
	for i, x := range xs {
		if x.IsZero() {
			continue
		}
		key := string(x.AppendLineKey(nil))
		l, ok := at[key]
		if !ok {
			l = len(lines)
			at[key] = l
			lines = append(lines, nil)
		}
		lines[l] = append(lines[l], i)
	}
	return lines
}

// TestSampleLines: rechecker.sampleLines (buckets by float64 quotients
// x_q/x_c when X is all float64 — every fourth trial — or by residues of
// x/x_c, exact keys within a bucket) groups the samples as exact keys alone do,
// with t_i = the first nonzero coordinate of x_i, on float-derived points
// whose samples repeat lines (multiples by ±2^e, by 3, by −1/5, zero
// samples, leading zero coordinates), and when a first nonzero coordinate
// is divisible by the first prime (the fallback to exact keys for all).
func TestSampleLines(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 40; trial++ {
		n, d := 30+rng.IntN(30), 1+rng.IntN(5)
		p := nt.FloatPoint(rng, n, d, 2, 1)
		mult := []*big.Rat{big.NewRat(2, 1), big.NewRat(-1, 8), big.NewRat(3, 1), big.NewRat(-1, 5), big.NewRat(1, 1)}
		for i := range p.X.Rows() {
			switch rng.IntN(5) {
			case 0: // a multiple of an earlier sample
				if i > 0 {
					src := p.X.Row(rng.IntN(i))
					c := mult[rng.IntN(len(mult))]
					if trial%2 == 0 {
						// Powers of two only: X stays all float64 (the
						// float-quotient hash).
						c = mult[[]int{0, 1, 4}[rng.IntN(3)]]
					}
					for q := range p.X.Row(i) {
						p.X.Set(i, q, new(big.Rat).Mul(src[q], c))
					}
				}
			case 1:
				p.X.SetRow(i, exact.NewVec(d))
			case 2:
				p.X.Set(i, 0, new(big.Rat))
			}
		}
		if trial%4 == 3 {
			// x_i·p for the last sample i sharing its line with an earlier
			// one: the same line, x_c ≡ 0 modulo the hashing prime p.
			pr := new(big.Rat).SetInt64(int64(exact.Primes31(1)[0]))
			for _, l := range linesByKey(p.X) {
				if len(l) > 1 {
					i := l[len(l)-1]
					for c := range p.X.Row(i) {
						p.X.Set(i, c, new(big.Rat).Mul(p.X.At(i, c), pr))
					}
					break
				}
			}
		}
		if trial%4 == 0 && !p.X.AllFloat() {
			t.Fatalf("trial %d: X is not all float64", trial)
		}
		rc, err := newRechecker(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		lines := rc.sampleLines()
		ts := rc.lineTs(lines)
		want := linesByKey(p.X)
		if len(lines) != len(want) {
			t.Fatalf("trial %d: %d lines, exact keys give %d: %v vs %v", trial, len(lines), len(want), lines, want)
		}
		shared := 0
		for l := range want {
			if !slices.Equal(lines[l], want[l]) {
				t.Fatalf("trial %d: line %d = %v, exact keys give %v", trial, l, lines[l], want[l])
			}
			if len(want[l]) > 1 {
				shared++
			}
			for s, i := range lines[l] {
				c := slices.IndexFunc(p.X.Row(i), func(v *big.Rat) bool { return v.Sign() != 0 })
				if ts[l][s].Cmp(p.X.At(i, c)) != 0 {
					t.Fatalf("trial %d: t of sample %d = %s, want %s", trial, i, ts[l][s].RatString(), p.X.At(i, c).RatString())
				}
			}
		}
		if shared == 0 && d > 0 {
			t.Fatalf("trial %d: no line holds two samples", trial)
		}
	}
}

// TestOrthogonalIntegers checks the integer form of Theorem G's
// orthogonality test for θ's residuals (rechecker.orthogonal) against the
// rational one (orthogonal) on float-derived points whose inputs come in
// pairs — the same x, or x and a multiple on the same line (a dyadic or a
// rational factor, negative for ρ = |·|) — with residuals planted to cancel on each
// line (orthogonal: targets f(x) ∓ e, scaled by the line coordinates) or
// not (one target moved by 2⁻ᵉ), for activations with σ or κ zero, and
// with an output bias.
func TestOrthogonalIntegers(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	acts := []network.Activation{network.ReLU(), network.Abs(), network.Linear(), network.Leaky(big.NewRat(1, 8))}
	agree := map[bool]int{}
	for trial := 0; trial < 80; trial++ {
		pairs, d, k := 3+rng.IntN(10), 1+rng.IntN(4), 1+rng.IntN(3)
		p := nt.FloatPoint(rng, 2*pairs, d, 1+rng.IntN(3), k)
		p.Act = acts[trial%len(acts)]
		for q := 0; q < pairs; q++ {
			// x_b = s·x_a: r_a·|x_a,c| + r_b·|x_b,c| = 0 (E2) for
			// r_b = −r_a/|s|; (E1) holds too when s > 0, and is void for
			// ρ = |·| (σ = 0), where s < 0 tests the |·| of (E2).
			s := []*big.Rat{big.NewRat(1, 1), big.NewRat(1, 4), big.NewRat(3, 1), big.NewRat(-1, 2)}[rng.IntN(4)]
			if trial%len(acts) != 1 {
				s.Abs(s)
			}
			a, b := 2*q, 2*q+1
			xb := p.X.Row(a).Scale(s)
			p.X.SetRow(b, xb)
			e := nt.RandVec(rng, k, 5)
			p.Y.SetRow(a, p.Output(p.X.Row(a)).Sub(e))
			p.Y.SetRow(b, p.Output(xb).Add(e.Scale(new(big.Rat).Inv(new(big.Rat).Abs(s)))))
		}
		if trial%3 == 0 {
			p.OutputBias = nt.RandVec(rng, k, 2)
			for i := range p.Y.Rows() {
				p.Y.SetRow(i, p.Y.Row(i).Add(p.OutputBias))
			}
		}
		if trial%2 == 1 {
			p.Y.Set(0, 0, new(big.Rat).Add(p.Y.At(0, 0), tiny(1+rng.IntN(200))))
		}
		rc, err := newRechecker(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		lines := rc.sampleLines()
		ts := rc.lineTs(lines)
		r := make([]exact.Vec, p.N())
		for i := range r {
			r[i] = rc.res(i)
		}
		want := orthogonal(p, lines, ts, r)
		if got := rc.orthogonal(lines); got != want {
			t.Fatalf("trial %d (%v): integers say %v, rationals %v", trial, p.Act, got, want)
		}
		agree[want]++
	}
	if agree[true] == 0 || agree[false] == 0 {
		t.Fatalf("outcomes %v: both must occur", agree)
	}
}
