package exact

import (
	"math/big"
	"math/bits"
	"sync"
)

// This file holds multi-modular (residue) arithmetic for exact zero tests,
// the technique of exact linear-algebra libraries such as FLINT and LinBox:
// an integer N with |N| < M is zero iff N ≡ 0 modulo primes whose product
// exceeds M. A rational a/b is reduced modulo p (p ∤ b) to a·b⁻¹ mod p, so a
// sum of rationals S = N/D (D the common denominator) vanishes iff its
// residue vanishes modulo enough primes not dividing D, with M a bound on
// |N| = |S|·D. The primes are below 2³¹, so sums of up to 2³³ residues fit
// a uint64 without reduction.

// PrimeBits is a lower bound on the bit length of every prime of Primes31:
// each exceeds 2^PrimeBits.
const PrimeBits = 30

var (
	primeMu sync.Mutex
	primes  []uint64
)

// Primes31 returns the count largest primes below 2³¹ (all above 2³⁰),
// largest first. The slice must not be modified.
func Primes31(count int) []uint64 {
	primeMu.Lock()
	defer primeMu.Unlock()
	c := uint64(1<<31 - 1)
	if len(primes) > 0 {
		c = primes[len(primes)-1] - 2
	}
	var z big.Int
	for len(primes) < count {
		if z.SetUint64(c).ProbablyPrime(0) { // exact below 2⁶⁴ (Baillie–PSW)
			primes = append(primes, c)
		}
		c -= 2
	}
	return primes[:count:count]
}

// PrimesFor returns the number of Primes31 primes whose product exceeds
// 2^bitBound.
func PrimesFor(bitBound int) int {
	if bitBound < 1 {
		return 1
	}
	return bitBound/PrimeBits + 1
}

// ModInverse returns a⁻¹ mod p for a prime p and a ≢ 0.
func ModInverse(a, p uint64) uint64 { return ModPow(a%p, p-2, p) }

// ModPow returns a^e mod p (p < 2³²).
func ModPow(a, e, p uint64) uint64 {
	r := uint64(1) % p
	a %= p
	for e > 0 {
		if e&1 == 1 {
			r = r * a % p
		}
		a = a * a % p
		e >>= 1
	}
	return r
}

// ModNat returns |x| mod p by Horner's rule over the 64-bit words of |x|.
func ModNat(x *big.Int, p uint64) uint64 {
	var r uint64
	ws := x.Bits()
	for i := len(ws) - 1; i >= 0; i-- {
		r = bits.Rem64(r, uint64(ws[i]), p)
	}
	return r
}

// ModInt returns x mod p in [0, p).
func ModInt(x *big.Int, p uint64) uint64 {
	r := ModNat(x, p)
	if x.Sign() < 0 && r != 0 {
		r = p - r
	}
	return r
}

// Residues reduces rationals modulo a fixed list of primes, caching the
// inverses of powers of two (the denominators of float-derived numbers).
type Residues struct {
	P       []uint64
	inv2    []uint64   // inverse of 2 mod P[t]
	pow2inv [][]uint64 // pow2inv[t][e] = 2^{-e} mod P[t]
}

// NewResidues prepares reduction modulo the given primes (odd, < 2³¹).
func NewResidues(ps []uint64) *Residues {
	r := &Residues{P: ps, inv2: make([]uint64, len(ps)), pow2inv: make([][]uint64, len(ps))}
	for t, p := range ps {
		r.inv2[t] = (p + 1) / 2
		r.pow2inv[t] = []uint64{1}
	}
	return r
}

// invPow2 returns 2^{-e} mod P[t].
func (r *Residues) invPow2(t int, e int) uint64 {
	tab := r.pow2inv[t]
	p := r.P[t]
	for len(tab) <= e {
		tab = append(tab, tab[len(tab)-1]*r.inv2[t]%p)
	}
	r.pow2inv[t] = tab
	return tab[e]
}

// Rat writes x mod P[t] for every prime into out (len(P)) and reports
// whether every prime was coprime to x's denominator (out is unusable for
// the primes that were not; they are reported in bad as true).
func (r *Residues) Rat(x *big.Rat, out []uint64, bad []bool) bool {
	ok := true
	num, den := x.Num(), x.Denom()
	dyadic := -1
	if !x.IsInt() {
		if tz := den.TrailingZeroBits(); int(tz) == den.BitLen()-1 {
			dyadic = int(tz)
		}
	}
	for t, p := range r.P {
		a := ModInt(num, p)
		switch {
		case x.IsInt():
		case dyadic >= 0:
			a = a * r.invPow2(t, dyadic) % p
		default:
			b := ModNat(den, p)
			if b == 0 {
				bad[t] = true
				ok = false
				continue
			}
			a = a * ModInverse(b, p) % p
		}
		out[t] = a
	}
	return ok
}

// MagnitudeBits returns an integer e with |x| < 2^e for x ≠ 0 (and a very
// negative value for x = 0): bitlen(num) − bitlen(den) + 1.
func MagnitudeBits(x *big.Rat) int {
	if x.Sign() == 0 {
		return -1 << 30
	}
	return x.Num().BitLen() - x.Denom().BitLen() + 1
}

// CRT reconstructs an integer from its residues modulo distinct primes
// below 2³² (Garner's mixed-radix algorithm): the unique N with
// −P/2 < N ≤ P/2, P the product of the primes, congruent to the residues.
// It is exact for any |N| < P/2, so P must exceed twice a bound on |N|.
type CRT struct {
	P    []uint64
	inv  []uint64   // (p_0⋯p_{t−1})⁻¹ mod p_t
	pre  [][]uint64 // pre[t][s] = p_0⋯p_{s−1} mod p_t, s < t
	prod []*big.Int // p_0⋯p_{t−1}
	all  *big.Int
	half *big.Int
}

// NewCRT prepares reconstruction modulo the given distinct primes.
func NewCRT(ps []uint64) *CRT {
	c := &CRT{P: ps, inv: make([]uint64, len(ps)), pre: make([][]uint64, len(ps)), prod: make([]*big.Int, len(ps))}
	acc := big.NewInt(1)
	for t, p := range ps {
		c.prod[t] = new(big.Int).Set(acc)
		c.pre[t] = make([]uint64, t)
		m := uint64(1)
		for s := 0; s < t; s++ {
			c.pre[t][s] = m
			m = m * (ps[s] % p) % p
		}
		c.inv[t] = ModInverse(m, p)
		acc.Mul(acc, new(big.Int).SetUint64(p))
	}
	c.all = acc
	c.half = new(big.Int).Rsh(acc, 1)
	return c
}

// Int sets z to the integer with the residues res (res[t] mod P[t], in
// [0, P[t])) and returns it.
func (c *CRT) Int(z *big.Int, res []uint64) *big.Int {
	v := make([]uint64, len(c.P))
	for t, p := range c.P {
		var x uint64
		for s := 0; s < t; s++ {
			x = (x + v[s]%p*c.pre[t][s]) % p
		}
		v[t] = (res[t] + p - x) % p * c.inv[t] % p
	}
	z.SetInt64(0)
	var term big.Int
	for t := len(v) - 1; t >= 0; t-- {
		if v[t] != 0 {
			z.Add(z, term.Mul(c.prod[t], term.SetUint64(v[t])))
		}
	}
	if z.Cmp(c.half) > 0 {
		z.Sub(z, c.all)
	}
	return z
}
