package exact

import (
	"math/big"
	"math/bits"
)

// This file holds Dixon's p-adic lifting (J. D. Dixon, "Exact solution of
// linear equations using p-adic expansions", Numer. Math. 40, 1982), the
// method of IML and FLINT for nonsingular integer systems A x = b:
//
//  1. factor A = LU modulo one prime p < 2³¹ (word arithmetic only);
//  2. lift: c₀ = b, and for k = 0, 1, …: x_k = A⁻¹c_k mod p (two triangular
//     solves), c_{k+1} = (c_k − A x_k)/p (an exact division). Then
//     x = Σ_k x_k p^k satisfies A x ≡ b (mod p^K) after K steps;
//  3. rational reconstruction: the solution num/den is the unique fraction
//     with |num|, den ≤ √(p^K/2) congruent to x, found by the extended
//     Euclidean algorithm once p^K is large enough.
//
// Cost: one O(n³) factorisation in words, then O(n²) word operations per
// step for about 2·log₂(solution size)/31 steps — against O(n³) operations
// on numbers that grow to the size of the solution for elimination over Q.
//
// Termination is output-sensitive and exact: a candidate (num, den)
// reconstructed at step K satisfies A·num ≡ den·b (mod p^K) by construction;
// if moreover n·max|A|·max|num| + den·max|b| < p^K, both sides are smaller
// than the modulus and A·num = den·b holds over the integers. The last
// checkpoint lies beyond Hadamard's bound on the numerators and the
// determinant, where the reconstruction is guaranteed to succeed.

// luMod is an LU factorisation of a row permutation of a square matrix
// modulo a prime: row i of L·U is row perm[i] of the matrix; L is unit lower
// triangular (its multipliers stored below the diagonal of lu), U upper
// triangular with dinv the inverses of its diagonal.
type luMod struct {
	n    int
	f    Modulus
	lu   []uint64
	perm []int
	dinv []uint64
}

// factorMod factors the n×n matrix a (row-major, entries in [0, p)) in
// place; ok is false when it is singular modulo p.
func factorMod(a []uint64, n int, f Modulus) (*luMod, bool) {
	p := f.P
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	dinv := make([]uint64, n)
	for k := 0; k < n; k++ {
		piv := -1
		for r := k; r < n; r++ {
			if a[r*n+k] != 0 {
				piv = r
				break
			}
		}
		if piv < 0 {
			return nil, false
		}
		if piv != k {
			rk, rp := a[k*n:(k+1)*n], a[piv*n:(piv+1)*n]
			for c := range rk {
				rk[c], rp[c] = rp[c], rk[c]
			}
			perm[k], perm[piv] = perm[piv], perm[k]
		}
		inv := ModInverse(a[k*n+k], p)
		dinv[k] = inv
		rowK := a[k*n+k+1 : (k+1)*n]
		for r := k + 1; r < n; r++ {
			lr := a[r*n+k]
			if lr == 0 {
				continue
			}
			l := f.Reduce(lr * inv)
			a[r*n+k] = l
			neg := p - l
			row := a[r*n+k+1 : (r+1)*n]
			for c, u := range rowK {
				if u != 0 {
					row[c] = f.Reduce(row[c] + neg*u)
				}
			}
		}
	}
	return &luMod{n: n, f: f, lu: a, perm: perm, dinv: dinv}, true
}

// solve writes x = A⁻¹b mod p into x (b and x of length n, entries of b in
// [0, p)); y is scratch of length n. Sums of products are accumulated in
// 128 bits and reduced once per row.
func (lu *luMod) solve(b, x, y []uint64) {
	n, p := lu.n, lu.f.P
	for i := 0; i < n; i++ {
		var hi, lo uint64
		row := lu.lu[i*n : i*n+i]
		for j, l := range row {
			h, w := bits.Mul64(l, y[j])
			var c uint64
			lo, c = bits.Add64(lo, w, 0)
			hi += h + c
		}
		s := bits.Rem64(hi, lo, p)
		v := b[lu.perm[i]] + p - s
		if v >= p {
			v -= p
		}
		y[i] = v
	}
	for i := n - 1; i >= 0; i-- {
		var hi, lo uint64
		row := lu.lu[i*n+i+1 : (i+1)*n]
		for j, u := range row {
			h, w := bits.Mul64(u, x[i+1+j])
			var c uint64
			lo, c = bits.Add64(lo, w, 0)
			hi += h + c
		}
		s := bits.Rem64(hi, lo, p)
		v := y[i] + p - s
		if v >= p {
			v -= p
		}
		x[i] = lu.f.Reduce(v * lu.dinv[i])
	}
}

// liftMat holds A + Φ (Φ = max|A_ij|, so every entry is in [0, 2Φ]) as L
// row-major matrices of 64-bit limbs, least significant first: A·x for
// x ∈ [0, p)^n is (A+Φ)·x − Φ·Σx, and (A+Φ)·x is a sum of word products.
type liftMat struct {
	n, limbs int
	data     [][]uint64
	phi      big.Int
}

func newLiftMat(A [][]big.Int) *liftMat {
	n := len(A)
	lm := &liftMat{n: n}
	for r := range A {
		for c := range A[r] {
			if a := &A[r][c]; a.CmpAbs(&lm.phi) > 0 {
				lm.phi.Abs(a)
			}
		}
	}
	lm.limbs = (lm.phi.BitLen()+1)/64 + 1
	lm.data = make([][]uint64, lm.limbs)
	for l := range lm.data {
		lm.data[l] = make([]uint64, n*n)
	}
	var t big.Int
	for r := range A {
		for c := range A[r] {
			t.Add(&A[r][c], &lm.phi)
			for l, w := range t.Bits() {
				lm.data[l][r*n+c] = uint64(w)
			}
		}
	}
	return lm
}

// update sets c_r ← (c_r − (A·x)_r)/p for every row, an exact division.
func (lm *liftMat) update(c []big.Int, x []uint64, p uint64) {
	n, L := lm.n, lm.limbs
	var sum uint64
	for _, v := range x {
		sum += v
	}
	var phiS, t, v big.Int
	phiS.Mul(&lm.phi, new(big.Int).SetUint64(sum))
	words := make([]big.Word, L+2)
	P := new(big.Int).SetUint64(p)
	var rem big.Int
	for r := 0; r < n; r++ {
		clear(words)
		for l := 0; l < L; l++ {
			row := lm.data[l][r*n : (r+1)*n]
			var hi, lo uint64
			for j, a := range row {
				h, w := bits.Mul64(a, x[j])
				var cy uint64
				lo, cy = bits.Add64(lo, w, 0)
				hi += h + cy
			}
			addWordsAt(words, l, lo, hi)
		}
		v.SetBits(words)
		t.Sub(&c[r], &v)
		t.Add(&t, &phiS)
		c[r].QuoRem(&t, P, &rem)
		if rem.Sign() != 0 {
			panic("exact: Dixon lifting step is not an exact division (internal error)")
		}
	}
}

// addWordsAt adds hi·2⁶⁴ + lo to the little-endian words at position l.
func addWordsAt(w []big.Word, l int, lo, hi uint64) {
	var c uint64
	s, c := bits.Add64(uint64(w[l]), lo, 0)
	w[l] = big.Word(s)
	s, c = bits.Add64(uint64(w[l+1]), hi, c)
	w[l+1] = big.Word(s)
	for i := l + 2; c != 0 && i < len(w); i++ {
		s, c = bits.Add64(uint64(w[i]), 0, c)
		w[i] = big.Word(s)
	}
}

// dixonPrimes is the number of primes tried before singularity is decided
// by a determinant.
const dixonPrimes = 4

// SolveDixon solves A x = b for a square integer matrix A by Dixon's p-adic
// lifting, returning x = num/den in lowest terms (den > 0), or ok = false
// when A is singular. A and b are not modified. The result is exact and
// verified (see the file comment); the method is the one to use for
// systems beyond a few dozen unknowns or with large entries, where
// SolveInt's Bareiss elimination and SolveLinear's elimination over Q grow
// numbers to the size of the solution at every step.
func SolveDixon(A [][]big.Int, b []big.Int) (num []big.Int, den *big.Int, ok bool) {
	n := len(A)
	if len(b) != n {
		panic("exact: SolveDixon: right-hand side of the wrong length")
	}
	if n == 0 {
		return nil, big.NewInt(1), true
	}
	for r := range A {
		if len(A[r]) != n {
			panic("exact: SolveDixon: matrix not square")
		}
	}
	ps := Primes31(dixonPrimes)
	var lu *luMod
	a := make([]uint64, n*n)
	for _, p := range ps {
		for r := range A {
			for c := range A[r] {
				a[r*n+c] = ModInt(&A[r][c], p)
			}
		}
		if lu, ok = factorMod(a, n, NewModulus(p)); ok {
			break
		}
	}
	if lu == nil {
		// Singular modulo every prime tried: decide over Z.
		if DetInt(A).Sign() == 0 {
			return nil, nil, false
		}
		num, den, ok = SolveInt(A, b)
		if !ok {
			return nil, nil, false
		}
		return reduceFraction(num, den), den, true
	}
	p := lu.f.P
	hN, hD, maxA, maxB := hadamardBits(A, b)
	// At kMax steps p^K exceeds 2·(2^max(hN,hD))², so the reduced solution
	// lies within the reconstruction bounds, with room for the proof bound.
	kMax := (2*max(hN, hD)+maxA+maxB+bits.Len(uint(n))+8)/PrimeBits + 1
	lm := newLiftMat(A)
	c := make([]big.Int, n)
	for i := range c {
		c[i].Set(&b[i])
	}
	var digits [][]uint64
	cm := make([]uint64, n)
	y := make([]uint64, n)
	rec := newPAdic(p)
	next := max(4, kMax/16)
	for k := 1; ; k++ {
		for i := range c {
			cm[i] = ModInt(&c[i], p)
		}
		x := make([]uint64, n)
		lu.solve(cm, x, y)
		digits = append(digits, x)
		if k < kMax {
			lm.update(c, x, p)
		}
		if k < next && k < kMax {
			continue
		}
		next = k + max(1, k/2)
		if num, den, ok := rec.reconstruct(digits, n, maxA, maxB, k >= kMax); ok {
			return num, den, true
		}
		if k >= kMax {
			panic("exact: Dixon reconstruction failed beyond Hadamard's bound (internal error)")
		}
	}
}

// hadamardBits returns bit bounds hN, hD with |det A| ≤ 2^hD and every
// Cramer numerator |det A_i(b)| ≤ 2^hN (Hadamard's inequality on the rows),
// and the bit lengths of max|A| and max|b|.
func hadamardBits(A [][]big.Int, b []big.Int) (hN, hD, maxA, maxB int) {
	var s, t big.Int
	for r := range A {
		s.SetInt64(0)
		for c := range A[r] {
			t.Mul(&A[r][c], &A[r][c])
			s.Add(&s, &t)
			if l := A[r][c].BitLen(); l > maxA {
				maxA = l
			}
		}
		hD += s.BitLen()/2 + 1
		// A row with one entry replaced by b_r has norm² ≤ |A_r|² + b_r².
		s.Add(&s, t.Mul(&b[r], &b[r]))
		hN += s.BitLen()/2 + 1
		if l := b[r].BitLen(); l > maxB {
			maxB = l
		}
	}
	return hN, hD, maxA, maxB
}

// pAdic turns the digit vectors of a p-adic expansion into integers and
// reconstructs rationals from them.
type pAdic struct {
	p    uint64
	pows []*big.Int // pows[j] = p^(2^j)
}

func newPAdic(p uint64) *pAdic {
	return &pAdic{p: p, pows: []*big.Int{new(big.Int).SetUint64(p)}}
}

// pow2 returns p^(2^j).
func (pa *pAdic) pow2(j int) *big.Int {
	for len(pa.pows) <= j {
		last := pa.pows[len(pa.pows)-1]
		pa.pows = append(pa.pows, new(big.Int).Mul(last, last))
	}
	return pa.pows[j]
}

// value returns Σ_{lo≤k<hi} digits[k][i]·p^(k−lo) by binary splitting.
func (pa *pAdic) value(digits [][]uint64, i, lo, hi int) *big.Int {
	if hi-lo <= 16 {
		z := new(big.Int)
		var w big.Int
		P := new(big.Int).SetUint64(pa.p)
		for k := hi - 1; k >= lo; k-- {
			z.Mul(z, P)
			z.Add(z, w.SetUint64(digits[k][i]))
		}
		return z
	}
	j := bits.Len(uint(hi-lo-1)) - 1 // 2^j < hi − lo
	mid := lo + 1<<j
	low := pa.value(digits, i, lo, mid)
	high := pa.value(digits, i, mid, hi)
	return high.Mul(high, pa.pow2(j)).Add(high, low)
}

// modulus returns p^k.
func (pa *pAdic) modulus(k int) *big.Int {
	m := big.NewInt(1)
	for j := 0; k > 0; j, k = j+1, k>>1 {
		if k&1 == 1 {
			m.Mul(m, pa.pow2(j))
		}
	}
	return m
}

// reconstruct tries to recover x = num/den from its expansion modulo p^K
// (K = len(digits)). It succeeds only with a proof: A·num ≡ den·b (mod p^K)
// holds by construction, and the bound n·2^maxA·max|num| + den·2^maxB < p^K
// makes it an identity. final reports that K is beyond Hadamard's bound.
func (pa *pAdic) reconstruct(digits [][]uint64, n, maxA, maxB int, final bool) ([]big.Int, *big.Int, bool) {
	K := len(digits)
	m := pa.modulus(K)
	half := new(big.Int).Rsh(m, 1)
	// Bounds N = D = ⌊√(p^K/2)⌋ make the reconstruction unique.
	N := new(big.Int).Sqrt(half)
	den := big.NewInt(1)
	nums := make([]big.Int, n)
	var t big.Int
	for i := 0; i < n; i++ {
		x := pa.value(digits, i, 0, K)
		t.Mul(x, den)
		t.Mod(&t, m)
		if t.Cmp(half) > 0 {
			t.Sub(&t, m)
		}
		if t.CmpAbs(N) <= 0 {
			nums[i].Set(&t)
			continue
		}
		dmax := new(big.Int).Quo(N, den)
		a, d, ok := ratRecon(&t, m, N, dmax)
		if !ok {
			return nil, nil, false
		}
		// x_i = t/(den·d): earlier numerators scale by d.
		for j := 0; j < i; j++ {
			nums[j].Mul(&nums[j], d)
		}
		nums[i].Set(a)
		den.Mul(den, d)
	}
	// Proof of A·num = den·b: the congruence holds modulo p^K; bound both sides.
	maxNum := 0
	for i := range nums {
		if l := nums[i].BitLen(); l > maxNum {
			maxNum = l
		}
	}
	lhs := maxA + maxNum + bits.Len(uint(n))
	rhs := den.BitLen() + maxB
	if max(lhs, rhs)+1 > m.BitLen()-1 {
		if final {
			panic("exact: Dixon bound check failed beyond Hadamard's bound (internal error)")
		}
		return nil, nil, false
	}
	return reduceFraction(nums, den), den, true
}

// ratRecon returns a, b with a ≡ b·u (mod m), |a| ≤ N and 0 < b ≤ D, from
// the extended Euclidean algorithm on (m, u), or ok = false when the
// remainder sequence yields none.
func ratRecon(u, m, N, D *big.Int) (a, b *big.Int, ok bool) {
	r0 := new(big.Int).Set(m)
	r1 := new(big.Int).Mod(u, m)
	t0, t1 := new(big.Int), big.NewInt(1)
	var q, tmp big.Int
	for r1.Cmp(N) > 0 {
		q.QuoRem(r0, r1, &tmp)
		r0, r1 = r1, r0.Set(&tmp)
		tmp.Mul(&q, t1)
		t0.Sub(t0, &tmp)
		t0, t1 = t1, t0
	}
	if t1.Sign() == 0 || t1.CmpAbs(D) > 0 {
		return nil, nil, false
	}
	a, b = new(big.Int).Set(r1), new(big.Int).Set(t1)
	if b.Sign() < 0 {
		a.Neg(a)
		b.Neg(b)
	}
	return a, b, true
}

// reduceFraction divides num and den (den ≠ 0) by their common gcd in
// place, makes den positive, and returns num.
func reduceFraction(num []big.Int, den *big.Int) []big.Int {
	g := new(big.Int).Abs(den)
	for i := range num {
		if g.Cmp(big.NewInt(1)) == 0 {
			break
		}
		if num[i].Sign() != 0 {
			g.GCD(nil, nil, g, new(big.Int).Abs(&num[i]))
		}
	}
	if den.Sign() < 0 {
		g.Neg(g)
	}
	if g.Cmp(big.NewInt(1)) != 0 {
		for i := range num {
			num[i].Quo(&num[i], g)
		}
		den.Quo(den, g)
	}
	return num
}

// IndependentColumns returns, in the order given, the columns of the
// integer matrix A (rows × cols) that are linearly independent of the
// columns before them in order, computed modulo a 31-bit prime. Columns
// independent modulo p are independent over Q, so the result spans a
// subspace of A's column space of full dimension unless p divides every
// maximal minor that would extend it (then the result is shorter than the
// rank over Q; a caller that needs the full column space verifies it).
// order lists column indices (each at most once); columns not listed are
// not considered.
func IndependentColumns(A [][]big.Int, order []int) []int {
	rows := len(A)
	if rows == 0 {
		return nil
	}
	p := Primes31(1)[0]
	f := NewModulus(p)
	var basis [][]uint64 // reduced selected columns
	var pivots []int     // pivot row of each, entry 1 there
	var out []int
	col := make([]uint64, rows)
	for _, c := range order {
		for r := range A {
			col[r] = ModInt(&A[r][c], p)
		}
		for k, b := range basis {
			v := col[pivots[k]]
			if v == 0 {
				continue
			}
			neg := p - v
			for r, bv := range b {
				if bv != 0 {
					col[r] = f.Reduce(col[r] + neg*bv)
				}
			}
		}
		piv := -1
		for r, v := range col {
			if v != 0 {
				piv = r
				break
			}
		}
		if piv < 0 {
			continue
		}
		inv := ModInverse(col[piv], p)
		b := make([]uint64, rows)
		for r, v := range col {
			if v != 0 {
				b[r] = f.Reduce(v * inv)
			}
		}
		basis = append(basis, b)
		pivots = append(pivots, piv)
		out = append(out, c)
	}
	return out
}
