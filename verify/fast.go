package verify

import (
	"encoding/binary"
	"math/big"
	"math/bits"
	"slices"
	"sync"

	"github.com/relucert/relucert/exact"
	par "github.com/relucert/relucert/internal/parallel"
)

// This file holds the exact evaluation engine behind Check at scale. It
// computes exactly what the definitions of docs/theory.md §1 say, with the same
// results as evaluating them in big.Rat, only organised for speed:
//
//   - Common denominators. The inputs, input weights, output weights and
//     slopes are scaled to integers by one common denominator per kind
//     (X̄ = D_X·X, W̄ = D_W·W, Ā = D_A·A, ρ± = s±/D_ρ; for float-derived
//     data the denominators are powers of two), held as fixed-width
//     integers (exact.IntMat); every sum below is an exact integer sum whose
//     width is chosen from a bound on its size.
//   - Filtered signs. The sign of w_j·x_i comes from exact.SignMatrix (a
//     float64 evaluation with a rigorous error bound); the pairs it cannot
//     decide — in practice the boundary samples — are decided by an exact
//     integer inner product.
//   - Linearity. Because ρ(w_j·x_i) = s_ij·(w_j·x_i) with the slope s_ij of
//     the side of sample i, every quantity of the theory is linear in a few
//     pattern-masked sums:
//     f(x_i) = (ρ₊ Σ_{j∈P_i} a_j w_jᵀ + ρ₋ Σ_{j∈N_i} a_j w_jᵀ)·x_i, and per
//     neuron the k×d matrices S±_j = Σ_{i∈P_j / N_j} r_i x_iᵀ and
//     S⁰_j = Σ_{i∈Z_j} r_i x_iᵀ, from which
//     n·G_j = (ρ₊S⁺_j + ρ₋S⁻_j)·w_j, the (S2) vector v and the (E1) matrix
//     follow by a few products. Each pair (i, j) costs one addition of
//     fixed-width integers; sums are taken over the smaller of the two sides
//     and the other side is the total minus it.
//   - Per-neuron (and per-sample) parallelism over GOMAXPROCS goroutines.
//   - Fresh memory. The first touch of a page costs a page fault (13–22 µs
//     of CPU on a loaded virtual machine, measured) and a single Check of
//     a small instance allocates less than the collector's first goal, so
//     every byte it allocates is a fresh page: at n = 10³ the faults cost
//     as much as the arithmetic. Buffers are reused from stage to stage
//     where their sizes allow, and nothing is allocated per pair.

// engine holds the integer images of a point, its exact activation signs
// and residuals, and (lazily) the per-neuron masked sums.
type engine struct {
	p          *Point
	n, d, k, m int

	// X̄ = dx·X (n×d, entries of xW words) is stored in x, except for
	// float data (dx = 2^xE): then x is nil and xRow/xEntry form its
	// entries from the float64s xf on demand (a stored X̄ took twice the
	// data's float64 size).
	x      *exact.IntMat
	xE, xW int
	dx     *big.Int
	w      *exact.IntMat // W̄ = dw·W, m×d
	dw     *big.Int
	bx, bw int // bit bounds of |X̄|, |W̄| entries
	xf, wf []exact.FloatVec
	zeroX  []bool
	wZero  []bool
	aZero  []bool

	// sp, sn over ds are the slopes ρ₊ and ρ₋.
	sp, sn, ds *big.Int

	// sg holds the sign of every w_j·x_i (signs.go).
	sg *signSet

	// rbar = dr·r are the exact residuals as integers (n×k), br the bit
	// length of the largest; rcache holds those asked for as rationals.
	rbar   *exact.IntMat
	dr     *big.Int
	br     int
	rmu    sync.Mutex
	rcache map[int]exact.Vec

	// The sums pass (datapass.go): spos[j] holds S⁺_j (k·d entries of
	// sumW words; nil when it is zero), szero[j] S⁰_j (nil when j has no
	// boundary sample) and tot = Σ_i r̄_i ⊗ x̄_i; S⁻_j is formed when asked
	// for (neuronSums), never kept: m copies of it and of a zero S⁰_j or
	// S⁺_j were m·k·d·sumW words each.
	spos     [][]uint64
	szero    [][]uint64
	tot      []uint64
	noSums   []uint64 // k·d zero entries: S⁰_j of a neuron without boundary
	sumW     int
	sumsOnce sync.Once
	spare    []uint64 // the residual pass's Ā⊗W̄ words, for the sums pass (nil once used)
	// resTables: the residual pass took V⁺_i from subset-sum tables
	// (exact.PatternProducts), not from per-block selected sums.
	resTables bool

	// lk is lineKey's result, made once (lineKeys scans X̄; every
	// neuron's (E2) groups its boundary by it).
	lk     lineKey
	lkOnce sync.Once

	// pl unwinds Check when its time budget runs out (nil: never).
	pl *poller
}

// neuronSums are S⁺_j, S⁰_j and the total Σ_i r̄_i ⊗ x̄_i (each k·d
// entries, row-major by output, of width w = engine.sumW) with common
// denominator dr·dx; S⁻_j is their difference (negInto).
type neuronSums struct {
	pos, zero, tot []uint64
	w              int
}

// ratDen and scaleInt are exact.CommonDenominator and exact.ScaleInt.
func ratDen(xs []*big.Rat) *big.Int { return exact.CommonDenominator(xs) }

func scaleInt(z *big.Int, x *big.Rat, D *big.Int) *big.Int { return exact.ScaleInt(z, x, D) }

// intImage returns the integer matrix D·rows (rows of equal length c) with
// D the common denominator, and the bit length of its largest entry.
func intImage(rows []exact.Vec, c int) (*exact.IntMat, *big.Int, int) {
	return intImageStop(rows, c, nil)
}

// intImageStop is intImage polling pl.
func intImageStop(rows []exact.Vec, c int, pl *poller) (*exact.IntMat, *big.Int, int) {
	const stage = "setting up the exact engine (integer images)"
	var all []*big.Rat
	for _, r := range rows {
		all = append(all, r...)
		pl.tick(stage)
	}
	D := ratDen(all)
	if c == 0 {
		return exact.NewIntMat(len(rows), 0, 1), D, 0
	}
	// Fast path for dyadic data: D = 2^E and x = num/2^e, so D·x =
	// num·2^(E−e), written into the words directly (no big.Int).
	if E := int(D.TrailingZeroBits()); D.BitLen()-1 == E {
		b := 0
		for _, x := range all {
			if x.Sign() == 0 {
				continue
			}
			b = max(b, x.Num().BitLen()+E-denExp(x))
			pl.tick(stage)
		}
		m := exact.NewIntMat(len(rows), c, exact.WordsFor(b+1))
		for q, x := range all {
			if x.Sign() != 0 {
				exact.SetShiftedWords(m.Entry(q/c, q%c), x.Num().Bits(), uint(E-denExp(x)), x.Sign() < 0)
			}
		}
		return m, D, b
	}
	ints := make([]big.Int, len(all))
	b := 0
	for i, x := range all {
		scaleInt(&ints[i], x, D)
		if l := ints[i].BitLen(); l > b {
			b = l
		}
		pl.tick(stage)
	}
	m := exact.NewIntMat(len(rows), c, exact.WordsFor(b+1))
	for i := range all {
		m.Set(i/c, i%c, &ints[i])
	}
	return m, D, b
}

// denExp returns e for a dyadic x = num/2^e (0 for an integer).
func denExp(x *big.Rat) int {
	if x.IsInt() {
		return 0
	}
	return int(x.Denom().TrailingZeroBits())
}

// workers, parallel, parallelIdx and parallelDynamic are the loops of
// package internal/parallel.
func workers(work int) int { return par.Workers(work) }

// parallel runs f(lo, hi) over a partition of [0, n) into w chunks.
func parallel(n, w int, f func(lo, hi int)) {
	par.Chunks(n, w, func(_, lo, hi int) { f(lo, hi) })
}

func parallelIdx(n, w int, f func(t, lo, hi int)) { par.Chunks(n, w, f) }

func parallelDynamic(n, w int, f func(j int)) { par.Dynamic(n, w, f) }

func bitlen(n int) int { return bits.Len(uint(n)) }

// newEngine builds the integer images, the exact signs and the residuals
// of p (which must be valid).
func newEngine(p *Point) *engine { return newEngineStop(p, nil, nil) }

// newEngineStop is newEngine reusing the images of the inputs of xs, an
// engine of a point with the same inputs p.X (nil: none), polling pl at
// every stage (see budget.go).
func newEngineStop(p *Point, xs *engine, pl *poller) *engine {
	e := newSignEngineStop(p, xs, pl)
	e.residuals()
	return e
}

// newSignEngine builds the integer images of the inputs and input weights
// and the exact signs only; p needs consistent X and W shapes (targets and
// output weights are not read).
func newSignEngine(p *Point) *engine { return newSignEngineX(p, nil) }

func newSignEngineX(p *Point, xs *engine) *engine { return newSignEngineStop(p, xs, nil) }

func newSignEngineStop(p *Point, xs *engine, pl *poller) *engine {
	e := &engine{p: p, n: p.N(), d: p.D(), k: p.K(), m: p.M(), pl: pl}
	m := e.m
	switch {
	case xs != nil:
		e.x, e.xE, e.xW, e.dx, e.bx, e.xf, e.zeroX = xs.x, xs.xE, xs.xW, xs.dx, xs.bx, xs.xf, xs.zeroX
	default:
		var ok bool
		if _, e.dx, e.bx, e.xf, e.zeroX, ok = floatImages(p.X, false, pl); ok {
			e.xE = int(e.dx.TrailingZeroBits())
		} else {
			e.x, e.dx, e.bx, e.xf, e.zeroX = images(p.X, pl)
		}
		e.xW = exact.WordsFor(e.bx + 1)
		if e.x != nil {
			e.xW = e.x.W
		}
	}
	ws := make([]exact.Vec, m)
	for j, nr := range p.Neurons {
		ws[j] = nr.W
	}
	e.w, e.dw, e.bw, e.wf, e.wZero = images(exact.RatMatOf(ws), pl)
	e.aZero = make([]bool, m)
	for j, nr := range p.Neurons {
		e.aZero[j] = nr.A.IsZero()
	}
	e.ds = ratDen([]*big.Rat{p.Act.Pos, p.Act.Neg})
	e.sp = scaleInt(new(big.Int), p.Act.Pos, e.ds)
	e.sn = scaleInt(new(big.Int), p.Act.Neg, e.ds)

	e.sg = e.signPass()
	return e
}

// xRow returns X̄_i (d entries of xW words, read-only): the stored row, or
// for float data the row formed in buf (at least d·xW words).
func (e *engine) xRow(i int, buf []uint64) []uint64 {
	if e.x != nil {
		return e.x.Row(i)
	}
	W := e.xW
	for c, x := range e.xf[i].F {
		exact.FloatImageWords(buf[c*W:(c+1)*W], x, e.xE)
	}
	return buf[:e.d*W]
}

// xBlock returns the rows X̄_{i0}, …, X̄_{i1−1} one after the other (d
// entries of xW words each; read-only): the stored rows, or for float data
// the rows formed in buf (at least (i1−i0)·d·xW words). The passes over the
// data take their inputs from it, each entry formed once per block instead
// of once per use.
func (e *engine) xBlock(i0, i1 int, buf []uint64) []uint64 {
	rw := e.d * e.xW
	if e.x != nil {
		return e.x.Data[i0*rw : i1*rw]
	}
	for i := i0; i < i1; i++ {
		e.xRow(i, buf[(i-i0)*rw:])
	}
	return buf[:(i1-i0)*rw]
}

// xEntry returns X̄_ic (xW words, read-only), formed in buf (at least xW
// words) for float data.
func (e *engine) xEntry(i, c int, buf []uint64) []uint64 {
	if e.x != nil {
		return e.x.Entry(i, c)
	}
	exact.FloatImageWords(buf[:e.xW], e.xf[i].F[c], e.xE)
	return buf[:e.xW]
}

// signBlock, when positive, is the block size of signPass (a multiple of
// 64; a variable so that tests can cut small instances into many blocks).
var signBlock = 0

// signPass computes the sign of every w_j·x_i: the float64 filter
// (exact.SignMatrix), then an exact integer inner product for each pair it
// cannot decide. The samples go in blocks of a multiple of 64 (all neurons
// at once, the block's inputs staying in the cache), the blocks of one
// round in parallel; the pattern is written straight into its compact form
// (signs.go), so the m×n signs exist only one block at a time. The time
// budget is asked after each round.
func (e *engine) signPass() *signSet {
	const stage = "setting up the exact engine (signs of w_j·x_i)"
	n, d, m := e.n, e.d, e.m
	sg := newSignSet(n, m, e.zeroX)
	if n == 0 || m == 0 {
		return sg
	}
	// B samples per block, a multiple of 64 (whole words of the bitsets):
	// the block's m·B signs within 1 MiB, its inputs within 256 KiB.
	B := min((1<<20)/m, (1<<15)/max(d, 1))
	B = max(64, B-B%64)
	if signBlock > 0 {
		B = signBlock
	}
	if B >= n {
		B = n
	}
	nb := (n + B - 1) / B
	nw := workers(n * m * d)
	type block struct {
		signs []int8   // m rows of B
		rows  [][]int8 // the m rows of signs in use
		zeros [][2]int
	}
	blocks := make([]block, nw)
	for t := range blocks {
		blocks[t].signs = make([]int8, m*B)
		blocks[t].rows = make([][]int8, m)
	}
	accW := exact.WordsFor(e.bx + e.bw + bitlen(d) + 1)
	for r0 := 0; r0 < nb; r0 += nw {
		r1 := min(r0+nw, nb)
		parallelIdx(r1-r0, r1-r0, func(t, _, _ int) {
			b := &blocks[t]
			i0 := (r0 + t) * B
			i1 := min(i0+B, n)
			T := i1 - i0
			rows := b.rows // reused: a header per block was 4 MB at n = 10⁴, m = 2048
			for j := range rows {
				rows[j] = b.signs[j*T : (j+1)*T]
			}
			und := exact.SignMatrix(e.wf, e.xf[i0:i1], rows)
			if len(und) > 0 {
				acc, xb := make([]uint64, accW), make([]uint64, d*e.xW)
				for _, ji := range und {
					j, i := ji[0], i0+ji[1]
					clear(acc)
					exact.DotWords(acc, e.w.Row(j), e.w.W, e.xRow(i, xb), e.xW)
					rows[j][ji[1]] = int8(exact.WordsSign(acc))
				}
			}
			// P_j straight into its words (blocks hold whole words); the
			// boundaries are added in order after the round.
			b.zeros = b.zeros[:0]
			for j, row := range rows {
				pos := sg.posRow(j)
				for q, v := range row {
					i := i0 + q
					// Bit i of P_j without a branch on the sign
					// (unpredictable): 1 for v = 1, 0 for v = 0 and −1.
					u := uint64(uint8(v))
					pos[i>>6] |= (u & 1 &^ (u >> 7)) << (i & 63)
					if v == 0 && !e.zeroX[i] {
						b.zeros = append(b.zeros, [2]int{j, q})
					}
				}
			}
		})
		for t := 0; t < r1-r0; t++ {
			i0 := (r0 + t) * B
			for _, z := range blocks[t].zeros {
				sg.bnd[z[0]].add(i0+z[1], n)
			}
		}
		e.pl.now(stage)
	}
	return sg
}

// preRow returns w_j·x_i exactly for every sample.
func (e *engine) preRow(j int) []*big.Rat {
	row := make([]*big.Rat, e.n)
	acc := make([]uint64, exact.WordsFor(e.bx+e.bw+bitlen(e.d)+1))
	den := new(big.Int).Mul(e.dw, e.dx)
	var z big.Int
	xb := make([]uint64, e.d*e.xW)
	for i := range row {
		if e.sg.sign(j, i) == 0 {
			row[i] = new(big.Rat)
			continue
		}
		clear(acc)
		exact.DotWords(acc, e.w.Row(j), e.w.W, e.xRow(i, xb), e.xW)
		row[i] = new(big.Rat).SetFrac(exact.WordsInt(&z, acc), den)
	}
	return row
}

// dotSum returns the integer (sum entry row l, k·d layout)·v for an integer
// vector v of width wv.
func (e *engine) dotSum(sum []uint64, l int, v []uint64, wv int, z *big.Int) *big.Int {
	acc := make([]uint64, e.sumW+wv+1)
	exact.DotWords(acc, sum[l*e.d*e.sumW:(l+1)*e.d*e.sumW], e.sumW, v, wv)
	return exact.WordsInt(z, acc)
}

// gradient returns G_j = (1/n)(ρ₊S⁺_j + ρ₋S⁻_j)·w_j.
func (e *engine) gradient(j int) exact.Vec {
	g := exact.NewVec(e.k)
	if e.wZero[j] {
		return g
	}
	s := e.neuronSums(j)
	den := new(big.Int).Mul(e.ds, e.dr)
	den.Mul(den, e.dx)
	den.Mul(den, e.dw)
	den.Mul(den, big.NewInt(int64(e.n)))
	wj := e.w.Row(j)
	// ρ₊S⁺ + ρ₋S⁻ = (ρ₊ − ρ₋)S⁺ + ρ₋(total − S⁰).
	cp, ct, cz := sumCoeffs(e.sp, e.sn, nil)
	var a, b big.Int
	for l := 0; l < e.k; l++ {
		num := new(big.Int)
		for _, term := range []struct {
			c *big.Int
			w []uint64
		}{{cp, s.pos}, {ct, s.tot}, {cz, s.zero}} {
			if term.c != nil && term.c.Sign() != 0 {
				num.Add(num, b.Mul(e.dotSum(term.w, l, wj, e.w.W, &a), term.c))
			}
		}
		g[l].SetFrac(num, den)
	}
	return g
}

// response returns Q_j(u) = (ρ₊S⁺_j + ρ₋S⁻_j)·u + Σ_{i∈Z_j} r_i ρ(x_i·u),
// the boundary samples split by the exact sign of x_i·u (filtered).
func (e *engine) response(j int, u exact.Vec) exact.Vec {
	q := exact.NewVec(e.k)
	if u.IsZero() {
		return q
	}
	s := e.neuronSums(j)
	um, du, bu := intImage([]exact.Vec{u}, e.d)
	uw := um.Row(0)
	uf := exact.ToFloatVec(u)
	L := e.k * e.d * e.sumW
	pos, neg := make([]uint64, L), make([]uint64, L)
	copy(pos, s.pos)
	s.negInto(neg)
	acc := make([]uint64, exact.WordsFor(e.bx+bu+bitlen(e.d)+1))
	xb := make([]uint64, e.d*e.xW)
	e.sg.bnd[j].each(0, e.n, func(i int) {
		t, ok := exact.DotSign(e.xf[i], uf)
		if !ok {
			clear(acc)
			exact.DotWords(acc, e.xRow(i, xb), e.xW, uw, um.W)
			t = exact.WordsSign(acc)
		}
		switch t {
		case 1:
			exact.AddWords(pos, e.rxRow(i), e.sumW)
		case -1:
			exact.AddWords(neg, e.rxRow(i), e.sumW)
		}
	})
	den := new(big.Int).Mul(e.ds, e.dr)
	den.Mul(den, e.dx)
	den.Mul(den, du)
	var a, b big.Int
	for l := 0; l < e.k; l++ {
		num := new(big.Int)
		if e.sp.Sign() != 0 {
			num.Mul(e.dotSum(pos, l, uw, um.W, &a), e.sp)
		}
		if e.sn.Sign() != 0 {
			num.Add(num, b.Mul(e.dotSum(neg, l, uw, um.W, &a), e.sn))
		}
		q[l].SetFrac(num, den)
	}
	return q
}

// combo returns Σ_l a_l (c₊S⁺_j + c₋S⁻_j + c₀S⁰_j)_l ∈ Q^d for integer
// slope numerators c± , c₀ over den (sums with den·dr·dx), computed in
// integers; a nil a means the k×d matrix is wanted instead (returned as
// rows). Entries that vanish are exact zeros without any normalisation.
func (e *engine) combo(j int, a exact.Vec, cp, cn, cz *big.Int, den *big.Int) exact.Mat {
	rows := e.k
	D := new(big.Int).Mul(den, e.dr)
	D.Mul(D, e.dx)
	abar, da := intCoeffs(a)
	if a != nil {
		rows = 1
		D.Mul(D, da)
	}
	out := make(exact.Mat, rows)
	for r := range out {
		out[r] = make(exact.Vec, e.d)
	}
	e.comboColumns(j, abar, cp, cn, cz, func(c int, num []big.Int) bool {
		for r := range out {
			if num[r].Sign() == 0 {
				out[r][c] = new(big.Rat)
			} else {
				out[r][c] = new(big.Rat).SetFrac(&num[r], D)
			}
		}
		return true
	})
	return out
}

// comboVecIsZero reports whether combo(j, a, cp, cn, cz, ·) is the zero
// vector, in integers: no rational is formed (a vector of d rationals per
// neuron was most of Check's garbage at m = 2048, d = 256).
func (e *engine) comboVecIsZero(j int, a exact.Vec, cp, cn, cz *big.Int) bool {
	abar, _ := intCoeffs(a)
	zero := true
	e.comboColumns(j, abar, cp, cn, cz, func(_ int, num []big.Int) bool {
		zero = num[0].Sign() == 0
		return zero
	})
	return zero
}

// intCoeffs returns the integers ā = da·a and their common denominator da
// (nil, nil for a nil a).
func intCoeffs(a exact.Vec) ([]big.Int, *big.Int) {
	if a == nil {
		return nil, nil
	}
	da := ratDen(a)
	abar := make([]big.Int, len(a))
	for l := range abar {
		scaleInt(&abar[l], a[l], da)
	}
	return abar, da
}

// comboColumns calls f for every column c, in order, with the integer
// numerators of column c of combo: num[0] = Σ_l ā_l (c₊S⁺_j + c₋S⁻_j +
// c₀S⁰_j)_lc for integer coefficients ā, or for a nil ā num[l] = (c₊S⁺_j +
// c₋S⁻_j + c₀S⁰_j)_lc (l < k). num is reused between calls; f returns false
// to stop.
func (e *engine) comboColumns(j int, abar []big.Int, cp, cn, cz *big.Int, f func(c int, num []big.Int) bool) {
	s := e.neuronSums(j)
	rows := e.k
	if abar != nil {
		rows = 1
	}
	cp, cn, cz = sumCoeffs(cp, cn, cz)
	var t, u big.Int
	num := make([]big.Int, rows)
	for c := 0; c < e.d; c++ {
		for r := range num {
			num[r].SetInt64(0)
		}
		for l := 0; l < e.k; l++ {
			q := (l*e.d + c) * e.sumW
			t.SetInt64(0)
			for _, term := range []struct {
				c *big.Int
				w []uint64
			}{{cp, s.pos}, {cn, s.tot}, {cz, s.zero}} {
				if term.c == nil || term.c.Sign() == 0 {
					continue
				}
				w := term.w[q : q+e.sumW]
				if exact.WordsIsZero(w) {
					continue
				}
				exact.WordsInt(&u, w)
				t.Add(&t, u.Mul(&u, term.c))
			}
			if t.Sign() == 0 {
				continue
			}
			if abar != nil {
				num[0].Add(&num[0], u.Mul(&t, &abar[l]))
			} else {
				num[l].Set(&t)
			}
		}
		if !f(c, num) {
			return
		}
	}
}

// comboIsZero reports whether c₊S⁺_j + c₋S⁻_j + c₀S⁰_j = 0 (combo with a
// nil a, every entry zero), in integers: no rational is formed.
func (e *engine) comboIsZero(j int, cp, cn, cz *big.Int) bool {
	s := e.neuronSums(j)
	cp, cn, cz = sumCoeffs(cp, cn, cz)
	var terms []struct {
		c []uint64
		w []uint64
	}
	cb := 0
	for _, t := range []struct {
		c *big.Int
		w []uint64
	}{{cp, s.pos}, {cn, s.tot}, {cz, s.zero}} {
		if t.c != nil && t.c.Sign() != 0 {
			terms = append(terms, struct {
				c []uint64
				w []uint64
			}{intWords(t.c), t.w})
			cb = max(cb, t.c.BitLen())
		}
	}
	acc := make([]uint64, exact.WordsFor(64*e.sumW+cb+3))
	for q := 0; q < e.k*e.d; q++ {
		clear(acc)
		for _, t := range terms {
			exact.MulAddWords(acc, t.w[q*e.sumW:(q+1)*e.sumW], t.c)
		}
		if !exact.WordsIsZero(acc) {
			return false
		}
	}
	return true
}

// loss returns L = (1/2n) Σ_i |r_i|² = Σ_i |r̄_i|² / (2n·dr²).
func (e *engine) loss() *big.Rat {
	// Σ r̄² in fixed-width words: each square has at most 2·br bits.
	N, W := e.n*e.k, e.rbar.W
	acc := make([]uint64, exact.WordsFor(2*e.br+bitlen(N)+1))
	for q := 0; q < N; q++ {
		if w := e.rbar.Data[q*W : (q+1)*W]; !exact.WordsIsZero(w) {
			exact.MulAddWords(acc, w, w)
		}
	}
	sum := exact.WordsInt(new(big.Int), acc)
	den := new(big.Int).Mul(e.dr, e.dr)
	den.Mul(den, big.NewInt(2*int64(e.n)))
	return new(big.Rat).SetFrac(sum, den)
}

// expansion returns the coefficients of σ ↦ L(θ + σΔ) − L(θ) of (★) for a
// direction moving the given neurons (the others have δw_j = 0, δa_j = 0):
// with α_i = Σ_j δa_j ρ(z_ij) + a_j ρ'(z_ij; t_ij), β_i = Σ_j δa_j ρ'(z_ij; t_ij),
// z_ij = w_j·x_i and t_ij = δw_j·x_i,
// c₁ = Σ r_i·α_i/n, c₂ = Σ (r_i·β_i + |α_i|²/2)/n, c₃ = Σ α_i·β_i/n,
// c₄ = Σ |β_i|²/2n. Every term is an integer over a common denominator:
// α_i = Ā_i/D_α with D_α = D_δa D_A D_ρ D_X D_W D_δ, β_i = B̄_i/D_β with
// D_β = D_δa D_ρ D_δ D_X, r_i = R̄_i/d_r.
//
// A move db of the output bias adds db to every α_i; the sums Σ_i α_i and
// Σ_i β_i (over D_α and D_β) give the extra terms, added in rationals.
func (e *engine) expansion(delta Direction, moved []int, db exact.Vec) exact.Poly {
	c := exact.Poly{new(big.Rat), new(big.Rat), new(big.Rat), new(big.Rat), new(big.Rat)}
	if db != nil && db.IsZero() {
		db = nil
	}
	if len(moved) == 0 {
		if db != nil {
			// α_i = db, β_i = 0.
			e.addBiasTerms(c, db, nil, nil)
		}
		return c
	}
	n, d, k := e.n, e.d, e.k
	dws, das, as := make([]exact.Vec, len(moved)), make([]exact.Vec, len(moved)), make([]exact.Vec, len(moved))
	for q, j := range moved {
		dws[q], das[q], as[q] = delta[j].W, delta[j].A, e.p.Neurons[j].A
	}
	dW, dd, bd := intImage(dws, d)
	dA, dda, _ := intImage(das, k)
	aa, da, _ := intImage(as, k)
	// Coefficients of the two kinds of α terms over D_α.
	fz := new(big.Int).Mul(da, dd)    // δa ρ(z):   δĀ s Z̄ · D_A D_δ
	ft := new(big.Int).Mul(dda, e.dw) // a ρ'(z;t): Ā s' T̄ · D_δa D_W
	zW := exact.WordsFor(e.bx + e.bw + bitlen(d) + 1)
	tW := exact.WordsFor(e.bx + bd + bitlen(d) + 1)
	type acc struct {
		s1, s2a, s2b, s3, s4 big.Int
		sa, sb               []big.Int // Σ_i α_i, Σ_i β_i (k entries)
	}
	nw := workers(n * len(moved) * d * 16)
	parts := make([]acc, max(nw, 1))
	parallelIdx(n, nw, func(part, lo, hi int) {
		out := &parts[part]
		out.sa, out.sb = make([]big.Int, k), make([]big.Int, k)
		zacc := make([]uint64, zW)
		tacc := make([]uint64, tW)
		xb := make([]uint64, d*e.xW)
		var Z, T, u, v big.Int
		alpha := make([]big.Int, k)
		beta := make([]big.Int, k)
		var r big.Int
		for i := lo; i < hi; i++ {
			for l := 0; l < k; l++ {
				alpha[l].SetInt64(0)
				beta[l].SetInt64(0)
			}
			xi := e.xRow(i, xb)
			for q, j := range moved {
				sz := e.sg.sign(j, i)
				if sz != 0 {
					clear(zacc)
					exact.DotWords(zacc, e.w.Row(j), e.w.W, xi, e.xW)
					exact.WordsInt(&Z, zacc)
				} else {
					Z.SetInt64(0)
				}
				clear(tacc)
				exact.DotWords(tacc, dW.Row(q), dW.W, xi, e.xW)
				exact.WordsInt(&T, tacc)
				st := int(sz)
				if st == 0 {
					st = T.Sign()
				}
				slz, slt := e.sp, e.sp
				if sz < 0 {
					slz = e.sn
				}
				if st < 0 {
					slt = e.sn
				}
				// ρ(z)·D_ρD_WD_X = s_z Z̄ and ρ'(z;t)·D_ρD_δD_X = s_t T̄.
				if Z.Sign() != 0 {
					Z.Mul(&Z, slz)
				}
				if T.Sign() != 0 {
					T.Mul(&T, slt)
				}
				for l := 0; l < k; l++ {
					if Z.Sign() != 0 {
						dA.Get(q, l, &u)
						if u.Sign() != 0 {
							u.Mul(&u, &Z)
							alpha[l].Add(&alpha[l], u.Mul(&u, fz))
						}
					}
					if T.Sign() != 0 {
						aa.Get(q, l, &u)
						if u.Sign() != 0 {
							u.Mul(&u, &T)
							alpha[l].Add(&alpha[l], u.Mul(&u, ft))
						}
						dA.Get(q, l, &u)
						if u.Sign() != 0 {
							beta[l].Add(&beta[l], u.Mul(&u, &T))
						}
					}
				}
			}
			for l := 0; l < k; l++ {
				e.rbar.Get(i, l, &r)
				a, b := &alpha[l], &beta[l]
				out.sa[l].Add(&out.sa[l], a)
				out.sb[l].Add(&out.sb[l], b)
				if r.Sign() != 0 {
					out.s1.Add(&out.s1, v.Mul(&r, a))
					out.s2a.Add(&out.s2a, v.Mul(&r, b))
				}
				out.s2b.Add(&out.s2b, v.Mul(a, a))
				out.s3.Add(&out.s3, v.Mul(a, b))
				out.s4.Add(&out.s4, v.Mul(b, b))
			}
		}
	})
	var tot acc
	tot.sa, tot.sb = make([]big.Int, k), make([]big.Int, k)
	for q := range parts {
		for l := 0; l < k; l++ {
			if parts[q].sa != nil {
				tot.sa[l].Add(&tot.sa[l], &parts[q].sa[l])
				tot.sb[l].Add(&tot.sb[l], &parts[q].sb[l])
			}
		}
		tot.s1.Add(&tot.s1, &parts[q].s1)
		tot.s2a.Add(&tot.s2a, &parts[q].s2a)
		tot.s2b.Add(&tot.s2b, &parts[q].s2b)
		tot.s3.Add(&tot.s3, &parts[q].s3)
		tot.s4.Add(&tot.s4, &parts[q].s4)
	}
	Dalpha := new(big.Int).Mul(dda, da)
	Dalpha.Mul(Dalpha, e.ds)
	Dalpha.Mul(Dalpha, e.dx)
	Dalpha.Mul(Dalpha, e.dw)
	Dalpha.Mul(Dalpha, dd)
	Dbeta := new(big.Int).Mul(dda, e.ds)
	Dbeta.Mul(Dbeta, dd)
	Dbeta.Mul(Dbeta, e.dx)
	nn := big.NewInt(int64(n))
	frac := func(num *big.Int, dens ...*big.Int) *big.Rat {
		den := new(big.Int).Set(nn)
		for _, x := range dens {
			den.Mul(den, x)
		}
		return new(big.Rat).SetFrac(num, den)
	}
	two := big.NewInt(2)
	c[1] = frac(&tot.s1, e.dr, Dalpha)
	c[2] = frac(&tot.s2a, e.dr, Dbeta)
	c[2].Add(c[2], frac(&tot.s2b, two, Dalpha, Dalpha))
	c[3] = frac(&tot.s3, Dalpha, Dbeta)
	c[4] = frac(&tot.s4, two, Dbeta, Dbeta)
	if db != nil {
		sa, sb := make(exact.Vec, k), make(exact.Vec, k)
		for l := 0; l < k; l++ {
			sa[l], sb[l] = frac(&tot.sa[l], Dalpha), frac(&tot.sb[l], Dbeta)
		}
		e.addBiasTerms(c, db, sa, sb)
	}
	return c
}

// addBiasTerms adds to the coefficients c of (★) the terms of a move db of
// the output bias, which adds db to every α_i: with ḡ = (1/n) Σ_i r_i and
// the means ᾱ = (1/n) Σ_i α_i, β̄ = (1/n) Σ_i β_i (given as sa = ᾱ, sb = β̄;
// nil for zero), c₁ += db·ḡ, c₂ += db·ᾱ + |db|²/2, c₃ += db·β̄.
func (e *engine) addBiasTerms(c exact.Poly, db, sa, sb exact.Vec) {
	g := e.residualSum()
	t := db.Dot(g)
	c[1].Add(c[1], t.Mul(t, big.NewRat(1, int64(e.n))))
	h := db.Norm2()
	c[2].Add(c[2], h.Quo(h, big.NewRat(2, 1)))
	if sa != nil {
		c[2].Add(c[2], db.Dot(sa))
		c[3].Add(c[3], db.Dot(sb))
	}
}

// safeRadius returns min |w_j·x_i| / |δw_j·x_i| over the given neurons and
// the samples with both nonzero (nil when there is none), comparing the
// integer ratios |Z̄_ij| / |T̄_ij| (Z̄ = W̄_j·X̄_i, T̄ = δW̄_j·X̄_i) by cross
// multiplication; the radius is |Z̄|·D_δ / (|T̄|·D_W).
func (e *engine) safeRadius(delta Direction, moved []int) *big.Rat {
	if len(moved) == 0 {
		return nil
	}
	d := e.d
	dws := make([]exact.Vec, len(moved))
	for q, j := range moved {
		dws[q] = delta[j].W
	}
	dW, dd, bd := intImage(dws, d)
	zacc := make([]uint64, exact.WordsFor(e.bx+e.bw+bitlen(d)+1))
	tacc := make([]uint64, exact.WordsFor(e.bx+bd+bitlen(d)+1))
	var bestZ, bestT, Z, T, l, r big.Int
	found := false
	xb := make([]uint64, d*e.xW)
	for q, j := range moved {
		for i := 0; i < e.n; i++ {
			if e.sg.sign(j, i) == 0 {
				continue
			}
			xi := e.xRow(i, xb)
			clear(tacc)
			exact.DotWords(tacc, dW.Row(q), dW.W, xi, e.xW)
			if exact.WordsIsZero(tacc) {
				continue
			}
			exact.WordsInt(&T, tacc)
			T.Abs(&T)
			clear(zacc)
			exact.DotWords(zacc, e.w.Row(j), e.w.W, xi, e.xW)
			exact.WordsInt(&Z, zacc)
			Z.Abs(&Z)
			if !found || l.Mul(&Z, &bestT).Cmp(r.Mul(&bestZ, &T)) < 0 {
				bestZ.Set(&Z)
				bestT.Set(&T)
				found = true
			}
		}
	}
	if !found {
		return nil
	}
	return new(big.Rat).SetFrac(bestZ.Mul(&bestZ, dd), bestT.Mul(&bestT, e.dw))
}

// totalRX returns Σ_i r_i x_iᵀ (k×d) from the engine's integer total.
func (e *engine) totalRX() exact.Mat {
	e.prepareSums()
	D := new(big.Int).Mul(e.dr, e.dx)
	out := exact.NewMat(e.k, e.d)
	var u big.Int
	for l := 0; l < e.k; l++ {
		for c := 0; c < e.d; c++ {
			q := (l*e.d + c) * e.sumW
			if w := e.tot[q : q+e.sumW]; !exact.WordsIsZero(w) {
				out[l][c].SetFrac(exact.WordsInt(&u, w), D)
			}
		}
	}
	return out
}

// lineKey returns the lineKey of the engine's samples (the same each
// call, safe for concurrent use): for float data the
// quotient keys of floatLineKey (the primitive integer keys of lineKeys
// only for samples whose quotients round alike off their line), else
// lineKeys' exact keys.
func (e *engine) lineKey() lineKey {
	e.lkOnce.Do(func() {
		if e.x == nil {
			e.lk = floatLineKey(func(i int) []float64 { return e.xf[i].F }, e.lineKeys())
			return
		}
		e.lk = exactLineKey(e.lineKeys(), e.sameInput)
	})
	return e.lk
}

// lineKeys returns a key function for groupLines on the engine's samples:
// the primitive vector of the integer row X̄_i = D_X·x_i up to sign, in
// int64 words when every entry of X̄ fits (an abs of −2⁶³ does not), else
// from big integers (exact.AppendPrimitiveKey). Equal keys iff the samples are on
// one line.
func (e *engine) lineKeys() func(buf []byte, i int) []byte {
	W := e.xW
	// The rows of float data are formed in pooled buffers (the keys are
	// computed in parallel).
	pool := sync.Pool{New: func() any { b := make([]uint64, e.d*W); return &b }}
	withRow := func(i int, f func(row []uint64)) {
		if e.x != nil {
			f(e.x.Row(i))
			return
		}
		b := pool.Get().(*[]uint64)
		f(e.xRow(i, *b))
		pool.Put(b)
	}
	bigInts := func(row []uint64) []big.Int {
		ints := make([]big.Int, e.d)
		for c := range ints {
			exact.WordsInt(&ints[c], row[c*W:(c+1)*W])
		}
		return ints
	}
	fast := W == 1 // |X̄| < 2^bx ≤ 2⁶² for float data: no −2⁶³
	if e.x != nil {
		for _, w := range e.x.Data {
			if !fast || w == 1<<63 {
				fast = false
				break
			}
		}
	}
	if !fast {
		if W != 2 {
			return func(buf []byte, i int) []byte {
				withRow(i, func(row []uint64) { buf = exact.AppendPrimitiveKey(buf, bigInts(row)) })
				return buf
			}
		}
		// Two-word entries: the primitive vector in two words per entry
		// (marker 0), by shifts when the row's gcd is a power of two, else
		// from big integers; a primitive vector that needs more words takes
		// exact.AppendPrimitiveKey (marker 1). The key depends only on the
		// primitive vector, so parallel rows get equal keys whichever way
		// they were computed.
		return func(buf []byte, i int) []byte {
			withRow(i, func(row []uint64) { buf = appendKeyWide(buf, row, bigInts) })
			return buf
		}
	}
	return func(buf []byte, i int) []byte {
		withRow(i, func(row []uint64) { buf = appendKey64(buf, row) })
		return buf
	}
}

// appendKeyWide appends the line key of a row of two-word entries (see
// lineKeys).
func appendKeyWide(buf []byte, row []uint64, bigInts func(row []uint64) []big.Int) []byte {
	if k, ok := appendKey128(append(buf, 0), row); ok {
		return k
	}
	ints := bigInts(row)
	primitiveInPlace(ints)
	w := make([]uint64, 2)
	k := append(buf, 0)
	for c := range ints {
		if !exact.SetWords(w, &ints[c]) {
			return exact.AppendPrimitiveKey(append(buf, 1), ints)
		}
		k = binary.LittleEndian.AppendUint64(k, w[0])
		k = binary.LittleEndian.AppendUint64(k, w[1])
	}
	return k
}

// appendKey64 appends the line key of a row of one-word entries (none
// −2⁶³): the primitive vector up to sign.
func appendKey64(buf []byte, row []uint64) []byte {
	var g uint64
	neg := false
	first := true
	for _, w := range row {
		v := int64(w)
		if v == 0 {
			continue
		}
		if first {
			neg, first = v < 0, false
		}
		if g != 1 {
			g = gcd64(g, abs64(v))
		}
	}
	for _, w := range row {
		v := int64(w)
		if g > 1 {
			v /= int64(g)
		}
		if neg {
			v = -v
		}
		buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
	}
	return buf
}

// sameInput reports whether x_i = x_j (equal rows of the integer image).
// For float data the float64s are the inputs themselves.
func (e *engine) sameInput(i, j int) bool {
	if e.x == nil {
		return slices.Equal(e.xf[i].F, e.xf[j].F)
	}
	return slices.Equal(e.x.Row(i), e.x.Row(j))
}

// appendKey128 appends the primitive vector of a row of two-word entries
// (two's complement) whose gcd is a power of two 2^s (float-derived data:
// the odd parts of the first entries are almost always coprime): the
// entries shifted right by s and negated when the first nonzero one is
// negative, two words each. ok is false when the gcd has an odd factor > 1
// or an entry is −2¹²⁷ (the caller computes the primitive vector from big
// integers then).
func appendKey128(buf []byte, row []uint64) ([]byte, bool) {
	d := len(row) / 2
	shift := 128
	neg, first := false, true
	for c := 0; c < d; c++ {
		lo, hi := row[2*c], row[2*c+1]
		if lo == 0 && hi == 0 {
			continue
		}
		if hi == 1<<63 && lo == 0 {
			return buf, false
		}
		if first {
			neg, first = int64(hi) < 0, false
		}
		if lo != 0 {
			shift = min(shift, bits.TrailingZeros64(lo))
		} else {
			shift = min(shift, 64+bits.TrailingZeros64(hi))
		}
	}
	if first {
		return buf, false // the zero row has no line
	}
	// gcd of the odd parts |x_c|/2^shift, stopping at 1.
	var gh, gl uint64
	for c := 0; c < d && !(gh == 0 && gl == 1); c++ {
		lo, hi := row[2*c], row[2*c+1]
		if lo == 0 && hi == 0 {
			continue
		}
		if int64(hi) < 0 {
			var b uint64
			lo, b = bits.Sub64(0, lo, 0)
			hi, _ = bits.Sub64(0, hi, b)
		}
		hi, lo = rsh128(hi, lo, uint(shift))
		gh, gl = gcd128(gh, gl, hi, lo)
	}
	if !(gh == 0 && gl == 1) {
		return buf, false
	}
	for c := 0; c < d; c++ {
		lo, hi := row[2*c], row[2*c+1]
		// Arithmetic shift right by shift (exact: the low bits are 0).
		if shift >= 64 {
			lo, hi = uint64(int64(hi)>>(shift-64)), uint64(int64(hi)>>63)
		} else if shift > 0 {
			lo = lo>>shift | hi<<(64-shift)
			hi = uint64(int64(hi) >> shift)
		}
		if neg {
			var b uint64
			lo, b = bits.Sub64(0, lo, 0)
			hi, _ = bits.Sub64(0, hi, b)
		}
		buf = binary.LittleEndian.AppendUint64(buf, lo)
		buf = binary.LittleEndian.AppendUint64(buf, hi)
	}
	return buf, true
}

// rsh128 returns (hi:lo) >> s for an unsigned 128-bit value.
func rsh128(hi, lo uint64, s uint) (uint64, uint64) {
	switch {
	case s == 0:
		return hi, lo
	case s >= 64:
		return 0, hi >> (s - 64)
	}
	return hi >> s, lo>>s | hi<<(64-s)
}

// gcd128 returns gcd(a, b) of unsigned 128-bit values (binary GCD).
func gcd128(ah, al, bh, bl uint64) (uint64, uint64) {
	if ah == 0 && al == 0 {
		return bh, bl
	}
	if bh == 0 && bl == 0 {
		return ah, al
	}
	tz := func(h, l uint64) uint {
		if l != 0 {
			return uint(bits.TrailingZeros64(l))
		}
		return 64 + uint(bits.TrailingZeros64(h))
	}
	k := min(tz(ah, al), tz(bh, bl))
	ah, al = rsh128(ah, al, tz(ah, al))
	for !(bh == 0 && bl == 0) {
		bh, bl = rsh128(bh, bl, tz(bh, bl))
		if ah > bh || ah == bh && al > bl {
			ah, al, bh, bl = bh, bl, ah, al
		}
		var b uint64
		bl, b = bits.Sub64(bl, al, 0)
		bh, _ = bits.Sub64(bh, ah, b)
	}
	// a << k
	switch {
	case k >= 64:
		return al << (k - 64), 0
	case k > 0:
		return ah<<k | al>>(64-k), al << k
	}
	return ah, al
}

// primitiveInPlace divides the nonzero integer vector ints by the gcd of its
// entries and negates it when its first nonzero entry is negative.
func primitiveInPlace(ints []big.Int) {
	var g, t big.Int
	neg, first := false, true
	for c := range ints {
		if ints[c].Sign() == 0 {
			continue
		}
		if first {
			neg, first = ints[c].Sign() < 0, false
		}
		g.GCD(nil, nil, &g, t.Abs(&ints[c]))
	}
	for c := range ints {
		if ints[c].Sign() != 0 {
			ints[c].Quo(&ints[c], &g)
			if neg {
				ints[c].Neg(&ints[c])
			}
		}
	}
}

func abs64(v int64) uint64 {
	if v < 0 {
		return uint64(-v)
	}
	return uint64(v)
}

// gcd64 returns gcd(a, b) (binary GCD; gcd(0, b) = b).
func gcd64(a, b uint64) uint64 {
	if a == 0 {
		return b
	}
	if b == 0 {
		return a
	}
	shift := bits.TrailingZeros64(a | b)
	a >>= bits.TrailingZeros64(a)
	for b != 0 {
		b >>= bits.TrailingZeros64(b)
		if a > b {
			a, b = b, a
		}
		b -= a
	}
	return a << shift
}
