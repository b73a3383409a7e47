package lp

import (
	"math"
	"math/big"

	"github.com/relucert/relucert/exact"
)

// BoxLP is the feasibility problem
//
//	Σ_j x_j·s_j·col_j = b,   0 ≤ x_j ≤ 1 (Bounded[j]) or 0 ≤ x_j (otherwise),
//
// over a fixed set of integer columns col_j ∈ Z^D, where each Solve call
// supplies the column signs s_j ∈ {−1, +1} and the integer right-hand side
// b. It is solved by a float64 bounded-variable simplex used only as a
// guide: its final basis is then verified in exact integer arithmetic, and
// the answer is returned only when the verification succeeds — a feasible
// basis gives an exact solution, an infeasible one an exact Farkas vector
// (see BoxResult). When the verification fails (the float64 guide was
// misled, cycled or ran out of iterations), Solve reports ok = false and the
// caller must decide the problem another way; it never guesses.
type BoxLP struct {
	D       int
	Cols    [][]*big.Int
	Bounded []bool

	fcol  []float64 // col_j / g_j, row-major n×D
	gcol  []float64 // g_j = max_r |col_j[r]| (as float64)
	iters int
	// upper holds the bounded columns at their upper bound in the last
	// float solution: the next Solve starts from there (a warm start for
	// a sequence of similar problems).
	upper []bool
}

// BoxResult is the exact answer of BoxLP.Solve.
//
//   - Feasible: X (one entry per column) with 0 ≤ X_j (≤ 1 when bounded)
//     and Σ X_j s_j col_j = b.
//   - Infeasible: Y ∈ Q^D with Y·(s_j col_j) ≤ 0 for every unbounded j and
//     Y·b > Σ_{bounded j} max(0, Y·(s_j col_j)); then for every feasible-
//     looking x, Y·(Σ x_j s_j col_j) ≤ Σ_{bounded} max(0, ·) < Y·b, so no x
//     solves the system.
type BoxResult struct {
	Feasible bool
	X        []*big.Rat
	Y        []*big.Rat
}

// NewBoxLP prepares the columns (each of length d) for repeated Solve
// calls.
func NewBoxLP(d int, cols [][]*big.Int, bounded []bool) *BoxLP {
	lp := &BoxLP{D: d, Cols: cols, Bounded: bounded}
	lp.fcol = make([]float64, len(cols)*d)
	lp.gcol = make([]float64, len(cols))
	lp.upper = make([]bool, len(cols))
	for j, c := range cols {
		f := lp.fcol[j*d : (j+1)*d]
		g := 0.0
		for r, x := range c {
			f[r] = exact.IntFloat64(x)
			g = math.Max(g, math.Abs(f[r]))
		}
		if g > 0 && !math.IsInf(g, 0) {
			for r := range f {
				f[r] /= g
			}
		}
		lp.gcol[j] = g
	}
	return lp
}

// Clone returns a BoxLP sharing the columns (read-only) with a fresh warm
// start, for use by another goroutine.
func (lp *BoxLP) Clone() *BoxLP {
	c := *lp
	c.upper = make([]bool, len(lp.upper))
	c.iters = 0
	return &c
}

// Solve decides the problem for the column signs s (nil: all +1) and
// right-hand side b; see BoxLP.
func (lp *BoxLP) Solve(s []int8, b []*big.Int) (BoxResult, bool) {
	d, n := lp.D, len(lp.Cols)
	// Float guide: rows scaled so that |b| ≤ 1, columns by g_j (variable
	// z_j = g_j x_j / σ with upper bound g_j/σ when bounded).
	bf := make([]float64, d)
	sigma := 0.0
	for r := range bf {
		bf[r] = exact.IntFloat64(b[r])
		sigma = math.Max(sigma, math.Abs(bf[r]))
	}
	if sigma == 0 {
		// b = 0 (exactly: a nonzero integer has a nonzero image): x = 0.
		x := make([]*big.Rat, n)
		for j := range x {
			x[j] = new(big.Rat)
		}
		return BoxResult{Feasible: true, X: x}, true
	}
	if math.IsInf(sigma, 0) {
		return BoxResult{}, false
	}
	for r := range bf {
		bf[r] /= sigma
	}
	ub := make([]float64, n)
	for j := range ub {
		ub[j] = math.Inf(1)
		if lp.Bounded[j] {
			ub[j] = lp.gcol[j] / sigma
		}
	}
	sg := make([]float64, n)
	for j := range sg {
		sg[j] = 1
		if s != nil && s[j] < 0 {
			sg[j] = -1
		}
	}
	fs := newFloatBox(d, n, lp.fcol, sg, bf, ub, lp.upper)
	feasible, ok := fs.run(50*(n+d) + 100)
	lp.iters += fs.iters
	if !ok {
		clear(lp.upper)
		return BoxResult{}, false
	}
	for j, st := range fs.status {
		lp.upper[j] = st == atUpper
	}
	if feasible {
		return lp.verifyFeasible(s, b, fs)
	}
	return lp.verifyInfeasible(s, b, fs)
}

// column returns s_j·col_j[r] into z.
func (lp *BoxLP) colEntry(s []int8, j, r int, z *big.Int) *big.Int {
	z.Set(lp.Cols[j][r])
	if s != nil && s[j] < 0 {
		z.Neg(z)
	}
	return z
}

// basisMatrix returns the exact D×D basis of the float guide: structural
// columns s_j col_j and artificial columns ρ_r e_r.
func (lp *BoxLP) basisMatrix(s []int8, fs *floatBox) [][]big.Int {
	d := lp.D
	B := make([][]big.Int, d)
	for r := range B {
		B[r] = make([]big.Int, d)
	}
	for c, v := range fs.basis {
		if v >= 0 {
			for r := 0; r < d; r++ {
				lp.colEntry(s, v, r, &B[r][c])
			}
		} else {
			r := -v - 1
			B[r][c].SetInt64(int64(fs.rho[r]))
		}
	}
	return B
}

func (lp *BoxLP) verifyFeasible(s []int8, b []*big.Int, fs *floatBox) (BoxResult, bool) {
	d, n := lp.D, len(lp.Cols)
	rhs := make([]big.Int, d)
	for r := range rhs {
		rhs[r].Set(b[r])
	}
	var t big.Int
	for j := 0; j < n; j++ {
		if fs.status[j] == atUpper {
			for r := 0; r < d; r++ {
				rhs[r].Sub(&rhs[r], lp.colEntry(s, j, r, &t))
			}
		}
	}
	B := lp.basisMatrix(s, fs)
	num, den, ok := exact.SolveInt(B, rhs)
	if !ok {
		return BoxResult{}, false
	}
	x := make([]*big.Rat, n)
	slab := make([]big.Rat, n) // one allocation for the solution's entries
	for j := range x {
		x[j] = &slab[j]
		if fs.status[j] == atUpper {
			x[j].SetInt64(1)
		}
	}
	for c, v := range fs.basis {
		if num[c].Sign() != 0 && num[c].Sign() != den.Sign() {
			return BoxResult{}, false // negative
		}
		if v < 0 {
			if num[c].Sign() != 0 {
				return BoxResult{}, false // artificial not zero
			}
			continue
		}
		val := x[v].SetFrac(&num[c], den)
		if lp.Bounded[v] && val.Cmp(one) > 0 {
			return BoxResult{}, false
		}
	}
	return BoxResult{Feasible: true, X: x}, true
}

func (lp *BoxLP) verifyInfeasible(s []int8, b []*big.Int, fs *floatBox) (BoxResult, bool) {
	d, n := lp.D, len(lp.Cols)
	// yᵀB = c_B: solve Bᵀ y = c_B (1 for artificials, 0 for structurals).
	B := lp.basisMatrix(s, fs)
	Bt := make([][]big.Int, d)
	for r := range Bt {
		Bt[r] = make([]big.Int, d)
		for c := range Bt[r] {
			Bt[r][c].Set(&B[c][r])
		}
	}
	cb := make([]big.Int, d)
	for c, v := range fs.basis {
		if v < 0 {
			cb[c].SetInt64(1)
		}
	}
	num, den, ok := exact.SolveInt(Bt, cb)
	if !ok {
		return BoxResult{}, false
	}
	if den.Sign() < 0 {
		den.Neg(den)
		for r := range num {
			num[r].Neg(&num[r])
		}
	}
	// With y = num/den (den > 0): every t_j = num·(s_j col_j) must be ≤ 0
	// for unbounded j, and num·b − Σ_bounded max(0, t_j) > 0.
	var t, u big.Int
	slack := new(big.Int)
	for r := 0; r < d; r++ {
		slack.Add(slack, u.Mul(&num[r], b[r]))
	}
	for j := 0; j < n; j++ {
		t.SetInt64(0)
		for r := 0; r < d; r++ {
			if num[r].Sign() != 0 && lp.Cols[j][r].Sign() != 0 {
				t.Add(&t, u.Mul(&num[r], lp.Cols[j][r]))
			}
		}
		if s != nil && s[j] < 0 {
			t.Neg(&t)
		}
		if t.Sign() > 0 {
			if !lp.Bounded[j] {
				return BoxResult{}, false
			}
			slack.Sub(slack, &t)
		}
	}
	if slack.Sign() <= 0 {
		return BoxResult{}, false
	}
	y := make([]*big.Rat, d)
	for r := range y {
		y[r] = new(big.Rat).SetFrac(&num[r], den)
	}
	return BoxResult{Y: y}, true
}

// Float guide: a dense bounded-variable primal simplex, phase I only
// (minimise the sum of artificials), with an explicit basis inverse.

const (
	atLower int8 = iota
	atUpper
	isBasic
)

type floatBox struct {
	d, n   int
	col    []float64 // n×d normalised columns
	sign   []float64 // s_j
	b      []float64 // residual right-hand side, ≥ 0 after row flips
	rho    []int8    // row flips
	ub     []float64
	basis  []int // column in basis position c: j ≥ 0 structural, −r−1 artificial of row r
	binv   [][]float64
	xb     []float64
	status []int8
	iters  int
}

// newFloatBox starts phase I from the artificial basis with the bounded
// columns marked in upper (when their bound is finite) at their upper
// bound and every other column at 0.
func newFloatBox(d, n int, col, sign, b, ub []float64, upper []bool) *floatBox {
	fs := &floatBox{d: d, n: n, col: col, sign: sign, ub: ub}
	fs.status = make([]int8, n)
	res := append([]float64(nil), b...)
	for j := 0; j < n; j++ {
		if upper[j] && !math.IsInf(ub[j], 1) {
			fs.status[j] = atUpper
			c := col[j*d : (j+1)*d]
			for r := range res {
				res[r] -= sign[j] * ub[j] * c[r]
			}
		}
	}
	fs.b = make([]float64, d)
	fs.rho = make([]int8, d)
	fs.basis = make([]int, d)
	fs.binv = make([][]float64, d)
	fs.xb = make([]float64, d)
	for r := 0; r < d; r++ {
		fs.rho[r] = 1
		if res[r] < 0 {
			fs.rho[r] = -1
		}
		fs.b[r] = math.Abs(res[r])
		fs.basis[r] = -r - 1
		fs.binv[r] = make([]float64, d)
		fs.binv[r][r] = 1
		fs.xb[r] = fs.b[r]
	}
	return fs
}

// acol returns the flipped column ρ ⊙ s_j col_j into out.
func (fs *floatBox) acol(j int, out []float64) {
	c := fs.col[j*fs.d : (j+1)*fs.d]
	s := fs.sign[j]
	for r := range out {
		out[r] = float64(fs.rho[r]) * s * c[r]
	}
}

// run iterates until optimal (feasible reports a zero phase-I objective)
// or the iteration budget runs out (ok = false).
func (fs *floatBox) run(maxIter int) (feasible, ok bool) {
	const eps = 1e-11
	d := fs.d
	y := make([]float64, d)
	yr := make([]float64, d)
	a := make([]float64, d)
	alpha := make([]float64, d)
	degenerate := 0
	for ; fs.iters < maxIter; fs.iters++ {
		// Duals y = c_B B⁻¹ with c = 1 on artificials.
		for r := range y {
			y[r] = 0
		}
		for c, v := range fs.basis {
			if v < 0 {
				for r := 0; r < d; r++ {
					y[r] += fs.binv[c][r]
				}
			}
		}
		// Pricing: reduced cost of structural j is −y·a_j =
		// −s_j Σ_r (y_r ρ_r) c_jr.
		for r := 0; r < d; r++ {
			yr[r] = y[r] * float64(fs.rho[r])
		}
		enter, best := -1, 0.0
		bland := degenerate > 2*d+5
		for j := 0; j < fs.n; j++ {
			st := fs.status[j]
			if st == isBasic {
				continue
			}
			c := fs.col[j*d : (j+1)*d]
			dot := 0.0
			for r, v := range c {
				dot += yr[r] * v
			}
			dj := -fs.sign[j] * dot
			var viol float64
			if st == atLower {
				viol = -dj
			} else {
				viol = dj
			}
			if viol > eps && (enter < 0 || (!bland && viol > best)) {
				enter, best = j, viol
				if bland {
					break
				}
			}
		}
		if enter < 0 {
			w := 0.0
			for c, v := range fs.basis {
				if v < 0 {
					w += fs.xb[c]
				}
			}
			return w <= 1e-9, true
		}
		// Direction α = B⁻¹ a_enter; entering moves up from its lower
		// bound (dir = +1) or down from its upper bound (dir = −1).
		fs.acol(enter, a)
		for c := 0; c < d; c++ {
			s := 0.0
			for r := 0; r < d; r++ {
				s += fs.binv[c][r] * a[r]
			}
			alpha[c] = s
		}
		dir := 1.0
		if fs.status[enter] == atUpper {
			dir = -1
		}
		theta := fs.ub[enter] // bound flip
		leave, leaveTo := -1, atLower
		for c, v := range fs.basis {
			delta := dir * alpha[c] // x_B[c] decreases by θ·delta
			lo, hi := 0.0, math.Inf(1)
			if v >= 0 {
				hi = fs.ub[v]
			}
			switch {
			case delta > eps:
				if t := (fs.xb[c] - lo) / delta; t < theta {
					theta, leave, leaveTo = t, c, atLower
				}
			case delta < -eps && !math.IsInf(hi, 1):
				if t := (hi - fs.xb[c]) / -delta; t < theta {
					theta, leave, leaveTo = t, c, atUpper
				}
			}
		}
		if math.IsInf(theta, 1) {
			return false, false // cannot happen in phase I (bounded below)
		}
		if theta < 0 {
			theta = 0
		}
		if theta <= eps {
			degenerate++
		} else {
			degenerate = 0
		}
		for c := range fs.xb {
			fs.xb[c] -= theta * dir * alpha[c]
		}
		if leave < 0 {
			// Bound flip of the entering variable.
			if fs.status[enter] == atLower {
				fs.status[enter] = atUpper
			} else {
				fs.status[enter] = atLower
			}
			continue
		}
		// Pivot: the entering variable takes position leave.
		enterVal := theta
		if dir < 0 {
			enterVal = fs.ub[enter] - theta
		}
		if old := fs.basis[leave]; old >= 0 {
			fs.status[old] = leaveTo
		}
		fs.basis[leave] = enter
		fs.status[enter] = isBasic
		fs.xb[leave] = enterVal
		p := alpha[leave]
		if math.Abs(p) < 1e-14 {
			return false, false
		}
		for r := 0; r < d; r++ {
			fs.binv[leave][r] /= p
		}
		for c := 0; c < d; c++ {
			if c == leave || alpha[c] == 0 {
				continue
			}
			f := alpha[c]
			for r := 0; r < d; r++ {
				fs.binv[c][r] -= f * fs.binv[leave][r]
			}
		}
	}
	return false, false
}

var one = big.NewRat(1, 1)
