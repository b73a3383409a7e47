package recheck

import (
	"math/big"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
)

// Path certifies that the loss decreases along a segment leaving θ:
// L(θ + τ·Delta) < L(θ) for every τ ∈ (0, 1]. The segment lies inside the
// safe radius of docs/theory.md §2, so L along it is a polynomial in τ of degree ≤ 4,
// which Recheck recovers by exact evaluation of L and shows negative on (0, 1]
// by Sturm's theorem.
type Path struct {
	Delta network.Direction `json:"delta"`
	// Bias is the move δb of the output bias along with Delta (the segment
	// is θ + τ·(Delta, Bias)); nil when b does not move or the point has
	// no output bias.
	Bias exact.Vec `json:"bias"`
	// Loss0 = L(θ) and Loss1 = L(θ + Delta).
	Loss0 *big.Rat `json:"loss0"`
	Loss1 *big.Rat `json:"loss1"`
	// Rule says how the path was built (for example "Theorem E: j=3,
	// u=…, t=1, s=1/4").
	Rule string `json:"rule"`
}

// Descent certifies a failed Theorem S: L'(θ; (Delta, Bias)) = Derivative < 0.
type Descent struct {
	// Neuron is the neuron whose condition fails; −1 for (S0).
	Neuron int `json:"neuron"`
	// Condition is "S0" (Σ_i r_i ≠ 0 with an output bias: Delta = 0 and
	// Bias = δb = −(1/n) Σ_i r_i), "S1" (G_j ≠ 0, Delta has δa_j = −G_j) or
	// "S2" (φ_j(u) < 0, Delta has δw_j = u).
	Condition string            `json:"condition"`
	Delta     network.Direction `json:"delta"`
	// Bias is δb: nil except for (S0).
	Bias       exact.Vec `json:"bias"`
	Derivative *big.Rat  `json:"derivative"`
	// Path is a segment along Delta (scaled) on which L decreases.
	Path *Path `json:"path"`
}

// CellProof certifies (S2) on one cell C_T of the arrangement of the Z⁻
// hyperplanes of a neuron (docs/theory.md §3, the cell method): with c_i = a_j·r_i,
//
//	v + Σ_{i∈T} κc_i x_i + Σ_{i∈Z⁺} Lambda_i κc_i x_i = Σ_{i∈T} Mu_i x_i − Σ_{i∈Z⁻∖T} Mu_i x_i
//
// with Lambda ∈ [0,1] and Mu ≥ 0, so some subgradient of nφ_j lies in C_T*.
type CellProof struct {
	// Point is an interior point of C_T (x_i·Point > 0 exactly for i ∈ T
	// among Z⁻). Its zero entries may be one shared value, and the point 0
	// ∈ Q^d of the neurons without boundary samples one vector shared by
	// their proofs: treat points as read-only.
	Point exact.Vec `json:"point"`
	// T lists the sample indices of Z⁻ positive on the cell.
	T []int `json:"t"`
	// Lambda is indexed like ZPlus, Mu like ZMinus of the StationarityProof.
	// Entries equal to 0 or 1 may be one value shared by the cells of a
	// proof (an arrangement can have 10⁵ cells, each with a multiplier per
	// boundary sample): treat them as read-only and replace an entry rather
	// than change it.
	Lambda []*big.Rat `json:"lambda"`
	Mu     []*big.Rat `json:"mu"`
}

// StationarityProof certifies (S1) and (S2) for one neuron.
type StationarityProof struct {
	Neuron int `json:"neuron"`
	// ZPlus and ZMinus are the boundary samples with κc_i > 0 and < 0.
	ZPlus  []int `json:"z_plus"`
	ZMinus []int `json:"z_minus"`
	// Cells covers the arrangement of the ZMinus hyperplanes. Empty when
	// a_j = 0 (φ_j ≡ 0).
	Cells []CellProof `json:"cells"`
	// Cover proves that Cells are all the cells of that arrangement (its
	// hyperplanes x_i·u = 0, i ∈ ZMinus, in that order).
	Cover *Cover `json:"cover"`
	// QZero claims Q_j ≡ 0, decided by (E1) and (E2) (docs/theory.md §4);
	// then φ_j ≡ 0 and (S2) holds without cells (Cells empty, Cover nil).
	QZero bool `json:"q_zero,omitempty"`
}

// Flat lists the cells of the hyperplanes h_i, i < min(On), of an
// arrangement restricted to the flat ∩_{s∈On} {u : h_s·u = 0} (On holds
// indices into the arrangement's hyperplanes, decreasing): one interior
// point per cell, on the flat, with h_i·Point ≠ 0 for every i < min(On).
// Parallel lists pairs (t, s), s < t < min(On), of hyperplanes parallel on
// the flat (h_t − c·h_s vanishes on it).
type Flat struct {
	On       []int       `json:"on"`
	Points   []exact.Vec `json:"points"`
	Parallel [][2]int    `json:"parallel"`
}

// Cover certifies that a list of cells is all the cells of a central
// arrangement (docs/theory.md §11.3): Parallel lists the pairs (t, s),
// s < t, of parallel hyperplanes, and Flats the cells of every flat of
// dimension ≥ 2 that the deletion–restriction recursion visits (lines and
// the origin the checker works out itself).
type Cover struct {
	Parallel [][2]int `json:"parallel"`
	Flats    []Flat   `json:"flats"`
}

// EscapeWitness shows that neuron j escapes: φ_j(U) = 0 and Q_j(U) = Q ≠ 0.
type EscapeWitness struct {
	Neuron int       `json:"neuron"`
	U      exact.Vec `json:"u"`
	Q      exact.Vec `json:"q"`
}

// FaceProof certifies that a neuron with a_j ≠ 0 (k ≥ 2) does not escape on
// one closed cell C of its Z_j arrangement. With σ_i the sign of x_i·Point
// (i ∈ Z_j), h_i = σ_i x_i, Q_C the k×d matrix of Q_j on C and
// g = Q_Cᵀ a_j (so nφ_j(u) = g·u on C), row 2l+0 of Alpha/Beta writes
// −q_l = Σ_i Alpha_i h_i + Beta g and row 2l+1 writes +q_l the same way, with
// Alpha ≥ 0. Then q_l·u = 0 on the critical face {u ∈ C : g·u = 0}: Q_j
// vanishes where φ_j does.
type FaceProof struct {
	Point exact.Vec    `json:"point"`
	Alpha [][]*big.Rat `json:"alpha"`
	Beta  []*big.Rat   `json:"beta"`
}

// NoEscapeProof certifies that neuron j (a_j ≠ 0, k ≥ 2) is no escape
// neuron, one FaceProof per cell of its Z_j arrangement; Cover proves that
// these are all the cells (hyperplanes x_i·u = 0 for the nonzero boundary
// samples i ∈ Z_j in increasing order).
type NoEscapeProof struct {
	Neuron int         `json:"neuron"`
	Cells  []FaceProof `json:"cells"`
	Cover  *Cover      `json:"cover"`
	// QZero claims Q_j ≡ 0 by (E1) and (E2): then Q_j vanishes on every
	// critical face and no cell is needed (Cells empty, Cover nil).
	QZero bool `json:"q_zero,omitempty"`
}

// S2Failure certifies that (S2) fails for neuron j: Q_j(U) = Q with
// a_j·Q < 0, so φ_j(U) < 0.
type S2Failure struct {
	Neuron int       `json:"neuron"`
	U      exact.Vec `json:"u"`
	Q      exact.Vec `json:"q"`
}

// Certificate is the evidence behind a Verdict (docs/theory.md §11.2):
//   - Stationarity: the (S2) proof of each neuron whose report says (S2)
//     holds and a_j ≠ 0; S2Failures: a direction for each neuron whose
//     report says (S2) fails (every verdict);
//   - not-stationary: Descent;
//   - at a stationary point: Escapes (a witness per escape neuron) and
//     NoEscape (per neuron with a_j ≠ 0 when k ≥ 2 that does not escape;
//     for a_j = 0 Recheck re-derives Q_j ≡ 0 from E1/E2);
//   - saddle: Path.
//   - every verdict: Global, Theorem G's comparison with the least loss of
//     any width (nil when Options.SkipGlobal); a global-min reached through
//     L(θ) = L* rests on it alone.
type Certificate struct {
	Descent      *Descent            `json:"descent"`
	Stationarity []StationarityProof `json:"stationarity"`
	S2Failures   []S2Failure         `json:"s2_failures"`
	Escapes      []EscapeWitness     `json:"escapes"`
	NoEscape     []NoEscapeProof     `json:"no_escape"`
	Path         *Path               `json:"path"`
	Global       *GlobalProof        `json:"global"`
}
