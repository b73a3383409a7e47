// Package exact holds the plain exact arithmetic relucert decides with:
// rational vectors and matrices, exact Gaussian elimination (rank,
// nullspace, solve, and fraction-free over the integers), univariate
// rational polynomials with exact root counting, and constrained least
// squares.
//
// For large instances it also holds fixed-width integers (IntMat and the
// word functions), multi-modular residues for exact zero tests (Primes31,
// Residues) and filtered signs of inner products (DotSign, SignMatrix).
//
// The search procedures built on this arithmetic live in packages of their
// own — linear programming in exact/lp, hyperplane-arrangement cells in
// exact/arrangement — so that the independent checker (package recheck) can
// import this package without them.
//
// float64 never decides on its own: a filtered sign is used only when a
// rigorous bound on its rounding error proves it; otherwise the exact
// computation runs.
package exact
