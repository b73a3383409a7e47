package recheck

import (
	"math/big"

	"github.com/relucert/relucert/exact"
)

// Krawczyk's theorem (Krawczyk 1969; Moore 1977; Neumaier, "Interval
// methods for systems of equations", Thm 5.1.7). Let F: R^N → R^N be C¹,
// X a box, m ∈ X, C any real N×N matrix, and J(X) an interval matrix
// containing F'(ξ) for every ξ ∈ X. If
//
//	K(X) = m − C·F(m) + (I − C·J(X))·(X − m) ⊂ int X,
//
// then F has exactly one zero in X (and C and every matrix of J(X) are
// nonsingular). With X = m + [−r, r] (componentwise) and
// R = I − C·J(X), K(X) ⊂ int X holds when, for every i,
//
//	|C·F(m)|_i + Σ_j |R|_ij r_j < r_i,
//
// every quantity enclosed in outward-rounded interval arithmetic and the
// inequality decided on the enclosures' upper bounds. C is a float
// approximation of F'(m)⁻¹; its accuracy affects only whether the test
// succeeds, never its validity.

// KrawczykMargin checks K(X) ⊂ int X for the box X = Ball(m_i, r_i) (the
// interval [m_i − r_i, m_i + r_i] rounded outward) and preconditioner C:
// for each i it decides, on upper bounds,
//
//	|C·F(m)|_i + Σ_j |I − C·J(X)|_ij ρ_j < r_i,   ρ_j ≥ max |X_j − m_j|,
//
// and returns whether all hold and the left sides (rounded up, for
// inflation). Since X_i ⊇ [m_i − r_i, m_i + r_i], this gives
// K(X)_i ⊂ (m_i − r_i, m_i + r_i) ⊆ int X_i.
func (s *BoxSystem) KrawczykMargin(m, r []*big.Float, C [][]*big.Float) (ok bool, lhs []*big.Float) {
	N := s.nvar
	X := make([]*exact.Interval, N)
	rho := make([]*big.Float, N)
	for i := range X {
		X[i] = s.newIv().Ball(m[i], r[i])
		rho[i] = s.newIv().Sub(X[i], s.newIv().SetFloat(m[i])).Mag()
	}
	Fm, _ := s.Eval(s.Thin(m), false)
	_, JX := s.Eval(X, true)
	Cv := make([][]*exact.Interval, N)
	for i := range C {
		Cv[i] = s.Thin(C[i])
	}
	lhs = make([]*big.Float, N)
	ok = true
	up := func() *big.Float { return new(big.Float).SetPrec(s.prec).SetMode(big.ToPositiveInf) }
	prod, e := s.newIv(), s.newIv()
	for i := 0; i < N; i++ {
		cf := s.newIv()
		for j := 0; j < N; j++ {
			if C[i][j].Sign() != 0 {
				cf.AddMul(Cv[i][j], Fm[j])
			}
		}
		sum := up().Set(cf.Mag())
		t := up()
		for j := 0; j < N; j++ {
			e.SetInt64(0)
			if i == j {
				e.SetInt64(1)
			}
			for q := 0; q < N; q++ {
				if C[i][q].Sign() == 0 || ivIsZero(JX[q][j]) {
					continue
				}
				e.Sub(e, prod.Mul(Cv[i][q], JX[q][j]))
			}
			sum.Add(sum, t.Mul(e.Mag(), rho[j]))
		}
		lhs[i] = sum
		if sum.Cmp(r[i]) >= 0 {
			ok = false
		}
	}
	return ok, lhs
}

// ivIsZero reports whether x is the thin interval [0, 0].
func ivIsZero(x *exact.Interval) bool { return x.Lo.Sign() == 0 && x.Hi.Sign() == 0 }
