// Package arrangement enumerates the full-dimensional cells of a central
// hyperplane arrangement in Q^d by deletion–restriction (Cells), each cell
// with its sign vector and a rational interior point.
package arrangement
