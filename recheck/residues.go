package recheck

import (
	"fmt"
	"math/big"
	"math/bits"
	"slices"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
)

// This file is the arithmetic of Recheck at scale. It shares no code with
// the integer engine Check uses (package verify): the residuals
// r_i = f_θ(x_i) − y_i are evaluated exactly from the integer images of
// the data (integers.go), and the zero tests of Recheck — (S1) G_j = 0,
// the (S2) vector v against the cell proofs, (E1), and the escape
// witnesses' Q_j(u) — from the exact masked sums Σ_{i∈P_j} r_i x_iᵀ of each
// neuron, formed once for all neurons. The signs of w_j·x_i come from the
// float64 filter of exact.SignMatrix with big.Rat inner products where it
// cannot decide.

// rechecker holds what Recheck evaluates once per point.
type rechecker struct {
	p          *network.Point
	n, d, k, m int
	// pos and neg are the bitsets of the signs of w_j·x_i (signs.go),
	// stride words per neuron.
	pos, neg []uint64
	stride   int
	zeroX    []bool
	nZeroX   int // zero inputs
	// bnd[j] lists the nonzero samples on neuron j's hyperplane
	// (w_j·x_i = 0), ascending; nNeg[j] counts the samples with w_j·x_i < 0.
	bnd  [][]int
	nNeg []int
	loss *big.Rat

	// xbar, wbar, abar and rbar are the integer images of the inputs,
	// the neurons' input and output weights and the residuals
	// (rbar.den = dR).
	xbar, wbar, abar, rbar *intImage
	// ns are the neurons' masked sums (sums), once computed.
	ns *neuronSums

	// bases holds the matrices ρ₊S⁺_j + ρ₋S⁻_j of faceBase.
	bases map[int]exact.Mat
	// lastMoved is the direction lossAlong evaluated last.
	lastMoved *moved

	// dR is the residuals' least common denominator, dRho that of ρ₊ and
	// ρ₋; dX = xbar.den.
	dR, dRho, dX *big.Int
	// xE = E when dX = 2^E (rows of float64s multiply by X̄ through
	// exact.MulAddFloat), −1 otherwise.
	xE int

	// stop ends the re-check (RecheckWithin); ticks counts tick calls.
	stop  exact.Stop
	ticks int
}

// recheckStopped is the panic value with which poll unwinds
// RecheckWithin, which recovers it.
type recheckStopped struct{}

// poll unwinds RecheckWithin when its stop says so. Only on the
// goroutine of RecheckWithin: loops run by workers of internal/parallel
// ask rc.stop.Stopped() and return early, and their caller polls.
func (rc *rechecker) poll() {
	if rc.stop.Stopped() {
		panic(recheckStopped{})
	}
}

// tick polls every 1024 calls, for loops of cheap steps.
func (rc *rechecker) tick() {
	if rc.ticks++; rc.ticks&1023 == 0 {
		rc.poll()
	}
}

func lcmInt(a, b *big.Int) *big.Int {
	g := new(big.Int).GCD(nil, nil, a, b)
	l := new(big.Int).Quo(a, g)
	return l.Mul(l, b)
}

// newRechecker computes the signs, the residuals and the loss of p
// (valid).
func newRechecker(p *network.Point, stop exact.Stop) (*rechecker, error) {
	rc := &rechecker{p: p, n: p.N(), d: p.D(), k: p.K(), m: p.M(), stop: stop}
	n, m := rc.n, rc.m
	// Signs: filter, then big.Rat.
	xf := make([]exact.FloatVec, n)
	rc.zeroX = make([]bool, n)
	for i := range n {
		// A row of float64s is its own image (read, never written).
		if fs, ok := p.X.Floats(i); ok {
			xf[i] = exact.FloatVecOf(fs)
		} else {
			xf[i] = exact.ToFloatVec(p.X.Row(i))
		}
		if rc.zeroX[i] = p.X.IsZeroRow(i); rc.zeroX[i] {
			rc.nZeroX++
		}
		rc.tick()
	}
	wf := make([]exact.FloatVec, m)
	for j, nr := range p.Neurons {
		wf[j] = exact.ToFloatVec(nr.W)
	}
	rc.poll()
	// The integer images X̄ = D_X·X and W̄ = D_W·W decide what the filter
	// cannot: sign(w_j·x_i) = sign(W̄_j·X̄_i).
	rc.xbar = newLazyImage(p.X)
	rc.dX = rc.xbar.den
	rc.xE = -1
	if tz := rc.dX.TrailingZeroBits(); int(tz) == rc.dX.BitLen()-1 {
		rc.xE = int(tz)
	}
	ws := make([]exact.Vec, m)
	for j, nr := range p.Neurons {
		ws[j] = nr.W
	}
	rc.wbar = newIntImage(exact.RatMatOf(ws))
	rc.signPass(xf, wf)
	// The boundaries (nonzero samples with w_j·x_i = 0) and |N_j|, read
	// here once for all the per-neuron steps.
	rc.boundaries()
	rc.dRho = exact.CommonDenominator([]*big.Rat{p.Act.Pos, p.Act.Neg})
	rc.residuals()
	rc.poll()
	return rc, nil
}

// s1Holds decides G_j = 0, i.e. (ρ₊S⁺_j + ρ₋S⁻_j)·w_j = 0: with the
// masked sums' integers (D = D_R·D_X) and W̄_j = D_W·w_j, for each output l
// S₊·(Σ_c D S⁺_lc W̄_jc) + S₋·(Σ_c D S⁻_lc W̄_jc) = 0, the inner sums in
// fixed-width words.
func (rc *rechecker) s1Holds(j int) bool {
	ns := rc.sums()
	sp, sn := rc.rhoInts()
	d, k, w := rc.d, rc.k, ns.w
	kd := k * d
	W := rc.wbar
	aW := exact.WordsFor(rc.rbar.bits + rc.xbar.bits + bitlen(rc.n) + 1 + W.bits + bitlen(d))
	accP, accN := make([]uint64, aW), make([]uint64, aW)
	neg := make([]uint64, w)
	var a, b big.Int
	for l := 0; l < k; l++ {
		clear(accP)
		clear(accN)
		for c := 0; c < d; c++ {
			q := l*d + c
			pos := ns.pos[(j*kd+q)*w : (j*kd+q+1)*w]
			wc := W.entry(j, c)
			exact.MulAddWords(accP, pos, wc)
			if sn.Sign() != 0 {
				// S⁻ = S − S⁺ − S⁰ (wrapping; the true value fits).
				copy(neg, ns.tot[q*w:(q+1)*w])
				exact.SubWords(neg, pos, w)
				if z := ns.zero[j]; z != nil {
					exact.SubWords(neg, z[q*w:(q+1)*w], w)
				}
				exact.MulAddWords(accN, neg, wc)
			}
		}
		a.Mul(exact.WordsInt(&a, accP), sp)
		if sn.Sign() != 0 {
			a.Add(&a, b.Mul(exact.WordsInt(&b, accN), sn))
		}
		if a.Sign() != 0 {
			return false
		}
	}
	return true
}

// intVec writes a rational vector as num/den with an integer vector num and
// den > 0 the common denominator.
func intVec(v exact.Vec) ([]*big.Int, *big.Int) {
	den := exact.CommonDenominator(v)
	num := make([]*big.Int, len(v))
	for c, x := range v {
		num[c] = exact.ScaleInt(new(big.Int), x, den)
	}
	return num, den
}

// sumsDen returns D_ρ·D_R·D_X, the denominator of combo's integers with
// the coefficients S± = D_ρ·ρ±.
func (rc *rechecker) sumsDen() *big.Int {
	D := new(big.Int).Mul(rc.dRho, rc.dR)
	return D.Mul(D, rc.dX)
}

// aResSign returns the sign of a_j·r_i, that of Σ_l Ā_jl R̄_il (D_A and D_R
// are positive), summed in acc (at least WordsFor(Ā's bits + R̄'s bits +
// bitlen(k) + 1) words).
func (rc *rechecker) aResSign(j, i int, acc []uint64) int {
	clear(acc)
	for l := range rc.k {
		exact.MulAddWords(acc, rc.abar.entry(j, l), rc.rbar.entry(i, l))
	}
	return exact.WordsSign(acc)
}

// vEquals decides v_j = −w for the (S2) vector
// v_j = Σ_l a_jl (ρ₊S⁺_j + ρ₋S⁻_j + ρ₋S⁰_j)_l and an exact rational w:
// with M = D_ρD_RD_X·(ρ₊S⁺_j + ρ₋S⁻_j + ρ₋S⁰_j) in integers and
// Ā_j = D_A·a_j, Σ_l Ā_jl M_lc = −w_c·D_ρD_RD_X·D_A for every c, the
// left side in fixed-width words (a zero test on them where w_c = 0; a
// nil w is 0).
func (rc *rechecker) vEquals(j int, w exact.Vec) bool {
	sp, sn := rc.rhoInts()
	M, mw := rc.comboWords(j, sp, sn, sn)
	A := rc.abar
	aw := exact.WordsFor(64*mw + A.bits + bitlen(rc.k) + 1)
	acc := make([]uint64, aw)
	D := new(big.Int).Mul(rc.sumsDen(), A.den)
	var lhs, rhs big.Int
	for c := 0; c < rc.d; c++ {
		clear(acc)
		for l := 0; l < rc.k; l++ {
			exact.MulAddWords(acc, A.entry(j, l), M[(l*rc.d+c)*mw:(l*rc.d+c+1)*mw])
		}
		if w == nil || w[c].Sign() == 0 {
			if !exact.WordsIsZero(acc) {
				return false
			}
			continue
		}
		// Σ_l Ā_jl M_lc·den(w_c) = −num(w_c)·D.
		exact.WordsInt(&lhs, acc)
		lhs.Mul(&lhs, w[c].Denom())
		rhs.Mul(w[c].Num(), D)
		if lhs.Add(&lhs, &rhs).Sign() != 0 {
			return false
		}
	}
	return true
}

// e1Vanishes decides (E1): ρ₊S⁺_j + ρ₋S⁻_j + ((ρ₊+ρ₋)/2)S⁰_j = 0, i.e.
// 2S₊·DS⁺ + 2S₋·DS⁻ + (S₊+S₋)·DS⁰ = 0 in integers (fixed-width words).
func (rc *rechecker) e1Vanishes(j int) bool {
	sp, sn := rc.rhoInts()
	mid := new(big.Int).Add(sp, sn)
	sp.Lsh(sp, 1)
	sn.Lsh(sn, 1)
	v, _ := rc.comboWords(j, sp, sn, mid)
	return exact.WordsIsZero(v)
}

// responseEquals decides Q_j(u) = q exactly, where
// Q_j(u) = (ρ₊S⁺_j + ρ₋S⁻_j)·u + Σ_{i∈Z_j} r_i ρ(x_i·u): with
// M = D_ρD_RD_X·(ρ₊S⁺_j + ρ₋S⁻_j) + Σ_{i∈Z_j, x_i·u ≠ 0} S_{sign}·R̄_i X̄_iᵀ
// in integers, u = Un/Ud and q = Qn/Qd, Qd·(M·Un)_l = Qn_l·Ud·D_ρD_RD_X.
func (rc *rechecker) responseEquals(j int, u, q exact.Vec) bool {
	un, ud := intVec(u)
	qn, qd := intVec(q)
	d, k := rc.d, rc.k
	sp, sn := rc.rhoInts()
	M := rc.combo(j, sp, sn, nil)
	// Add the boundary samples with the slope of x_i·u's side.
	uf := exact.ToFloatVec(u)
	var r, x, t big.Int
	xb := make([]uint64, rc.xbar.words())
	for _, i := range rc.bnd[j] {
		s, ok := exact.DotSign(exact.ToFloatVec(rc.p.X.Row(i)), uf)
		if !ok {
			s = rc.p.X.Row(i).Dot(u).Sign()
		}
		sl := sp
		switch {
		case s == 0:
			continue
		case s < 0:
			sl = sn
		}
		for l := 0; l < k; l++ {
			rc.rbar.m.Get(i, l, &r)
			r.Mul(&r, sl)
			for c := 0; c < d; c++ {
				M[l*d+c].Add(&M[l*d+c], t.Mul(&r, exact.WordsInt(&x, rc.xbar.get(i, c, xb))))
			}
		}
	}
	rhs := new(big.Int).Mul(ud, rc.sumsDen())
	var s big.Int
	for l := 0; l < k; l++ {
		s.SetInt64(0)
		for c := 0; c < d; c++ {
			s.Add(&s, t.Mul(&M[l*d+c], un[c]))
		}
		s.Mul(&s, qd)
		if s.Cmp(t.Mul(qn[l], rhs)) != 0 {
			return false
		}
	}
	return true
}

// s2Proof checks the (S2) proof of neuron j (a_j ≠ 0): Z⁺ and Z⁻ as
// recomputed, and in each cell
// v + Σ_T κc_i x_i + Σ_{Z⁺} λ_i κc_i x_i = Σ_T μ_i x_i − Σ_{Z⁻∖T} μ_i x_i
// with λ ∈ [0, 1], μ ≥ 0 and the interior point on the right sides. The
// cells' vectors w = Σ_T κc_i x_i + Σ λ_i κc_i x_i − (Σ_T μ_i x_i − Σ_{Z⁻∖T} μ_i x_i)
// are evaluated exactly and must all equal −v, which is tested once from
// the masked sums (vEquals). Then the cells must be all the cells of the Z⁻ arrangement
// (checkCover).
func (rc *rechecker) s2Proof(j int, pr *StationarityProof) error {
	p := rc.p
	nr := p.Neurons[j]
	// Z⁺ and Z⁻ over the boundary samples, by the sign of κc_i with
	// c_i = a_j·r_i: sign(κ)·sign(Σ_l Ā_jl R̄_il) in words (D_A, D_R > 0).
	ks := p.Act.Kappa().Sign()
	var zp, zm []int
	if ks != 0 {
		acc := make([]uint64, exact.WordsFor(rc.abar.bits+rc.rbar.bits+bitlen(rc.k)+1))
		for _, i := range rc.bnd[j] {
			switch rc.aResSign(j, i, acc) * ks {
			case 1:
				zp = append(zp, i)
			case -1:
				zm = append(zm, i)
			}
		}
	}
	if !slices.Equal(zp, pr.ZPlus) || !slices.Equal(zm, pr.ZMinus) {
		return fmt.Errorf("neurons[%d]: (S2) proof has the wrong Z⁺/Z⁻", j)
	}
	if pr.QZero {
		return rc.qZero(j, "(S2)", len(pr.Cells) > 0 || pr.Cover != nil)
	}
	if len(pr.Cells) == 0 {
		return fmt.Errorf("neurons[%d]: (S2) proof has no cell", j)
	}
	// κc_i as rationals, for the cells' vectors: only Z⁺ and Z⁻ enter
	// them (T ⊆ Z⁻ is checked by cellWork.vector).
	kappa := p.Act.Kappa()
	kc := map[int]*big.Rat{}
	for _, zs := range [][]int{zp, zm} {
		for _, i := range zs {
			c := nr.A.Dot(rc.res(i))
			kc[i] = c.Mul(kappa, c)
		}
	}
	cw := rc.newCellWork(kc, zp, zm)
	var w0 exact.Vec
	signs := make([][]int8, len(pr.Cells))
	for ci, cell := range pr.Cells {
		w, err := cw.vector(cell)
		if err != nil {
			return fmt.Errorf("neurons[%d]: (S2) cell %d: %w", j, ci, err)
		}
		if w0 == nil {
			w0 = w
		} else if !w0.Equal(w) {
			return fmt.Errorf("neurons[%d]: (S2) cell %d: the subgradient is not the dual-cone vector", j, ci)
		}
		signs[ci] = cw.cellSigns(cell)
	}
	if !rc.vEquals(j, w0) {
		return fmt.Errorf("neurons[%d]: (S2) cell 0: the subgradient is not the dual-cone vector", j)
	}
	hs := make([]exact.Vec, len(zm))
	for c, i := range zm {
		hs[c] = p.X.Row(i)
	}
	if err := checkCover(hs, rc.d, signs, pr.Cover); err != nil {
		return fmt.Errorf("neurons[%d]: (S2) cells of the Z⁻ arrangement: %w", j, err)
	}
	return nil
}

// cellSigns returns the signs of a verified cell on the Z⁻ hyperplanes:
// +1 for the samples of T, −1 for the others.
func (cw *cellWork) cellSigns(cell CellProof) []int8 {
	out := make([]int8, len(cw.zm))
	for c := range out {
		out[c] = -1
	}
	for _, i := range cell.T {
		if c, ok := cw.pos[i]; ok {
			out[c] = 1
		}
	}
	return out
}

// cellWork holds one neuron's boundary terms for checking many cells:
// κc_i x_i as integers over the common denominator den, and the float
// images of the Z⁻ samples for the interior-point signs.
type cellWork struct {
	rc     *rechecker
	zp, zm []int
	kc     map[int]*big.Rat
	kx     map[int][]*big.Int // den·κc_i x_i
	den    *big.Int
	xf     []exact.FloatVec // Z⁻ samples
	pos    map[int]int      // sample index → position in zm
}

func (rc *rechecker) newCellWork(kc map[int]*big.Rat, zp, zm []int) *cellWork {
	cw := &cellWork{rc: rc, zp: zp, zm: zm, kc: kc, kx: map[int][]*big.Int{}, pos: map[int]int{}}
	for c, i := range zm {
		cw.pos[i] = c
	}
	vs := map[int]exact.Vec{}
	var all []*big.Rat
	for i, k := range kc {
		vs[i] = rc.p.X.Row(i).Scale(k)
		all = append(all, vs[i]...)
	}
	cw.den = exact.CommonDenominator(all)
	for i, v := range vs {
		ints := make([]*big.Int, len(v))
		for c, x := range v {
			ints[c] = exact.ScaleInt(new(big.Int), x, cw.den)
		}
		cw.kx[i] = ints
	}
	cw.xf = make([]exact.FloatVec, len(zm))
	for c, i := range zm {
		cw.xf[c] = exact.ToFloatVec(rc.p.X.Row(i))
	}
	return cw
}

// vector checks one cell's shapes, signs and bounds and returns its w.
func (cw *cellWork) vector(cell CellProof) (exact.Vec, error) {
	p := cw.rc.p
	d := p.D()
	if len(cell.Point) != d || len(cell.Lambda) != len(cw.zp) || len(cell.Mu) != len(cw.zm) {
		return nil, fmt.Errorf("wrong shape")
	}
	for _, x := range cell.Point {
		if x == nil {
			return nil, fmt.Errorf("wrong shape")
		}
	}
	inT := map[int]bool{}
	for _, i := range cell.T {
		inT[i] = true
	}
	if len(inT) != len(cell.T) {
		return nil, fmt.Errorf("T lists a sample twice")
	}
	for _, i := range cell.T {
		if _, ok := cw.pos[i]; !ok {
			return nil, fmt.Errorf("T lists sample %d, which is not in Z⁻", i)
		}
	}
	acc := make([]big.Int, d)
	rest := exact.NewVec(d)
	add := func(i int) {
		for c, v := range cw.kx[i] {
			acc[c].Add(&acc[c], v)
		}
	}
	pf := exact.ToFloatVec(cell.Point)
	for c, i := range cw.zm {
		s, ok := exact.DotSign(cw.xf[c], pf)
		if !ok {
			s = p.X.Row(i).Dot(cell.Point).Sign()
		}
		if (inT[i] && s <= 0) || (!inT[i] && s >= 0) {
			return nil, fmt.Errorf("interior point has the wrong sign on sample %d", i)
		}
		mu := cell.Mu[c]
		if mu == nil || mu.Sign() < 0 {
			return nil, fmt.Errorf("μ < 0")
		}
		if inT[i] {
			add(i)
			if mu.Sign() != 0 {
				rest.AddScaled(new(big.Rat).Neg(mu), p.X.Row(i))
			}
		} else if mu.Sign() != 0 {
			rest.AddScaled(mu, p.X.Row(i))
		}
	}
	for c, i := range cw.zp {
		l := cell.Lambda[c]
		// 0 ≤ λ ≤ 1 ⟺ λ ≥ 0 and num ≤ den (den > 0), compared without
		// allocating.
		if l == nil || l.Sign() < 0 || l.Num().Cmp(l.Denom()) > 0 {
			return nil, fmt.Errorf("λ ∉ [0, 1]")
		}
		switch {
		case l.Sign() == 0:
		case l.IsInt(): // λ = 1
			add(i)
		default:
			rest.AddScaled(new(big.Rat).Mul(l, cw.kc[i]), p.X.Row(i))
		}
	}
	w := make(exact.Vec, d)
	for c := range w {
		w[c] = new(big.Rat).SetFrac(&acc[c], cw.den)
		w[c].Add(w[c], rest[c])
	}
	return w, nil
}

// qZero checks a claim Q_j ≡ 0 made for proof what: (E1), and (E2) when
// κ ≠ 0, hold for neuron j (docs/theory.md §4), and the proof lists no cell.
func (rc *rechecker) qZero(j int, what string, cells bool) error {
	if cells {
		return fmt.Errorf("neurons[%d]: %s proof claims Q_j ≡ 0 and lists cells", j, what)
	}
	if !rc.e1Vanishes(j) || (rc.p.Act.Kappa().Sign() != 0 && !rc.e2Vanishes(j)) {
		return fmt.Errorf("neurons[%d]: %s proof claims Q_j ≡ 0, but (E1)/(E2) fail", j, what)
	}
	return nil
}

// e2Vanishes decides (E2) for neuron j: on every line through 0 holding
// boundary samples, Σ |t_i| r_i = 0 (lines grouped by linesOf, as Theorem
// G's; linesVanish).
func (rc *rechecker) e2Vanishes(j int) bool { return rc.linesVanish(rc.linesOf(rc.bnd[j])) }

// linesVanish reports whether Σ_{i∈ℓ} |t_i| r_i = 0 on every line ℓ of
// lines (samples on one line through 0, as linesOf groups them). With
// e_ℓ = x/x_c for the first nonzero coordinate c of the line (the same c
// for all its samples), t_i = x_i[c]; as r_i = R̄_i/D_R and
// x_i[c] = X̄_ic/D_X with D_R, D_X > 0, the sum vanishes iff the integer
// Σ |X̄_ic| R̄_i does. It is summed exactly in two's complement words wide
// enough for its bound |X̄_ic|·|R̄_i|·(samples on the line).
func (rc *rechecker) linesVanish(lines [][]int) bool {
	longest := 0
	for _, ln := range lines {
		longest = max(longest, len(ln))
	}
	xw := rc.xbar.words()
	w := exact.WordsFor(rc.rbar.bits + rc.xbar.bits + bitlen(longest) + 1)
	acc := make([]uint64, rc.k*w) // output l at [l·w, (l+1)·w)
	buf, tx := make([]uint64, xw), make([]uint64, xw)
	for _, ln := range lines {
		c := 0
		for rc.p.X.IsZeroAt(ln[0], c) {
			c++
		}
		clear(acc)
		for _, i := range ln {
			copy(tx, rc.xbar.get(i, c, buf))
			if int64(tx[xw-1]) < 0 {
				exact.NegWords(tx)
			}
			for l := range rc.k {
				exact.MulAddWords(acc[l*w:(l+1)*w], rc.rbar.m.Entry(i, l), tx)
			}
		}
		if !exact.WordsIsZero(acc) {
			return false
		}
	}
	return true
}

// safeRadiusOK checks |δw_j·x_i| < |w_j·x_i| for every neuron j with
// δw_j ≠ 0 and every i ∉ Z_j (neurons with δw_j = 0 cannot leave their
// pattern). Signs come from the filter, with big.Rat where it cannot
// decide: |z| − |δz| = (s_z w_j − s_δ δw_j)·x_i for the signs s_z, s_δ.
func (rc *rechecker) safeRadiusOK(delta network.Direction) error {
	p := rc.p
	for j, dj := range delta {
		if dj.W.IsZero() {
			continue
		}
		w := p.Neurons[j].W
		df := exact.ToFloatVec(dj.W)
		combo := map[[2]int8]exact.FloatVec{}
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			sz := rc.signAt(j, i)
			if sz == 0 {
				continue
			}
			xf := exact.ToFloatVec(x)
			sd, ok := exact.DotSign(df, xf)
			if !ok {
				sd = dj.W.Dot(x).Sign()
			}
			if sd == 0 {
				continue
			}
			key := [2]int8{sz, int8(sd)}
			cf, ok := combo[key]
			var cv exact.Vec
			if !ok || !cf.OK {
				cv = w.Scale(big.NewRat(int64(sz), 1)).Sub(dj.W.Scale(big.NewRat(int64(sd), 1)))
				cf = exact.ToFloatVec(cv)
				combo[key] = cf
			}
			s, ok := exact.DotSign(cf, xf)
			if !ok {
				if cv == nil {
					cv = w.Scale(big.NewRat(int64(sz), 1)).Sub(dj.W.Scale(big.NewRat(int64(sd), 1)))
				}
				s = cv.Dot(x).Sign()
			}
			if s <= 0 {
				return fmt.Errorf("path: leaves the safe radius at neuron %d, sample %d", j, i)
			}
		}
	}
	return nil
}

// s0Holds checks (S0) of Theorem S for a network with an output bias:
// Σ_i r_i = 0 over the residuals (nothing to check without one).
func (rc *rechecker) s0Holds() error {
	if !rc.p.HasOutputBias() {
		return nil
	}
	if g := rc.resSum(); !g.IsZero() {
		return fmt.Errorf("output_bias: (S0) fails: Σ_i r_i = %v ≠ 0", g)
	}
	return nil
}

// lossAlong returns L(θ + τ(Δ, db)) by evaluating the network directly,
// split as f_{θ+τΔ}(x_i) = f_θ(x_i) − g_0(x_i) + g_τ(x_i) + τ·db, where g_τ
// is the network of the neurons Δ moves, at θ + τΔ, and db the move of the
// output bias (nil: none): r_i(τ) = r_i − g_0(x_i) + g_τ(x_i) + τ·db with
// the residuals r_i at θ. Only the moved neurons are evaluated, in
// integers: with D the common denominator of their w_j and δw_j times D_X,
// Z_ij = D·w_j·x_i and T_ij = D·δw_j·x_i are computed once per direction;
// for τ = p/q the pre-activation is (qZ_ij + pT_ij)/(qD), its slope is read
// from its sign, and every r_i(τ) is an integer over one denominator.
func (rc *rechecker) lossAlong(delta network.Direction, db exact.Vec, tau *big.Rat) *big.Rat {
	mv := rc.movedNeurons(delta)
	if len(mv.js) == 0 && db == nil {
		return new(big.Rat).Set(rc.loss)
	}
	k := rc.k
	pn, q := tau.Num(), tau.Denom()
	q2 := new(big.Int).Mul(q, q)
	// r_i(τ)·Den with Den = D_R·q²·E0·D_b, E0 = D_A·D_ρ·D:
	// (R_i·q²·E0 − G0_i·q²·D_R + G_i·D_R)·D_b + B·q·p·D_R·E0,
	// G_i = Σ_j (qA_j + pΔA_j)·S·(qZ_ij + pT_ij) and B = D_b·db.
	var bias []big.Int
	dB := big.NewInt(1)
	if db != nil {
		dB = exact.CommonDenominator(db)
		bias = make([]big.Int, k)
		c := new(big.Int).Mul(q, pn)
		c.Mul(c, mv.dR)
		c.Mul(c, mv.e0)
		for l := range bias {
			exact.ScaleInt(&bias[l], db[l], dB)
			bias[l].Mul(&bias[l], c)
		}
	}
	cR := new(big.Int).Mul(q2, mv.e0)
	cR.Mul(cR, dB)
	cG0 := new(big.Int).Mul(q2, mv.dR)
	cG0.Mul(cG0, dB)
	cG := new(big.Int).Mul(mv.dR, dB)
	coef := make([][]big.Int, len(mv.js)) // qA_j + pΔA_j
	for c := range mv.js {
		coef[c] = make([]big.Int, k)
		var t big.Int
		for l := 0; l < k; l++ {
			coef[c][l].Mul(q, &mv.a[c][l])
			coef[c][l].Add(&coef[c][l], t.Mul(pn, &mv.da[c][l]))
		}
	}
	sum := new(big.Int)
	var z, t, g, acc big.Int
	gl := make([]big.Int, k)
	for i := 0; i < rc.n; i++ {
		for l := range gl {
			gl[l].SetInt64(0)
		}
		for c := range mv.js {
			z.Mul(q, &mv.z[c][i])
			z.Add(&z, t.Mul(pn, &mv.t[c][i]))
			if z.Sign() == 0 {
				continue
			}
			s := mv.sp
			if z.Sign() < 0 {
				s = mv.sn
			}
			z.Mul(&z, s)
			for l := 0; l < k; l++ {
				gl[l].Add(&gl[l], g.Mul(&coef[c][l], &z))
			}
		}
		for l := 0; l < k; l++ {
			acc.Mul(&mv.rr[i*k+l], cR)
			acc.Sub(&acc, g.Mul(&mv.g0[i*k+l], cG0))
			acc.Add(&acc, g.Mul(&gl[l], cG))
			if bias != nil {
				acc.Add(&acc, &bias[l])
			}
			sum.Add(sum, g.Mul(&acc, &acc))
		}
	}
	den := new(big.Int).Mul(mv.dR, cR)
	den.Mul(den, den)
	den.Mul(den, big.NewInt(2*int64(rc.n)))
	return new(big.Rat).SetFrac(sum, den)
}

// moved holds, for a direction Δ, the neurons it moves (js) and, in
// integers: Z_ij = D·w_j·x_i and T_ij = D·δw_j·x_i, A_j = D_A·a_j and
// ΔA_j = D_A·δa_j, the slopes S± = D_ρ·ρ±, the residuals R_i = D_R·r_i and
// G0_i = Σ_j A_j·S·Z_ij = E0·g_0(x_i) with E0 = D_A·D_ρ·D.
type moved struct {
	delta  network.Direction
	js     []int
	z, t   [][]big.Int
	a, da  [][]big.Int
	sp, sn *big.Int
	rr, g0 []big.Int // n·k entries, sample i at [i·k, (i+1)·k)
	dR, e0 *big.Int
}

// compactSet sets z to x in words of exactly x's size (an arithmetic
// result, or a Set into an empty Int, keeps spare capacity: a one-word
// value would take 48 bytes, not 8). The per-sample tables of lossAlong
// hold millions of small integers.
func compactSet(z, x *big.Int) *big.Int {
	w := make([]big.Word, len(x.Bits()))
	copy(w, x.Bits())
	z.SetBits(w)
	if x.Sign() < 0 {
		z.Neg(z)
	}
	return z
}

// movedNeurons returns the moved neurons of delta (cached for the last
// direction asked).
func (rc *rechecker) movedNeurons(delta network.Direction) *moved {
	if mv := rc.lastMoved; mv != nil && sameDirection(mv.delta, delta) {
		return mv
	}
	p := rc.p
	n, d, k := rc.n, rc.d, rc.k
	mv := &moved{delta: delta}
	var ws, as []*big.Rat
	for j, dj := range delta {
		if !dj.W.IsZero() || !dj.A.IsZero() {
			mv.js = append(mv.js, j)
			ws = append(append(ws, p.Neurons[j].W...), dj.W...)
			as = append(append(as, p.Neurons[j].A...), dj.A...)
		}
	}
	rc.lastMoved = mv
	// The per-sample integers are kept compact (see compactSet), one
	// backing array per table.
	var tmp big.Int
	dw, da := exact.CommonDenominator(ws), exact.CommonDenominator(as)
	dRho := rc.dRho
	mv.sp, mv.sn = exact.ScaleInt(new(big.Int), p.Act.Pos, dRho), exact.ScaleInt(new(big.Int), p.Act.Neg, dRho)
	mv.dR = rc.dR
	mv.e0 = new(big.Int).Mul(da, dRho)
	mv.e0.Mul(mv.e0, dw)
	mv.e0.Mul(mv.e0, rc.dX)
	ints := func(v exact.Vec, D *big.Int) []big.Int {
		out := make([]big.Int, len(v))
		for c, x := range v {
			exact.ScaleInt(&out[c], x, D)
		}
		return out
	}
	mv.rr = make([]big.Int, n*k)
	mv.g0 = make([]big.Int, n*k)
	for q := range mv.rr {
		compactSet(&mv.rr[q], exact.WordsInt(&tmp, rc.rbar.m.Data[q*rc.rbar.m.W:(q+1)*rc.rbar.m.W]))
	}
	g0 := make([]big.Int, k)
	var prod, z, t big.Int
	wi, dwi, ai := make([][]big.Int, len(mv.js)), make([][]big.Int, len(mv.js)), make([][]big.Int, len(mv.js))
	for c, j := range mv.js {
		wi[c], dwi[c] = ints(p.Neurons[j].W, dw), ints(delta[j].W, dw)
		ai[c] = ints(p.Neurons[j].A, da)
		mv.z, mv.t = append(mv.z, make([]big.Int, n)), append(mv.t, make([]big.Int, n))
		mv.a, mv.da = append(mv.a, ai[c]), append(mv.da, ints(delta[j].A, da))
	}
	// D_X·x_i, formed per sample (not kept: lossAlong needs only Z and T).
	xi := make([]big.Int, d)
	for i := range p.X.Rows() {
		x := p.X.Row(i)
		for c, v := range x {
			exact.ScaleInt(&xi[c], v, rc.dX)
		}
		for jc := range mv.js {
			z.SetInt64(0)
			t.SetInt64(0)
			for c := range xi {
				if xi[c].Sign() == 0 {
					continue
				}
				z.Add(&z, prod.Mul(&wi[jc][c], &xi[c]))
				t.Add(&t, prod.Mul(&dwi[jc][c], &xi[c]))
			}
			compactSet(&mv.z[jc][i], &z)
			compactSet(&mv.t[jc][i], &t)
			if z.Sign() == 0 {
				continue
			}
			s := mv.sp
			if z.Sign() < 0 {
				s = mv.sn
			}
			prod.Mul(s, &z)
			gi := mv.g0[i*k : (i+1)*k]
			for l := 0; l < k; l++ {
				g0[l].Mul(&ai[jc][l], &prod)
				compactSet(&gi[l], g0[l].Add(&g0[l], &gi[l]))
			}
		}
	}
	return mv
}

// sameDirection reports whether a and b are the same slice (Recheck asks
// for several values of τ along one direction in a row).
func sameDirection(a, b network.Direction) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// faceBase returns ρ₊S⁺_j + ρ₋S⁻_j (k×d, the samples off neuron j's
// hyperplane) exactly, from the masked sums' integers over D_ρD_RD_X.
func (rc *rechecker) faceBase(j int) exact.Mat {
	if M, ok := rc.bases[j]; ok {
		return M
	}
	if rc.bases == nil {
		rc.bases = map[int]exact.Mat{}
	}
	sp, sn := rc.rhoInts()
	v := rc.combo(j, sp, sn, nil)
	D := rc.sumsDen()
	M := exact.NewMat(rc.k, rc.d)
	for l := range M {
		for c := range M[l] {
			M[l][c].SetFrac(&v[l*rc.d+c], D)
		}
	}
	rc.bases[j] = M
	return M
}

func bitlen(n int) int { return bits.Len(uint(n)) }
