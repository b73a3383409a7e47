package recheck

import (
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
)

// VerdictKind classifies a parameter point θ (docs/theory.md §4, "Verdicts").
type VerdictKind int

const (
	// NotStationary: some direction Δ has L'(θ; Δ) < 0 (Theorem S fails).
	NotStationary VerdictKind = iota
	// Saddle: θ is stationary but not a local minimum; an exact decreasing
	// path starts at θ.
	Saddle
	// LocalMin: θ is stationary with no escape neuron (Theorem M).
	LocalMin
	// GlobalMin: a local minimum with L(θ) = 0.
	GlobalMin
	// Undetermined: the theory or a budget did not decide; Reason says which.
	Undetermined
)

var verdictNames = [...]string{"not-stationary", "saddle", "local-min", "global-min", "undetermined"}

// String returns the verdict's name as the case format spells it.
func (v VerdictKind) String() string {
	if v < 0 || int(v) >= len(verdictNames) {
		return "unknown"
	}
	return verdictNames[v]
}

// MarshalText writes the verdict's name (the JSON encoding of a verdict).
func (v VerdictKind) MarshalText() ([]byte, error) {
	if v < 0 || int(v) >= len(verdictNames) {
		return nil, fmt.Errorf("unknown verdict %d", int(v))
	}
	return []byte(v.String()), nil
}

// UnmarshalText reads a verdict's name.
func (v *VerdictKind) UnmarshalText(b []byte) error {
	k, ok := ParseVerdict(string(b))
	if !ok {
		return fmt.Errorf("unknown verdict %q", b)
	}
	*v = k
	return nil
}

// ParseVerdict returns the VerdictKind named s, or false.
func ParseVerdict(s string) (VerdictKind, bool) {
	for i, n := range verdictNames {
		if n == s {
			return VerdictKind(i), true
		}
	}
	return 0, false
}

// NeuronKind classifies a neuron for reports (docs/theory.md §1): the first that
// applies of zero, zero-output, zero-input, dead, non-differentiable, alive.
type NeuronKind int

const (
	// ZeroNeuron: w_j = 0 and a_j = 0.
	ZeroNeuron NeuronKind = iota
	// ZeroOutput: a_j = 0, w_j ≠ 0.
	ZeroOutput
	// ZeroInput: w_j = 0, a_j ≠ 0.
	ZeroInput
	// Dead: ρ₋ = 0 and w_j·x_i < 0 for every nonzero sample x_i.
	Dead
	// NonDifferentiable: some nonzero sample lies on w_j's hyperplane.
	NonDifferentiable
	// Alive: none of the above.
	Alive
)

var neuronKindNames = [...]string{"zero", "zero-output", "zero-input", "dead", "non-differentiable", "alive"}

// String returns the kind's report name.
func (k NeuronKind) String() string {
	if k < 0 || int(k) >= len(neuronKindNames) {
		return "unknown"
	}
	return neuronKindNames[k]
}

// MarshalText writes the kind's report name (its JSON encoding).
func (k NeuronKind) MarshalText() ([]byte, error) {
	if k < 0 || int(k) >= len(neuronKindNames) {
		return nil, fmt.Errorf("unknown neuron kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a kind's report name.
func (k *NeuronKind) UnmarshalText(b []byte) error {
	for i, n := range neuronKindNames {
		if n == string(b) {
			*k = NeuronKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown neuron kind %q", b)
}

// NeuronReport is what the verdict says of neuron j.
type NeuronReport struct {
	Kind NeuronKind `json:"kind"`
	// Boundary is |Z_j|, the number of nonzero samples on w_j's hyperplane.
	Boundary int `json:"boundary"`
	// S1 reports G_j = 0; S2 reports φ_j ≥ 0 on R^d. S2 is false also when it
	// was not decided (see Decided).
	S1 bool `json:"s1"`
	S2 bool `json:"s2"`
	// Decided is false when (S2) or escape of this neuron was not decided
	// (a budget ran out).
	Decided bool `json:"decided"`
	// Escape reports that j is an escape neuron (only at stationary points).
	Escape bool `json:"escape"`
	// G is the output-weight gradient G_j ∈ Q^k.
	G exact.Vec `json:"g"`
}

// Verdict is the exact classification of a point with its certificate.
type Verdict struct {
	Kind VerdictKind `json:"verdict"`
	// Reason explains Undetermined verdicts, and names the deciding theorem
	// for the others.
	Reason string `json:"reason"`
	// Loss is L(θ) = (1/2n) Σ_i |f_θ(x_i) − y_i|².
	Loss *big.Rat `json:"loss"`
	// Stationary reports Theorem S's answer (false also when undecided).
	Stationary bool `json:"stationary"`
	// Escape lists the escape neurons, 0-based and ascending; empty unless
	// the point is stationary.
	Escape  []int          `json:"escape_neurons"`
	Neurons []NeuronReport `json:"neurons"`
	// BiasGradient is ∂L/∂b = (1/n) Σ_i r_i when the network has an output
	// bias (nil otherwise): (S0) of Theorem S holds iff it is zero.
	BiasGradient exact.Vec    `json:"bias_gradient"`
	Cert         *Certificate `json:"certificate"`
}
