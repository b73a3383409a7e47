package descent

import (
	"math"
	"math/big"
)

// GrowthFactor is how much a neuron's scale sqrt(|a_j|·|w_j|) must grow
// between a plateau's first flat step and its end for the neuron to count
// as escaping in that plateau.
const GrowthFactor = 10

// Analysis is the float64 account of one plateau: its losses, the escape
// rate of the zero neurons at its point, the predicted and observed
// lengths, and where the escaping neurons point.
type Analysis struct {
	Plateau
	// Points are θ at the plateau's first flat step, At and End.
	Points PlateauPoints
	// MSE and Half are both scalings of the loss at At.
	MSE, Half float64
	// Escape is computed from the residual at At: λ, the growth rate γ and
	// the predicted escape directions.
	Escape Escape
	// Escaping lists the neurons whose scale grew by GrowthFactor or more
	// from the first flat step to End (none when the run ends flat).
	Escaping []int
	// S0 is sqrt(Σ_{j∈Escaping} s_j²) at the first flat step (s_j the scale
	// sqrt(|a_j||w_j|)), SDep the predicted total scale at departure (see
	// Predicted).
	S0, SDep float64
	// Predicted is the predicted plateau length in steps,
	//
	//	Window + ln(SDep/S0)/(η·γ),
	//
	// NaN when nothing escapes. Reasoning: a tiny neuron aligned with an
	// escape direction has s_j(t) ∝ exp(γ·η·t) and changes the loss by
	// −γ·s_j² (to first order), so once the escaping neurons have aligned,
	// L_{t−W} − L_t = γ·S_t·(1 − e^{−2γηW}) with S_t = Σ_j s_j(t)². The rule
	// stops calling the loss flat when that reaches L·(1 − e^{−ε}), i.e. at
	// S_dep = L·(1 − e^{−ε}) / (γ·(1 − e^{−2γηW})), SDep = sqrt(S_dep). The
	// scale ratio is SDep/S0, from the escaping neurons' measured scale at
	// the first flat step (the plateau's Start is Window steps earlier) to
	// the scale at which the rule sees them leave. The rate γ is the
	// prediction; the initial scale is measured, and which neurons escape
	// is read off the run (they are the ones that grow).
	Predicted float64
	// Observed is End − Start.
	Observed int
	// DirAngle[e] is, for Escaping[e], the angle (radians) between w_j at
	// End and the nearest predicted escape direction in Escape.Dirs;
	// DirIndex[e] is that direction's index.
	DirAngle []float64
	DirIndex []int
	// Kinds classifies the neurons at At in float64 (Classify).
	Kinds []Kind
}

// Kind is a float64 neuron classification with a tolerance (after docs/theory.md
// §6 step 1; the exact classification is the snap's).
type Kind int

const (
	// Tiny: not dead, and |a_j|·|w_j| ≤ τ²·scale with
	// scale = sqrt(Σ_i|y_i|² / Σ_i|x_i|²) (1 when either sum is 0): the
	// unit verify.Snap uses, so both call the same neurons tiny.
	Tiny Kind = iota
	// DeadKind: ρ₋ = 0 and w_j·x_i < 0 for every nonzero sample.
	DeadKind
	// NearBoundary: some nonzero sample has |w_j·x_i| ≤ τ·|w_j|·|x_i|.
	NearBoundary
	// AliveKind: none of the above.
	AliveKind
)

// String names the kind.
func (k Kind) String() string {
	return [...]string{"tiny", "dead", "near-boundary", "alive"}[k]
}

// Classify returns the float64 kind of every neuron of th with tolerance
// τ, the rules of docs/theory.md §6 step 1 as verify.Snap applies them, in
// float64: dead first (strict signs), then tiny, then near-boundary, else
// alive.
func (p *Problem) Classify(th Params, tau float64) []Kind {
	m := th.M()
	sx, sy := 0.0, 0.0
	xn := make([]float64, p.n)
	for i := range p.n {
		xn[i] = norm(p.x[i*p.d : i*p.d+p.d])
		sx += xn[i] * xn[i]
		yi := norm(p.y[i*p.k : i*p.k+p.k])
		sy += yi * yi
	}
	scale := 1.0
	if sx > 0 && sy > 0 {
		scale = math.Sqrt(sy / sx)
	}
	w, a := th.raw()
	out := make([]Kind, m)
	for j := range m {
		wj := w[j*p.d : j*p.d+p.d]
		nw, na := norm(wj), norm(a[j*p.k:j*p.k+p.k])
		dead := p.Neg == 0
		near := false
		for i := range p.n {
			if xn[i] == 0 {
				continue
			}
			z := 0.0
			for c := range p.d {
				z += wj[c] * p.x[i*p.d+c]
			}
			if z >= 0 {
				dead = false
			}
			if math.Abs(z) <= tau*nw*xn[i] {
				near = true
			}
		}
		switch {
		case dead:
			out[j] = DeadKind
		case na*nw <= tau*tau*scale:
			out[j] = Tiny
		case near:
			out[j] = NearBoundary
		default:
			out[j] = AliveKind
		}
	}
	return out
}

// Scales returns s_j = sqrt(|a_j|·|w_j|) for every neuron.
func (p *Problem) Scales(th Params) []float64 {
	w, a := th.raw()
	s := make([]float64, th.M())
	for j := range s {
		s[j] = math.Sqrt(norm(w[j*p.d:j*p.d+p.d]) * norm(a[j*p.k:j*p.k+p.k]))
	}
	return s
}

// Analyse returns the analysis of every plateau of the run, with tolerance
// τ for Classify.
func (run *Run) Analyse(tau float64) []Analysis {
	p := run.Problem
	eta, W, eps := run.Config.LR, float64(run.Config.Rule.Window), run.Config.Rule.Eps
	out := make([]Analysis, len(run.Plateaus))
	for pi, pl := range run.Plateaus {
		pts := run.Points[pi]
		an := Analysis{Plateau: pl, Points: pts, Observed: pl.End - pl.Start, Predicted: math.NaN(), SDep: math.NaN()}
		an.MSE, an.Half, _ = p.Losses(pts.At.Theta)
		r, _ := p.Residuals(pts.At.Theta)
		an.Escape = p.EscapeOf(r)
		an.Kinds = p.Classify(pts.At.Theta, tau)
		s0, s1 := p.Scales(pts.First.Theta), p.Scales(pts.End.Theta)
		S0 := 0.0
		for j := range s0 {
			if s1[j] >= GrowthFactor*s0[j] && s1[j] > 0 {
				an.Escaping = append(an.Escaping, j)
				S0 += s0[j] * s0[j]
			}
		}
		g := an.Escape.Rate
		if len(an.Escaping) > 0 && g > 0 {
			an.S0 = math.Sqrt(S0)
			sdep := pl.Loss * -math.Expm1(-eps) / (g * -math.Expm1(-2*g*eta*W))
			an.SDep = math.Sqrt(sdep)
			ratio := new(big.Float).Quo(big.NewFloat(an.SDep), big.NewFloat(an.S0))
			an.Predicted = W + PredictedSteps(ratio, eta, g)
		}
		for _, j := range an.Escaping {
			wj := make([]float64, p.d)
			for c := range p.d {
				wj[c] = pts.End.Theta.W.At(j, c)
			}
			best, bi := math.Inf(1), -1
			for di, u := range an.Escape.Dirs {
				if a := angleBetween(wj, u); a < best {
					best, bi = a, di
				}
			}
			an.DirAngle = append(an.DirAngle, best)
			an.DirIndex = append(an.DirIndex, bi)
		}
		out[pi] = an
	}
	return out
}
