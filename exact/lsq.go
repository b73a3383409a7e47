package exact

import "fmt"

// ConstrainedLeastSquares returns a minimiser x of |M x − y|² subject to
// C x = 0, by the KKT system
//
//	[MᵀM  Cᵀ] [x]   [Mᵀy]
//	[C    0 ] [λ] = [ 0 ],
//
// solved exactly (free variables set to 0 when the minimiser is not unique;
// M x is unique). M is n×c, y has n entries, C has c columns (it may have no
// rows). The system is always consistent; an error means a shape mismatch
// or a bug.
func ConstrainedLeastSquares(M Mat, y Vec, C Mat, cols int) (Vec, error) {
	if len(M) != len(y) {
		return nil, fmt.Errorf("least squares: %d rows, %d targets", len(M), len(y))
	}
	Mt := M.T()
	if len(M) == 0 {
		Mt = NewMat(cols, 0)
	}
	kk := cols + len(C)
	K := NewMat(kk, kk)
	rhs := NewVec(kk)
	for a := 0; a < cols; a++ {
		for b := a; b < cols; b++ {
			v := Mt[a].Dot(Mt[b])
			K[a][b].Set(v)
			K[b][a].Set(v)
		}
		rhs[a] = Mt[a].Dot(y)
	}
	for r, row := range C {
		if len(row) != cols {
			return nil, fmt.Errorf("least squares: constraint %d has %d columns, want %d", r, len(row), cols)
		}
		for a := 0; a < cols; a++ {
			K[a][cols+r].Set(row[a])
			K[cols+r][a].Set(row[a])
		}
	}
	sol, ok := SolveLinear(K, rhs, kk)
	if !ok {
		return nil, fmt.Errorf("least squares: inconsistent KKT system (internal error)")
	}
	return sol[:cols], nil
}
