// Package numeric is relucert's float64 path: the decisions of package
// verify (docs/theory.md §3–4: Theorem S, escape neurons, Theorems M and E, the
// k ≥ 2 tests) made again, independently, in float64 on gonum — gonum's
// simplex (optimize/convex/lp) for the general LPs, its right-hand side
// perturbed against cycling and under an iteration limit (lp.go), a small
// dense bounded-variable simplex for the many small cell LPs of the
// arrangements and of (S2) (simplex.go), and mat's SVD for least squares
// and ranks — so that the exact and the float verdicts can be
// compared field by field (Check returns a Result shaped like
// verify.Verdict).
//
// Every comparison with zero goes through one tolerance policy, Tolerance:
// relative tolerance Eps = 1e-9 against scales of the data and the weights
// computed once per point. Perturb is the paper's random-perturbation
// baseline, a heuristic and not a verdict.
package numeric
