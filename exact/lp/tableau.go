package lp

import (
	"math/big"

	"github.com/relucert/relucert/exact"
)

// tableau is the simplex tableau of LP.Solve, kept fraction-free
// (Edmonds' integer-preserving pivoting, as in Bareiss elimination).
//
// Row i of A x = B is first scaled by σ_i L_i, where L_i > 0 clears the
// denominators of row i and σ_i = ±1 makes its right-hand side nonnegative;
// this gives integer A' x = B' with B' ≥ 0. The phase-I problem is
//
//	minimise Σ a subject to A' x + a = B', x ≥ 0, a ≥ 0,
//
// with columns 0..n−1 for x, n..n+m−1 for the artificials a and n+m for the
// right-hand side; row m is the objective row. Every entry is an integer and
// the true tableau entry is t[i][j]/den, where den = |det| of the current
// basis matrix; by Cramer's rule all of t·den stays integral, and a pivot
// divides exactly. The artificial columns are kept to the end: they hold
// den·B⁻¹, from which the duals are read.
type tableau struct {
	m, n   int
	t      [][]big.Int // (m+1) × (n+m+1)
	den    big.Int     // common denominator, > 0
	basis  []int       // basis[i] = column basic in row i
	rowMul []*big.Rat  // σ_i L_i
	cost   *big.Rat    // L > 0 clearing the objective's denominators (phase II)
	pivots int
	max    int // pivot budget, 0 = none

	p, f, u, v big.Int // temporaries
}

// lcmDen returns the least common multiple of the denominators of v's
// entries and of extra (when not nil).
func lcmDen(v exact.Vec, extra *big.Rat) *big.Int {
	l := big.NewInt(1)
	var g big.Int
	add := func(x *big.Rat) {
		if x.IsInt() {
			return
		}
		g.GCD(nil, nil, l, x.Denom())
		g.Quo(x.Denom(), &g)
		l.Mul(l, &g)
	}
	for _, x := range v {
		add(x)
	}
	if extra != nil {
		add(extra)
	}
	return l
}

// scaledInt sets z = x·l for an integer multiple l of x's denominator.
func scaledInt(z *big.Int, x *big.Rat, l *big.Int) {
	if x.Sign() == 0 {
		z.SetInt64(0)
		return
	}
	z.Quo(l, x.Denom())
	z.Mul(z, x.Num())
}

func newTableau(lp LP, m, n int) *tableau {
	tb := &tableau{m: m, n: n, max: lp.MaxPivots}
	w := n + m + 1
	tb.t = make([][]big.Int, m+1)
	for i := range tb.t {
		tb.t[i] = make([]big.Int, w)
	}
	tb.den.SetInt64(1)
	tb.basis = make([]int, m)
	tb.rowMul = make([]*big.Rat, m)
	obj := tb.t[m]
	for i := 0; i < m; i++ {
		row := tb.t[i]
		l := lcmDen(lp.A[i], lp.B[i])
		if lp.B[i].Sign() < 0 {
			l.Neg(l)
		}
		tb.rowMul[i] = new(big.Rat).SetInt(l)
		for j, a := range lp.A[i] {
			if a.Sign() == 0 {
				continue
			}
			scaledInt(&row[j], a, l)
			obj[j].Sub(&obj[j], &row[j])
		}
		row[n+i].SetInt64(1)
		scaledInt(&row[w-1], lp.B[i], l)
		obj[w-1].Sub(&obj[w-1], &row[w-1])
		tb.basis[i] = n + i
	}
	return tb
}

// pivot makes column e basic in row r: every other row i becomes
// (p·t_i − t_ie·t_r)/den with p = t_re (an exact division), and den becomes
// |p| (negating every entry when p < 0).
func (tb *tableau) pivot(r, e int) error {
	if tb.max > 0 && tb.pivots >= tb.max {
		return exact.ErrBudget
	}
	tb.pivots++
	row := tb.t[r]
	p, f, u := &tb.p, &tb.f, &tb.u
	p.Set(&row[e])
	one := tb.den.IsInt64() && tb.den.Int64() == 1
	same := p.Cmp(&tb.den) == 0
	for i := range tb.t {
		if i == r {
			continue
		}
		ti := tb.t[i]
		f.Set(&ti[e])
		if f.Sign() == 0 {
			if same {
				continue
			}
			for j := range ti {
				if ti[j].Sign() == 0 {
					continue
				}
				ti[j].Mul(&ti[j], p)
				if !one {
					ti[j].Quo(&ti[j], &tb.den)
				}
			}
			continue
		}
		for j := range ti {
			rj := &row[j]
			switch {
			case rj.Sign() == 0:
				if ti[j].Sign() == 0 || same {
					continue
				}
				ti[j].Mul(&ti[j], p)
			case ti[j].Sign() == 0:
				ti[j].Mul(f, rj)
				ti[j].Neg(&ti[j])
			default:
				ti[j].Mul(&ti[j], p)
				u.Mul(f, rj)
				ti[j].Sub(&ti[j], u)
			}
			if !one {
				ti[j].Quo(&ti[j], &tb.den)
			}
		}
	}
	tb.den.Set(p)
	if tb.den.Sign() < 0 {
		tb.den.Neg(&tb.den)
		for _, ti := range tb.t {
			for j := range ti {
				ti[j].Neg(&ti[j])
			}
		}
	}
	tb.basis[r] = e
	return nil
}

// leaving returns the row leaving the basis when column e enters: the
// minimum ratio rhs_i / t_ie over t_ie > 0, ties broken by the smallest basic
// column (Bland's rule). It returns −1 when column e has no positive entry.
func (tb *tableau) leaving(e int) int {
	rhs := tb.n + tb.m
	best := -1
	for i := 0; i < tb.m; i++ {
		a := &tb.t[i][e]
		if a.Sign() <= 0 {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		// Compare rhs_i/a with rhs_best/b as rhs_i·b vs rhs_best·a (a, b > 0).
		tb.u.Mul(&tb.t[i][rhs], &tb.t[best][e])
		tb.v.Mul(&tb.t[best][rhs], a)
		c := tb.u.Cmp(&tb.v)
		if c < 0 || (c == 0 && tb.basis[i] < tb.basis[best]) {
			best = i
		}
	}
	return best
}

// run iterates the simplex method, letting only columns j < limit enter. It
// returns the entering column of an unbounded direction, or −1 at optimality.
//
// The entering column is Dantzig's (most negative reduced cost, smallest
// index on ties) when its pivot is nondegenerate, and Bland's (smallest index
// with negative reduced cost) otherwise; the leaving row is always the
// minimum ratio with Bland's tie-break. This cannot cycle: the objective
// strictly decreases on every nondegenerate pivot, so a cycle would consist
// of degenerate pivots only, all chosen by Bland's rule, which never cycles.
func (tb *tableau) run(limit int) (int, error) {
	obj := tb.t[tb.m]
	rhs := tb.n + tb.m
	for {
		e, bland := -1, -1
		for j := 0; j < limit; j++ {
			if obj[j].Sign() >= 0 {
				continue
			}
			if bland < 0 {
				bland, e = j, j
			} else if obj[j].Cmp(&obj[e]) < 0 {
				e = j
			}
		}
		if e < 0 {
			return -1, nil
		}
		r := tb.leaving(e)
		if r < 0 {
			return e, nil
		}
		if e != bland && tb.t[r][rhs].Sign() == 0 {
			e = bland
			if r = tb.leaving(e); r < 0 {
				return e, nil
			}
		}
		if err := tb.pivot(r, e); err != nil {
			return -1, err
		}
	}
}

// primal returns the current basic solution in the original variables x.
func (tb *tableau) primal() exact.Vec {
	x := exact.NewVec(tb.n)
	rhs := tb.n + tb.m
	for i, b := range tb.basis {
		if b < tb.n {
			x[b].SetFrac(&tb.t[i][rhs], &tb.den)
		}
	}
	return x
}

// farkas returns the Farkas certificate at a positive phase-I optimum. The
// reduced cost of artificial i is 1 − y'_i for the phase-I dual y' of the
// scaled rows, which has A'ᵀy' ≤ 0 (x's reduced costs are ≥ 0) and
// B'·y' = Σa > 0; so −y', and its positive multiple
// den·(−y') = t[m][n+i] − den, certify A' x = B' infeasible, and
// y_i = σ_i L_i (t[m][n+i] − den) certifies A x = B.
func (tb *tableau) farkas() exact.Vec {
	y := make(exact.Vec, tb.m)
	obj := tb.t[tb.m]
	for i := range y {
		tb.u.Sub(&obj[tb.n+i], &tb.den)
		y[i] = new(big.Rat).SetInt(&tb.u)
		y[i].Mul(y[i], tb.rowMul[i])
	}
	return y
}

// ray returns a positive multiple of the unbounded direction of entering
// column e: den at e and −t_ie at the basic columns.
func (tb *tableau) ray(e int) exact.Vec {
	r := exact.NewVec(tb.n)
	r[e].SetInt(&tb.den)
	for i, b := range tb.basis {
		if b < tb.n {
			r[b].SetInt(&tb.t[i][e])
			r[b].Neg(r[b])
		}
	}
	return r
}

// duals returns the phase-II dual y for the original rows. The reduced cost
// of artificial i (cost 0) is −y”_i for the dual y” of the scaled rows and
// scaled costs L·C, so y_i = σ_i L_i y”_i / L = −σ_i L_i t[m][n+i] / (den·L).
func (tb *tableau) duals() exact.Vec {
	y := make(exact.Vec, tb.m)
	obj := tb.t[tb.m]
	var q big.Rat
	q.SetFrac(big.NewInt(1), &tb.den)
	q.Quo(&q, tb.cost)
	q.Neg(&q)
	for i := range y {
		y[i] = new(big.Rat).SetInt(&obj[tb.n+i])
		y[i].Mul(y[i], tb.rowMul[i])
		y[i].Mul(y[i], &q)
	}
	return y
}

// setCost sets the objective row for the costs L·c on x (artificials cost 0),
// L > 0 clearing c's denominators: den·(L c_j) − Σ_i L c_{B_i} t_ij, which is
// den times the reduced costs, and −L c_B B⁻¹ B' times den in the
// right-hand side.
func (tb *tableau) setCost(c exact.Vec) {
	n := tb.n
	l := lcmDen(c, nil)
	tb.cost = new(big.Rat).SetInt(l)
	ci := make([]big.Int, n)
	for j := range ci {
		scaledInt(&ci[j], c[j], l)
	}
	obj := tb.t[tb.m]
	for j := range obj {
		if j < n {
			obj[j].Mul(&ci[j], &tb.den)
		} else {
			obj[j].SetInt64(0)
		}
	}
	for i, b := range tb.basis {
		if b >= n || ci[b].Sign() == 0 {
			continue
		}
		cb := &ci[b]
		for j := range tb.t[i] {
			if v := &tb.t[i][j]; v.Sign() != 0 {
				tb.u.Mul(cb, v)
				obj[j].Sub(&obj[j], &tb.u)
			}
		}
	}
}
