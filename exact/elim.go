package exact

import (
	"fmt"
	"math/big"
)

// This file holds exact Gaussian elimination over Q: rank, reduced row
// echelon form, nullspace and particular solutions of linear systems.
//
// The elimination works on *big.Rat entries in place on a private copy of
// the input; it skips zero entries and reuses its temporaries. A matrix whose
// rows have unequal lengths is a caller error and panics, as an index out of
// range would.

// rref reduces a to reduced row echelon form in place, treating only the
// first cols columns as pivot candidates (columns beyond cols, such as an
// augmented right-hand side, are carried along). It returns the pivot
// columns in increasing order; row k of the result has its leading 1 in
// column pivots[k], and rows k ≥ len(pivots) are zero in the first cols
// columns.
func rref(a Mat, cols int) []int {
	pivots, _ := rrefStop(a, cols, nil)
	return pivots
}

// rrefStop is rref asking stop before each row operation; ok = false when
// stop said stop (a is then partly reduced).
func rrefStop(a Mat, cols int, stop Stop) (pivots []int, ok bool) {
	var f, t big.Rat
	width := 0
	if len(a) > 0 {
		width = len(a[0])
	}
	nz := make([]int, 0, width)
	r := 0
	for c := 0; c < cols && r < len(a); c++ {
		p := -1
		for i := r; i < len(a); i++ {
			if a[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		a[r], a[p] = a[p], a[r]
		row := a[r]
		// Normalise the pivot row to a leading 1 and record its support.
		nz = nz[:0]
		if row[c].Cmp(ratOne) != 0 {
			f.Inv(row[c])
			for j := c; j < width; j++ {
				if row[j].Sign() != 0 {
					row[j].Mul(row[j], &f)
				}
			}
		}
		for j := c; j < width; j++ {
			if row[j].Sign() != 0 {
				nz = append(nz, j)
			}
		}
		// Clear column c in every other row.
		for i := range a {
			if i == r || a[i][c].Sign() == 0 {
				continue
			}
			if stop.Stopped() {
				return pivots, false
			}
			f.Set(a[i][c])
			ai := a[i]
			for _, j := range nz {
				t.Mul(&f, row[j])
				ai[j].Sub(ai[j], &t)
			}
		}
		pivots = append(pivots, c)
		r++
	}
	return pivots, true
}

var ratOne = big.NewRat(1, 1)

// checkCols panics unless every row of m has exactly cols entries.
func checkCols(m Mat, cols int) {
	for i, row := range m {
		if len(row) != cols {
			panic(fmt.Sprintf("exact: row %d has %d entries, want %d", i, len(row), cols))
		}
	}
}

// Rank returns the rank of m over Q, the dimension of its row space.
// A matrix without rows has rank 0.
func Rank(m Mat) int {
	if len(m) == 0 {
		return 0
	}
	checkCols(m, len(m[0]))
	return len(rref(m.Clone(), len(m[0])))
}

// RowEchelon returns the reduced row echelon form r of m and its pivot
// columns: r has the same shape and row space as m, row k < len(pivots) has
// a leading 1 in column pivots[k] and zeros in every other pivot column, and
// the remaining rows are zero. m is not modified.
func RowEchelon(m Mat) (r Mat, pivots []int) {
	r = m.Clone()
	if len(r) == 0 {
		return r, nil
	}
	checkCols(r, len(r[0]))
	pivots = rref(r, len(r[0]))
	return r, pivots
}

// Nullspace returns a basis of the nullspace {x ∈ Q^cols : m x = 0} of m,
// which has cols columns (cols is needed when m has no rows). The basis has
// cols − Rank(m) vectors; the k-th one has a 1 in the k-th free (non-pivot)
// column of the reduced row echelon form and a 0 in every other free column.
// The result is empty (nil) when m has full column rank.
func Nullspace(m Mat, cols int) []Vec {
	basis, _ := NullspaceStop(m, cols, nil)
	return basis
}

// NullspaceStop is Nullspace asking stop before each row operation of the
// elimination; once stop says stop it returns ErrBudget.
func NullspaceStop(m Mat, cols int, stop Stop) ([]Vec, error) {
	checkCols(m, cols)
	r := m.Clone()
	pivots, ok := rrefStop(r, cols, stop)
	if !ok {
		return nil, fmt.Errorf("nullspace of a %d×%d matrix: %w", len(m), cols, ErrBudget)
	}
	isPivot := make([]bool, cols)
	for _, p := range pivots {
		isPivot[p] = true
	}
	var basis []Vec
	for f := 0; f < cols; f++ {
		if isPivot[f] {
			continue
		}
		x := NewVec(cols)
		x[f].SetInt64(1)
		for k, p := range pivots {
			x[p].Neg(r[k][f])
		}
		basis = append(basis, x)
	}
	return basis, nil
}

// SolveLinear returns a particular solution x ∈ Q^cols of m x = b, the one
// whose free (non-pivot) variables of the reduced row echelon form are 0,
// and ok = true; or nil and ok = false when the system is inconsistent
// (b is not in the column space of m). m has cols columns and len(b) rows.
func SolveLinear(m Mat, b Vec, cols int) (x Vec, ok bool) {
	checkCols(m, cols)
	if len(b) != len(m) {
		panic(fmt.Sprintf("exact: SolveLinear with %d rows and %d right-hand sides", len(m), len(b)))
	}
	a := make(Mat, len(m))
	for i, row := range m {
		a[i] = make(Vec, cols+1)
		for j, v := range row {
			a[i][j] = new(big.Rat).Set(v)
		}
		a[i][cols] = new(big.Rat).Set(b[i])
	}
	pivots := rref(a, cols)
	for i := len(pivots); i < len(a); i++ {
		if a[i][cols].Sign() != 0 {
			return nil, false
		}
	}
	x = NewVec(cols)
	for k, p := range pivots {
		x[p].Set(a[k][cols])
	}
	return x, true
}

// SolveInt solves B x = rhs for a square integer matrix B by fraction-free
// (Bareiss) elimination with row pivoting — integer arithmetic throughout,
// every division exact — returning x = num/den with den = ±det B, or
// ok = false when B is singular. B and rhs are not modified.
func SolveInt(B [][]big.Int, rhs []big.Int) (num []big.Int, den *big.Int, ok bool) {
	d := len(B)
	if d == 0 {
		return nil, big.NewInt(1), true
	}
	M := make([][]big.Int, d)
	for r := range M {
		M[r] = make([]big.Int, d+1)
		for c := 0; c < d; c++ {
			M[r][c].Set(&B[r][c])
		}
		M[r][d].Set(&rhs[r])
	}
	if _, ok := bareiss(M, d); !ok {
		return nil, nil, false
	}
	// Back substitution: x_k = (det·M[k][d] − Σ_{c>k} M[k][c] x_c·…)/M[k][k]
	// computed as num_k / det with det = M[d−1][d−1].
	var t, u big.Int
	det := new(big.Int).Set(&M[d-1][d-1])
	num = make([]big.Int, d)
	for k := d - 1; k >= 0; k-- {
		t.Mul(det, &M[k][d])
		for c := k + 1; c < d; c++ {
			t.Sub(&t, u.Mul(&M[k][c], &num[c]))
		}
		if new(big.Int).Rem(&t, &M[k][k]).Sign() != 0 {
			return nil, nil, false // cannot happen for exact arithmetic
		}
		num[k].Quo(&t, &M[k][k])
	}
	return num, det, true
}

// DetInt returns the determinant of the square integer matrix B by
// fraction-free (Bareiss) elimination with row pivoting; every division is
// exact. B is not modified; the determinant of the 0×0 matrix is 1.
func DetInt(B [][]big.Int) *big.Int {
	d := len(B)
	if d == 0 {
		return big.NewInt(1)
	}
	M := make([][]big.Int, d)
	for r := range M {
		M[r] = make([]big.Int, d)
		for c := range M[r] {
			M[r][c].Set(&B[r][c])
		}
	}
	sign, ok := bareiss(M, d)
	if !ok {
		return new(big.Int)
	}
	det := new(big.Int).Set(&M[d-1][d-1])
	if sign < 0 {
		det.Neg(det)
	}
	return det
}

// bareiss runs fraction-free Gaussian elimination with row pivoting in
// place on the d rows of M over its first d columns (later columns, such as
// a right-hand side, are carried along). Afterwards M is upper triangular
// in those columns and M[d−1][d−1] is the determinant of the row-permuted
// leading d×d block; sign is the sign of the permutation. ok is false when
// that block is singular.
func bareiss(M [][]big.Int, d int) (sign int, ok bool) {
	sign = 1
	prev := big.NewInt(1)
	var t, u big.Int
	for k := 0; k < d; k++ {
		p := -1
		for r := k; r < d; r++ {
			if M[r][k].Sign() != 0 {
				p = r
				break
			}
		}
		if p < 0 {
			return 0, false
		}
		if p != k {
			M[k], M[p] = M[p], M[k]
			sign = -sign
		}
		for r := k + 1; r < d; r++ {
			for c := k + 1; c < len(M[r]); c++ {
				t.Mul(&M[k][k], &M[r][c])
				u.Mul(&M[r][k], &M[k][c])
				t.Sub(&t, &u)
				M[r][c].Quo(&t, prev)
			}
			M[r][k].SetInt64(0)
		}
		prev = &M[k][k]
	}
	return sign, true
}

// CrossInt returns the generalised cross product of the d−1 integer rows R
// in Z^d: u_c = (−1)^c·det(R without column c), a vector orthogonal to every
// row, nonzero exactly when the rows are linearly independent (then it
// spans their orthogonal line).
func CrossInt(R [][]big.Int, d int) []big.Int {
	u := make([]big.Int, d)
	minor := make([][]big.Int, len(R))
	for c := 0; c < d; c++ {
		for r := range R {
			minor[r] = make([]big.Int, d-1)
			i := 0
			for cc := 0; cc < d; cc++ {
				if cc != c {
					minor[r][i].Set(&R[r][cc])
					i++
				}
			}
		}
		u[c].Set(DetInt(minor))
		if c%2 == 1 {
			u[c].Neg(&u[c])
		}
	}
	return u
}
