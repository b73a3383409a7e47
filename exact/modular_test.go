package exact

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestPrimes31(t *testing.T) {
	ps := Primes31(50)
	for i, p := range ps {
		if p >= 1<<31 || p <= 1<<PrimeBits || !new(big.Int).SetUint64(p).ProbablyPrime(20) {
			t.Fatalf("prime %d: %d", i, p)
		}
		if i > 0 && p >= ps[i-1] {
			t.Fatalf("not descending at %d", i)
		}
	}
	if Primes31(3)[2] != ps[2] {
		t.Fatalf("unstable prefix")
	}
}

// TestResidueZeroTest decides S = Σ_t q_t = 0 for random rational sums by
// residues (modulo PrimesFor(bound) primes, bound from bit lengths and the
// common denominator) and compares with big.Rat, on sums built to cancel
// exactly or up to a tiny or a huge-scale remainder.
func TestResidueZeroTest(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for trial := 0; trial < 3000; trial++ {
		nt := 1 + rng.IntN(8)
		var qs []*big.Rat
		for q := 0; q < nt; q++ {
			var x *big.Rat
			if trial%2 == 0 {
				x = new(big.Rat).SetFloat64(rng.NormFloat64() * float64(int64(1)<<rng.IntN(60)))
			} else {
				x = big.NewRat(rng.Int64N(2001)-1000, rng.Int64N(30)+1)
			}
			qs = append(qs, x)
		}
		// Cancel: append −Σ, then maybe a tiny remainder.
		s := new(big.Rat)
		for _, q := range qs {
			s.Add(s, q)
		}
		qs = append(qs, new(big.Rat).Neg(s))
		switch trial % 3 {
		case 1:
			qs = append(qs, new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(400)))))
		case 2:
			big1 := new(big.Int).Lsh(big.NewInt(1), uint(rng.IntN(400)))
			qs = append(qs, new(big.Rat).SetInt(big1), new(big.Rat).SetInt(new(big.Int).Neg(big1.Add(big1, big.NewInt(int64(rng.IntN(2)))))))
		}
		want := new(big.Rat)
		D := big.NewInt(1)
		mb := -1 << 30
		for _, q := range qs {
			want.Add(want, q)
			g := new(big.Int).GCD(nil, nil, D, q.Denom())
			D.Mul(D, new(big.Int).Quo(q.Denom(), g))
			mb = max(mb, MagnitudeBits(q))
		}
		bound := D.BitLen() + mb + 4 // |N| ≤ D·len·2^mb
		var ps []uint64
		for _, p := range Primes31(PrimesFor(bound) + 10) {
			if ModNat(D, p) != 0 && len(ps) < PrimesFor(bound) {
				ps = append(ps, p)
			}
		}
		r := NewResidues(ps)
		out := make([]uint64, len(ps))
		bad := make([]bool, len(ps))
		sum := make([]uint64, len(ps))
		for _, q := range qs {
			if !r.Rat(q, out, bad) {
				t.Fatalf("trial %d: a prime divides a denominator", trial)
			}
			for i := range sum {
				sum[i] = (sum[i] + out[i]) % ps[i]
			}
		}
		zero := true
		for _, v := range sum {
			if v != 0 {
				zero = false
			}
		}
		if zero != (want.Sign() == 0) {
			t.Fatalf("trial %d: residues say zero = %v, exact sum %s", trial, zero, want.RatString())
		}
	}
}

func TestResiduesOfRationals(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	ps := Primes31(4)
	r := NewResidues(ps)
	out := make([]uint64, len(ps))
	bad := make([]bool, len(ps))
	for trial := 0; trial < 2000; trial++ {
		den := randBig(rng, 100)
		if den.Sign() == 0 {
			continue
		}
		x := new(big.Rat).SetFrac(randBig(rng, 200), den)
		if trial%2 == 0 {
			x.SetFloat64(rng.NormFloat64() * 1e-30)
		}
		if !r.Rat(x, out, bad) {
			continue
		}
		for i, p := range ps {
			// out·den ≡ num (mod p)
			lhs := new(big.Int).Mul(new(big.Int).SetUint64(out[i]), x.Denom())
			lhs.Sub(lhs, x.Num())
			if lhs.Mod(lhs, new(big.Int).SetUint64(p)).Sign() != 0 {
				t.Fatalf("residue of %s mod %d", x.RatString(), p)
			}
		}
	}
}

// TestCRT reconstructs random integers of up to 600 bits (both signs, and
// the extremes ±⌊(P−1)/2⌋) from their residues.
func TestCRT(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for K := 1; K <= 22; K++ {
		ps := Primes31(K)
		c := NewCRT(ps)
		P := big.NewInt(1)
		for _, p := range ps {
			P.Mul(P, new(big.Int).SetUint64(p))
		}
		half := new(big.Int).Rsh(new(big.Int).Sub(P, big.NewInt(1)), 1)
		cases := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(-1), half, new(big.Int).Neg(half)}
		for trial := 0; trial < 30; trial++ {
			n := new(big.Int)
			for w := 0; w < K; w++ {
				n.Lsh(n, 32).Or(n, new(big.Int).SetUint64(uint64(rng.Uint32())))
			}
			n.Rsh(n, uint(rng.IntN(32*K)))
			n.Mod(n, new(big.Int).Add(half, big.NewInt(1)))
			if trial%2 == 1 {
				n.Neg(n)
			}
			cases = append(cases, n)
		}
		res := make([]uint64, K)
		for _, n := range cases {
			for i, p := range ps {
				res[i] = ModInt(n, p)
			}
			if got := c.Int(new(big.Int), res); got.Cmp(n) != 0 {
				t.Fatalf("K = %d: CRT(%v) = %v", K, n, got)
			}
		}
	}
}
