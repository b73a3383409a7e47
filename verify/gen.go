package verify

import (
	"fmt"
	"math/big"
	"math/rand/v2"

	"github.com/relucert/relucert/exact"
)

// GenKind selects what Generate plants.
type GenKind int

const (
	// GenLocalMin plants a local minimum with L > 0 — a global one, since
	// the residual pairs cancel on shared inputs (see Generate).
	GenLocalMin GenKind = iota
	// GenSaddle plants a saddle whose only escape neuron is a zero neuron.
	GenSaddle
	// GenZeroInput plants a zero-input neuron (w = 0, a ≠ 0, every sample
	// on its hyperplane) whose (S2) holds: a local minimum.
	GenZeroInput
	// GenZeroInputFail plants a zero-input neuron whose (S2) fails: a point
	// that is not stationary.
	GenZeroInputFail
)

var genKindNames = [...]string{"localmin", "saddle", "zeroinput", "zeroinput-fail"}

// String returns the kind's command-line name.
func (k GenKind) String() string {
	if k < 0 || int(k) >= len(genKindNames) {
		return "unknown"
	}
	return genKindNames[k]
}

// ParseGenKind returns the GenKind named s, or false.
func ParseGenKind(s string) (GenKind, bool) {
	for i, n := range genKindNames {
		if n == s {
			return GenKind(i), true
		}
	}
	return 0, false
}

// GenConfig describes a planted instance for Generate.
type GenConfig struct {
	Kind GenKind
	// N samples, input dimension D (no bias coordinate), width M and
	// output dimension K.
	N, D, M, K int
	// Act is the activation ρ.
	Act Activation
	// Boundary is the number of planted boundary inputs: that many of the
	// duplicated inputs are chosen on the hyperplane of a neuron (input t
	// on neuron t mod M's), each giving two boundary samples.
	Boundary int
	// Dyadic draws every number as a random float64 (standard normal)
	// converted exactly, as in float-derived data; otherwise numbers are
	// small-height rationals p/q with 1 ≤ |p| ≤ 9, 1 ≤ q ≤ 6.
	Dyadic bool
	// Seed seeds the random numbers; equal configurations give equal
	// instances.
	Seed uint64
}

// Expectation is the verdict an instance was built to have, and why.
type Expectation struct {
	Verdict VerdictKind
	// Escape lists the escape neurons, ascending (empty, not nil, when
	// there are none).
	Escape []int
	// Why is the argument that proves the verdict from the construction.
	Why string
}

// Generate builds a planted instance whose verdict is known by
// construction, at any size. Every construction starts from duplicated
// inputs: each input x appears twice, with targets f(x) + e and f(x) − e
// for a nonzero planted e (f the network at the generated weights, computed
// exactly), so the two residuals are −e and +e. The two samples of a pair
// have the same pattern for every neuron, so their contributions to
// G_j = (1/n) Σ r_i ρ(w_j·x_i), to Q_j(u) = Σ r_i ρ'(w_j·x_i; x_i·u) and to
// φ_j = a_j·Q_j/n cancel exactly, for every neuron and every u. A sample
// left over when N is odd gets target f(x), residual 0. Boundary inputs are
// planted exactly on a neuron's hyperplane: coordinates where w_j ≠ 0 are
// paired, (x_a, x_b) = s·(w_b, −w_a), so w_j·x = 0 exactly (and x is
// float64-representable when w is); the others are drawn freely. The kinds:
//
//   - GenLocalMin: pairs only. Every G_j = 0 and Q_j ≡ 0, so every φ_j ≡ 0:
//     (S1) and (S2) hold (Theorem S) and no neuron escapes (Q_j ≡ 0), so by
//     Theorem M the point is a local minimum with L = |e|²/2·(pairs)/n > 0.
//     It is even a global one (Theorem G): the residuals cancel on every
//     input, so they are orthogonal to every feature ρ(Xu) and L = L* — no
//     network of any width separates two samples with the same input.
//     Needs N ≥ 2.
//   - GenSaddle (needs ρ₊ > 0 ≥ ρ₋): one extra sample x₀ = e_{D−1} with a
//     nonzero residual r₀, and a zero neuron j₀ (w = 0, a = 0). With
//     ρ₋ = 0 every other neuron gets w_j[D−1] < 0, so w_j·x₀ < 0 and x₀
//     contributes ρ₋·(…) = 0 to its G_j and Q_j: those stay 0 and ≡ 0.
//     With ρ₋ < 0 every other neuron gets w_j[D−1] = 0 (x₀ on every
//     hyperplane: its contribution to G_j is r₀ρ(0) = 0) and a_j is
//     oriented so that c₀ = a_j·r₀ > 0; then n·φ_j(u) = c₀ρ(x₀·u) ≥ 0
//     because ρ ≥ 0, and φ_j(u) = 0 forces x₀·u = 0, where Q_j(u) = 0, so
//     j does not escape. The zero neuron has G = 0 and φ ≡ 0, and
//     Q_{j₀}(x₀) = r₀ρ₊|x₀|² ≠ 0: it escapes with a = 0, so by Theorem E
//     the point is a saddle with escape neurons {j₀}.
//   - GenZeroInput: neuron 0 is zero-input (w = 0, a ≠ 0): every sample is
//     on its hyperplane, |Z⁻| = |Z⁺| = number of pairs (the pair's two
//     residuals have opposite κc_i), but φ₀ ≡ 0 by the cancellation, so
//     (S2) holds; with the other neurons as in GenLocalMin the point is a
//     local minimum, and a global one. (S2) of neuron 0 must still be decided over every cell
//     of its Z⁻ arrangement (about 2·C(N/2, 2) cells for D = 3).
//   - GenZeroInputFail: as GenZeroInput plus one extra sample x₀ with
//     residual r₀ such that c₀ = a₀·r₀ has the sign opposite to ρ₊ (or, when
//     ρ₊ = 0, to −ρ₋): then n·φ₀(±x₀) = c₀ρ(±|x₀|²) < 0, so (S2) fails and
//     the point is not stationary (Theorem S), with no escape neurons.
//
// The error is non-nil for a configuration the construction cannot serve
// (sizes < 1, N too small, boundary planting with D < 2, a saddle with an
// activation that is not ≥ 0).
func Generate(cfg GenConfig) (*Point, Expectation, error) {
	n, d, m, k := cfg.N, cfg.D, cfg.M, cfg.K
	if n < 1 || d < 1 || m < 1 || k < 1 {
		return nil, Expectation{}, fmt.Errorf("gen: n, d, m, k must be ≥ 1 (got %d, %d, %d, %d)", n, d, m, k)
	}
	if cfg.Act.Pos == nil || cfg.Act.Neg == nil {
		return nil, Expectation{}, fmt.Errorf("gen: activation missing")
	}
	if cfg.Boundary < 0 {
		return nil, Expectation{}, fmt.Errorf("gen: negative boundary count")
	}
	g := &generator{rng: rand.New(rand.NewPCG(cfg.Seed, 0x72656c75)), dyadic: cfg.Dyadic}
	p := &Point{Act: Activation{Pos: new(big.Rat).Set(cfg.Act.Pos), Neg: new(big.Rat).Set(cfg.Act.Neg)}}
	pos, neg := cfg.Act.Pos.Sign(), cfg.Act.Neg.Sign()
	exp := Expectation{Escape: []int{}}
	extra := 0 // unpaired samples with a planted nonzero residual
	j0 := -1   // the special neuron
	switch cfg.Kind {
	case GenLocalMin:
		if n < 2 {
			return nil, exp, fmt.Errorf("gen: localmin needs n ≥ 2")
		}
		exp.Verdict = GlobalMin
		exp.Why = "every residual pair (−e, +e) shares its input, so G_j = 0 and Q_j ≡ 0 for every neuron: stationary (Theorem S) with no escape neuron, a local minimum (Theorem M) with L > 0; the residuals are orthogonal to every feature ρ(Xu), so L = L*: a global minimum (Theorem G)"
	case GenSaddle:
		if pos <= 0 || neg > 0 {
			return nil, exp, fmt.Errorf("gen: saddle planting needs ρ₊ > 0 ≥ ρ₋ (got %s)", cfg.Act)
		}
		if n < 1 || m < 1 {
			return nil, exp, fmt.Errorf("gen: saddle needs n ≥ 1, m ≥ 1")
		}
		extra = 1
		j0 = g.rng.IntN(m)
		exp.Verdict = Saddle
		exp.Escape = []int{j0}
		exp.Why = fmt.Sprintf("pairs cancel; the unpaired sample x₀ = e_%d with residual r₀ ≠ 0 contributes nothing to the other neurons (dead side or on their hyperplane, with a_j·r₀ > 0 and ρ ≥ 0), while the zero neuron %d has Q(x₀) = r₀ρ₊|x₀|² ≠ 0: it escapes with a = 0, a saddle (Theorem E)", d-1, j0)
	case GenZeroInput, GenZeroInputFail:
		j0 = 0
		if cfg.Kind == GenZeroInput {
			if n < 2 {
				return nil, exp, fmt.Errorf("gen: zeroinput needs n ≥ 2")
			}
			exp.Verdict = GlobalMin
			exp.Why = "neuron 0 has w = 0, a ≠ 0: every sample lies on its hyperplane, but the residual pairs cancel, so φ₀ ≡ 0 ((S2) holds on every cell of its Z⁻ arrangement); all G_j = 0 and Q_j ≡ 0: a local minimum (Theorem M), and L = L* since the residuals cancel on every input (Theorem G)"
		} else {
			if pos == 0 && neg == 0 {
				return nil, exp, fmt.Errorf("gen: zeroinput-fail needs ρ ≢ 0")
			}
			extra = 1
			exp.Verdict = NotStationary
			exp.Why = "neuron 0 has w = 0, a ≠ 0; the unpaired sample x₀ with c₀ = a₀·r₀ of sign opposite to ρ gives n·φ₀(±x₀) = c₀ρ(±|x₀|²) < 0: (S2) fails (Theorem S)"
		}
	default:
		return nil, exp, fmt.Errorf("gen: unknown kind %d", cfg.Kind)
	}
	if cfg.Boundary > 0 && d < 2 {
		return nil, exp, fmt.Errorf("gen: boundary samples need d ≥ 2")
	}

	// Neurons.
	for j := 0; j < m; j++ {
		nr := Neuron{W: g.vec(d), A: g.vec(k)}
		switch {
		case j == j0 && cfg.Kind == GenSaddle:
			nr = Neuron{W: exact.NewVec(d), A: exact.NewVec(k)}
		case j == j0:
			nr.W = exact.NewVec(d)
		case cfg.Kind == GenSaddle && neg == 0:
			nr.W[d-1].Abs(nr.W[d-1])
			nr.W[d-1].Neg(nr.W[d-1])
		case cfg.Kind == GenSaddle:
			nr.W[d-1].SetInt64(0)
		}
		p.Neurons = append(p.Neurons, nr)
	}

	// Inputs: pairs (some on hyperplanes), then the extra sample, then a
	// leftover sample with residual 0.
	pairs := (n - extra) / 2
	odd := n - extra - 2*pairs
	if cfg.Boundary > pairs {
		return nil, exp, fmt.Errorf("gen: %d boundary inputs but only %d duplicated inputs", cfg.Boundary, pairs)
	}
	// The distinct inputs go into u as they are drawn (compactly: a pair's
	// input once); a sample is its input's row in u and its planted
	// residual.
	type sample struct {
		u int
		r exact.Vec // planted residual
	}
	var samples []sample
	var u *exact.RatMat
	input := func(x exact.Vec) int {
		u = u.AppendRow(x)
		return u.Rows() - 1
	}
	for t := 0; t < pairs; t++ {
		var x exact.Vec
		if t < cfg.Boundary {
			jt := t % m
			if jt == j0 && cfg.Kind != GenLocalMin {
				// The special neuron's hyperplane is all of R^d (w = 0);
				// plant on the next neuron's instead when there is one.
				jt = (jt + 1) % m
			}
			var err error
			if x, err = g.perp(p.Neurons[jt].W); err != nil {
				return nil, exp, err
			}
		} else {
			x = g.vec(d)
		}
		e := g.vec(k)
		ux := input(x)
		samples = append(samples, sample{ux, e.Neg()}, sample{ux, e})
	}
	if extra == 1 {
		var x0, r0 exact.Vec
		switch cfg.Kind {
		case GenSaddle:
			x0 = exact.NewVec(d)
			x0[d-1].SetInt64(1)
			r0 = g.vec(k)
			if neg < 0 {
				// Orient every other neuron: c₀ = a_j·r₀ > 0.
				for j := range p.Neurons {
					if j == j0 {
						continue
					}
					for p.Neurons[j].A.Dot(r0).Sign() == 0 {
						p.Neurons[j].A = g.vec(k)
					}
					if p.Neurons[j].A.Dot(r0).Sign() < 0 {
						p.Neurons[j].A = p.Neurons[j].A.Neg()
					}
				}
			}
		case GenZeroInputFail:
			x0 = g.vec(d)
			r0 = g.vec(k)
			want := -pos
			if pos == 0 {
				want = neg // then u = −x₀: ρ(−|x₀|²) = −ρ₋|x₀|²
			}
			c := p.Neurons[0].A.Dot(r0).Sign()
			for c == 0 {
				r0 = g.vec(k)
				c = p.Neurons[0].A.Dot(r0).Sign()
			}
			if c != want {
				r0 = r0.Neg()
			}
		}
		samples = append(samples, sample{input(x0), r0})
	}
	for t := 0; t < odd; t++ {
		samples = append(samples, sample{input(g.vec(d)), exact.NewVec(k)})
	}
	g.rng.Shuffle(len(samples), func(a, b int) { samples[a], samples[b] = samples[b], samples[a] })

	// Targets y = f(x) − r, with f evaluated exactly.
	p.X, p.Y = exact.NewRatMat(len(samples), d), exact.NewRatMat(len(samples), k)
	for i, s := range samples {
		p.X.SetRowFrom(i, u, s.u)
	}
	u = nil
	ev := newEngine(p) // residuals against y = 0: f(x_i)
	for i, s := range samples {
		p.Y.SetRow(i, ev.residualNew(i).Sub(s.r))
	}
	p.PackWeights()
	return p, exp, nil
}

// generator draws the numbers of Generate.
type generator struct {
	rng    *rand.Rand
	dyadic bool
}

// num returns a nonzero random number: a standard normal float64 converted
// exactly, or p/q with 1 ≤ |p| ≤ 9, 1 ≤ q ≤ 6.
func (g *generator) num() *big.Rat {
	if g.dyadic {
		for {
			if v := g.rng.NormFloat64(); v != 0 {
				return new(big.Rat).SetFloat64(v)
			}
		}
	}
	p := g.rng.Int64N(9) + 1
	if g.rng.IntN(2) == 0 {
		p = -p
	}
	return big.NewRat(p, g.rng.Int64N(6)+1)
}

func (g *generator) vec(l int) exact.Vec {
	v := make(exact.Vec, l)
	for i := range v {
		v[i] = g.num()
	}
	return v
}

// scale returns a random nonzero factor: ±2^e (e ∈ [−3, 3]) for dyadic
// numbers, so that products with floats stay floats, or a small integer.
func (g *generator) scale() *big.Rat {
	s := big.NewRat(1, 1)
	if g.dyadic {
		e := g.rng.IntN(7) - 3
		if e >= 0 {
			s.SetInt64(1 << e)
		} else {
			s.SetFrac64(1, 1<<(-e))
		}
	} else {
		s.SetInt64(g.rng.Int64N(4) + 1)
	}
	if g.rng.IntN(2) == 0 {
		s.Neg(s)
	}
	return s
}

// perp returns a nonzero x with w·x = 0 exactly: the coordinates where
// w ≠ 0 are paired at random, (x_a, x_b) = s·(w_b, −w_a), a leftover one is
// 0, and the coordinates where w = 0 are drawn freely.
func (g *generator) perp(w exact.Vec) (exact.Vec, error) {
	d := len(w)
	x := exact.NewVec(d)
	var nz []int
	for c, v := range w {
		if v.Sign() != 0 {
			nz = append(nz, c)
		} else {
			x[c] = g.num()
		}
	}
	if len(nz) == 1 && len(nz) == d {
		return nil, fmt.Errorf("gen: no nonzero input orthogonal to %v", w)
	}
	g.rng.Shuffle(len(nz), func(a, b int) { nz[a], nz[b] = nz[b], nz[a] })
	for t := 0; t+1 < len(nz); t += 2 {
		a, b := nz[t], nz[t+1]
		s := g.scale()
		x[a].Mul(s, w[b])
		x[b].Mul(s, w[a])
		x[b].Neg(x[b])
	}
	return x, nil
}
