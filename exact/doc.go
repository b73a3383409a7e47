// Package exact holds the exact arithmetic relucert decides with: rational
// vectors and matrices, exact Gaussian elimination (rank, nullspace, solve),
// an exact simplex method that returns either a rational solution or a Farkas
// certificate of infeasibility, central hyperplane-arrangement cells, and
// univariate rational polynomials with exact root counting.
//
// For large instances it also holds fixed-width integers (IntMat and the
// word functions), multi-modular residues for exact zero tests (Primes31,
// Residues), filtered signs of inner products (DotSign, SignMatrix) and a
// bounded-variable LP guided by float64 and verified exactly (BoxLP).
//
// float64 never decides on its own: a filtered sign is used only when a
// rigorous bound on its rounding error proves it, and a float64 LP basis
// only after its exact verification; otherwise the exact computation runs.
package exact
