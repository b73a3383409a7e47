package verify

import (
	"math/big"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/exact/arrangement"
	"github.com/relucert/relucert/network"
	"github.com/relucert/relucert/recheck"
)

// The network a point is about lives in package network, and the verdicts
// and certificates the independent checker validates in package recheck
// (which imports neither this package nor the search). The names below keep
// them available here under their old names.

type (
	// Activation is network.Activation: ρ(z) = ρ₊z for z ≥ 0, ρ₋z for z < 0.
	Activation = network.Activation
	// Neuron is network.Neuron: input weight w_j and output weight a_j.
	Neuron = network.Neuron
	// Point is network.Point: θ with the data set it is trained on.
	Point = network.Point
	// Direction is network.Direction: a perturbation Δ of a point.
	Direction = network.Direction

	// VerdictKind is recheck.VerdictKind.
	VerdictKind = recheck.VerdictKind
	// NeuronKind is recheck.NeuronKind.
	NeuronKind = recheck.NeuronKind
	// NeuronReport is recheck.NeuronReport.
	NeuronReport = recheck.NeuronReport
	// Verdict is recheck.Verdict: the classification with its certificate.
	Verdict = recheck.Verdict
	// Certificate is recheck.Certificate.
	Certificate = recheck.Certificate
	// Path is recheck.Path: a segment along which the loss decreases.
	Path = recheck.Path
	// Descent is recheck.Descent: a certified failure of Theorem S.
	Descent = recheck.Descent
	// CellProof is recheck.CellProof: (S2) on one cell.
	CellProof = recheck.CellProof
	// StationarityProof is recheck.StationarityProof: (S1) and (S2) for one
	// neuron.
	StationarityProof = recheck.StationarityProof
	// EscapeWitness is recheck.EscapeWitness: φ_j(u) = 0 and Q_j(u) ≠ 0.
	EscapeWitness = recheck.EscapeWitness
	// FaceProof is recheck.FaceProof: no escape on one cell (k ≥ 2).
	FaceProof = recheck.FaceProof
	// NoEscapeProof is recheck.NoEscapeProof: no escape for a_j ≠ 0, k ≥ 2.
	NoEscapeProof = recheck.NoEscapeProof
)

// The verdict kinds (recheck.NotStationary, …).
const (
	NotStationary = recheck.NotStationary
	Saddle        = recheck.Saddle
	LocalMin      = recheck.LocalMin
	GlobalMin     = recheck.GlobalMin
	Undetermined  = recheck.Undetermined
)

// The neuron kinds (recheck.ZeroNeuron, …).
const (
	ZeroNeuron        = recheck.ZeroNeuron
	ZeroOutput        = recheck.ZeroOutput
	ZeroInput         = recheck.ZeroInput
	Dead              = recheck.Dead
	NonDifferentiable = recheck.NonDifferentiable
	Alive             = recheck.Alive
)

// ReLU is network.ReLU: ρ(z) = max(z, 0).
func ReLU() Activation { return network.ReLU() }

// Leaky is network.Leaky: the leaky ReLU with negative slope alpha.
func Leaky(alpha *big.Rat) Activation { return network.Leaky(alpha) }

// Abs is network.Abs: ρ(z) = |z|.
func Abs() Activation { return network.Abs() }

// Linear is network.Linear: ρ(z) = z.
func Linear() Activation { return network.Linear() }

// ParseVerdict is recheck.ParseVerdict: the VerdictKind named s, or false.
func ParseVerdict(s string) (VerdictKind, bool) { return recheck.ParseVerdict(s) }

// Recheck is recheck.Recheck: it validates the certificate of v for the
// point p independently of the search that produced it.
func Recheck(p *Point, v *Verdict) error { return recheck.Recheck(p, v) }

// S2Failure is recheck.S2Failure: a direction u with φ_j(u) < 0.
type S2Failure = recheck.S2Failure

// certCover converts the coverage certificate of the cell enumeration into
// the certificate's form (the same fields).
func certCover(c *arrangement.Cover) *recheck.Cover {
	if c == nil {
		return nil
	}
	out := &recheck.Cover{Parallel: c.Parallel, Flats: make([]recheck.Flat, len(c.Flats))}
	for f, fl := range c.Flats {
		out.Flats[f] = recheck.Flat(fl)
	}
	return out
}

// liftCover returns c with every interior point p replaced by lift(p) (the
// cells of an arrangement taken in some coordinates, padded to Q^d).
func liftCover(c *recheck.Cover, lift func(exact.Vec) exact.Vec) *recheck.Cover {
	if c == nil {
		return nil
	}
	for f := range c.Flats {
		pts := make([]exact.Vec, len(c.Flats[f].Points))
		for q, p := range c.Flats[f].Points {
			pts[q] = lift(p)
		}
		c.Flats[f].Points = pts
	}
	return c
}
