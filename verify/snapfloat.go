package verify

import "math"

// This file holds the dense float64 linear algebra of snap's planner
// (snapplan.go): Householder QR with column pivoting and the least-squares
// solves built on it. The planner only proposes — which pattern to try,
// which coordinates to fix at which short values — and every proposal is
// re-established in exact arithmetic before anything is claimed
// (snapsolve.go), so no decision of snap rests on these numbers.

// fmat is a dense row-major r×c float64 matrix.
type fmat struct {
	r, c int
	a    []float64
}

func newFmat(r, c int) fmat { return fmat{r: r, c: c, a: make([]float64, r*c)} }

func (m fmat) at(i, j int) float64     { return m.a[i*m.c+j] }
func (m fmat) set(i, j int, v float64) { m.a[i*m.c+j] = v }

// mulVec returns m·x.
func (m fmat) mulVec(x []float64) []float64 {
	y := make([]float64, m.r)
	for i := 0; i < m.r; i++ {
		row := m.a[i*m.c : (i+1)*m.c]
		s := 0.0
		for j, v := range row {
			s += v * x[j]
		}
		y[i] = s
	}
	return y
}

// tMulVec returns mᵀ·x.
func (m fmat) tMulVec(x []float64) []float64 {
	y := make([]float64, m.c)
	for i := 0; i < m.r; i++ {
		if x[i] == 0 {
			continue
		}
		row := m.a[i*m.c : (i+1)*m.c]
		for j, v := range row {
			y[j] += v * x[i]
		}
	}
	return y
}

// fqr is a Householder QR factorisation A·Π = Q·R of an m×n matrix, with
// Π the column permutation chosen by pivoting (largest remaining column
// norm first) when asked for. The factors are kept by columns: col[j] holds
// column j of R above the diagonal (and on it) and the reflector below.
type fqr struct {
	m, n int
	col  [][]float64
	tau  []float64
	perm []int // column k of A·Π is column perm[k] of A
}

// r returns R_kj (k ≤ j).
func (q *fqr) r(k, j int) float64 { return q.col[j][k] }

// factorQR factors a copy of a.
func factorQR(a fmat, pivot bool) *fqr { return factorQRPoll(a, pivot, nil) }

// factorQRPoll is factorQR calling poll (when not nil) before each
// column's reflector: a large factorisation can take seconds, and poll may
// unwind the caller when the time budget runs out.
func factorQRPoll(a fmat, pivot bool, poll func()) *fqr {
	m, n := a.r, a.c
	q := &fqr{m: m, n: n, col: make([][]float64, n), tau: make([]float64, min(m, n)), perm: make([]int, n)}
	for j := range q.col {
		c := make([]float64, m)
		for i := range c {
			c[i] = a.a[i*n+j]
		}
		q.col[j] = c
		q.perm[j] = j
	}
	for k := 0; k < min(m, n); k++ {
		if poll != nil {
			poll()
		}
		if pivot {
			best, bn := k, -1.0
			for j := k; j < n; j++ {
				if v := fdot(q.col[j][k:], q.col[j][k:]); v > bn {
					best, bn = j, v
				}
			}
			q.col[k], q.col[best] = q.col[best], q.col[k]
			q.perm[k], q.perm[best] = q.perm[best], q.perm[k]
		}
		ck := q.col[k]
		alpha := math.Sqrt(fdot(ck[k:], ck[k:]))
		if alpha == 0 {
			q.tau[k] = 0
			continue
		}
		x0 := ck[k]
		if x0 > 0 {
			alpha = -alpha
		}
		v0 := x0 - alpha
		for i := k + 1; i < m; i++ {
			ck[i] /= v0
		}
		q.tau[k] = -v0 / alpha
		ck[k] = alpha
		v := ck[k+1:]
		for j := k + 1; j < n; j++ {
			cj := q.col[j]
			d := (cj[k] + fdot(v, cj[k+1:])) * q.tau[k]
			cj[k] -= d
			rest := cj[k+1:]
			for i, vi := range v {
				rest[i] -= d * vi
			}
		}
	}
	return q
}

// reflect applies the k-th reflector to b in place.
func (q *fqr) reflect(k int, b []float64) {
	if q.tau[k] == 0 {
		return
	}
	v := q.col[k][k+1:]
	d := (b[k] + fdot(v, b[k+1:])) * q.tau[k]
	b[k] -= d
	rest := b[k+1:]
	for i, vi := range v {
		rest[i] -= d * vi
	}
}

// qt applies Qᵀ to b (length m) in place.
func (q *fqr) qt(b []float64) {
	for k := 0; k < len(q.tau); k++ {
		q.reflect(k, b)
	}
}

// qmul applies Q to b (length m) in place.
func (q *fqr) qmul(b []float64) {
	for k := len(q.tau) - 1; k >= 0; k-- {
		q.reflect(k, b)
	}
}

// rank returns the number of diagonal entries of R above rel·|R₁₁|.
func (q *fqr) rank(rel float64) int {
	if len(q.tau) == 0 {
		return 0
	}
	top := math.Abs(q.r(0, 0))
	r := 0
	for k := 0; k < len(q.tau); k++ {
		if math.Abs(q.r(k, k)) > rel*top && top > 0 {
			r++
		} else {
			break
		}
	}
	return r
}

// lstsq returns the basic least-squares solution x of A x ≈ b using the
// first rk columns of A·Π (the others 0).
func (q *fqr) lstsq(b []float64, rk int) []float64 {
	c := append([]float64(nil), b...)
	q.qt(c)
	z := make([]float64, rk)
	for k := rk - 1; k >= 0; k-- {
		s := c[k]
		for j := k + 1; j < rk; j++ {
			s -= q.r(k, j) * z[j]
		}
		z[k] = s / q.r(k, k)
	}
	x := make([]float64, q.n)
	for k := 0; k < rk; k++ {
		x[q.perm[k]] = z[k]
	}
	return x
}

// nullBasis returns an orthonormal basis (as columns of an m×(m−rk)
// matrix) of the orthogonal complement of the span of the first rk columns
// of A·Π: the last m − rk columns of Q.
func (q *fqr) nullBasis(rk int) fmat {
	out := newFmat(q.m, q.m-rk)
	e := make([]float64, q.m)
	for k := rk; k < q.m; k++ {
		clear(e)
		e[k] = 1
		q.qmul(e)
		for i := 0; i < q.m; i++ {
			out.set(i, k-rk, e[i])
		}
	}
	return out
}

// fdot returns the dot product of two float64 slices.
func fdot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// fdist2 returns |a − b|².
func fdist2(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += (v - b[i]) * (v - b[i])
	}
	return s
}

// fnorm returns the Euclidean norm.
func fnorm(a []float64) float64 { return math.Sqrt(fdot(a, a)) }

// qpConstraints is the polyhedron {u : g_k·u ≥ h_k} of projectQP, given
// by its slacks (so that a large one need not be formed row by row).
type qpConstraints interface {
	// slacks writes into v, for every constraint k, its slack g_k·u − h_k
	// divided by a positive scale of the implementation's choice (the most
	// negative is added first), +Inf for a constraint to ignore; it reports
	// false when a constraint is violated whatever u is (a zero normal).
	slacks(u, v []float64) bool
	// constraint returns g_k and h_k.
	constraint(k int) (g []float64, h float64)
	// tol is the scaled slack below −tol at which a constraint counts as
	// violated.
	tol() float64
}

// projectQP returns the point u of the polyhedron cs (m constraints)
// nearest u0 (Euclidean), by the dual active-set method of Goldfarb and
// Idnani ("A numerically stable dual method for solving strictly convex
// quadratic programs", Math. Prog. 27, 1983) for the Hessian I: starting
// from u0, the most violated constraint is added to the active set, with
// partial steps that drop active constraints whose multiplier would turn
// negative. It returns ok = false when the polyhedron is (numerically)
// empty or the iteration limit is reached.
//
// The method's iterates are the projections of u0 onto the faces of its
// active sets, so |u − u0| only grows and bounds the distance of the
// answer from below: when maxDist2 > 0 and |u − u0|² exceeds it, the
// answer is farther than the caller accepts and ok = false at once. poll,
// when not nil, is called once per step (it may unwind the caller: the
// time budget).
func projectQP(u0 []float64, m int, cs qpConstraints, maxIter int, maxDist2 float64, poll func()) ([]float64, bool) {
	q := len(u0)
	u := append([]float64(nil), u0...)
	var act []int
	var lam []float64
	// The constraints added so far (active, or dropped since).
	rows := map[int][]float64{}
	hs := map[int]float64{}
	row := func(k int) []float64 {
		if g, ok := rows[k]; ok {
			return g
		}
		g, h := cs.constraint(k)
		rows[k], hs[k] = g, h
		return g
	}
	slack := func(k int) float64 { return fdot(row(k), u) - hs[k] }
	v := make([]float64, m)
	for iter := 0; iter < maxIter; iter++ {
		if poll != nil {
			poll()
		}
		// Most violated constraint (in the scale of cs).
		if !cs.slacks(u, v) {
			return nil, false
		}
		p, worst := -1, 0.0
		for k, vk := range v {
			if vk < worst-cs.tol() {
				p, worst = k, vk
			}
		}
		if p < 0 {
			return u, true
		}
		if fnorm(row(p)) == 0 {
			return nil, false
		}
		lamp := 0.0
		for inner := 0; ; inner++ {
			if inner > maxIter {
				return nil, false
			}
			if poll != nil {
				poll()
			}
			n := row(p)
			// r solves (NᵀN) r = Nᵀn; s = n − N r.
			var r []float64
			s := append([]float64(nil), n...)
			if len(act) > 0 {
				N := newFmat(q, len(act))
				for j, k := range act {
					for c, gc := range row(k) {
						N.set(c, j, gc)
					}
				}
				nq := factorQR(N, false)
				r = nq.lstsq(n, len(act))
				Nr := N.mulVec(r)
				for c := range s {
					s[c] -= Nr[c]
				}
			}
			ss := fdot(s, s)
			t2 := math.Inf(1)
			if gp := fdot(n, n); len(act) < q && ss > 1e-20*gp {
				t2 = -slack(p) / ss
			}
			t1, drop := math.Inf(1), -1
			for j := range act {
				if r[j] > 1e-14 {
					if v := lam[j] / r[j]; v < t1 {
						t1, drop = v, j
					}
				}
			}
			if math.IsInf(t1, 1) && math.IsInf(t2, 1) {
				return nil, false // infeasible
			}
			t := math.Min(t1, t2)
			if !math.IsInf(t2, 1) {
				for c := range u {
					u[c] += t * s[c]
				}
			}
			for j := range act {
				lam[j] -= t * r[j]
			}
			lamp += t
			if maxDist2 > 0 && fdist2(u, u0) > maxDist2 {
				return nil, false
			}
			if t2 <= t1 {
				act = append(act, p)
				lam = append(lam, lamp)
				break
			}
			act = append(act[:drop], act[drop+1:]...)
			lam = append(lam[:drop], lam[drop+1:]...)
		}
	}
	return nil, false
}
