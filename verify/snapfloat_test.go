package verify

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/relucert/relucert/exact"
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
		u, ok := projectPolyhedron(u0, G, h, 1000, 0, nil)
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
	if _, ok := projectPolyhedron([]float64{0.5}, G, []float64{1, 0}, 100, 0, nil); ok {
		t.Fatal("projected onto an empty set")
	}
	_ = math.Inf
}

// TestNearFloat: when the float64 filter of snap's near test decides, it
// agrees with the exact test, on random vectors placed at relative angles
// around τ (including within a few ulps of it) and on exact rationals that
// are no floats.
func TestNearFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	decided := 0
	for it := 0; it < 4000; it++ {
		d := 1 + rng.IntN(6)
		tau := []float64{1e-4, 1e-2, 0.3}[it%3]
		w := make(exact.Vec, d)
		x := make(exact.Vec, d)
		for c := 0; c < d; c++ {
			w[c] = new(big.Rat).SetFloat64(rng.NormFloat64())
			x[c] = new(big.Rat).SetFloat64(rng.NormFloat64())
		}
		// Move x towards the hyperplane of w so that w·x/(|w||x|) ≈ τ·f.
		f := []float64{0.5, 0.999999, 1, 1.000001, 2}[rng.IntN(5)]
		wf, xf := make([]float64, d), make([]float64, d)
		for c := range wf {
			wf[c], _ = w[c].Float64()
			xf[c], _ = x[c].Float64()
		}
		ww := fdot(wf, wf)
		if d > 1 && ww > 0 {
			proj := fdot(wf, xf) / ww
			for c := range xf {
				xf[c] -= proj * wf[c]
			}
			nx := fnorm(xf)
			s := tau * f * nx / math.Sqrt(ww) / math.Sqrt(math.Max(1e-300, 1-tau*tau*f*f))
			for c := range xf {
				x[c] = new(big.Rat).SetFloat64(xf[c] + s*wf[c])
			}
		}
		if it%7 == 0 {
			x[0] = big.NewRat(int64(rng.IntN(1000)+1), 3) // not a float
		}
		tr := new(big.Rat).SetFloat64(tau)
		z := w.Dot(x)
		lhs := new(big.Rat).Mul(z, z)
		rhs := new(big.Rat).Mul(new(big.Rat).Mul(tr, tr), new(big.Rat).Mul(w.Norm2(), x.Norm2()))
		want := lhs.Cmp(rhs) <= 0
		if got, ok := nearFloat(w, x, tau); ok {
			decided++
			if got != want {
				t.Fatalf("it %d: filter says %v, exact %v", it, got, want)
			}
		}
	}
	if decided < 2000 {
		t.Errorf("the filter decided only %d of 4000", decided)
	}
}

// TestProjectPolyhedronFar: the projection of (0, −1) onto
// {u : u₁ ≥ 10, u₂ ≥ 0} is (10, 0), at distance² 101 (by hand); the
// method's first iterate (10, −1) is already at distance² 100, so with
// maxDist2 = 99 it gives up (ok = false), and with 102 it returns (10, 0).
func TestProjectPolyhedronFar(t *testing.T) {
	G := newFmat(2, 2)
	G.set(0, 0, 1)
	G.set(1, 1, 1)
	h := []float64{10, 0}
	if _, ok := projectPolyhedron([]float64{0, -1}, G, h, 100, 99, nil); ok {
		t.Fatal("maxDist2 = 99 < 101 = |(10, 0) − (0, −1)|²: want ok = false")
	}
	u, ok := projectPolyhedron([]float64{0, -1}, G, h, 100, 102, nil)
	if !ok || math.Abs(u[0]-10) > 1e-12 || math.Abs(u[1]) > 1e-12 {
		t.Fatalf("u = %v, ok = %v; want (10, 0)", u, ok)
	}
	polls := 0
	projectPolyhedron([]float64{0, -1}, G, h, 100, 0, func() { polls++ })
	if polls == 0 {
		t.Fatal("poll never called")
	}
}

// TestSnapDotDist2: snapDot and snapDist2 (sums over a common denominator)
// agree with exact.Vec's Dot and Sub/Norm2 (a sum of reduced rationals)
// on random vectors with unrelated denominators, zeros and integers.
func TestSnapDotDist2(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	r := func() *big.Rat {
		switch rng.IntN(4) {
		case 0:
			return new(big.Rat)
		case 1:
			return big.NewRat(rng.Int64N(21)-10, 1)
		}
		return big.NewRat(rng.Int64N(2001)-1000, 1+rng.Int64N(997))
	}
	for it := 0; it < 200; it++ {
		n := rng.IntN(6)
		a, b := exact.NewVec(n), exact.NewVec(n)
		for c := range a {
			a[c], b[c] = r(), r()
		}
		if got, want := snapDot(a, b), a.Dot(b); got.Cmp(want) != 0 {
			t.Fatalf("snapDot(%v, %v) = %v, want %v", a, b, got, want)
		}
		if got, want := snapDist2(a, b), a.Sub(b).Norm2(); got.Cmp(want) != 0 {
			t.Fatalf("snapDist2(%v, %v) = %v, want %v", a, b, got, want)
		}
	}
}

// denseConstraints is G u ≥ h with the rows of G formed; the slacks are
// scaled by the rows' norms.
type denseConstraints struct {
	G   fmat
	h   []float64
	gn  []float64
	eps float64
}

func (c *denseConstraints) slacks(u, v []float64) bool {
	G := c.G
	for k := 0; k < G.r; k++ {
		if c.gn[k] == 0 {
			if c.h[k] > 0 {
				return false
			}
			v[k] = math.Inf(1)
			continue
		}
		v[k] = (fdot(G.a[k*G.c:(k+1)*G.c], u) - c.h[k]) / c.gn[k]
	}
	return true
}

func (c *denseConstraints) constraint(k int) ([]float64, float64) {
	return c.G.a[k*c.G.c : (k+1)*c.G.c], c.h[k]
}

func (c *denseConstraints) tol() float64 { return c.eps }

// projectPolyhedron returns the point u of {u : G u ≥ h} nearest u0
// (Euclidean) by projectQP over the rows of G formed (the tests' way in;
// snap's planner gives projectQP its constraints without forming G).
func projectPolyhedron(u0 []float64, G fmat, h []float64, maxIter int, maxDist2 float64, poll func()) ([]float64, bool) {
	c := &denseConstraints{G: G, h: h, gn: make([]float64, G.r), eps: 1e-13 * (fnorm(u0) + 1)}
	for k := 0; k < G.r; k++ {
		c.gn[k] = fnorm(G.a[k*G.c : (k+1)*G.c])
	}
	return projectQP(u0, G.r, c, maxIter, maxDist2, poll)
}
