package exact

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"
)

func rat(a, b int64) *big.Rat { return big.NewRat(a, b) }

func polyOf(cs ...int64) Poly {
	p := make(Poly, len(cs))
	for i, c := range cs {
		p[i] = rat(c, 1)
	}
	return p
}

func TestInterpolateRecoversPolynomial(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		deg := rng.IntN(5)
		p := make(Poly, deg+1)
		for i := range p {
			p[i] = rat(rng.Int64N(21)-10, rng.Int64N(5)+1)
		}
		var ts, vs []*big.Rat
		for i := 0; i <= deg+1; i++ {
			t := rat(int64(i)-2, 3)
			ts = append(ts, t)
			vs = append(vs, p.Eval(t))
		}
		q, err := Interpolate(ts, vs)
		if err != nil {
			t.Fatal(err)
		}
		for i := range p {
			if q[i].Cmp(p[i]) != 0 {
				t.Fatalf("trial %d: coefficient %d: got %s want %s", trial, i, q[i].RatString(), p[i].RatString())
			}
		}
		if q.Degree() > deg {
			t.Fatalf("trial %d: degree %d > %d", trial, q.Degree(), deg)
		}
	}
}

func TestRootsIn(t *testing.T) {
	tests := []struct {
		p    Poly
		a, b *big.Rat
		want int
	}{
		{polyOf(-1, 0, 1), rat(-2, 1), rat(2, 1), 2},        // τ²−1
		{polyOf(-1, 0, 1), rat(0, 1), rat(2, 1), 1},         // root 1
		{polyOf(1, 0, 1), rat(-5, 1), rat(5, 1), 0},         // τ²+1
		{polyOf(1, -2, 1), rat(0, 1), rat(2, 1), 1},         // (τ−1)², one distinct root
		{polyOf(0, -6, 11, -6, 1), rat(1, 2), rat(7, 2), 3}, // τ(τ−1)(τ−2)(τ−3)
	}
	for i, tt := range tests {
		got, err := tt.p.RootsIn(tt.a, tt.b)
		if err != nil || got != tt.want {
			t.Errorf("%d: RootsIn(%v) = %d, %v; want %d", i, tt.p, got, err, tt.want)
		}
	}
}

func TestNegativeOn(t *testing.T) {
	tests := []struct {
		name string
		p    Poly
		b    *big.Rat
		want bool
	}{
		{"−τ", polyOf(0, -1), rat(1, 1), true},
		{"−τ²", polyOf(0, 0, -1), rat(1, 1), true},
		{"τ²", polyOf(0, 0, 1), rat(1, 1), false},
		// The counterexample of docs/theory.md §4: t²/96 − t³/24 + t⁴/96 is positive near 0.
		{"design counterexample", Poly{rat(0, 1), rat(0, 1), rat(1, 96), rat(-1, 24), rat(1, 96)}, rat(1, 1), false},
		// −τ² + τ³ is negative on (0, 1) but zero at 1.
		{"zero at end", polyOf(0, 0, -1, 1), rat(1, 1), false},
		{"negative before 1", polyOf(0, 0, -1, 1), rat(1, 2), true},
		// −τ + 3τ² dips then rises: positive after 1/3.
		{"sign change", polyOf(0, -1, 3), rat(1, 1), false},
		{"double root inside", Poly{rat(0, 1), rat(-1, 4), rat(1, 1), rat(-1, 1)}, rat(1, 1), false}, // −τ(τ−1/2)²
		{"zero poly", polyOf(0), rat(1, 1), false},
	}
	for _, tt := range tests {
		if got := tt.p.NegativeOn(tt.b); got != tt.want {
			t.Errorf("%s: NegativeOn = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestNegativeOnWithinStops: NegativeOnWithin gives NegativeOn's answer
// when stop never fires, and ErrBudget when it fires during the Sturm
// sequence — on −τ + τ² − τ³/2 (negative on (0, 1]: −τ(1 − τ + τ²/2) and
// 1 − τ + τ²/2 has no real root) the sequence needs several steps.
func TestNegativeOnWithinStops(t *testing.T) {
	p := Poly{rat(0, 1), rat(-1, 1), rat(1, 1), rat(-1, 2)}
	one := rat(1, 1)
	neg, err := p.NegativeOnWithin(one, nil)
	if !neg || err != nil || !p.NegativeOn(one) {
		t.Fatalf("NegativeOnWithin(1, nil) = %v, %v; want true", neg, err)
	}
	for fireAt := 0; fireAt < 2; fireAt++ { // the Sturm sequence of this quadratic takes two steps
		calls := 0
		stop := Stop(func() bool { calls++; return calls > fireAt })
		neg, err := p.NegativeOnWithin(one, stop)
		if neg || !errors.Is(err, ErrBudget) {
			t.Errorf("stop firing after %d calls: %v, %v; want false, ErrBudget", fireAt, neg, err)
		}
	}
	// A stop that never fires changes nothing.
	if neg, err := p.NegativeOnWithin(one, func() bool { return false }); !neg || err != nil {
		t.Errorf("never-firing stop: %v, %v", neg, err)
	}
	if StopAt(time.Time{}) != nil || !StopAt(time.Now().Add(-time.Second)).Stopped() || StopAt(time.Now().Add(time.Hour)).Stopped() {
		t.Errorf("StopAt: the zero time must give nil, a past time a stop that fires, a future one a stop that does not")
	}
}

// TestNegativeOnAgreesWithRationalSturm: the fraction-free NegativeOn
// agrees with the definition checked by the rational Sturm sequence of
// RootsIn (negative at 0⁺ and at b, no root between) on random
// polynomials of degree ≤ 4 with rational coefficients, leading zeros and
// end points b of both kinds.
func TestNegativeOnAgreesWithRationalSturm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	agreeTrue := 0
	for trial := 0; trial < 4000; trial++ {
		deg := rng.IntN(5)
		p := make(Poly, deg+1)
		for i := range p {
			p[i] = rat(rng.Int64N(41)-20, rng.Int64N(6)+1)
			if rng.IntN(4) == 0 {
				p[i] = rat(0, 1)
			}
		}
		b := rat(rng.Int64N(7)+1, rng.Int64N(4)+1)
		want := false
		if p.Degree() >= 0 {
			k := 0
			for p[k].Sign() == 0 {
				k++
			}
			q := p[k : p.Degree()+1]
			zero := rat(0, 1)
			if q.Eval(zero).Sign() < 0 && q.Eval(b).Sign() < 0 {
				n, err := q.RootsIn(zero, b)
				want = err == nil && n == 0
			}
		}
		if got := p.NegativeOn(b); got != want {
			t.Fatalf("%v on (0, %s]: NegativeOn = %v, rational Sturm says %v", p, b.RatString(), got, want)
		}
		if want {
			agreeTrue++
		}
	}
	if agreeTrue < 100 {
		t.Errorf("only %d negative cases: the test does not exercise the true answer", agreeTrue)
	}
	// −(τ − 1/2)² τ has a double root inside (0, 1]: not negative there.
	p := Poly{rat(0, 1), rat(-1, 4), rat(1, 1), rat(-1, 1)}
	if p.NegativeOn(rat(1, 1)) {
		t.Errorf("%v reported negative on (0, 1] despite its root 1/2", p)
	}
}
