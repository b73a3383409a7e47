package descent

import (
	"math"
	"math/big"
	"math/rand/v2"
	"sort"

	"github.com/ALTree/bigfloat"
)

// Escape describes how fast zero neurons leave a point: for a zero neuron
// (w = 0, a = 0) every direction u gives the response
// Q(u) = Σ_i r_i ρ(x_i·u) ∈ R^k (docs/theory.md §1, §4), and a tiny neuron pointing
// along u grows like exp(γ·η·step) with γ proportional to |Q(u)|.
type Escape struct {
	// Lambda is λ = max_{|u|=1} |Q(u)|/n (docs/theory.md §7), the escape rate under
	// the (1/2n) loss of docs/theory.md §1.
	Lambda float64
	// Rate is γ, the growth rate of a tiny balanced neuron along the best
	// direction in the time t = η·step of the problem's loss: λ for HalfN
	// and 2λ/k for MSE (dL/df is 2/(n·k)·r instead of r/n). Near the saddle
	// (a, |w|) follows d/dt (a, |w|) = −c·Q(u)·(|w|, a), whose growing mode
	// is exp(c|Q(u)|·t).
	Rate float64
	// Dirs are the local maximisers of |Q| on the unit sphere, the
	// predicted escape directions, ordered by |Q| decreasing; Values holds
	// |Q(u)|/n for each.
	Dirs   [][]float64
	Values []float64
	// Exact is true for d ≤ 2, where the maximisers are found arc by arc
	// (exact up to float64 rounding); for d ≥ 3 the search samples
	// directions and refines them, and may miss a maximiser.
	Exact bool
}

// q returns Q(u) = Σ_i r_i ρ(x_i·u) into dst (length k).
func (p *Problem) q(r, u, dst []float64) {
	for o := range dst {
		dst[o] = 0
	}
	for i := range p.n {
		z := 0.0
		for c := range p.d {
			z += p.x[i*p.d+c] * u[c]
		}
		v := p.rho(z)
		for o := range dst {
			dst[o] += r[i*p.k+o] * v
		}
	}
}

func norm(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

// EscapeOf returns the escape analysis of the residual r (row-major n×k,
// r_i = f(x_i) − y_i), in float64.
func (p *Problem) EscapeOf(r []float64) Escape {
	var dirs [][]float64
	exact := p.d <= 2
	switch {
	case p.d == 1:
		dirs = [][]float64{{1}, {-1}}
	case p.d == 2:
		dirs = p.circleCandidates(r)
	default:
		dirs = p.searchCandidates(r)
	}
	buf := make([]float64, p.k)
	val := func(u []float64) float64 { p.q(r, u, buf); return norm(buf) / float64(p.n) }
	// keep the local maximisers of |Q|
	type cand struct {
		u []float64
		v float64
	}
	var cs []cand
	for _, u := range dirs {
		v := val(u)
		if v == 0 || !p.localMax(u, v, val) {
			continue
		}
		dup := false
		for _, c := range cs {
			if angleBetween(c.u, u) < 1e-7 {
				dup = true
				break
			}
		}
		if !dup {
			cs = append(cs, cand{u, v})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].v > cs[j].v })
	e := Escape{Exact: exact}
	for _, c := range cs {
		e.Dirs = append(e.Dirs, c.u)
		e.Values = append(e.Values, c.v)
	}
	if len(cs) > 0 {
		e.Lambda = cs[0].v
	}
	e.Rate = e.Lambda
	if p.Scaling == MSE {
		e.Rate = 2 * e.Lambda / float64(p.k)
	}
	return e
}

// localMax reports whether no nearby unit vector (a relative step of 1e-6
// along ± each coordinate, then normalised) has a larger |Q|.
func (p *Problem) localMax(u []float64, v float64, val func([]float64) float64) bool {
	w := make([]float64, len(u))
	for c := range u {
		for _, s := range []float64{1e-6, -1e-6} {
			copy(w, u)
			w[c] += s
			nw := norm(w)
			for i := range w {
				w[i] /= nw
			}
			if val(w) > v*(1+1e-12) {
				return false
			}
		}
	}
	return true
}

// circleCandidates returns, for d = 2, the directions where |Q| can have a
// local maximum: the 2n breakpoints where some x_i·u = 0, and on every arc
// between them (where Q(u) = G·u is linear) the top eigenvector ±v of GᵀG
// when it lies inside the arc.
func (p *Problem) circleCandidates(r []float64) [][]float64 {
	var br []float64
	for i := range p.n {
		x0, x1 := p.x[i*2], p.x[i*2+1]
		if x0 == 0 && x1 == 0 {
			continue
		}
		a := math.Atan2(x1, x0)
		br = append(br, wrap(a+math.Pi/2), wrap(a-math.Pi/2))
	}
	unit := func(phi float64) []float64 { return []float64{math.Cos(phi), math.Sin(phi)} }
	if len(br) == 0 {
		return nil
	}
	sort.Float64s(br)
	var out [][]float64
	for _, b := range br {
		out = append(out, unit(b))
	}
	for t := range br {
		lo := br[t]
		hi := br[0] + 2*math.Pi
		if t+1 < len(br) {
			hi = br[t+1]
		}
		if hi-lo < 1e-15 {
			continue
		}
		mid := unit((lo + hi) / 2)
		// G (k×2) on this arc: Σ_i slope_i r_i x_iᵀ
		var m00, m01, m11 float64
		for o := range p.k {
			var g0, g1 float64
			for i := range p.n {
				x0, x1 := p.x[i*2], p.x[i*2+1]
				s := p.Neg
				if x0*mid[0]+x1*mid[1] > 0 {
					s = p.Pos
				}
				g0 += s * r[i*p.k+o] * x0
				g1 += s * r[i*p.k+o] * x1
			}
			m00 += g0 * g0
			m01 += g0 * g1
			m11 += g1 * g1
		}
		psi := 0.5 * math.Atan2(2*m01, m00-m11) // top eigenvector of [[m00 m01] [m01 m11]]
		for _, c := range []float64{psi, psi + math.Pi} {
			c = wrap(c)
			for c < lo {
				c += 2 * math.Pi
			}
			if c > lo && c < hi {
				out = append(out, unit(c))
			}
		}
	}
	return out
}

// wrap maps an angle to [−π, π).
func wrap(a float64) float64 {
	a = math.Mod(a+math.Pi, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return a - math.Pi
}

// searchCandidates returns, for d ≥ 3, local maximisers of |Q| found from
// 200·d random unit directions (a fixed seed) by the fixed-point iteration
// u ← G_uᵀG_u·u / |·|, where G_u is the linear map Q is on u's cell. This
// is a heuristic: it may miss maximisers.
func (p *Problem) searchCandidates(r []float64) [][]float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	d, k := p.d, p.k
	var out [][]float64
	g := make([]float64, k*d)
	u := make([]float64, d)
	nu := make([]float64, d)
	for range 200 * d {
		for c := range u {
			u[c] = rng.NormFloat64()
		}
		scale(u)
		for range 100 {
			for i := range g {
				g[i] = 0
			}
			for i := range p.n {
				z := 0.0
				for c := range d {
					z += p.x[i*d+c] * u[c]
				}
				s := p.Neg
				if z > 0 {
					s = p.Pos
				}
				for o := range k {
					for c := range d {
						g[o*d+c] += s * r[i*k+o] * p.x[i*d+c]
					}
				}
			}
			for c := range nu {
				nu[c] = 0
			}
			for o := range k {
				gu := 0.0
				for c := range d {
					gu += g[o*d+c] * u[c]
				}
				for c := range d {
					nu[c] += g[o*d+c] * gu
				}
			}
			if norm(nu) == 0 {
				break
			}
			scale(nu)
			done := angleBetween(u, nu) < 1e-12
			copy(u, nu)
			if done {
				break
			}
		}
		out = append(out, append([]float64(nil), u...))
	}
	return out
}

func scale(u []float64) {
	n := norm(u)
	for i := range u {
		u[i] /= n
	}
}

// angleBetween returns the angle between two nonzero vectors, in radians.
func angleBetween(u, v []float64) float64 {
	dot := 0.0
	for i := range u {
		dot += u[i] * v[i]
	}
	c := dot / (norm(u) * norm(v))
	return math.Acos(math.Max(-1, math.Min(1, c)))
}

// PredictedSteps returns ln(ratio)/(η·rate), the number of steps a tiny
// neuron growing like exp(rate·η·step) needs to grow by ratio, computed with
// bigfloat.Log so that ratios beyond float64's range (ratio is given as a
// big.Float: width^μ with a very negative μ underflows float64) still give
// a number. It returns +Inf when rate is 0 and NaN when ratio ≤ 0.
func PredictedSteps(ratio *big.Float, eta, rate float64) float64 {
	if ratio.Sign() <= 0 {
		return math.NaN()
	}
	if rate == 0 {
		return math.Inf(1)
	}
	r := new(big.Float).SetPrec(128).Set(ratio)
	l, _ := bigfloat.Log(r).Float64()
	return l / (eta * rate)
}
