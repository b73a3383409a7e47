package recheck

import (
	"fmt"
	"math/big"
	"math/bits"
	"slices"
	"sync"

	"github.com/relucert/relucert/exact"
	par "github.com/relucert/relucert/internal/parallel"
	"github.com/relucert/relucert/network"
)

// This file is the arithmetic of Recheck at scale. It shares no code with
// the integer engine Check uses (package verify): the residuals
// r_i = f_θ(x_i) − y_i are reconstructed from their residues (Chinese
// remaindering), and the zero tests of Recheck — (S1) G_j = 0, the (S2)
// vector v against the cell proofs, (E1), and the escape witnesses'
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
	mod    exact.Modulus // p, for reduction without division
	x      []uint64      // n×d
	w      []uint64      // m×d
	a      []uint64      // m×k
	r      []uint64      // n×k
	y      []uint64      // n×k
	rx     []uint64      // n×(k·d): r_il x_ic
	tot    []uint64      // k·d
	sp, sn uint64        // ρ₊, ρ₋
	half   uint64        // 1/2

	mu   sync.Mutex
	sums map[int][2][]uint64 // neuron → (Σ_P rx, Σ_Z rx)
}

// rechecker holds what Recheck evaluates once per point.
type rechecker struct {
	p          *network.Point
	n, d, k, m int
	sign       [][]int8
	zeroX      []bool
	r          []exact.Vec
	loss       *big.Rat
	// y are the targets less the output bias, y_i − b.
	y []exact.Vec

	images []*primeImage

	// bases holds the matrices ρ₊S⁺_j + ρ₋S⁻_j of faceBase.
	bases map[int]exact.Mat
	// lastMoved is the direction lossAlong evaluated last.
	lastMoved *moved

	// Common denominators (lcm) and magnitude bits (|entry| < 2^bits) of
	// the data.
	dX, dW, dA, dR, dY, dRho *big.Int
	mbX, mbW, mbA, mbR, mbY  int
	mbRho                    int

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

// newRechecker computes the signs, the residuals (from their residues) and
// the loss of p (valid).
func newRechecker(p *network.Point, stop exact.Stop) (*rechecker, error) {
	rc := &rechecker{p: p, n: p.N(), d: p.D(), k: p.K(), m: p.M(), stop: stop}
	n, m := rc.n, rc.m
	// Signs: filter, then big.Rat.
	xf := make([]exact.FloatVec, n)
	rc.zeroX = make([]bool, n)
	for i, x := range p.X {
		xf[i] = exact.ToFloatVec(x)
		rc.zeroX[i] = x.IsZero()
		rc.tick()
	}
	wf := make([]exact.FloatVec, m)
	for j, nr := range p.Neurons {
		wf[j] = exact.ToFloatVec(nr.W)
	}
	rc.sign = make([][]int8, m)
	for j := range rc.sign {
		rc.sign[j] = make([]int8, n)
	}
	rc.poll()
	for _, ji := range exact.SignMatrix(wf, xf, rc.sign) {
		j, i := ji[0], ji[1]
		rc.sign[j][i] = int8(p.Neurons[j].W.Dot(p.X[i]).Sign())
		rc.tick()
	}
	rc.poll()

	ws, as := make([]exact.Vec, m), make([]exact.Vec, m)
	for j, nr := range p.Neurons {
		ws[j], as[j] = nr.W, nr.A
	}
	rc.dX, rc.mbX = exact.DenominatorBits(p.X)
	rc.dW, rc.mbW = exact.DenominatorBits(ws)
	rc.dA, rc.mbA = exact.DenominatorBits(as)
	rc.y = p.ShiftedTargets()
	rc.dY, rc.mbY = exact.DenominatorBits(rc.y)
	rc.dRho, rc.mbRho = exact.DenominatorBits([]exact.Vec{{p.Act.Pos, p.Act.Neg}})

	// r_il = Σ_j a_jl ρ(w_j·x_i) − (y_il − b_l): times
	// D_E = lcm(D_Y, D_ρ D_A D_W D_X) it is an integer N_il with
	// |N_il| < 2^(bE−1), reconstructed from its residues.
	dF := new(big.Int).Mul(rc.dRho, rc.dA)
	dF.Mul(dF, rc.dW)
	dF.Mul(dF, rc.dX)
	dE := lcmInt(rc.dY, dF)
	bF := rc.mbA + rc.mbRho + rc.mbW + rc.mbX + bitlen(m*rc.d)
	bE := dE.BitLen() + max(rc.mbY, bF) + 2
	rc.residuals(exact.PrimesFor(bE), dE)
	rc.poll()
	rc.dR, rc.mbR = exact.DenominatorBits(rc.r)
	s := new(big.Rat)
	for _, r := range rc.r {
		s.Add(s, r.Norm2())
	}
	rc.loss = s.Quo(s, big.NewRat(2*int64(n), 1))
	return rc, nil
}

// ensurePrimes makes at least K prime images available. The primes are,
// in the order of exact.Primes31, those that divide no denominator of the
// data (so the first K are always the same); they divide no denominator of
// the residuals either, which divide D_E.
func (rc *rechecker) ensurePrimes(K int) {
	if len(rc.images) >= K {
		return
	}
	all := new(big.Int).Mul(rc.dX, rc.dW)
	all.Mul(all, rc.dA)
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
	rc.images = append(rc.images, rc.newImages(chosen[len(rc.images):K])...)
}

// newImages reduces the data modulo each prime of ps, in one pass over the
// rationals (every entry reduced modulo all the primes at once; the inputs'
// rows split between the cores).
func (rc *rechecker) newImages(ps []uint64) []*primeImage {
	n, d, k, m := rc.n, rc.d, rc.k, rc.m
	ims := make([]*primeImage, len(ps))
	for t, p := range ps {
		ims[t] = &primeImage{p: p, mod: exact.NewModulus(p), sums: map[int][2][]uint64{}, half: (p + 1) / 2,
			x: make([]uint64, n*d), w: make([]uint64, m*d), a: make([]uint64, m*k), y: make([]uint64, n*k)}
	}
	// The residues go straight into every image's slices (exact.Residues.Row).
	xs, ys, rs := make([][]uint64, len(ps)), make([][]uint64, len(ps)), make([][]uint64, len(ps))
	for t, im := range ims {
		if rc.r != nil {
			im.r = make([]uint64, n*k)
		}
		xs[t], ys[t], rs[t] = im.x, im.y, im.r
	}
	par.Chunks(n, par.Workers(n*d*len(ps)), func(_, lo, hi int) {
		res := exact.NewRowResidues(ps)
		for i := lo; i < hi; i++ {
			if rc.stop.Stopped() {
				return // polled below
			}
			res.Row(rc.p.X[i], xs, i*d)
			res.Row(rc.y[i][:k], ys, i*k)
			if rc.r != nil {
				res.Row(rc.r[i][:k], rs, i*k)
			}
		}
	})
	rc.poll()
	res := exact.NewRowResidues(ps)
	ws, as := make([][]uint64, len(ps)), make([][]uint64, len(ps))
	for t, im := range ims {
		ws[t], as[t] = im.w, im.a
	}
	for j, nr := range rc.p.Neurons {
		res.Row(nr.W, ws, j*d)
		res.Row(nr.A, as, j*k)
	}
	rho := make([][]uint64, len(ps))
	for t := range rho {
		rho[t] = make([]uint64, 2)
	}
	res.Row(exact.Vec{rc.p.Act.Pos, rc.p.Act.Neg}, rho, 0)
	for t, im := range ims {
		im.sp, im.sn = rho[t][0], rho[t][1]
		if rc.r != nil {
			rc.products(im)
		}
	}
	return ims
}

// products fills im.rx (r_il x_ic) and im.tot (their sums over i) from the
// residues of the residuals.
func (rc *rechecker) products(im *primeImage) {
	n, d, k, md := rc.n, rc.d, rc.k, im.mod
	im.rx = make([]uint64, n*k*d)
	im.tot = make([]uint64, k*d)
	for i := 0; i < n; i++ {
		x := im.x[i*d : (i+1)*d]
		for l := 0; l < k; l++ {
			rl := im.r[i*k+l]
			if rl == 0 {
				continue
			}
			rx, tot := im.rx[(i*k+l)*d:(i*k+l+1)*d], im.tot[l*d:(l+1)*d]
			for c, xc := range x {
				v := md.MulMod(rl, xc)
				rx[c] = v
				tot[c] += v
			}
		}
	}
	for q := range im.tot {
		im.tot[q] = md.Reduce(im.tot[q])
	}
}

// residuals computes r_i = f_θ(x_i) − y_i exactly: modulo each of the first
// K primes, f_θ(x_i) − b = (ρ₊ Σ_{j∈P_i} a_j w_jᵀ + ρ₋ Σ_{j∈N_i} a_j w_jᵀ)·x_i
// (the output bias b taken into the targets, rc.y = y − b), and the integer
// D_E·r_il, whose magnitude is below half the primes' product, is
// reconstructed from its residues by Chinese remaindering.
func (rc *rechecker) residuals(K int, dE *big.Int) {
	n, d, k, m := rc.n, rc.d, rc.k, rc.m
	rc.ensurePrimes(K)
	// The neurons in chunks of g: bit b of selP[i·nc + c] says that
	// neuron c·g + b is active on x_i (selN: negative side), so that the
	// sums Σ_{j∈P_i} a_j w_jᵀ take one row addition per chunk
	// (exact.AddSelectedSums), not one per neuron.
	const g = 8
	kd := k * d
	nc := (m + g - 1) / g
	neg := rc.p.Act.Neg.Sign() != 0
	selP := make([]uint8, n*nc)
	var selN []uint8
	if neg {
		selN = make([]uint8, n*nc)
	}
	for j, sg := range rc.sign {
		c, bit := j/g, uint8(1)<<(j%g)
		for i, s := range sg {
			switch {
			case s == 1:
				selP[i*nc+c] |= bit
			case s == -1 && neg:
				selN[i*nc+c] |= bit
			}
		}
	}
	// Samples in blocks of B: the sums of a block fit in cache, and the
	// 2^g-row tables are formed once per block and chunk.
	B := min(max(1<<18/max(kd, 1), 256), 4096, n)
	par.Chunks(K, par.Workers(n*m*d*K), func(_, lo, hi int) {
		vp := make([]uint64, B*kd)
		var vn []uint64
		if neg {
			vn = make([]uint64, B*kd)
		}
		table := make([]uint64, (1<<g)*kd)
		for t := lo; t < hi; t++ {
			im := rc.images[t]
			p, md := im.p, im.mod
			aw := make([]uint64, m*kd)
			for j := 0; j < m; j++ {
				for l := 0; l < k; l++ {
					a := im.a[j*k+l]
					for c := 0; c < d; c++ {
						aw[(j*k+l)*d+c] = md.MulMod(a, im.w[j*d+c])
					}
				}
			}
			im.r = make([]uint64, n*k)
			for b0 := 0; b0 < n; b0 += B {
				if rc.stop.Stopped() {
					return // polled below
				}
				b1 := min(n, b0+B)
				clear(vp)
				exact.AddSelectedSums(vp, kd, b1-b0, aw, kd, m, kd, selP[b0*nc:b1*nc], g, 1, table)
				if neg {
					clear(vn)
					exact.AddSelectedSums(vn, kd, b1-b0, aw, kd, m, kd, selN[b0*nc:b1*nc], g, 1, table)
				}
				for i := b0; i < b1; i++ {
					for l := 0; l < k; l++ {
						var fp, fn uint64
						row := ((i-b0)*k + l) * d
						x := im.x[i*d : (i+1)*d]
						for c, xc := range x {
							fp = md.Reduce(fp + md.MulMod(md.Reduce(vp[row+c]), xc))
						}
						if neg {
							for c, xc := range x {
								fn = md.Reduce(fn + md.MulMod(md.Reduce(vn[row+c]), xc))
							}
						}
						f := md.Reduce(md.MulMod(im.sp, fp) + md.MulMod(im.sn, fn))
						im.r[i*k+l] = md.Reduce(f + p - im.y[i*k+l])
					}
				}
			}
			rc.products(im)
		}
	})
	rc.poll()
	ps := make([]uint64, K)
	scale := make([]uint64, K)
	for t, im := range rc.images[:K] {
		ps[t] = im.p
		scale[t] = exact.ModNat(dE, im.p)
	}
	crt := exact.NewCRT(ps)
	rc.r = make([]exact.Vec, n)
	res := make([]uint64, K)
	var N big.Int
	for i := range rc.r {
		rc.r[i] = make(exact.Vec, k)
		for l := 0; l < k; l++ {
			for t, im := range rc.images[:K] {
				res[t] = im.r[i*k+l] * scale[t] % im.p
			}
			rc.r[i][l] = new(big.Rat).SetFrac(crt.Int(&N, res), dE)
		}
		rc.tick()
	}
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
		pos[q] = im.mod.Reduce(pos[q])
		zero[q] = im.mod.Reduce(zero[q])
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
	den := exact.CommonDenominator(v)
	num := make([]*big.Int, len(v))
	for c, x := range v {
		num[c] = exact.ScaleInt(new(big.Int), x, den)
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
// primes in parallel. For many neurons, Σ_{i∈P_j} r_i x_iᵀ of all neurons
// at once: the samples in chunks of g, each chunk's 2^g subset sums formed
// once and one of them added per neuron (exact.AddSelectedSums), instead of
// one row addition per neuron and active sample.
func (rc *rechecker) prepareNeurons(K int) {
	rc.ensurePrimes(K)
	n, m, kd := rc.n, rc.m, rc.k*rc.d
	g := 0
	switch {
	case m >= 512:
		g = 8
	case m >= 64:
		g = 4
	}
	if g > 0 {
		nc := (n + g - 1) / g
		sel := make([]uint8, m*nc)
		zeros := make([][]int, m)
		for j, sg := range rc.sign {
			row := sel[j*nc : (j+1)*nc]
			for i, s := range sg {
				switch {
				case rc.zeroX[i]:
				case s == 1:
					row[i/g] |= 1 << (i % g)
				case s == 0:
					zeros[j] = append(zeros[j], i)
				}
			}
		}
		W := par.Workers(n * m * kd * K)
		par.Dynamic(K*W, W, func(u int) {
			if rc.stop.Stopped() {
				return // polled by the caller's next step
			}
			im := rc.images[u/W]
			lo, hi := (u%W)*m/W, (u%W+1)*m/W
			pos := make([]uint64, (hi-lo)*kd)
			table := make([]uint64, (1<<g)*kd)
			exact.AddSelectedSums(pos, kd, hi-lo, im.rx, kd, n, kd, sel[lo*nc:hi*nc], g, 1, table)
			for j := lo; j < hi; j++ {
				ps, zero := pos[(j-lo)*kd:(j-lo+1)*kd:(j-lo+1)*kd], make([]uint64, kd)
				for _, i := range zeros[j] {
					for q, v := range im.rx[i*kd : (i+1)*kd] {
						zero[q] += v
					}
				}
				for q := range ps {
					ps[q] = im.mod.Reduce(ps[q])
					zero[q] = im.mod.Reduce(zero[q])
				}
				im.mu.Lock()
				im.sums[j] = [2][]uint64{ps, zero}
				im.mu.Unlock()
			}
		})
		rc.poll()
		return
	}
	// Few neurons: one pass over each image's rows r_i x_iᵀ adds row i to
	// the sums of every neuron it belongs to (the rows are read once, not
	// once per neuron; the m sums stay in cache).
	par.Dynamic(K, par.Workers(n*m*kd*K), func(t int) {
		im := rc.images[t]
		pos, zero := make([]uint64, m*kd), make([]uint64, m*kd)
		for i := 0; i < n; i++ {
			if rc.zeroX[i] {
				continue
			}
			if i&1023 == 0 && rc.stop.Stopped() {
				return // polled by the caller's next step
			}
			row := im.rx[i*kd : (i+1)*kd : (i+1)*kd]
			for j, sg := range rc.sign {
				var dst []uint64
				switch sg[i] {
				case 1:
					dst = pos[j*kd : (j+1)*kd : (j+1)*kd]
				case 0:
					dst = zero[j*kd : (j+1)*kd : (j+1)*kd]
				default:
					continue
				}
				for q, v := range row {
					dst[q] += v
				}
			}
		}
		for q := range pos {
			pos[q] = im.mod.Reduce(pos[q])
			zero[q] = im.mod.Reduce(zero[q])
		}
		im.mu.Lock()
		for j := 0; j < m; j++ {
			im.sums[j] = [2][]uint64{pos[j*kd : (j+1)*kd : (j+1)*kd], zero[j*kd : (j+1)*kd : (j+1)*kd]}
		}
		im.mu.Unlock()
	})
	rc.poll()
}

// s1Bits returns the bound on the integer behind n·G_j used by s1Holds.
func (rc *rechecker) s1Primes() int {
	D := new(big.Int).Mul(rc.dR, rc.dRho)
	D.Mul(D, rc.dW)
	D.Mul(D, rc.dX)
	return exact.PrimesFor(D.BitLen() + rc.mbR + rc.mbRho + rc.mbW + rc.mbX + bitlen(rc.n*rc.d))
}

// s2Proof checks the (S2) proof of neuron j (a_j ≠ 0): Z⁺ and Z⁻ as
// recomputed, and in each cell
// v + Σ_T κc_i x_i + Σ_{Z⁺} λ_i κc_i x_i = Σ_T μ_i x_i − Σ_{Z⁻∖T} μ_i x_i
// with λ ∈ [0, 1], μ ≥ 0 and the interior point on the right sides. The
// cells' vectors w = Σ_T κc_i x_i + Σ λ_i κc_i x_i − (Σ_T μ_i x_i − Σ_{Z⁻∖T} μ_i x_i)
// are evaluated exactly and must all equal −v, which is tested once by
// residues. Then the cells must be all the cells of the Z⁻ arrangement
// (checkCover).
func (rc *rechecker) s2Proof(j int, pr *StationarityProof) error {
	p := rc.p
	nr := p.Neurons[j]
	kappa := p.Act.Kappa()
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
	if pr.QZero {
		return rc.qZero(j, "(S2)", len(pr.Cells) > 0 || pr.Cover != nil)
	}
	if len(pr.Cells) == 0 {
		return fmt.Errorf("neurons[%d]: (S2) proof has no cell", j)
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
		hs[c] = p.X[i]
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
		vs[i] = rc.p.X[i].Scale(k)
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
// boundary samples, Σ |t_i| r_i = 0 (exact rationals; lines grouped by
// exact.Vec.AppendLineKey). With e_ℓ = x/x_c for the first nonzero
// coordinate c of the line (the same c for all its samples), t_i = x_i[c].
func (rc *rechecker) e2Vanishes(j int) bool {
	sums := map[string]exact.Vec{}
	var key []byte
	t := new(big.Rat)
	for i, sg := range rc.sign[j] {
		if sg != 0 || rc.zeroX[i] {
			continue
		}
		x := rc.p.X[i]
		for _, xc := range x {
			if xc.Sign() != 0 {
				t.Abs(xc)
				break
			}
		}
		key = x.AppendLineKey(key[:0])
		s := sums[string(key)]
		if s == nil {
			s = exact.NewVec(rc.k)
			sums[string(key)] = s
		}
		s.AddScaled(t, rc.r[i])
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
func (rc *rechecker) safeRadiusOK(delta network.Direction) error {
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

// s0Holds checks (S0) of Theorem S for a network with an output bias:
// Σ_i r_i = 0 over the residuals (nothing to check without one).
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
	for i, r := range rc.r {
		for l, x := range r {
			compactSet(&mv.rr[i*k+l], exact.ScaleInt(&tmp, x, mv.dR))
		}
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
	for i, x := range p.X {
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
// hyperplane) exactly: D·(ρ₊S⁺_j + ρ₋S⁻_j) with D = D_R D_ρ D_X is an
// integer matrix, reconstructed from its residues.
func (rc *rechecker) faceBase(j int) exact.Mat {
	if M, ok := rc.bases[j]; ok {
		return M
	}
	if rc.bases == nil {
		rc.bases = map[int]exact.Mat{}
	}
	D := new(big.Int).Mul(rc.dR, rc.dRho)
	D.Mul(D, rc.dX)
	B := D.BitLen() + rc.mbR + rc.mbRho + rc.mbX + bitlen(rc.n) + 2
	K := exact.PrimesFor(B)
	rc.ensurePrimes(K)
	ps := make([]uint64, K)
	vals := make([][]uint64, K)
	for t, im := range rc.images[:K] {
		ps[t] = im.p
		v := rc.combo(im, j, im.sp, im.sn, 0)
		dm := exact.ModNat(D, im.p)
		for q := range v {
			v[q] = v[q] * dm % im.p
		}
		vals[t] = v
	}
	crt := exact.NewCRT(ps)
	M := exact.NewMat(rc.k, rc.d)
	res := make([]uint64, K)
	var N big.Int
	for l := range M {
		for c := range M[l] {
			for t := range vals {
				res[t] = vals[t][l*rc.d+c]
			}
			M[l][c].SetFrac(crt.Int(&N, res), D)
		}
	}
	rc.bases[j] = M
	return M
}

func bitlen(n int) int { return bits.Len(uint(n)) }
