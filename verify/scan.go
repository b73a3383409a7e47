package verify

import (
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
	"strings"
)

// ScanPiece is one piece of the λ-line in a split scan: an open interval or
// one of its endpoints.
type ScanPiece struct {
	// Label is "λ < 0", "λ = 0", "0 < λ < 1", "λ = 1" or "λ > 1".
	Label string
	// Lambda is the rational point of the piece that was split and checked.
	Lambda *big.Rat
	// Prediction is what docs/theory.md §5 says of split(j, λ) on the whole piece.
	Prediction *Prediction
	// Verdict is Check's verdict on the split point at Lambda, and
	// RecheckErr the result of Recheck on it (nil: the certificate holds).
	Verdict    *Verdict
	RecheckErr error
	// Mismatch is non-nil when Check disagrees with the prediction: a bug
	// in verify or in the theory, to be reported loudly.
	Mismatch error
}

// Scan is the verdict of split(j, λ) as a function of λ.
type Scan struct {
	// J is the neuron split; Before the verdict of the point before.
	J      int
	Before *Verdict
	// Pieces are, in order, λ < 0, λ = 0, 0 < λ < 1, λ = 1, λ > 1.
	Pieces []ScanPiece
	// Reason lists the quantities the answer depends on, from the theory.
	Reason string
}

// scanPoints are the pieces of the λ-line and the point checked in each.
var scanPoints = []struct {
	label string
	num   int64
	den   int64
}{
	{"λ < 0", -1, 1},
	{"λ = 0", 0, 1},
	{"0 < λ < 1", 1, 2},
	{"λ = 1", 1, 1},
	{"λ > 1", 2, 1},
}

// ScanSplit computes the verdict of split(j, λ) for every λ ∈ Q as exact
// intervals. By docs/theory.md §5 the new point depends on λ only through the
// copies' output weights λa_j and (1−λ)a_j, whose φ are λφ_j and (1−λ)φ_j
// and whose G and Q are G_j and Q_j; so (S1), (S2), escape and the verdict
// depend on λ only through the signs of λ and 1−λ, and are constant on each
// of λ < 0, λ = 0, 0 < λ < 1, λ = 1, λ > 1. The prediction for each piece is
// Predict at a representative λ (−1, 0, 1/2, 1, 2); each is confirmed by
// Check and Recheck on the split point, and every disagreement is recorded
// in the piece's Mismatch (see OK). before must be Check's verdict on p.
func ScanSplit(p *Point, before *Verdict, j int, opt Options) (*Scan, error) {
	if p == nil {
		return nil, fmt.Errorf("scan: nil point")
	}
	if j < 0 || j >= p.M() {
		return nil, fmt.Errorf("scan split(%d, λ): neuron %d out of range [0, %d)", j, j, p.M())
	}
	if before == nil {
		return nil, fmt.Errorf("scan split(%d, λ): no verdict for the point", j)
	}
	sc := &Scan{J: j, Before: before}
	why, err := scanReason(p, before, j)
	if err != nil {
		return nil, err
	}
	sc.Reason = why
	for _, sp := range scanPoints {
		lam := big.NewRat(sp.num, sp.den)
		e, err := Split(p, j, lam)
		if err != nil {
			return nil, err
		}
		pr, err := Predict(e, before, opt)
		if err != nil {
			return nil, err
		}
		v, err := Check(e.To, opt)
		if err != nil {
			return nil, fmt.Errorf("scan %s: Check: %w", e.Op, err)
		}
		piece := ScanPiece{Label: sp.label, Lambda: lam, Prediction: pr, Verdict: v}
		piece.RecheckErr = Recheck(e.To, v)
		piece.Mismatch = pr.Compare(v)
		sc.Pieces = append(sc.Pieces, piece)
	}
	return sc, nil
}

// scanReason states, from the theory, what the scan of neuron j depends on:
// the verdict before, a_j, and whether φ_j and Q_j vanish identically.
func scanReason(p *Point, before *Verdict, j int) (string, error) {
	s := newState(p)
	aj := p.Neurons[j].A
	var parts []string
	parts = append(parts, fmt.Sprintf("before: %v", before.Kind))
	for l, nr := range before.Neurons {
		if !nr.Decided {
			return strings.Join(append(parts, fmt.Sprintf("neuron %d was left undecided: no prediction", l)), "; "), nil
		}
	}
	if !before.Stationary {
		parts = append(parts, fmt.Sprintf("%s, so every split is not stationary (split keeps every other neuron, and the copies of j have G = G_j and φ = λφ_j, (1−λ)φ_j)", firstFailure(reportsOf(before))))
		return strings.Join(parts, "; "), nil
	}
	qw, err := s.QZeroWitness(j)
	if err != nil {
		return "", err
	}
	if aj.IsZero() {
		parts = append(parts, fmt.Sprintf("a_%d = 0: both copies are zero-output neurons for every λ, each escaping iff Q_%d ≢ 0 (%s): the verdict does not depend on λ", j, j, qText(s, j, qw)))
		return strings.Join(parts, "; "), nil
	}
	pw, err := s.phiWitness(j)
	if err != nil {
		return "", err
	}
	if pw != nil {
		parts = append(parts, fmt.Sprintf("a_%d = %s, φ_%d ≢ 0 (φ_%d(u) = %s > 0 at u = %s): (S2) needs λφ_%d ≥ 0 and (1−λ)φ_%d ≥ 0, i.e. λ ∈ [0, 1]",
			j, aj, j, j, exact.Text(s.Phi(j, pw)), pw, j, j))
	} else {
		parts = append(parts, fmt.Sprintf("a_%d = %s, φ_%d ≡ 0: every λ keeps (S2)", j, aj, j))
	}
	parts = append(parts, fmt.Sprintf("at λ ∈ {0, 1} the copy with output weight 0 escapes iff Q_%d ≢ 0: %s", j, qText(s, j, qw)))
	if p.K() == 1 {
		parts = append(parts, "otherwise both copies have a nonzero output weight and (k = 1) do not escape")
	} else {
		parts = append(parts, fmt.Sprintf("otherwise both copies escape iff neuron %d did (%v)", j, before.Neurons[j].Escape))
	}
	return strings.Join(parts, "; "), nil
}

// reportsOf converts a verdict's neuron reports to predictions (for
// firstFailure).
func reportsOf(v *Verdict) []NeuronPrediction {
	out := make([]NeuronPrediction, len(v.Neurons))
	for l, nr := range v.Neurons {
		out[l] = NeuronPrediction{S1: nr.S1, S2: nr.S2, Escape: nr.Escape}
	}
	return out
}

// OK reports whether Check confirmed the prediction on every piece and
// every certificate passed Recheck.
func (sc *Scan) OK() bool {
	for _, pc := range sc.Pieces {
		if pc.Mismatch != nil || pc.RecheckErr != nil {
			return false
		}
	}
	return true
}

// String formats the scan on one line from the predictions, for example
// "λ < 0: not-stationary · λ = 0: saddle · 0 < λ < 1: local-min · λ = 1:
// saddle · λ > 1: not-stationary". A piece without a prediction shows
// Check's verdict marked "(checked)".
func (sc *Scan) String() string {
	parts := make([]string, len(sc.Pieces))
	for i, pc := range sc.Pieces {
		v := pc.Prediction.VerdictText()
		if !pc.Prediction.Known && pc.Verdict != nil {
			v = pc.Verdict.Kind.String() + " (checked)"
		}
		parts[i] = pc.Label + ": " + v
	}
	return strings.Join(parts, " · ")
}
