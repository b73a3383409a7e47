package verify

import (
	"fmt"
	"math/big"
	"slices"
	"sync"

	"github.com/relucert/relucert/exact"
)

// This file is the arithmetic of Recheck at scale. It is independent of the
// integer engine of fast.go that Check uses: the zero tests of Recheck —
// the residuals against the definition f_θ(x_i) − y_i, (S1) G_j = 0, the
// (S2) vector v against the cell proofs, (E1), and the escape witnesses'
// Q_j(u) — are decided by multi-modular arithmetic. Each tested quantity is
// a sum of products of rationals; multiplied by a known common denominator
// D it is an integer N with |N| < 2^B for a bound B computed from bit
// lengths, and N = 0 iff N ≡ 0 modulo enough primes p > 2³⁰ (not dividing
// D) for their product to exceed 2^B. Residues of the data are reduced once
// per prime; the pattern-masked sums Σ_{i∈P_j} r_i x_iᵀ are sums of
// residues below 2³¹, added without reduction. The signs of w_j·x_i come
// from the float64 filter of exact.DotSign with big.Rat inner products
// where it cannot decide.

// primeImage is the point reduced modulo one prime.
type primeImage struct {
	p      uint64
	x      []uint64 // n×d
	w      []uint64 // m×d
	a      []uint64 // m×k
	r      []uint64 // n×k
	y      []uint64 // n×k
	rx     []uint64 // n×(k·d): r_il x_ic
	tot    []uint64 // k·d
	sp, sn uint64   // ρ₊, ρ₋
	half   uint64   // 1/2

	mu   sync.Mutex
	sums map[int][2][]uint64 // neuron → (Σ_P rx, Σ_Z rx)
}

// rechecker holds what Recheck evaluates once per point.
type rechecker struct {
	p          *Point
	n, d, k, m int
	sign       [][]int8
	zeroX      []bool
	r          []exact.Vec
	loss       *big.Rat
	// y are the targets less the output bias, y_i − b.
	y []exact.Vec

	images []*primeImage

	// xEngine holds the integer and float images of the inputs, shared by
	// the evaluations of lossAlong.
	xEngine *engine
	// ev is the integer engine of p, used only for values that are then
	// verified by residues (faceBase), and the verified matrices.
	ev    *engine
	bases map[int]exact.Mat

	// Common denominators (lcm) and magnitude bits (|entry| < 2^bits) of
	// the data.
	dX, dW, dA, dR, dY, dRho *big.Int
	mbX, mbW, mbA, mbR, mbY  int
	mbRho                    int
}

func lcmInt(a, b *big.Int) *big.Int {
	g := new(big.Int).GCD(nil, nil, a, b)
	l := new(big.Int).Quo(a, g)
	return l.Mul(l, b)
}

func magBits(vs ...exact.Vec) int {
	b := -1 << 30
	for _, v := range vs {
		for _, x := range v {
			if e := exact.MagnitudeBits(x); e > b {
				b = e
			}
		}
	}
	return b
}

func flatten(vs []exact.Vec) []*big.Rat {
	var out []*big.Rat
	for _, v := range vs {
		out = append(out, v...)
	}
	return out
}

// newRechecker computes the signs, the residuals (verified against the
// definition by residues) and the loss of p (valid).
func newRechecker(p *Point) (*rechecker, error) {
	rc := &rechecker{p: p, n: p.N(), d: p.D(), k: p.K(), m: p.M()}
	n, m := rc.n, rc.m
	// Signs: filter, then big.Rat.
	xf := make([]exact.FloatVec, n)
	rc.zeroX = make([]bool, n)
	for i, x := range p.X {
		xf[i] = exact.ToFloatVec(x)
		rc.zeroX[i] = x.IsZero()
	}
	wf := make([]exact.FloatVec, m)
	for j, nr := range p.Neurons {
		wf[j] = exact.ToFloatVec(nr.W)
	}
	rc.sign = make([][]int8, m)
	for j := range rc.sign {
		rc.sign[j] = make([]int8, n)
	}
	for _, ji := range exact.SignMatrix(wf, xf, rc.sign) {
		j, i := ji[0], ji[1]
		rc.sign[j][i] = int8(p.Neurons[j].W.Dot(p.X[i]).Sign())
	}
	rc.r = ResidualsOf(p)

	ws, as := make([]exact.Vec, m), make([]exact.Vec, m)
	for j, nr := range p.Neurons {
		ws[j], as[j] = nr.W, nr.A
	}
	rc.dX, rc.dW, rc.dA = ratDen(flatten(p.X)), ratDen(flatten(ws)), ratDen(flatten(as))
	rc.y = p.ShiftedTargets()
	rc.dR, rc.dY = ratDen(flatten(rc.r)), ratDen(flatten(rc.y))
	rc.dRho = ratDen([]*big.Rat{p.Act.Pos, p.Act.Neg})
	rc.mbX, rc.mbW, rc.mbA = magBits(p.X...), magBits(ws...), magBits(as...)
	rc.mbR, rc.mbY = magBits(rc.r...), magBits(rc.y...)
	rc.mbRho = magBits(exact.Vec{p.Act.Pos, p.Act.Neg})

	// The residual identity r_il + (y_il − b_l) − Σ_j a_jl ρ(w_j·x_i) = 0
	// for all i, l: denominator lcm(D_R, D_Y, D_ρ D_A D_W D_X).
	dF := new(big.Int).Mul(rc.dRho, rc.dA)
	dF.Mul(dF, rc.dW)
	dF.Mul(dF, rc.dX)
	dE := lcmInt(lcmInt(rc.dR, rc.dY), dF)
	bF := rc.mbA + rc.mbRho + rc.mbW + rc.mbX + bitlen(m*rc.d)
	bE := dE.BitLen() + max(rc.mbR, rc.mbY, bF) + 2
	rc.ensurePrimes(exact.PrimesFor(bE))
	if err := rc.verifyResiduals(exact.PrimesFor(bE)); err != nil {
		return nil, err
	}
	s := new(big.Rat)
	for _, r := range rc.r {
		s.Add(s, r.Norm2())
	}
	rc.loss = s.Quo(s, big.NewRat(2*int64(n), 1))
	return rc, nil
}

// ensurePrimes makes at least K prime images available. The primes are,
// in the order of exact.Primes31, those that divide no denominator of the
// data (so the first K are always the same).
func (rc *rechecker) ensurePrimes(K int) {
	if len(rc.images) >= K {
		return
	}
	all := new(big.Int).Mul(rc.dX, rc.dW)
	all.Mul(all, rc.dA)
	all.Mul(all, rc.dR)
	all.Mul(all, rc.dY)
	all.Mul(all, rc.dRho)
	var chosen []uint64
	for c := 2*K + 8; len(chosen) < K; c *= 2 {
		chosen = chosen[:0]
		for _, p := range exact.Primes31(c) {
			if len(chosen) == K {
				break
			}
			if exact.ModNat(all, p) != 0 {
				chosen = append(chosen, p)
			}
		}
	}
	for t := len(rc.images); t < K; t++ {
		rc.images = append(rc.images, rc.newImage(chosen[t]))
	}
}

// newImage reduces the data modulo p.
func (rc *rechecker) newImage(p uint64) *primeImage {
	n, d, k, m := rc.n, rc.d, rc.k, rc.m
	im := &primeImage{p: p, sums: map[int][2][]uint64{}}
	res := exact.NewResidues([]uint64{p})
	buf := make([]uint64, 1)
	bad := make([]bool, 1)
	mod := func(x *big.Rat) uint64 {
		res.Rat(x, buf, bad) // p divides no denominator of the data
		return buf[0]
	}
	im.x = make([]uint64, n*d)
	for i, x := range rc.p.X {
		for c, v := range x {
			if v.Sign() != 0 {
				im.x[i*d+c] = mod(v)
			}
		}
	}
	im.w = make([]uint64, m*d)
	im.a = make([]uint64, m*k)
	for j, nr := range rc.p.Neurons {
		for c, v := range nr.W {
			if v.Sign() != 0 {
				im.w[j*d+c] = mod(v)
			}
		}
		for l, v := range nr.A {
			if v.Sign() != 0 {
				im.a[j*k+l] = mod(v)
			}
		}
	}
	im.r = make([]uint64, n*k)
	im.y = make([]uint64, n*k)
	for i := range rc.r {
		for l := 0; l < k; l++ {
			if v := rc.r[i][l]; v.Sign() != 0 {
				im.r[i*k+l] = mod(v)
			}
			if v := rc.y[i][l]; v.Sign() != 0 {
				im.y[i*k+l] = mod(v)
			}
		}
	}
	im.sp, im.sn = mod(rc.p.Act.Pos), mod(rc.p.Act.Neg)
	im.half = (p + 1) / 2
	im.rx = make([]uint64, n*k*d)
	im.tot = make([]uint64, k*d)
	for i := 0; i < n; i++ {
		for l := 0; l < k; l++ {
			rl := im.r[i*k+l]
			if rl == 0 {
				continue
			}
			for c := 0; c < d; c++ {
				v := rl * im.x[i*d+c] % p
				im.rx[(i*k+l)*d+c] = v
				im.tot[l*d+c] += v
			}
		}
	}
	for q := range im.tot {
		im.tot[q] %= p
	}
	return im
}

// verifyResiduals checks r_i = f_θ(x_i) − y_i modulo the first K primes:
// f_θ(x_i) − b = (ρ₊ Σ_{j∈P_i} a_j w_jᵀ + ρ₋ Σ_{j∈N_i} a_j w_jᵀ)·x_i, with
// the output bias b taken into the targets (rc.y = y − b).
func (rc *rechecker) verifyResiduals(K int) error {
	n, d, k, m := rc.n, rc.d, rc.k, rc.m
	errs := make([]error, K)
	parallel(K, workers(n*m*d*K), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			im := rc.images[t]
			p := im.p
			aw := make([]uint64, m*k*d)
			for j := 0; j < m; j++ {
				for l := 0; l < k; l++ {
					a := im.a[j*k+l]
					for c := 0; c < d; c++ {
						aw[(j*k+l)*d+c] = a * im.w[j*d+c] % p
					}
				}
			}
			vp := make([]uint64, n*k*d)
			vn := make([]uint64, n*k*d)
			for j := 0; j < m; j++ {
				row := aw[j*k*d : (j+1)*k*d]
				for i, s := range rc.sign[j] {
					var dst []uint64
					switch s {
					case 1:
						dst = vp[i*k*d : (i+1)*k*d]
					case -1:
						dst = vn[i*k*d : (i+1)*k*d]
					default:
						continue
					}
					for q, v := range row {
						dst[q] += v
					}
				}
			}
			for i := 0; i < n; i++ {
				for l := 0; l < k; l++ {
					var fp, fn uint64
					for c := 0; c < d; c++ {
						xc := im.x[i*d+c]
						fp = (fp + vp[(i*k+l)*d+c]%p*xc) % p
						fn = (fn + vn[(i*k+l)*d+c]%p*xc) % p
					}
					f := (im.sp*fp + im.sn*fn) % p
					if (im.r[i*k+l]+im.y[i*k+l]+p-f)%p != 0 {
						errs[t] = fmt.Errorf("residual %d: r_i ≠ f_θ(x_i) − y_i (modulo %d)", i, p)
						return
					}
				}
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// masked returns Σ_{i∈P_j} r_i x_iᵀ and Σ_{i∈Z_j} r_i x_iᵀ modulo im.p
// (k·d entries each, reduced).
func (rc *rechecker) masked(im *primeImage, j int) (pos, zero []uint64) {
	im.mu.Lock()
	s, ok := im.sums[j]
	im.mu.Unlock()
	if ok {
		return s[0], s[1]
	}
	kd := rc.k * rc.d
	pos, zero = make([]uint64, kd), make([]uint64, kd)
	for i, sg := range rc.sign[j] {
		var dst []uint64
		switch {
		case rc.zeroX[i]:
			continue
		case sg == 1:
			dst = pos
		case sg == 0:
			dst = zero
		default:
			continue
		}
		for q, v := range im.rx[i*kd : (i+1)*kd] {
			dst[q] += v
		}
	}
	for q := range pos {
		pos[q] %= im.p
		zero[q] %= im.p
	}
	im.mu.Lock()
	im.sums[j] = [2][]uint64{pos, zero}
	im.mu.Unlock()
	return pos, zero
}

// combo returns c₊S⁺ + c₋S⁻ + c₀S⁰ modulo im.p (k·d entries), with
// S⁻ = total − S⁺ − S⁰.
func (rc *rechecker) combo(im *primeImage, j int, cp, cn, cz uint64) []uint64 {
	pos, zero := rc.masked(im, j)
	p := im.p
	out := make([]uint64, len(pos))
	for q := range out {
		neg := (im.tot[q] + 2*p - pos[q] - zero[q]) % p
		out[q] = (cp*pos[q] + cn*neg%p + cz*zero[q]) % p
	}
	return out
}

// s1Holds decides G_j = 0, i.e. (ρ₊S⁺_j + ρ₋S⁻_j)·w_j = 0 modulo enough
// primes.
func (rc *rechecker) s1Holds(j int) bool {
	D := new(big.Int).Mul(rc.dR, rc.dRho)
	D.Mul(D, rc.dW)
	D.Mul(D, rc.dX)
	B := D.BitLen() + rc.mbR + rc.mbRho + rc.mbW + rc.mbX + bitlen(rc.n*rc.d)
	K := exact.PrimesFor(B)
	rc.ensurePrimes(K)
	d, k := rc.d, rc.k
	for _, im := range rc.images[:K] {
		g := rc.combo(im, j, im.sp, im.sn, 0)
		for l := 0; l < k; l++ {
			var s uint64
			for c := 0; c < d; c++ {
				s = (s + g[l*d+c]*im.w[j*d+c]) % im.p
			}
			if s != 0 {
				return false
			}
		}
	}
	return true
}

// intVec writes a rational vector as num/den with an integer vector num and
// den > 0 the common denominator.
func intVec(v exact.Vec) ([]*big.Int, *big.Int) {
	den := ratDen(v)
	num := make([]*big.Int, len(v))
	for c, x := range v {
		num[c] = scaleInt(new(big.Int), x, den)
	}
	return num, den
}

func maxBitLen(xs []*big.Int) int {
	b := 0
	for _, x := range xs {
		b = max(b, x.BitLen())
	}
	return b
}

// vEquals decides v_j = −w for the (S2) vector
// v_j = Σ_l a_jl (ρ₊S⁺_j + ρ₋S⁻_j + ρ₋S⁰_j)_l and an exact rational w:
// Wd·v + Wn = 0 with w = Wn/Wd, modulo enough primes.
func (rc *rechecker) vEquals(j int, w exact.Vec) bool {
	wn, wd := intVec(w)
	Dv := new(big.Int).Mul(rc.dA, rc.dRho)
	Dv.Mul(Dv, rc.dR)
	Dv.Mul(Dv, rc.dX)
	bv := rc.mbA + rc.mbRho + rc.mbR + rc.mbX + bitlen(rc.n*rc.k)
	B := max(Dv.BitLen()+wd.BitLen()+bv, Dv.BitLen()+maxBitLen(wn)) + 1
	K := exact.PrimesFor(B)
	rc.ensurePrimes(K)
	d, k := rc.d, rc.k
	for _, im := range rc.images[:K] {
		p := im.p
		m := rc.combo(im, j, im.sp, im.sn, im.sn)
		wdm := exact.ModInt(wd, p)
		for c := 0; c < d; c++ {
			var v uint64
			for l := 0; l < k; l++ {
				v = (v + im.a[j*k+l]*m[l*d+c]) % p
			}
			if (wdm*v+exact.ModInt(wn[c], p))%p != 0 {
				return false
			}
		}
	}
	return true
}

// e1Vanishes decides (E1): ρ₊S⁺_j + ρ₋S⁻_j + ((ρ₊+ρ₋)/2)S⁰_j = 0.
func (rc *rechecker) e1Vanishes(j int) bool {
	D := new(big.Int).Mul(rc.dR, rc.dRho)
	D.Mul(D, rc.dX)
	D.Lsh(D, 1)
	B := D.BitLen() + rc.mbR + rc.mbRho + rc.mbX + bitlen(rc.n) + 1
	K := exact.PrimesFor(B)
	rc.ensurePrimes(K)
	for _, im := range rc.images[:K] {
		mid := (im.sp + im.sn) % im.p * im.half % im.p
		for _, v := range rc.combo(im, j, im.sp, im.sn, mid) {
			if v != 0 {
				return false
			}
		}
	}
	return true
}

// responseEquals decides Q_j(u) = q exactly: with u = Un/Ud and q = Qn/Qd,
// Qd·Q_j(Un) − Ud·Qn = 0 (Q_j is positively homogeneous), where
// Q_j(Un) = (ρ₊S⁺_j + ρ₋S⁻_j)·Un + Σ_{i∈Z_j} r_i ρ(x_i·Un).
func (rc *rechecker) responseEquals(j int, u, q exact.Vec) bool {
	un, ud := intVec(u)
	qn, qd := intVec(q)
	d, k := rc.d, rc.k
	// Boundary samples split by the exact sign of x_i·u.
	uf := exact.ToFloatVec(u)
	var zs []int
	var zsign []int8
	for i, sg := range rc.sign[j] {
		if sg != 0 || rc.zeroX[i] {
			continue
		}
		t, ok := exact.DotSign(exact.ToFloatVec(rc.p.X[i]), uf)
		if !ok {
			t = rc.p.X[i].Dot(u).Sign()
		}
		if t != 0 {
			zs = append(zs, i)
			zsign = append(zsign, int8(t))
		}
	}
	DQ := new(big.Int).Mul(rc.dR, rc.dRho)
	DQ.Mul(DQ, rc.dX)
	bq := rc.mbR + rc.mbRho + rc.mbX + maxBitLen(un) + bitlen(rc.n*d)
	B := max(DQ.BitLen()+qd.BitLen()+bq, DQ.BitLen()+ud.BitLen()+maxBitLen(qn)) + 1
	K := exact.PrimesFor(B)
	rc.ensurePrimes(K)
	for _, im := range rc.images[:K] {
		p := im.p
		m := rc.combo(im, j, im.sp, im.sn, 0)
		// Add the boundary samples with the slope of x_i·u's side.
		for z, i := range zs {
			sl := im.sp
			if zsign[z] < 0 {
				sl = im.sn
			}
			for q := 0; q < k*d; q++ {
				m[q] = (m[q] + sl*im.rx[i*k*d+q]) % p
			}
		}
		um := make([]uint64, d)
		for c := range um {
			um[c] = exact.ModInt(un[c], p)
		}
		qdm, udm := exact.ModInt(qd, p), exact.ModInt(ud, p)
		for l := 0; l < k; l++ {
			var s uint64
			for c := 0; c < d; c++ {
				s = (s + m[l*d+c]*um[c]) % p
			}
			if (qdm*s+p-udm*exact.ModInt(qn[l], p)%p)%p != 0 {
				return false
			}
		}
	}
	return true
}

// prepareNeurons computes every neuron's masked sums for the first K
// primes in parallel.
func (rc *rechecker) prepareNeurons(K int) {
	rc.ensurePrimes(K)
	parallelDynamic(rc.m, workers(rc.n*rc.m*rc.d*K), func(j int) {
		for _, im := range rc.images[:K] {
			rc.masked(im, j)
		}
	})
}

// s1Bits returns the bound on the integer behind n·G_j used by s1Holds.
func (rc *rechecker) s1Primes() int {
	D := new(big.Int).Mul(rc.dR, rc.dRho)
	D.Mul(D, rc.dW)
	D.Mul(D, rc.dX)
	return exact.PrimesFor(D.BitLen() + rc.mbR + rc.mbRho + rc.mbW + rc.mbX + bitlen(rc.n*rc.d))
}

// stationarity checks (S1) for every neuron and the (S2) cell proofs: in
// each cell, v + Σ_T κc_i x_i + Σ_{Z⁺} λ_i κc_i x_i = Σ_T μ_i x_i − Σ_{Z⁻∖T} μ_i x_i
// with λ ∈ [0, 1], μ ≥ 0 and the interior point on the right sides. The
// cells' vectors w = Σ_T κc_i x_i + Σ λ_i κc_i x_i − (Σ_T μ_i x_i − Σ_{Z⁻∖T} μ_i x_i)
// are evaluated exactly and must all equal −v, which is tested once by
// residues.
func (rc *rechecker) stationarity(proofs []StationarityProof) error {
	p := rc.p
	if err := rc.s0Holds(); err != nil {
		return err
	}
	byNeuron := map[int]*StationarityProof{}
	for k := range proofs {
		byNeuron[proofs[k].Neuron] = &proofs[k]
	}
	rc.prepareNeurons(rc.s1Primes())
	s1 := make([]bool, rc.m)
	parallelDynamic(rc.m, workers(rc.m*rc.k*rc.d*64), func(j int) { s1[j] = rc.s1Holds(j) })
	kappa := p.Act.Kappa()
	for j, nr := range p.Neurons {
		if !s1[j] {
			return fmt.Errorf("neurons[%d]: (S1) fails: n·G_j ≠ 0", j)
		}
		if nr.A.IsZero() {
			continue
		}
		pr := byNeuron[j]
		if pr == nil {
			return fmt.Errorf("neurons[%d]: no (S2) proof", j)
		}
		// Z⁺, Z⁻ and κc_i over the boundary samples.
		kc := map[int]*big.Rat{}
		var zp, zm []int
		for i, sg := range rc.sign[j] {
			if sg != 0 || rc.zeroX[i] {
				continue
			}
			c := nr.A.Dot(rc.r[i])
			if c.Sign() == 0 {
				continue
			}
			k := new(big.Rat).Mul(kappa, c)
			kc[i] = k
			switch k.Sign() {
			case 1:
				zp = append(zp, i)
			case -1:
				zm = append(zm, i)
			}
		}
		if !slices.Equal(zp, pr.ZPlus) || !slices.Equal(zm, pr.ZMinus) {
			return fmt.Errorf("neurons[%d]: (S2) proof has the wrong Z⁺/Z⁻", j)
		}
		if len(pr.Cells) == 0 {
			return fmt.Errorf("neurons[%d]: (S2) proof has no cell", j)
		}
		cw := rc.newCellWork(kc, zp, zm)
		var w0 exact.Vec
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
		}
		if !rc.vEquals(j, w0) {
			return fmt.Errorf("neurons[%d]: (S2) cell 0: the subgradient is not the dual-cone vector", j)
		}
	}
	return nil
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
}

func (rc *rechecker) newCellWork(kc map[int]*big.Rat, zp, zm []int) *cellWork {
	cw := &cellWork{rc: rc, zp: zp, zm: zm, kc: kc, kx: map[int][]*big.Int{}}
	vs := map[int]exact.Vec{}
	var all []*big.Rat
	for i, k := range kc {
		vs[i] = rc.p.X[i].Scale(k)
		all = append(all, vs[i]...)
	}
	cw.den = ratDen(all)
	for i, v := range vs {
		ints := make([]*big.Int, len(v))
		for c, x := range v {
			ints[c] = scaleInt(new(big.Int), x, cw.den)
		}
		cw.kx[i] = ints
	}
	cw.xf = make([]exact.FloatVec, len(zm))
	for c, i := range zm {
		cw.xf[c] = exact.ToFloatVec(rc.p.X[i])
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
			s = p.X[i].Dot(cell.Point).Sign()
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
				rest.AddScaled(new(big.Rat).Neg(mu), p.X[i])
			}
		} else if mu.Sign() != 0 {
			rest.AddScaled(mu, p.X[i])
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
			rest.AddScaled(new(big.Rat).Mul(l, cw.kc[i]), p.X[i])
		}
	}
	w := make(exact.Vec, d)
	for c := range w {
		w[c] = new(big.Rat).SetFrac(&acc[c], cw.den)
		w[c].Add(w[c], rest[c])
	}
	return w, nil
}

// e2Vanishes decides (E2) for neuron j: on every line through 0 holding
// boundary samples, Σ |t_i| r_i = 0 (exact rationals; lines grouped by
// their normalised representative).
func (rc *rechecker) e2Vanishes(j int) bool {
	sums := map[string]exact.Vec{}
	var key []byte
	for i, sg := range rc.sign[j] {
		if sg != 0 || rc.zeroX[i] {
			continue
		}
		e, t := lineOf(rc.p.X[i])
		key = appendLineKey(key[:0], e)
		s := sums[string(key)]
		if s == nil {
			s = exact.NewVec(rc.k)
			sums[string(key)] = s
		}
		s.AddScaled(t.Abs(t), rc.r[i])
	}
	for _, s := range sums {
		if !s.IsZero() {
			return false
		}
	}
	return true
}

// safeRadiusOK checks |δw_j·x_i| < |w_j·x_i| for every neuron j with
// δw_j ≠ 0 and every i ∉ Z_j (neurons with δw_j = 0 cannot leave their
// pattern). Signs come from the filter, with big.Rat where it cannot
// decide: |z| − |δz| = (s_z w_j − s_δ δw_j)·x_i for the signs s_z, s_δ.
func (rc *rechecker) safeRadiusOK(delta Direction) error {
	p := rc.p
	for j, dj := range delta {
		if dj.W.IsZero() {
			continue
		}
		w := p.Neurons[j].W
		df := exact.ToFloatVec(dj.W)
		combo := map[[2]int8]exact.FloatVec{}
		for i, x := range p.X {
			sz := rc.sign[j][i]
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

func noNilVec(v exact.Vec) bool {
	for _, x := range v {
		if x == nil {
			return false
		}
	}
	return true
}

// s0Holds checks (S0) of Theorem S for a network with an output bias:
// Σ_i r_i = 0 over the verified residuals (nothing to check without one).
func (rc *rechecker) s0Holds() error {
	if !rc.p.HasOutputBias() {
		return nil
	}
	g := exact.NewVec(rc.k)
	for _, r := range rc.r {
		g = g.Add(r)
	}
	if !g.IsZero() {
		return fmt.Errorf("output_bias: (S0) fails: Σ_i r_i = %v ≠ 0", g)
	}
	return nil
}

// lossAlong returns L(θ + τ(Δ, db)) by evaluating the network directly,
// split as f_{θ+τΔ}(x_i) = f_θ(x_i) − g_0(x_i) + g_τ(x_i) + τ·db, where g_τ
// is the network of the neurons Δ moves, at θ + τΔ, and db the move of the
// output bias (nil: none): r_i(τ) = r_i − g_0(x_i) + g_τ(x_i) + τ·db with
// the verified residuals r_i at θ. Only the moved neurons are evaluated.
func (rc *rechecker) lossAlong(delta Direction, db exact.Vec, tau *big.Rat) *big.Rat {
	p := rc.p
	var moved []int
	for j, dj := range delta {
		if !dj.W.IsZero() || !dj.A.IsZero() {
			moved = append(moved, j)
		}
	}
	if db != nil {
		db = db.Scale(tau)
	}
	if len(moved) == 0 && db == nil {
		return new(big.Rat).Set(rc.loss)
	}
	sub := func(t *big.Rat) []exact.Vec {
		q := &Point{Act: p.Act, X: p.X, Y: make([]exact.Vec, rc.n)}
		for i := range q.Y {
			q.Y[i] = exact.NewVec(rc.k)
		}
		for _, j := range moved {
			nr := p.Neurons[j]
			if t.Sign() != 0 {
				nr = Neuron{W: nr.W.Add(delta[j].W.Scale(t)), A: nr.A.Add(delta[j].A.Scale(t))}
			}
			q.Neurons = append(q.Neurons, nr)
		}
		if rc.xEngine == nil {
			rc.xEngine = newSignEngine(&Point{Act: p.Act, X: p.X})
		}
		return newEngineX(q, rc.xEngine).r // = g_t(x_i), targets 0
	}
	g0, gt := sub(new(big.Rat)), sub(tau)
	if db == nil {
		db = exact.NewVec(rc.k)
	}
	// Σ_i |r_i − g0_i + gt_i + db|² in integers over one common denominator.
	all := flatten(rc.r)
	all = append(all, flatten(g0)...)
	all = append(all, flatten(gt)...)
	all = append(all, db...)
	D := ratDen(all)
	sum := new(big.Int)
	var a, b big.Int
	for i := range rc.r {
		for l := 0; l < rc.k; l++ {
			scaleInt(&a, rc.r[i][l], D)
			a.Sub(&a, scaleInt(&b, g0[i][l], D))
			a.Add(&a, scaleInt(&b, gt[i][l], D))
			a.Add(&a, scaleInt(&b, db[l], D))
			sum.Add(sum, b.Mul(&a, &a))
		}
	}
	den := new(big.Int).Mul(D, D)
	den.Mul(den, big.NewInt(2*int64(rc.n)))
	return new(big.Rat).SetFrac(sum, den)
}

// faceBase returns ρ₊S⁺_j + ρ₋S⁻_j (k×d, the samples off neuron j's
// hyperplane) exactly. The value comes from the integer engine and is
// verified by residues before it is used: M_d·(ρ₊S⁺_j + ρ₋S⁻_j) − M_n = 0
// with M = M_n/M_d.
func (rc *rechecker) faceBase(j int) (exact.Mat, error) {
	if M, ok := rc.bases[j]; ok {
		return M, nil
	}
	if rc.ev == nil {
		rc.ev = newEngine(rc.p)
		rc.bases = map[int]exact.Mat{}
	}
	e := rc.ev
	M := e.combo(j, nil, e.sp, e.sn, nil, e.ds)
	var all exact.Vec
	for _, row := range M {
		all = append(all, row...)
	}
	mn, md := intVec(all)
	D := new(big.Int).Mul(rc.dR, rc.dRho)
	D.Mul(D, rc.dX)
	bm := rc.mbR + rc.mbRho + rc.mbX + bitlen(rc.n)
	B := max(D.BitLen()+md.BitLen()+bm, D.BitLen()+maxBitLen(mn)) + 1
	K := exact.PrimesFor(B)
	rc.ensurePrimes(K)
	for _, im := range rc.images[:K] {
		p := im.p
		v := rc.combo(im, j, im.sp, im.sn, 0)
		mdm := exact.ModInt(md, p)
		for q := range v {
			if (mdm*v[q]+p-exact.ModInt(mn[q], p))%p != 0 {
				return nil, fmt.Errorf("neurons[%d]: the response off the hyperplane does not match its definition", j)
			}
		}
	}
	rc.bases[j] = M
	return M, nil
}
