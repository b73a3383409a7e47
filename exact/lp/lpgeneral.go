package lp

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
)

// Sense is the relation of a linear constraint A·x (≤ | = | ≥) B.
type Sense int8

const (
	// LE is A·x ≤ B.
	LE Sense = -1
	// EQ is A·x = B.
	EQ Sense = 0
	// GE is A·x ≥ B.
	GE Sense = 1
)

// String returns the relation as "<=", "=" or ">=".
func (s Sense) String() string {
	switch s {
	case LE:
		return "<="
	case EQ:
		return "="
	case GE:
		return ">="
	}
	return fmt.Sprintf("Sense(%d)", int8(s))
}

// Constraint is the linear constraint A·x Sense B on x ∈ Q^n.
type Constraint struct {
	A     exact.Vec
	Sense Sense
	B     *big.Rat
}

// Program is a linear program in general form over x ∈ Q^N:
//
//	minimise (or, with Maximize, maximise) C·x
//	subject to A_k·x Sense_k B_k for every constraint k,
//	           x_i ≥ 0 for every i with Nonneg[i].
//
// Every variable is free (of unrestricted sign) unless Nonneg says otherwise;
// Nonneg nil means all variables are free. C nil asks only for feasibility.
// MaxPivots > 0 bounds the simplex pivots (exact.ErrBudget when exceeded).
type Program struct {
	N         int
	Nonneg    []bool
	Cons      []Constraint
	C         exact.Vec
	Maximize  bool
	MaxPivots int
}

// Solve solves the program exactly by conversion to the standard form of LP
// (each free x_i = x⁺_i − x⁻_i with x⁺, x⁻ ≥ 0, and one nonnegative slack per
// inequality) and LP.Solve. It returns
//
//   - Optimal: x ∈ Q^N satisfying every constraint; with C not nil, x attains
//     the optimum and value = C·x in the program's own sense (the maximum when
//     Maximize). value is nil when C is nil.
//   - Infeasible: no x satisfies the constraints; x and value are nil.
//   - Unbounded: C·x is unbounded below (above when Maximize) on the feasible
//     set; x is a feasible point and value is nil.
//
// The error is non-nil on malformed input (lengths, nil entries, unknown
// Sense) and exact.ErrBudget when the pivot budget ran out.
func (p Program) Solve() (status LPStatus, x exact.Vec, value *big.Rat, err error) {
	lp, cols, width, err := p.standard()
	if err != nil {
		return Optimal, nil, nil, err
	}
	res, err := lp.Solve()
	if err != nil {
		return Optimal, nil, nil, err
	}
	if res.Status == Infeasible {
		return Infeasible, nil, nil, nil
	}
	sx := res.X
	if len(lp.A) == 0 && lp.C == nil {
		// No rows and no objective: LP.Solve sees no variables; x = 0.
		sx = exact.NewVec(width)
	}
	x = exact.NewVec(p.N)
	for i, c := range cols {
		x[i].Set(sx[c])
		if !p.nonneg(i) {
			x[i].Sub(x[i], sx[c+1])
		}
	}
	if res.Status == Unbounded {
		return Unbounded, x, nil, nil
	}
	if p.C != nil {
		value = p.C.Dot(x)
	}
	return Optimal, x, value, nil
}

// nonneg reports whether x_i is restricted to x_i ≥ 0.
func (p Program) nonneg(i int) bool { return p.Nonneg != nil && p.Nonneg[i] }

// standard converts p to standard form. cols[i] is the column of x_i (of x⁺_i
// for a free variable, whose x⁻_i is the next column); slacks follow, and
// width is the number of standard-form columns.
func (p Program) standard() (lp LP, cols []int, width int, err error) {
	if p.N < 0 {
		return LP{}, nil, 0, errors.New("lp: Program with negative N")
	}
	if p.Nonneg != nil && len(p.Nonneg) != p.N {
		return LP{}, nil, 0, fmt.Errorf("lp: Program Nonneg has %d entries, want %d", len(p.Nonneg), p.N)
	}
	if p.C != nil && (len(p.C) != p.N || !p.C.Defined()) {
		return LP{}, nil, 0, fmt.Errorf("lp: Program objective must have %d non-nil entries", p.N)
	}
	cols = make([]int, p.N)
	n := 0
	for i := range cols {
		cols[i] = n
		n++
		if !p.nonneg(i) {
			n++
		}
	}
	nx := n
	for k, c := range p.Cons {
		if len(c.A) != p.N || !c.A.Defined() || c.B == nil {
			return LP{}, nil, 0, fmt.Errorf("lp: Program constraint %d must have %d non-nil coefficients and a bound", k, p.N)
		}
		switch c.Sense {
		case LE, GE:
			n++
		case EQ:
		default:
			return LP{}, nil, 0, fmt.Errorf("lp: Program constraint %d has unknown sense %v", k, c.Sense)
		}
	}
	lp = LP{A: make(exact.Mat, len(p.Cons)), B: make(exact.Vec, len(p.Cons)), MaxPivots: p.MaxPivots}
	slack := nx
	for k, c := range p.Cons {
		row := exact.NewVec(n)
		for i, a := range c.A {
			if a.Sign() == 0 {
				continue
			}
			row[cols[i]].Set(a)
			if !p.nonneg(i) {
				row[cols[i]+1].Neg(a)
			}
		}
		switch c.Sense {
		case LE:
			row[slack].SetInt64(1)
			slack++
		case GE:
			row[slack].SetInt64(-1)
			slack++
		}
		lp.A[k] = row
		lp.B[k] = new(big.Rat).Set(c.B)
	}
	if p.C != nil {
		lp.C = exact.NewVec(n)
		for i, c := range p.C {
			if p.Maximize {
				lp.C[cols[i]].Neg(c)
			} else {
				lp.C[cols[i]].Set(c)
			}
			if !p.nonneg(i) {
				lp.C[cols[i]+1].Neg(lp.C[cols[i]])
			}
		}
	}
	return lp, cols, n, nil
}
