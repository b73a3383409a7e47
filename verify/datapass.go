package verify

import (
	"math/big"
	"math/bits"
	"slices"
	"sync"

	"github.com/relucert/relucert/exact"
)

// This file holds the engine's pass over the data: the exact residuals and
// the per-neuron sums S⁺_j, S⁻_j, S⁰_j. Both are sums of fixed-width
// integer rows selected by the activation pattern — a product of the 0/1
// pattern matrix with an integer matrix — and are computed the way a
// matrix product is computed fast:
//
//   - Four Russians. The selecting side is taken in chunks of g rows; per
//     chunk the 2^g subset sums of its rows are formed once (one row
//     addition each), and every row of the other side adds the one its g
//     pattern bits name (exact.AddSelectedSums): a g-fold cut in additions.
//   - Tiles. Samples are taken in blocks and rows in column tiles sized so
//     that the tables and the rows being summed stay in the cache; the
//     per-sample products r̄_i ⊗ x̄_i are formed for one tile at a time and
//     never stored for all samples.
//   - No rationals per sample. The residuals are integers over the common
//     denominator E·D_Y (E = D_ρD_AD_WD_X), reduced by a common power of two
//     when that denominator is one; a residual becomes a big.Rat only when
//     asked for (residual).

// tileWords returns the width, in words (a multiple of w, at most
// rowWords), of the column tiles of a pass with T destination rows and
// tables of 2^g rows: both within about 512 KiB.
func tileWords(rowWords, w, T, g int) int {
	q := (1 << 16) / (T + 1<<g)
	q -= q % w
	return min(max(q, w), rowWords)
}

// chunkBits returns g for a pass with T destination rows and S source
// rows: the table of 2^g subset sums costs 2^g row additions per chunk
// against T uses, so 2^g ≤ T/2 (and g ≤ 8, g ≤ S).
func chunkBits(T, S int) int {
	g := bits.Len(uint(T)) - 2
	return max(1, min(g, 8, max(S, 1)))
}

// residualAWWords bounds the words of the residual pass's table of
// Ā_j ⊗ W̄_j (a variable so that tests can force one output at a time).
var residualAWWords = 1 << 20

// residualBlock is the number of samples a goroutine of the residual pass
// takes at a time (a variable so that tests can cut small instances into
// many blocks).
var residualBlock = 256

// sumsBlock is the number of samples of one step of the sums pass.
var sumsBlock = 1024

// residuals computes r_i = f(x_i) − y_i exactly, as the integers
// r̄_i = r_i·dr: with E = D_ρD_AD_WD_X, the targets y − b over D_Y and
// dr = lcm(E, D_Y), r̄_i = (s₊V⁺_i·X̄_i + s₋V⁻_i·X̄_i)·(dr/E) − Ȳ_i·(dr/D_Y)
// (the least common multiple, not the product E·D_Y: for float-derived
// data both are powers of two and the factors are small), where
// V⁺_i = Σ_{j∈P_i} Ā_j ⊗ W̄_j (the neurons with w_j·x_i > 0) and
// V⁻_i = Σ_j Ā_j ⊗ W̄_j − V⁺_i − Σ_{j∈Z_i} Ā_j ⊗ W̄_j.
func (e *engine) residuals() {
	const stage = "setting up the exact engine (residuals)"
	n, d, k, m := e.n, e.d, e.k, e.m
	as := make([]exact.Vec, m)
	for j, nr := range e.p.Neurons {
		as[j] = nr.A
	}
	am, da, ba := intImage(as, k)
	// AW_j = Ā_j ⊗ W̄_j for the active neurons, in order, for a group of
	// kg outputs at a time (kg·d entries): the pass below runs once per
	// group, the groups as large as fit in residualAWWords (all k outputs
	// at once held m·k·d·vW words, 96 MB at m = 2048, d = 256, k = 4).
	vBits := ba + e.bw + bitlen(m) + 2
	vW := exact.WordsFor(vBits)
	var act []int
	for j := 0; j < m; j++ {
		if !e.aZero[j] && !e.wZero[j] {
			act = append(act, j)
		}
	}
	kg := max(1, min(k, residualAWWords/max(1, len(act)*d*vW)))
	L := kg * d * vW // the row stride of aw
	aw := exact.NewIntMat(len(act), kg*d, vW)
	leaky := e.sn.Sign() != 0
	var all []uint64
	if leaky {
		all = make([]uint64, L)
	}
	// setOutputs fills aw (and all) for the outputs l0 ≤ l < l1.
	setOutputs := func(l0, l1 int) {
		var ai, wi, t big.Int
		for q, j := range act {
			for l := l0; l < l1; l++ {
				am.Get(j, l, &ai)
				for c := 0; c < d; c++ {
					e.w.Get(j, c, &wi)
					aw.Set(q, (l-l0)*d+c, t.Mul(&ai, &wi))
				}
			}
		}
		if leaky {
			clear(all)
			for q := range act {
				exact.AddWords(all, aw.Row(q), vW)
			}
		}
	}
	E := new(big.Int).Mul(e.ds, da)
	E.Mul(E, e.dw)
	E.Mul(E, e.dx)
	// The targets' image read in place (no rational copied); with an
	// output bias, of y − b.
	var ym *exact.IntMat
	var dy *big.Int
	var by int
	if ob := e.p.OutputBias; ob == nil || ob.IsZero() {
		ym, dy, by = e.p.Y.IntImage()
		e.pl.now(stage)
	} else {
		ym, dy, by = intImageStop(e.p.ShiftedTargets(), k, e.pl)
	}
	fBits := vBits + e.bx + bitlen(d) + 2
	// fW ≥ vW + 1: exact.MulAddWordSign writes a product of vW words and
	// one word into vW + 1 words at least.
	fW := max(exact.WordsFor(fBits), vW+1)
	xOne := e.xOneWord()
	sBits := fBits + max(e.sp.BitLen(), e.sn.BitLen()) + 1
	sW := exact.WordsFor(sBits)
	dr := new(big.Int).GCD(nil, nil, E, dy)
	fE := new(big.Int).Quo(dy, dr) // dr/E
	fY := new(big.Int).Quo(E, dr)  // dr/D_Y
	dr.Mul(dr, fE).Mul(dr, fY)
	rW := exact.WordsFor(max(sBits+fE.BitLen(), by+fY.BitLen()) + 2)
	spW, snW := intWords(e.sp), intWords(e.sn)
	dyW, negE := intWords(fE), intWords(new(big.Int).Neg(fY))
	one := big.NewInt(1)
	spOne, fEOne, fYOne := e.sp.Cmp(one) == 0, fE.Cmp(one) == 0, fY.Cmp(one) == 0
	rbar := exact.NewIntMat(n, k, rW)

	g := chunkBits(residualBlock, len(act))
	// A narrow network (tables of every chunk's subset sums within
	// patternTableWords) takes V⁺_i from tables formed once per output
	// group, not per block and tile (exact.PatternProducts); ReLU-like only
	// (a leaky pass needs V⁻ as well) and X̄ as words.
	var pg int
	if !leaky && xOne {
		if pg = residualPatternBits(len(act), L); pg > 0 {
			g = pg
		}
	}
	e.resTables = pg > 0
	nc := (len(act) + g - 1) / g
	tw := tileWords(L, vW, residualBlock, g)
	nb := (n + residualBlock - 1) / residualBlock
	// Each goroutine reuses its block's buffers (a pool: allocating them
	// per block was most of the pass's time at small m).
	bufs := sync.Pool{New: func() any {
		B := residualBlock
		buf := &residualBufs{sel: make([]uint8, B*nc), fp: make([]uint64, B*kg*fW), vn: make([]uint64, vW), f: make([]uint64, sW)}
		if pg > 0 {
			buf.v = make([]uint64, L) // one sample's V⁺ row (exact.PatternProducts)
		} else {
			buf.v, buf.table = make([]uint64, B*tw), make([]uint64, (1<<g)*tw)
		}
		if xOne {
			buf.xm, buf.xn = make([]uint64, B*d), make([]uint64, B*d)
		}
		if leaky {
			buf.fn, buf.zl = make([]uint64, B*kg*fW), make([][]int, B)
		}
		return buf
	}}
	var ptab []uint64 // the subset-sum tables (pg > 0), reused by every output group
	for l0 := 0; l0 < k; l0 += kg {
		l1 := min(l0+kg, k)
		Lg := (l1 - l0) * d * vW // the columns of aw in use
		setOutputs(l0, l1)
		if pg > 0 {
			ptab = exact.SubsetTables(ptab, aw.Data, len(act), L, Lg, g, vW)
		}
		parallelDynamic(nb, workers(n*m*d), func(b int) {
			if e.pl.stopNow() {
				return // the poll after the join unwinds Check
			}
			i0, i1 := b*residualBlock, min((b+1)*residualBlock, n)
			T := i1 - i0
			buf := bufs.Get().(*residualBufs)
			defer bufs.Put(buf)
			sel := buf.sel[:T*nc]
			clear(sel)
			var zl [][]int // active neurons with w_j·x_i = 0, per sample (leaky only)
			if leaky {
				zl = buf.zl[:T]
				for t := range zl {
					zl[t] = zl[t][:0]
				}
			}
			for q, j := range act {
				c, bit := q/g, uint8(1)<<(q%g)
				pos := e.sg.posRow(j)
				for w := i0 >> 6; w<<6 < i1; w++ {
					for x := wordIn(pos, w, i0, i1); x != 0; x &= x - 1 {
						sel[(w<<6+bits.TrailingZeros64(x)-i0)*nc+c] |= bit
					}
				}
				if leaky {
					e.sg.bnd[j].each(i0, i1, func(i int) { zl[i-i0] = append(zl[i-i0], q) })
				}
			}
			fp := buf.fp[:T*kg*fW]
			clear(fp)
			var fn []uint64
			if leaky {
				fn = buf.fn[:T*kg*fW]
				clear(fn)
			}
			v, table, vn := buf.v, buf.table, buf.vn
			// X̄ rows: stored; or for float data whose X̄ entries fit in a
			// word, the block's entries as words and signs (xm, xn) formed
			// once; or none — the products take the floats themselves
			// (exact.MulAddFloat).
			var xim, xm, xn []uint64
			xW := e.xW
			if e.x != nil {
				xim = e.xBlock(i0, i1, nil)
			} else if xOne {
				xm, xn = buf.xm[:T*d], buf.xn[:T*d]
				e.xWords(i0, i1, xm, xn)
			}
			if ptab != nil {
				exact.PatternProducts(fp, fW, ptab, Lg, vW, g, nc, sel, T, l1-l0, d, xm, xn, v)
			}
			for lo := 0; lo < Lg && ptab == nil; lo += tw {
				hi := min(lo+tw, Lg)
				width := hi - lo
				clear(v[:T*width])
				exact.AddSelectedSums(v, width, T, aw.Data[lo:], L, len(act), width, sel, g, vW, table)
				for t := 0; t < T; t++ {
					i := i0 + t
					if e.zeroX[i] {
						continue
					}
					var xf []float64
					if xim == nil && xm == nil {
						xf = e.xf[i].F
					}
					for q := lo / vW; q < hi/vW; q++ {
						l, c := q/d, q%d // l counted from l0
						vp := v[t*width+q*vW-lo : t*width+(q+1)*vW-lo]
						dst := fp[(t*kg+l)*fW : (t*kg+l+1)*fW]
						var xc []uint64
						if xm != nil {
							if xm[t*d+c] == 0 {
								continue
							}
							exact.MulAddWordSign(dst, vp, xm[t*d+c], xn[t*d+c])
						} else if xf != nil {
							if xf[c] == 0 {
								continue
							}
							exact.MulAddFloat(dst, vp, xf[c], e.xE)
						} else {
							if xc = xim[(t*d+c)*xW : (t*d+c+1)*xW]; exact.WordsIsZero(xc) {
								continue
							}
							exact.MulAddWords(dst, vp, xc)
						}
						if leaky {
							copy(vn, all[q*vW:(q+1)*vW])
							exact.SubWords(vn, vp, vW)
							for _, z := range zl[t] {
								exact.SubWords(vn, aw.Row(z)[q*vW:(q+1)*vW], vW)
							}
							if dst = fn[(t*kg+l)*fW : (t*kg+l+1)*fW]; xm != nil {
								exact.MulAddWordSign(dst, vn, xm[t*d+c], xn[t*d+c])
							} else if xf != nil {
								exact.MulAddFloat(dst, vn, xf[c], e.xE)
							} else {
								exact.MulAddWords(dst, vn, xc)
							}
						}
					}
				}
			}
			// r̄ = (s₊F⁺ + s₋F⁻)·D_Y − Ȳ·E.
			// A factor 1 (s₊ of ReLU, D_Y/dr and E/dr of float data) is an
			// addition (exact.AddWordsSign), not a multiplication.
			f := buf.f
			for t := 0; t < T; t++ {
				for l := l0; l < l1; l++ {
					src := fp[(t*kg+l-l0)*fW : (t*kg+l-l0+1)*fW]
					if !spOne || leaky {
						clear(f)
						exact.MulAddWords(f, src, spW)
						if leaky {
							exact.MulAddWords(f, fn[(t*kg+l-l0)*fW:(t*kg+l-l0+1)*fW], snW)
						}
						src = f
					}
					r := rbar.Entry(i0+t, l)
					if fEOne && len(src) <= len(r) {
						exact.AddWordsSign(r, src, 0)
					} else {
						exact.MulAddWords(r, src, dyW)
					}
					if y := ym.Entry(i0+t, l); fYOne && len(y) <= len(r) {
						exact.AddWordsSign(r, y, ^uint64(0))
					} else {
						exact.MulAddWords(r, y, negE)
					}
				}
			}
		})
	}
	e.pl.now(stage)
	e.dr = dr
	e.rbar = rbar
	// Ā⊗W̄ is not needed any more: its words become the S⁺ table when they
	// suffice (computeSums), instead of a second table of that size before
	// the collector frees the first (12 MB at m = 2048, d = 256).
	e.spare = aw.Data
	e.reduceResiduals()
}

// residualBufs are the buffers of one block of the residual pass.
type residualBufs struct {
	sel                     []uint8
	fp, fn, v, table, vn, f []uint64
	xm, xn                  []uint64 // the block's X̄ entries as words (engine.xWords)
	zl                      [][]int
}

// xOneWord reports whether X̄ is not stored and every entry of it is the
// image of a float64 that fits in one word (|X̄_ic| < 2^64): the passes
// then multiply by the words of engine.xWords.
func (e *engine) xOneWord() bool { return e.x == nil && e.xf != nil && e.bx <= 64 }

// xWords sets mag and neg (d entries per sample) to |X̄_ic| and the sign
// mask of X̄_ic (exact.FloatImageWord) for the samples i0 ≤ i < i1 (zero
// for the rows zeroX skips); xOneWord must hold.
func (e *engine) xWords(i0, i1 int, mag, neg []uint64) {
	d := e.d
	for i := i0; i < i1; i++ {
		o := (i - i0) * d
		if e.zeroX[i] {
			clear(mag[o : o+d])
			clear(neg[o : o+d])
			continue
		}
		for c, x := range e.xf[i].F {
			var ok bool
			if mag[o+c], neg[o+c], ok = exact.FloatImageWord(x, e.xE); !ok {
				// bx bounds the bit length of every |X̄_ic| and x·2^xE is
				// an integer (floatImages): never reached.
				panic("verify: an input's image does not fit the engine's word")
			}
		}
	}
}

// sumsBufs are the scratch rows of one goroutine of the sums pass.
type sumsBufs struct{ table, src []uint64 }

// intWords returns x in two's complement words (at least one).
func intWords(x *big.Int) []uint64 {
	w := make([]uint64, exact.WordsFor(x.BitLen()+1))
	exact.SetWords(w, x)
	return w
}

// reduceResiduals divides r̄ and dr by their largest common power of two
// when dr is a power of two (float-derived data), and sets br to the bit
// length of the largest |r̄_i|.
func (e *engine) reduceResiduals() {
	rb := e.rbar
	if tz := int(e.dr.TrailingZeroBits()); tz == e.dr.BitLen()-1 {
		if shift := rb.TrailingZeros(tz); shift > 0 {
			rb.Rsh(uint(shift)) // exact: shift ≤ every entry's trailing zeros
			e.dr.Rsh(e.dr, uint(shift))
		}
	}
	e.br = rb.MaxBits()
	e.rbar = rb.Narrow(exact.WordsFor(e.br + 1))
}

// residual returns r_i = r̄_i/dr as rationals (computed once per sample
// asked for).
func (e *engine) residual(i int) exact.Vec {
	e.rmu.Lock()
	defer e.rmu.Unlock()
	if e.rcache == nil {
		e.rcache = map[int]exact.Vec{}
	}
	if r, ok := e.rcache[i]; ok {
		return r
	}
	r := e.residualNew(i)
	e.rcache[i] = r
	return r
}

// residualNew returns r_i as a new vector, not cached.
func (e *engine) residualNew(i int) exact.Vec {
	r := make(exact.Vec, e.k)
	var z big.Int
	for l := range r {
		r[l] = new(big.Rat).SetFrac(e.rbar.Get(i, l, &z), e.dr)
	}
	return r
}

// residualList returns every residual r_i.
func (e *engine) residualList() []exact.Vec {
	out := make([]exact.Vec, e.n)
	var z big.Int
	for i := range out {
		out[i] = make(exact.Vec, e.k)
		for l := range out[i] {
			out[i][l] = new(big.Rat).SetFrac(e.rbar.Get(i, l, &z), e.dr)
		}
	}
	return out
}

// residualSum returns Σ_i r_i = (Σ_i r̄_i)/dr.
func (e *engine) residualSum() exact.Vec {
	out := make(exact.Vec, e.k)
	var z big.Int
	for l := range out {
		s := new(big.Int)
		for i := 0; i < e.n; i++ {
			s.Add(s, e.rbar.Get(i, l, &z))
		}
		out[l] = new(big.Rat).SetFrac(s, e.dr)
	}
	return out
}

// addRX adds r̄_i^(l)·x̄_i[c] (entry q = l·d + c of r̄_i ⊗ x̄_i) to dst;
// xb is scratch of xW words.
func (e *engine) addRX(dst []uint64, i, q int, xb []uint64) {
	l, c := q/e.d, q%e.d
	exact.MulAddWords(dst, e.rbar.Entry(i, l), e.xEntry(i, c, xb))
}

// rxRow returns r̄_i ⊗ x̄_i (k·d entries of sumW words).
func (e *engine) rxRow(i int) []uint64 {
	out := make([]uint64, e.k*e.d*e.sumW)
	xb := make([]uint64, e.xW)
	for q := 0; q < e.k*e.d; q++ {
		e.addRX(out[q*e.sumW:(q+1)*e.sumW], i, q, xb)
	}
	return out
}

// prepareSums computes every neuron's sums, once.
func (e *engine) prepareSums() { e.sumsOnce.Do(e.computeSums) }

// computeSums is the sums pass: S⁺_j = Σ_{i : w_j·x_i > 0} r̄_i ⊗ x̄_i for
// every neuron by subset sums over blocks of samples (the samples in chunks
// of g), S⁰_j over the boundary samples, and the total Σ_i r̄_i ⊗ x̄_i;
// S⁻_j = total − S⁺_j − S⁰_j is formed when a neuron's sums are asked for.
//
// The poller (budget.go) is asked after each block: the pass runs on
// Check's goroutine (TheoremS asks for it before anything else does).
func (e *engine) computeSums() {
	const stage = "computing the sums of Theorem S"
	n, d, k, m := e.n, e.d, e.k, e.m
	kd := k * d
	e.sumW = exact.WordsFor(e.br + e.bx + bitlen(n) + 2)
	xOne := e.xOneWord()
	if xOne {
		// exact.MulAddWordSign writes a product of r̄'s words and one
		// word into one word more at least.
		e.sumW = max(e.sumW, e.rbar.W+1)
	}
	sw := e.sumW
	L := kd * sw
	e.tot = make([]uint64, L)
	e.noSums = make([]uint64, L)
	e.spos = make([][]uint64, m)
	// The neurons are taken in groups of G whose S⁺ table (G·L words) is
	// at most sumsGroupWords: the pass below runs once per group (the
	// source tiles are formed again for each, a small part of the work),
	// and after a group only the rows that are not zero are kept (a zero
	// S⁺_j is e.noSums). All m rows at once were m·k·d·sumW words, 48 MiB
	// at m = 2048, d = 256, k = 4, sumW = 3, zero in planted instances.
	G := max(1, min(m, sumsGroupWords/max(1, L)))
	var grp []uint64 // the group's table
	if cap(e.spare) >= G*L {
		grp = e.spare[:G*L]
	}
	e.spare = nil
	g := chunkBits(G, sumsBlock)
	// The tile holds the block's source rows as well as the G destination
	// rows and the table: sized for m alone, a tile of a narrow network
	// was sumsBlock·k·d·sumW words (22 MB at d = 256, m = 16, k = 4),
	// cleared for every block.
	tw := tileWords(L, sw, G+sumsBlock, g)
	tiles := (L + tw - 1) / tw
	nw := workers(n * m * d)
	sel := make([]uint8, G*((sumsBlock+g-1)/g))
	var xmBuf, xnBuf []uint64 // the block's X̄ as words (xOne)
	if xOne {
		xmBuf, xnBuf = make([]uint64, sumsBlock*d), make([]uint64, sumsBlock*d)
	}
	xW, rw := e.xW, d*e.xW
	// srcTile adds columns [lo, hi) of r̄_i ⊗ x̄_i for the B samples from
	// i0 to src, whose rows are the block's from xim (stored X̄), or its
	// words and signs xm, xn (engine.xWords), or for other float data
	// (both nil) the floats themselves (exact.MulAddFloat).
	srcTile := func(src, xim, xm, xn []uint64, i0, B, lo, hi int) {
		width := hi - lo
		for t := 0; t < B; t++ {
			i := i0 + t
			if e.zeroX[i] {
				continue
			}
			for q := lo / sw; q < hi/sw; q++ {
				l, c := q/d, q%d
				dst := src[t*width+q*sw-lo : t*width+(q+1)*sw-lo]
				if xm != nil {
					exact.MulAddWordSign(dst, e.rbar.Entry(i, l), xm[t*d+c], xn[t*d+c])
				} else if xim == nil {
					exact.MulAddFloat(dst, e.rbar.Entry(i, l), e.xf[i].F[c], e.xE)
				} else {
					exact.MulAddWords(dst, e.rbar.Entry(i, l), xim[(t*d+c)*xW:(t*d+c+1)*xW])
				}
			}
		}
	}
	addTot := func(src []uint64, B, lo, hi int) {
		width := hi - lo
		for t := 0; t < B; t++ {
			exact.AddWords(e.tot[lo:hi], src[t*width:(t+1)*width], sw)
		}
	}
	var shared []uint64 // the source tile when the tiles are taken one by one
	if tiles < 2*nw {
		shared = make([]uint64, sumsBlock*tw)
	}
	// The goroutines reuse their tables (and source tiles).
	tables := sync.Pool{New: func() any {
		buf := &sumsBufs{table: make([]uint64, (1<<g)*tw)}
		if shared == nil {
			buf.src = make([]uint64, sumsBlock*tw)
		}
		return buf
	}}
	// (At least one group, of no neurons when m = 0: the pass also forms
	// the total.)
	for j0 := 0; j0 < max(m, 1); j0 += G {
		gm := min(G, m-j0)
		if grp == nil {
			grp = make([]uint64, gm*L)
		} else {
			grp = grp[:gm*L]
			clear(grp)
		}
		// A narrow group's S⁺ (and with the first group the total) by
		// activation patterns (patternsums.go), when that pass applies.
		var tot []uint64
		if j0 == 0 {
			tot = e.tot
		}
		if e.patternSums(j0, j0+gm, &exact.IntMat{Rows: gm, Cols: kd, W: sw, Data: grp}, tot) {
			e.pl.now(stage)
			grp = e.keepSums(grp, j0, gm, L)
			continue
		}
		for i0 := 0; i0 < n; i0 += sumsBlock {
			e.pl.now(stage)
			i1 := min(i0+sumsBlock, n)
			B := i1 - i0
			nc := (B + g - 1) / g
			clear(sel)
			var xim, xm, xn []uint64 // all nil for float data beyond a word
			if e.x != nil {
				xim = e.xBlock(i0, i1, nil)
			} else if xOne {
				xm, xn = xmBuf[:B*d], xnBuf[:B*d]
				parallel(B, nw, func(t0, t1 int) { e.xWords(i0+t0, i0+t1, xm[t0*d:], xn[t0*d:]) })
			}
			parallel(gm, nw, func(lo, hi int) {
				for j := lo; j < hi; j++ {
					pos := e.sg.posRow(j0 + j)
					for c := 0; c < nc; c++ {
						sel[j*nc+c] = uint8(bitsAt(pos, i0+c*g, g, i1))
					}
				}
			})
			if shared == nil {
				// Many column tiles: one goroutine per tile, all neurons.
				parallelDynamic(tiles, nw, func(tile int) {
					lo, hi := tile*tw, min((tile+1)*tw, L)
					width := hi - lo
					buf := tables.Get().(*sumsBufs)
					defer tables.Put(buf)
					src := buf.src[:B*width]
					clear(src)
					srcTile(src, xim, xm, xn, i0, B, lo, hi)
					if j0 == 0 {
						addTot(src, B, lo, hi)
					}
					exact.AddSelectedSums(grp[lo:], L, gm, src, width, B, width, sel, g, sw, buf.table)
				})
				continue
			}
			// Few column tiles: each is formed once (samples in parallel) and
			// the neurons are split among the goroutines.
			for lo := 0; lo < L; lo += tw {
				hi := min(lo+tw, L)
				width := hi - lo
				src := shared[:B*width]
				clear(src)
				parallel(B, nw, func(t0, t1 int) {
					var xt, mt, nt []uint64
					if xim != nil {
						xt = xim[t0*rw:]
					}
					if xm != nil {
						mt, nt = xm[t0*d:], xn[t0*d:]
					}
					srcTile(src[t0*width:], xt, mt, nt, i0+t0, t1-t0, lo, hi)
				})
				if j0 == 0 {
					addTot(src, B, lo, hi)
				}
				parallel(gm, nw, func(r0, r1 int) {
					buf := tables.Get().(*sumsBufs)
					defer tables.Put(buf)
					exact.AddSelectedSums(grp[r0*L+lo:], L, r1-r0, src, width, B, width, sel[r0*nc:], g, sw, buf.table)
				})
			}
		}
		grp = e.keepSums(grp, j0, gm, L)
	}
	e.pl.now(stage)
	// S⁰_j: the boundary samples of each neuron.
	e.szero = make([][]uint64, m)
	parallel(m, nw, func(lo, hi int) {
		xb := make([]uint64, e.xW)
		for j := lo; j < hi; j++ {
			e.sg.bnd[j].each(0, n, func(i int) {
				if e.szero[j] == nil {
					e.szero[j] = make([]uint64, L)
				}
				for q := 0; q < kd; q++ {
					e.addRX(e.szero[j][q*sw:(q+1)*sw], i, q, xb)
				}
			})
		}
	})
}

// neuronSums returns S⁺_j, S⁰_j and the total (the engine's, read-only),
// computing the sums pass on first use. S⁻_j = total − S⁺_j − S⁰_j is not
// formed: its users write c₊S⁺ + c₋S⁻ + c₀S⁰ as
// (c₊ − c₋)S⁺ + c₋·total + (c₀ − c₋)S⁰ (sumCoeffs), or form it in their
// own buffer (negInto); a copy per call was m·k·d·sumW words of garbage
// per round over the neurons.
func (e *engine) neuronSums(j int) *neuronSums {
	e.prepareSums()
	s := &neuronSums{pos: e.spos[j], zero: e.szero[j], tot: e.tot, w: e.sumW}
	if s.pos == nil {
		s.pos = e.noSums
	}
	if s.zero == nil {
		s.zero = e.noSums
	}
	return s
}

// sumsGroupWords bounds the words of the sums pass's table of S⁺_j for a
// group of neurons (a variable so that tests can force groups of one).
var sumsGroupWords = 1 << 20

// keepSums keeps the rows of S⁺_j, j0 ≤ j < j0+gm, from the group's table
// grp (gm rows of L = k·d·sumW words) that are not zero, and returns the table
// to use for the next group (nil: allocate one). When most rows are not
// zero the table itself holds them (no copy); otherwise they are copied
// out and the table is reused.
func (e *engine) keepSums(grp []uint64, j0, gm, L int) []uint64 {
	var keep []int
	for r := 0; r < gm; r++ {
		if !exact.WordsIsZero(grp[r*L : (r+1)*L]) {
			keep = append(keep, r)
		}
	}
	if 2*len(keep) > gm {
		for _, r := range keep {
			e.spos[j0+r] = grp[r*L : (r+1)*L : (r+1)*L]
		}
		return nil
	}
	for _, r := range keep {
		e.spos[j0+r] = slices.Clone(grp[r*L : (r+1)*L])
	}
	return grp
}

// negInto sets dst (k·d entries of sumW words) to S⁻_j = total − S⁺_j − S⁰_j
// and returns it.
func (s *neuronSums) negInto(dst []uint64) []uint64 {
	copy(dst, s.tot)
	exact.SubWords(dst, s.pos, s.w)
	exact.SubWords(dst, s.zero, s.w)
	return dst
}

// sumCoeffs returns the coefficients of S⁺_j, the total and S⁰_j in
// c₊S⁺_j + c₋S⁻_j + c₀S⁰_j = (c₊ − c₋)S⁺_j + c₋·total + (c₀ − c₋)S⁰_j
// (nil coefficients are 0; so are the results that vanish).
func sumCoeffs(cp, cn, cz *big.Int) (pos, tot, zero *big.Int) {
	if cn == nil || cn.Sign() == 0 {
		return cp, nil, cz
	}
	sub := func(a *big.Int) *big.Int {
		if a == nil {
			return new(big.Int).Neg(cn)
		}
		return new(big.Int).Sub(a, cn)
	}
	return sub(cp), cn, sub(cz)
}
