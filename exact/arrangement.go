package exact

// Cell is a full-dimensional cell (an open polyhedral cone) of a central
// hyperplane arrangement {u : h_i·u = 0} in Q^d.
//
// Signs[i] ∈ {−1, +1} is the sign of h_i·u on the cell, or 0 when h_i = 0
// (a zero normal cuts nothing). Point is a rational interior point: h_i·Point
// has sign Signs[i] for every i.
type Cell struct {
	Signs []int8
	Point Vec
}
