// Package exact holds the exact arithmetic relucert decides with: rational
// vectors and matrices, exact Gaussian elimination (rank, nullspace, solve),
// an exact simplex method that returns either a rational solution or a Farkas
// certificate of infeasibility, central hyperplane-arrangement cells, and
// univariate rational polynomials with exact root counting.
//
// Nothing in this package uses float64 in a decision.
package exact
