package verify

import (
	"math/big"

	"github.com/relucert/relucert/exact"
)

// G returns the output-weight gradient G_j = (1/n) Σ_i r_i ρ(w_j·x_i) ∈ Q^k,
// evaluated as (1/n)(ρ₊S⁺_j + ρ₋S⁻_j)·w_j from the engine's exact
// pattern-masked sums S±_j = Σ_{i∈P_j / N_j} r_i x_iᵀ.
func (s *state) G(j int) exact.Vec { return s.ev.gradient(j) }

// Q returns the response map Q_j(u) = Σ_i r_i ρ'(w_j·x_i; x_i·u) ∈ Q^k, which
// is ρ₊ r_i (x_i·u) on P_j, ρ₋ r_i (x_i·u) on N_j and r_i ρ(x_i·u) on Z_j:
// (ρ₊S⁺_j + ρ₋S⁻_j)·u plus the boundary samples' terms, summed exactly in
// integers by the engine.
func (s *state) Q(j int, u exact.Vec) exact.Vec { return s.ev.response(j, u) }

// Phi returns the input-weight directional derivative φ_j(u) = (1/n) a_j·Q_j(u).
func (s *state) Phi(j int, u exact.Vec) *big.Rat {
	v := s.p.Neurons[j].A.Dot(s.Q(j, u))
	return v.Quo(v, s.n)
}

// BiasGradient returns the output-bias gradient ∂L/∂b = (1/n) Σ_i r_i ∈ Q^k;
// (S0) of Theorem S asks it to vanish when the network has an output bias.
func (s *state) BiasGradient() exact.Vec {
	g := s.ev.residualSum()
	return g.Scale(new(big.Rat).Inv(s.n))
}

// FirstOrder returns L'(θ; Δ) = Σ_j [δa_j·G_j + φ_j(δw_j)], the one-sided
// directional derivative of L at θ (docs/theory.md §3).
func (s *state) FirstOrder(delta Direction) *big.Rat {
	d := new(big.Rat)
	for j, dj := range delta {
		if !dj.A.IsZero() {
			d.Add(d, dj.A.Dot(s.G(j)))
		}
		if !dj.W.IsZero() {
			d.Add(d, s.Phi(j, dj.W))
		}
	}
	return d
}

// Expansion returns the polynomial σ ↦ L(θ + σΔ) − L(θ), valid for σ ≥ 0
// inside the safe radius, from the exact expansion (★) of docs/theory.md §2
// (neurons with δw_j = 0 and δa_j = 0 contribute nothing, ρ'(z; 0) = 0; the
// sums are taken in integers by the engine):
// Δf_i(σ) = σ α_i + σ² β_i with
// α_i = Σ_j δa_j ρ(w_j·x_i) + a_j ρ'(w_j·x_i; δw_j·x_i) and
// β_i = Σ_j δa_j ρ'(w_j·x_i; δw_j·x_i).
func (s *state) Expansion(delta Direction) exact.Poly { return s.ExpansionBias(delta, nil) }

// ExpansionBias is Expansion for a direction that also moves the output
// bias by db (nil: b fixed): α_i gains db, so with ḡ = (1/n) Σ_i r_i,
// ᾱ = (1/n) Σ_i α_i and β̄ = (1/n) Σ_i β_i the coefficients gain
// c₁ += db·ḡ, c₂ += db·ᾱ + |db|²/2, c₃ += db·β̄ (docs/theory.md §2 with δb;
// docs/theory.md, "Output bias").
func (s *state) ExpansionBias(delta Direction, db exact.Vec) exact.Poly {
	var moved []int
	for j, dj := range delta {
		if !dj.W.IsZero() || !dj.A.IsZero() {
			moved = append(moved, j)
		}
	}
	return s.ev.expansion(delta, moved, db)
}

// SafeRadius returns the supremum of σ > 0 for which θ + σΔ keeps every sign
// of w_j·x_i with i ∉ Z_j: min over those with δw_j·x_i ≠ 0 of
// |w_j·x_i| / |δw_j·x_i|, or nil when no sign can flip (infinite radius).
func (s *state) SafeRadius(delta Direction) *big.Rat {
	var moved []int
	for j := range s.p.Neurons {
		if !delta[j].W.IsZero() {
			moved = append(moved, j) // others have δw_j·x_i = 0
		}
	}
	return s.ev.safeRadius(delta, moved)
}
