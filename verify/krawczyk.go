package verify

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/recheck"
)

// This file holds the big-float Newton refinement of a pattern's
// stationarity system (boxsystem.go) and the Krawczyk test that proves a
// unique exact zero in a box around the refined point (docs/theory.md §8.2).
//
// The test itself (Krawczyk's theorem, and its evaluation) is
// recheck.BoxSystem.KrawczykMargin, which the re-check runs too.

// bigPrec is the working precision (bits) of the Newton refinement and of
// the interval evaluation.
const bigPrec = 256

// precondPrec is the precision of the preconditioner C stored in
// certificates (its entries are any real numbers; only the test's success
// depends on their accuracy).
const precondPrec = 64

// errSingular reports a (numerically) singular matrix.
var errSingular = errors.New("singular Jacobian")

// rowScale returns the power of two 2^-e with e the exponent of row i's
// largest entry (1 for a zero row): scaling the rows by it (exactly)
// equilibrates a system whose equations have very different sizes.
func rowScale(row []*big.Float) int {
	e, zero := 0, true
	for _, x := range row {
		if x.Sign() != 0 {
			if xe := x.MantExp(nil); zero || xe > e {
				e, zero = xe, false
			}
		}
	}
	return -e
}

// bigSolve solves A x = b by Gaussian elimination with partial pivoting in
// big.Float at precision prec, the rows equilibrated by powers of two (A
// and b are not modified).
func bigSolve(A [][]*big.Float, b []*big.Float, prec uint, poll func()) ([]*big.Float, error) {
	n := len(A)
	M := make([][]*big.Float, n)
	for i := range M {
		sc := rowScale(A[i])
		M[i] = make([]*big.Float, n+1)
		for j := 0; j < n; j++ {
			M[i][j] = new(big.Float).SetPrec(prec).SetMantExp(A[i][j], sc)
		}
		M[i][n] = new(big.Float).SetPrec(prec).SetMantExp(b[i], sc)
	}
	if err := bigEliminate(M, n, prec, poll); err != nil {
		return nil, err
	}
	x := make([]*big.Float, n)
	for i := n - 1; i >= 0; i-- {
		s := new(big.Float).SetPrec(prec).Set(M[i][n])
		t := new(big.Float).SetPrec(prec)
		for j := i + 1; j < n; j++ {
			s.Sub(s, t.Mul(M[i][j], x[j]))
		}
		x[i] = s.Quo(s, M[i][i])
	}
	return x, nil
}

// bigEliminate reduces the n×(n+c) matrix M to upper triangular form in its
// first n columns, with partial pivoting. A pivot that vanishes or is below
// 2^-(prec/2) times the largest entry of its column at the start reports
// errSingular.
func bigEliminate(M [][]*big.Float, n int, prec uint, poll func()) error {
	if n == 0 {
		return nil
	}
	width := len(M[0])
	scale := new(big.Float)
	for i := range M {
		for j := 0; j < n; j++ {
			if a := new(big.Float).Abs(M[i][j]); a.Cmp(scale) > 0 {
				scale = a
			}
		}
	}
	if scale.Sign() == 0 {
		return errSingular
	}
	tiny := new(big.Float).SetMantExp(scale, -int(prec/2))
	t := new(big.Float).SetPrec(prec)
	f := new(big.Float).SetPrec(prec)
	for c := 0; c < n; c++ {
		if poll != nil {
			poll()
		}
		piv := c
		best := new(big.Float).Abs(M[c][c])
		for r := c + 1; r < n; r++ {
			if a := new(big.Float).Abs(M[r][c]); a.Cmp(best) > 0 {
				piv, best = r, a
			}
		}
		if best.Cmp(tiny) <= 0 {
			return errSingular
		}
		M[c], M[piv] = M[piv], M[c]
		for r := c + 1; r < n; r++ {
			if M[r][c].Sign() == 0 {
				continue
			}
			f.Quo(M[r][c], M[c][c])
			for j := c; j < width; j++ {
				M[r][j].Sub(M[r][j], t.Mul(f, M[c][j]))
			}
		}
	}
	return nil
}

// bigInverse returns an approximate inverse of A at precision prec
// (Gauss–Jordan with partial pivoting on the rows of A equilibrated by
// powers of two, D·A: then (D·A)⁻¹·D = A⁻¹).
func bigInverse(A [][]*big.Float, prec uint, poll func()) ([][]*big.Float, error) {
	n := len(A)
	M := make([][]*big.Float, n)
	for i := range M {
		sc := rowScale(A[i])
		M[i] = make([]*big.Float, 2*n)
		for j := 0; j < n; j++ {
			M[i][j] = new(big.Float).SetPrec(prec).SetMantExp(A[i][j], sc)
			M[i][n+j] = new(big.Float).SetPrec(prec)
		}
		M[i][n+i].SetMantExp(big.NewFloat(1), sc)
	}
	if err := bigEliminate(M, n, prec, poll); err != nil {
		return nil, err
	}
	t := new(big.Float).SetPrec(prec)
	for c := n - 1; c >= 0; c-- {
		if poll != nil {
			poll()
		}
		for j := n; j < 2*n; j++ {
			M[c][j].Quo(M[c][j], M[c][c])
		}
		M[c][c].SetInt64(1)
		for r := 0; r < c; r++ {
			if M[r][c].Sign() == 0 {
				continue
			}
			f := new(big.Float).SetPrec(prec).Set(M[r][c])
			for j := n; j < 2*n; j++ {
				M[r][j].Sub(M[r][j], t.Mul(f, M[c][j]))
			}
			M[r][c].SetInt64(0)
		}
	}
	inv := make([][]*big.Float, n)
	for i := range inv {
		inv[i] = M[i][n:]
	}
	return inv, nil
}

// mids returns the midpoints of intervals.
func mids(v []*exact.Interval) []*big.Float {
	out := make([]*big.Float, len(v))
	for i, x := range v {
		out[i] = x.Mid()
	}
	return out
}

func midMat(J [][]*exact.Interval) [][]*big.Float {
	out := make([][]*big.Float, len(J))
	for i := range J {
		out[i] = mids(J[i])
	}
	return out
}

// maxAbs returns max_i |x_i|.
func maxAbs(x []*big.Float) *big.Float {
	m := new(big.Float)
	for _, v := range x {
		if a := new(big.Float).Abs(v); a.Cmp(m) > 0 {
			m = a
		}
	}
	return m
}

// newtonResult is the outcome of the Newton refinement.
type newtonResult struct {
	// z is the last iterate (the refined zero when err is nil).
	z        []*big.Float
	steps    int
	residual *big.Float // max |F| at the start, for reports
	final    *big.Float // max |F| at z
}

// newton refines z0 towards a zero of the system by Newton's method in
// big.Float at the system's precision (a step is halved, up to 20 times,
// while it does not decrease max |F|). It stops when a step is below
// 2^-tol relative to max(1, max |z|), and fails when the Jacobian is
// singular or maxSteps steps do not get there; the result holds the last
// iterate either way.
func newton(s *recheck.BoxSystem, z0 []*big.Float, maxSteps int, tol uint, poll func()) (*newtonResult, error) {
	prec := s.Prec()
	z := make([]*big.Float, len(z0))
	for i, v := range z0 {
		z[i] = new(big.Float).SetPrec(prec).Set(v)
	}
	res := &newtonResult{z: z}
	F, J := s.Eval(s.Thin(z), true)
	fz := maxAbs(mids(F))
	res.residual, res.final = fz, fz
	if s.Unknowns() == 0 {
		return res, nil
	}
	for res.steps = 0; res.steps < maxSteps; res.steps++ {
		rhs := mids(F)
		for i := range rhs {
			rhs[i].Neg(rhs[i])
		}
		step, err := bigSolve(midMat(J), rhs, prec, poll)
		if err != nil {
			return res, fmt.Errorf("Newton step %d: %w", res.steps+1, err)
		}
		scale := maxAbs(z)
		if scale.Cmp(big.NewFloat(1)) < 0 {
			scale.SetInt64(1)
		}
		small := new(big.Float).SetMantExp(scale, -int(tol))
		converged := maxAbs(step).Cmp(small) <= 0
		var zn []*big.Float
		var fn *big.Float
		for halve := 0; ; halve++ {
			if poll != nil {
				poll()
			}
			zn = make([]*big.Float, len(z))
			for i := range z {
				zn[i] = new(big.Float).SetPrec(prec).Add(z[i], step[i])
			}
			F, _ = s.Eval(s.Thin(zn), false)
			fn = maxAbs(mids(F))
			if fn.Cmp(fz) <= 0 || halve == 20 || converged {
				break
			}
			for i := range step {
				step[i].SetMantExp(step[i], -1)
			}
		}
		z, fz = zn, fn
		res.z, res.final = z, fz
		if converged {
			res.steps++
			return res, nil
		}
		_, J = s.Eval(s.Thin(z), true)
	}
	return res, fmt.Errorf("Newton did not converge in %d steps (max |F| = %s)", res.steps, fz.Text('g', 3))
}

// refine runs Newton's method in two phases: at 64 bits (up to 40 steps, to
// a relative step of 2^-44; when that fails with max |F| > 10⁻⁶ the
// refinement fails there), then from the better of that iterate and z0 at
// the system's precision (up to 30 steps, to 2^-(prec−16)).
func refine(p *Point, nb []BoxNeuron, s *recheck.BoxSystem, z0 []*big.Float, poll func()) (*newtonResult, error) {
	z := z0
	steps := 0
	F0, _ := s.Eval(s.Thin(z0), false)
	if s64, err := recheck.NewBoxSystem(p, nb, 64); err == nil {
		nt, err := newton(s64, z0, 40, 44, poll)
		steps = nt.steps
		if err != nil && nt.final.Cmp(big.NewFloat(1e-6)) > 0 {
			// Far from a zero at 64 bits: more precision will not help.
			nt.residual = maxAbs(mids(F0))
			return nt, err
		}
		F1, _ := s.Eval(s.Thin(nt.z), false)
		if maxAbs(mids(F1)).Cmp(maxAbs(mids(F0))) < 0 {
			z = nt.z
		}
	}
	nt, err := newton(s, z, 30, s.Prec()-16, poll)
	nt.steps += steps
	nt.residual = maxAbs(mids(F0))
	return nt, err
}

// boxProof is a box X = m ± r and the preconditioner C for which the
// Krawczyk test succeeded.
type boxProof struct {
	center, radius []*big.Float
	precond        [][]*big.Float
}

// krawczyk proves that the system has exactly one zero in a box around m:
// C is the inverse of the midpoint Jacobian at m (rounded to
// precondPrec), the first radius is r_i = 2^-(prec/2)·max(1, |m_i|), and
// on failure the radius is inflated to twice the test's left side, up to 8
// times (ε-inflation).
func krawczyk(s *recheck.BoxSystem, m []*big.Float, poll func()) (*boxProof, error) {
	N := s.Unknowns()
	if N == 0 {
		return &boxProof{}, nil
	}
	_, Jm := s.Eval(s.Thin(m), true)
	C, err := bigInverse(midMat(Jm), s.Prec(), poll)
	if err != nil {
		return nil, fmt.Errorf("the Jacobian at the refined point is singular (the stationary points of this pattern are not isolated up to rescaling, e.g. split or parallel neurons): %w", err)
	}
	for i := range C {
		for j := range C[i] {
			C[i][j] = new(big.Float).SetPrec(precondPrec).Set(C[i][j])
		}
	}
	r := make([]*big.Float, N)
	for i := range r {
		a := new(big.Float).Abs(m[i])
		if a.Cmp(big.NewFloat(1)) < 0 {
			a.SetInt64(1)
		}
		r[i] = new(big.Float).SetPrec(64).SetMode(big.ToPositiveInf).SetMantExp(a, -int(s.Prec()/2))
	}
	for try := 0; try < 8; try++ {
		if poll != nil {
			poll()
		}
		ok, lhs := s.KrawczykMargin(m, r, C)
		if ok {
			return &boxProof{center: m, radius: r, precond: C}, nil
		}
		for i := range r {
			t := new(big.Float).SetPrec(64).SetMode(big.ToPositiveInf).SetMantExp(lhs[i], 1)
			if t.Cmp(r[i]) > 0 {
				r[i] = t
			} else {
				r[i] = new(big.Float).SetPrec(64).SetMode(big.ToPositiveInf).SetMantExp(r[i], 1)
			}
		}
	}
	return nil, errors.New("the Krawczyk test failed on every inflated box (the Jacobian is nearly singular or the refined point is not near a zero)")
}
