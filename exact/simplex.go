package exact

import (
	"errors"
	"math/big"
)

// ErrBudget is returned when an exact computation stops because a work
// budget (pivots, cells) ran out before it decided.
var ErrBudget = errors.New("budget exhausted")

// LPStatus is the outcome of a linear program.
type LPStatus int

const (
	// Optimal: a feasible x attains the minimum (or, with C nil, x is feasible).
	Optimal LPStatus = iota
	// Infeasible: no x ≥ 0 with A x = b; Farkas holds the certificate.
	Infeasible
	// Unbounded: c·x is unbounded below on the feasible set; Ray holds the certificate.
	Unbounded
)

func (s LPStatus) String() string {
	switch s {
	case Optimal:
		return "optimal"
	case Infeasible:
		return "infeasible"
	case Unbounded:
		return "unbounded"
	}
	return "unknown"
}

// LP is a linear program in standard form:
//
//	minimise C·x subject to A x = B, x ≥ 0.
//
// C may be nil, asking only for feasibility. MaxPivots > 0 bounds the number
// of simplex pivots (ErrBudget when exceeded); 0 means no bound.
type LP struct {
	A         Mat
	B         Vec
	C         Vec
	MaxPivots int
}

// LPResult is the exact answer to an LP with its certificate.
//
//   - Optimal: X ≥ 0 with A X = B; Y is a dual solution with Aᵀ Y ≤ C and
//     B·Y = C·X = Value (Y and Value are set only when C is not nil).
//   - Infeasible: Farkas y with Aᵀ y ≥ 0 and B·y < 0 (so no x ≥ 0 solves A x = B).
//   - Unbounded: X feasible and Ray ≥ 0 with A Ray = 0 and C·Ray < 0.
type LPResult struct {
	Status LPStatus
	X      Vec
	Y      Vec
	Value  *big.Rat
	Farkas Vec
	Ray    Vec
	Pivots int
}
