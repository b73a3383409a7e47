package arrangement

import (
	"math"
	"math/big"

	"github.com/relucert/relucert/exact"
)

// independentCells returns the cells of the arrangement when its q normals
// are nonzero and linearly independent (ok = false otherwise): then every
// sign vector σ ∈ {±1}^q is a cell, sorted lexicographically with
// −1 < +1, and no flat is needed to prove it (the tree of docs/theory.md
// §11.3 has no node with a single child), so the coverage certificate is
// empty.
//
// The interior points are small. With C the pivot columns of the normals
// (exact.SpanCoordinates) and H_C the q×q matrix of the normals on them, the
// columns c_k of H_C⁻¹ are computed in float64 and rounded to integer
// vectors ĉ_k of about 30 bits; u_σ = Σ_k σ_k ĉ_k (on the columns C, zero
// elsewhere) has the signs σ for every σ when P = H_C·Ĉ, computed exactly,
// is strictly diagonally dominant by rows with a positive diagonal:
// (H u_σ)_i = σ_i P_ii + Σ_{k≠i} σ_k P_ik. When the rounding does not give
// that, Ĉ is sign(det H_C)·adj(H_C), for which P = |det H_C|·I.
func independentCells(normals []exact.Vec, d, maxCells int, stop func() bool) ([]Cell, bool, error) {
	q := len(normals)
	if q == 0 || q > 62 {
		return nil, false, nil
	}
	for _, h := range normals {
		if h.IsZero() {
			return nil, false, nil
		}
	}
	cols, _ := exact.SpanCoordinates(normals, d, nil)
	if len(cols) != q {
		return nil, false, nil
	}
	if maxCells > 0 && (q >= 62 || 1<<q > maxCells) {
		return nil, true, exact.ErrBudget
	}
	// H_C as primitive integer rows (positive multiples: same signs).
	H := make([][]big.Int, q)
	for i, h := range normals {
		row := primitiveInts(h)
		H[i] = make([]big.Int, q)
		for k, c := range cols {
			H[i][k].Set(row[c])
		}
	}
	C := roundedInverse(H)
	if C == nil || !dominant(H, C) {
		if C = adjugate(H); C == nil {
			return nil, false, nil
		}
	}
	out := make([]Cell, 1<<q)
	u := make([]big.Int, q)
	for mask := range out {
		if mask&4095 == 4095 && stop != nil && stop() {
			return nil, true, exact.ErrBudget
		}
		signs := make([]int8, q)
		for k := range u {
			u[k].SetInt64(0)
		}
		for i := 0; i < q; i++ {
			signs[i] = -1
			if mask>>(q-1-i)&1 == 1 {
				signs[i] = 1
			}
			for k := range u {
				if signs[i] > 0 {
					u[k].Add(&u[k], &C[k][i])
				} else {
					u[k].Sub(&u[k], &C[k][i])
				}
			}
		}
		p := exact.NewVec(d)
		for k, c := range cols {
			p[c].SetInt(&u[k])
		}
		out[mask] = Cell{Signs: signs, Point: p}
	}
	return out, true, nil
}

// roundedInverse returns the columns of H⁻¹ (H square, integer) from a
// float64 elimination with partial pivoting, each scaled to largest
// magnitude 2³⁰ and rounded to integers: C[k][i] is entry k of column i.
// It returns nil when the float64 images overflow or the elimination
// breaks down.
func roundedInverse(H [][]big.Int) [][]big.Int {
	q := len(H)
	a := make([][]float64, q)
	for i := range a {
		a[i] = make([]float64, 2*q)
		for k := 0; k < q; k++ {
			a[i][k] = exact.IntFloat64(&H[i][k])
			if math.IsInf(a[i][k], 0) {
				return nil
			}
		}
		a[i][q+i] = 1
	}
	for c := 0; c < q; c++ {
		p := c
		for r := c + 1; r < q; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if a[p][c] == 0 || math.IsNaN(a[p][c]) {
			return nil
		}
		a[c], a[p] = a[p], a[c]
		for r := 0; r < q; r++ {
			if r == c || a[r][c] == 0 {
				continue
			}
			f := a[r][c] / a[c][c]
			for k := c; k < 2*q; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	C := make([][]big.Int, q)
	for k := range C {
		C[k] = make([]big.Int, q)
	}
	for i := 0; i < q; i++ { // column i of H⁻¹ is a[·][q+i] / a[·][·]
		col := make([]float64, q)
		mx := 0.0
		for k := 0; k < q; k++ {
			col[k] = a[k][q+i] / a[k][k]
			mx = math.Max(mx, math.Abs(col[k]))
		}
		if mx == 0 || math.IsInf(mx, 0) || math.IsNaN(mx) {
			return nil
		}
		for k := 0; k < q; k++ {
			C[k][i].SetInt64(int64(math.Round(col[k] / mx * (1 << 30))))
		}
	}
	return C
}

// dominant reports whether P = H·C has a positive diagonal and
// P_ii > Σ_{k≠i} |P_ik| for every row i.
func dominant(H, C [][]big.Int) bool {
	q := len(H)
	var p, t, off big.Int
	for i := 0; i < q; i++ {
		off.SetInt64(0)
		var diag big.Int
		for k := 0; k < q; k++ {
			p.SetInt64(0)
			for c := 0; c < q; c++ {
				p.Add(&p, t.Mul(&H[i][c], &C[c][k]))
			}
			if k == i {
				diag.Set(&p)
			} else {
				off.Add(&off, t.Abs(&p))
			}
		}
		if diag.Sign() <= 0 || diag.Cmp(&off) <= 0 {
			return false
		}
	}
	return true
}

// adjugate returns sign(det H)·adj(H) for a nonsingular integer H, so that
// H·C = |det H|·I: column i solves H c = |det H| e_i (exact.SolveInt gives
// c = num/den with den = ±det H, and num·sign(den) = |det H|·c). It
// returns nil when H is singular.
func adjugate(H [][]big.Int) [][]big.Int {
	q := len(H)
	C := make([][]big.Int, q)
	for k := range C {
		C[k] = make([]big.Int, q)
	}
	e := make([]big.Int, q)
	for i := 0; i < q; i++ {
		for k := range e {
			e[k].SetInt64(0)
		}
		e[i].SetInt64(1)
		num, den, ok := exact.SolveInt(H, e)
		if !ok {
			return nil
		}
		for k := 0; k < q; k++ {
			C[k][i].Set(&num[k])
			if den.Sign() < 0 {
				C[k][i].Neg(&C[k][i])
			}
		}
	}
	return C
}
