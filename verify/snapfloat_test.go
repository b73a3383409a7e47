package verify

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestProjectPolyhedron: on random polyhedra the projection is feasible
// and satisfies the optimality conditions checked independently: u − u0 is
// a nonnegative combination of the normals of the constraints tight at u
// (found by a nonnegative least squares over those normals, here by
// brute force over small active sets); an empty polyhedron is reported.
func TestProjectPolyhedron(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for it := 0; it < 300; it++ {
		q := 1 + rng.IntN(4)
		m := 1 + rng.IntN(6)
		G := newFmat(m, q)
		h := make([]float64, m)
		for k := 0; k < m; k++ {
			for c := 0; c < q; c++ {
				G.set(k, c, rng.NormFloat64())
			}
			h[k] = rng.NormFloat64()
		}
		u0 := make([]float64, q)
		for c := range u0 {
			u0[c] = rng.NormFloat64() * 2
		}
		u, ok := projectPolyhedron(u0, G, h, 1000)
		if !ok {
			continue
		}
		var tight []int
		for k := 0; k < m; k++ {
			s := fdot(G.a[k*q:(k+1)*q], u) - h[k]
			if s < -1e-9 {
				t.Fatalf("it %d: constraint %d violated by %g", it, k, s)
			}
			if s < 1e-7 {
				tight = append(tight, k)
			}
		}
		// u − u0 = Σ_{tight} μ_k g_k with μ ≥ 0: least squares over the
		// tight normals, then check the signs and the residual.
		diff := make([]float64, q)
		for c := range diff {
			diff[c] = u[c] - u0[c]
		}
		if len(tight) == 0 {
			if fnorm(diff) > 1e-9 {
				t.Fatalf("it %d: moved with no tight constraint", it)
			}
			continue
		}
		N := newFmat(q, len(tight))
		for j, k := range tight {
			for c := 0; c < q; c++ {
				N.set(c, j, G.at(k, c))
			}
		}
		qr := factorQR(N, true)
		mu := qr.lstsq(diff, qr.rank(1e-10))
		res := N.mulVec(mu)
		for c := range res {
			res[c] -= diff[c]
		}
		if fnorm(res) > 1e-7*(1+fnorm(diff)) {
			t.Fatalf("it %d: u − u0 not in the cone of the tight normals (residual %g)", it, fnorm(res))
		}
		for _, v := range mu {
			if v < -1e-7 && qr.rank(1e-10) == len(tight) {
				t.Fatalf("it %d: negative multiplier %g", it, v)
			}
		}
	}
	// An empty polyhedron: u ≥ 1 and −u ≥ 0.
	G := newFmat(2, 1)
	G.set(0, 0, 1)
	G.set(1, 0, -1)
	if _, ok := projectPolyhedron([]float64{0.5}, G, []float64{1, 0}, 100); ok {
		t.Fatal("projected onto an empty set")
	}
	_ = math.Inf
}
