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
func factorQR(a fmat, pivot bool) *fqr {
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

// fnorm returns the Euclidean norm.
func fnorm(a []float64) float64 { return math.Sqrt(fdot(a, a)) }

// projectPolyhedron returns the point u of {u : G u ≥ h} nearest u0
// (Euclidean), by the dual active-set method of Goldfarb and Idnani
// ("A numerically stable dual method for solving strictly convex quadratic
// programs", Math. Prog. 27, 1983) for the Hessian I: starting from u0, the
// most violated constraint is added to the active set, with partial steps
// that drop active constraints whose multiplier would turn negative. It
// returns ok = false when the polyhedron is (numerically) empty or the
// iteration limit is reached. G has one row per constraint.
func projectPolyhedron(u0 []float64, G fmat, h []float64, maxIter int) ([]float64, bool) {
	q := len(u0)
	u := append([]float64(nil), u0...)
	var act []int
	var lam []float64
	gn := make([]float64, G.r)
	for k := 0; k < G.r; k++ {
		gn[k] = fnorm(G.a[k*G.c : (k+1)*G.c])
	}
	slack := func(k int) float64 { return fdot(G.a[k*G.c:(k+1)*G.c], u) - h[k] }
	scaleU := fnorm(u0) + 1
	for iter := 0; iter < maxIter; iter++ {
		// Most violated constraint (relative to its normal).
		p, worst := -1, 0.0
		for k := 0; k < G.r; k++ {
			if gn[k] == 0 {
				if h[k] > 0 {
					return nil, false
				}
				continue
			}
			v := slack(k) / gn[k]
			if v < worst-1e-13*scaleU {
				p, worst = k, v
			}
		}
		if p < 0 {
			return u, true
		}
		lamp := 0.0
		for inner := 0; ; inner++ {
			if inner > maxIter {
				return nil, false
			}
			n := G.a[p*G.c : (p+1)*G.c]
			// r solves (NᵀN) r = Nᵀn; s = n − N r.
			var r []float64
			s := append([]float64(nil), n...)
			if len(act) > 0 {
				N := newFmat(q, len(act))
				for j, k := range act {
					for c := 0; c < q; c++ {
						N.set(c, j, G.at(k, c))
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
			if len(act) < q && ss > 1e-20*gn[p]*gn[p] {
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
