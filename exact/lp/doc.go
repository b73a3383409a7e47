// Package lp is exact linear programming over the rationals: a simplex
// method on an integer (Bareiss) tableau that returns a rational solution, a
// Farkas certificate of infeasibility or an unbounded ray (LP, Program), and
// a bounded-variable LP guided by float64 whose basis is verified exactly
// (BoxLP). Every answer comes with data that LP.Check re-validates by
// substitution.
package lp
