package atlas

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
)

// Pattern is the activation pattern of a neuron on the data: byte i is '+'
// when w·x_i > 0, '-' when w·x_i < 0 and '0' when w·x_i = 0 (x_i on the
// neuron's hyperplane, or x_i = 0). On pattern σ the neuron computes
// a·s(σ_i)·(w·x_i) at sample i, with s(+) = ρ₊, s(−) = ρ₋ (and 0 on '0'),
// so what a group of neurons with one pattern computes on the data is
// linear in their products a_j w_jᵀ.
type Pattern string

// PatternOf returns the pattern of input weight w on the samples xs,
// normalised for the activation:
//   - ρ₊ = ρ₋ (a linear network): every sample is '+' — the slope is the
//     same on both sides, so the pattern carries no information;
//   - ρ₋ = −ρ₊ (the absolute value, ρ even): the pattern of −w is used
//     when its first nonzero entry would otherwise be '−', because
//     (−w, a) computes what (w, a) computes.
//
// For every other activation the pattern is the sign vector itself.
func PatternOf(act network.Activation, w exact.Vec, xs []exact.Vec) Pattern {
	if act.Pos.Cmp(act.Neg) == 0 {
		return Pattern(strings.Repeat("+", len(xs)))
	}
	b := make([]byte, len(xs))
	for i, x := range xs {
		switch w.Dot(x).Sign() {
		case 1:
			b[i] = '+'
		case -1:
			b[i] = '-'
		default:
			b[i] = '0'
		}
	}
	if even(act) {
		for _, c := range b {
			if c == '0' {
				continue
			}
			if c == '-' {
				flip(b)
			}
			break
		}
	}
	return Pattern(b)
}

// even reports ρ₋ = −ρ₊, i.e. ρ(−z) = ρ(z).
func even(act network.Activation) bool {
	return act.Pos.Sign() != 0 && new(big.Rat).Add(act.Pos, act.Neg).Sign() == 0
}

func flip(b []byte) {
	for i, c := range b {
		switch c {
		case '+':
			b[i] = '-'
		case '-':
			b[i] = '+'
		}
	}
}

// Form is the canonical form of a parameter point θ of a network trained on
// a data set: what is left of θ once the symmetries of docs/theory.md §5
// and the moves that keep the function on the data inside one activation
// pattern are divided out (docs/theory.md §12).
//
// Neurons are grouped by their pattern on the data (PatternOf). Within a
// group the network's outputs on the data depend only on the sum of the
// products a_j w_jᵀ, so permuting neurons, rescaling one (c·w_j, a_j/c)
// with c > 0, splitting one into copies with output weights λa_j and
// (1−λ)a_j, or merging such copies leave both the group's contribution and
// its pattern unchanged; a zero neuron, a zero-output or zero-input neuron
// and a dead neuron (ρ₋ = 0, every nonzero sample on its negative side)
// contribute nothing on the data. A Form keeps exactly
//
//   - Outputs[i] = f_θ(x_i) for every sample (the output bias included), so
//     the residuals and the exact loss;
//   - whether the network has a trainable output bias;
//   - Patterns: the sorted, distinct patterns of the groups whose
//     contribution Σ_{j in the group} a_j ρ(w_j·x_i) is not zero on every
//     sample.
//
// Two points have the same Form iff they compute the same outputs on the
// data with the same set of contributing patterns. Points that differ only
// in how a fixed output is shared between groups of fixed patterns (a
// convex, constant-loss family: the snap of two training runs generally
// picks two different members of it) have one Form; points whose outputs
// differ, or which realise the same outputs with different patterns (for
// example with a neuron on a sample's hyperplane instead of strictly off
// it), are kept apart.
type Form struct {
	// Outputs[i] is f_θ(x_i) ∈ Q^k.
	Outputs []exact.Vec
	// OutputBias reports a trainable output bias b (network.Point's
	// OutputBias is not nil). Its value is part of Outputs only.
	OutputBias bool
	// Patterns lists the contributing patterns, sorted, without repeats.
	Patterns []Pattern
}

// Canonical returns the canonical form of p. The error reports a malformed
// point (network.Point.Validate).
func Canonical(p *network.Point) (*Form, error) {
	if p == nil {
		return nil, fmt.Errorf("atlas: nil point")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	f := &Form{OutputBias: p.HasOutputBias()}
	for i := range p.N() {
		f.Outputs = append(f.Outputs, p.Output(p.X.Row(i)))
	}
	// the contribution of each pattern's group, sample by sample
	contrib := map[Pattern][]exact.Vec{}
	xs := p.X.Vecs()
	for _, nr := range p.Neurons {
		pat := PatternOf(p.Act, nr.W, xs)
		c, ok := contrib[pat]
		if !ok {
			c = make([]exact.Vec, p.N())
			for i := range c {
				c[i] = exact.NewVec(p.K())
			}
			contrib[pat] = c
		}
		for i := range p.X.Rows() {
			x := p.X.Row(i)
			c[i].AddScaled(p.Act.Apply(nr.W.Dot(x)), nr.A)
		}
	}
	for pat, c := range contrib {
		for _, v := range c {
			if !v.IsZero() {
				f.Patterns = append(f.Patterns, pat)
				break
			}
		}
	}
	slices.Sort(f.Patterns)
	return f, nil
}

// Key returns a text that identifies the form: two forms of points on the
// same data and activation are equal iff their keys are equal. Exact
// numbers are written as big.Rat.RatString writes them.
func (f *Form) Key() string {
	var b strings.Builder
	if f.OutputBias {
		b.WriteString("b;")
	}
	b.WriteString("f=")
	for i, v := range f.Outputs {
		if i > 0 {
			b.WriteByte(' ')
		}
		for l, x := range v {
			if l > 0 {
				b.WriteByte(',')
			}
			b.WriteString(x.RatString())
		}
	}
	b.WriteString(";patterns=")
	for i, p := range f.Patterns {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(p))
	}
	return b.String()
}

// Equal reports whether f and g are the same form.
func (f *Form) Equal(g *Form) bool {
	if f.OutputBias != g.OutputBias || len(f.Outputs) != len(g.Outputs) || !slices.Equal(f.Patterns, g.Patterns) {
		return false
	}
	for i := range f.Outputs {
		if !f.Outputs[i].Equal(g.Outputs[i]) {
			return false
		}
	}
	return true
}
