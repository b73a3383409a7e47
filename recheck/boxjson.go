package recheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
)

// The JSON encoding of box verdicts (certificate files, docs/theory.md
// §11.5). The floats of a box — its center, radius and preconditioner, the
// loss enclosure's ends — are finite binary floating-point numbers, that is
// dyadic rationals m/2^e, and are written exactly as such ("p/q" with q a
// power of two, as big.Rat.RatString writes them): big.Float's own text
// form is exact only at the precision it is read back with, which a file
// does not carry. Rules are written by name.

// MarshalText writes the rule's name.
func (r BoxRule) MarshalText() ([]byte, error) {
	if r < 0 || int(r) >= len(boxRuleNames) {
		return nil, fmt.Errorf("box rule %d out of range", int(r))
	}
	return []byte(boxRuleNames[r]), nil
}

// UnmarshalText reads "alive", "dead" or "zero".
func (r *BoxRule) UnmarshalText(b []byte) error {
	for i, n := range boxRuleNames {
		if string(b) == n {
			*r = BoxRule(i)
			return nil
		}
	}
	return fmt.Errorf("box rule %q: want alive, dead or zero", b)
}

var boxPathRuleNames = [...]string{"theorem-e", "second-order"}

// String names the rule: "theorem-e" or "second-order".
func (r BoxPathRule) String() string {
	if r < 0 || int(r) >= len(boxPathRuleNames) {
		return "unknown"
	}
	return boxPathRuleNames[r]
}

// MarshalText writes the rule's name.
func (r BoxPathRule) MarshalText() ([]byte, error) {
	if r < 0 || int(r) >= len(boxPathRuleNames) {
		return nil, fmt.Errorf("box path rule %d out of range", int(r))
	}
	return []byte(boxPathRuleNames[r]), nil
}

// UnmarshalText reads "theorem-e" or "second-order".
func (r *BoxPathRule) UnmarshalText(b []byte) error {
	for i, n := range boxPathRuleNames {
		if string(b) == n {
			*r = BoxPathRule(i)
			return nil
		}
	}
	return fmt.Errorf("box path rule %q: want theorem-e or second-order", b)
}

// dyadicFloat is a finite big.Float written exactly as the rational it is.
type dyadicFloat struct{ f *big.Float }

func (d dyadicFloat) MarshalText() ([]byte, error) {
	if d.f == nil || d.f.IsInf() {
		return nil, fmt.Errorf("a missing or infinite float")
	}
	r, _ := d.f.Rat(nil)
	return []byte(r.RatString()), nil
}

// UnmarshalText reads a dyadicFloat rational p/2^e into a float of just enough
// precision (at least 64 bits) to hold it exactly.
func (d *dyadicFloat) UnmarshalText(b []byte) error {
	r, ok := new(big.Rat).SetString(string(b))
	if !ok {
		return fmt.Errorf("%q is not a number", b)
	}
	den := r.Denom()
	if den.TrailingZeroBits() != uint(den.BitLen()-1) {
		return fmt.Errorf("%q is not a binary float (its denominator is not a power of 2)", b)
	}
	num := new(big.Int).Abs(r.Num())
	prec := uint(max(64, num.BitLen()-int(num.TrailingZeroBits())))
	d.f = new(big.Float).SetPrec(prec).SetRat(r)
	return nil
}

func toDyadicFloats(fs []*big.Float) []*dyadicFloat {
	if fs == nil {
		return nil
	}
	out := make([]*dyadicFloat, len(fs))
	for i, f := range fs {
		if f != nil {
			out[i] = &dyadicFloat{f}
		}
	}
	return out
}

func fromDyadicFloats(ds []*dyadicFloat) []*big.Float {
	if ds == nil {
		return nil
	}
	out := make([]*big.Float, len(ds))
	for i, d := range ds {
		if d != nil {
			out[i] = d.f
		}
	}
	return out
}

// boxCertificateJSON is BoxCertificate with its floats as dyadics.
type boxCertificateJSON struct {
	Pattern []BoxNeuron      `json:"pattern"`
	Prec    uint             `json:"prec"`
	Center  []*dyadicFloat   `json:"center"`
	Radius  []*dyadicFloat   `json:"radius"`
	Precond [][]*dyadicFloat `json:"precond"`
	Descent *BoxWitness      `json:"descent"`
	Escapes []BoxWitness     `json:"escapes"`
	Path    *BoxPath         `json:"path"`
}

// MarshalJSON writes the certificate with every float as an exact
// rational.
func (c *BoxCertificate) MarshalJSON() ([]byte, error) {
	j := boxCertificateJSON{Pattern: c.Pattern, Prec: c.Prec, Center: toDyadicFloats(c.Center), Radius: toDyadicFloats(c.Radius),
		Descent: c.Descent, Escapes: c.Escapes, Path: c.Path}
	if c.Precond != nil {
		j.Precond = make([][]*dyadicFloat, len(c.Precond))
		for i, row := range c.Precond {
			j.Precond[i] = toDyadicFloats(row)
		}
	}
	return marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *BoxCertificate) UnmarshalJSON(b []byte) error {
	var j boxCertificateJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = BoxCertificate{Pattern: j.Pattern, Prec: j.Prec, Center: fromDyadicFloats(j.Center), Radius: fromDyadicFloats(j.Radius),
		Descent: j.Descent, Escapes: j.Escapes, Path: j.Path}
	if j.Precond != nil {
		c.Precond = make([][]*big.Float, len(j.Precond))
		for i, row := range j.Precond {
			c.Precond[i] = fromDyadicFloats(row)
		}
	}
	return nil
}

// intervalJSON is an exact.Interval [Lo, Hi].
type intervalJSON struct {
	Lo *dyadicFloat `json:"lo"`
	Hi *dyadicFloat `json:"hi"`
}

// boxVerdictJSON is BoxVerdict with its loss enclosure as two dyadics.
type boxVerdictJSON struct {
	Kind       VerdictKind     `json:"verdict"`
	Reason     string          `json:"reason"`
	Stationary bool            `json:"stationary"`
	Escape     []int           `json:"escape_neurons"`
	Undecided  []int           `json:"undecided"`
	Loss       *intervalJSON   `json:"loss"`
	Cert       *BoxCertificate `json:"certificate"`
}

// MarshalJSON writes the verdict; the loss enclosure is {"lo", "hi"},
// each an exact rational.
func (v *BoxVerdict) MarshalJSON() ([]byte, error) {
	j := boxVerdictJSON{Kind: v.Kind, Reason: v.Reason, Stationary: v.Stationary, Escape: v.Escape, Undecided: v.Undecided, Cert: v.Cert}
	if v.Loss != nil {
		j.Loss = &intervalJSON{Lo: &dyadicFloat{&v.Loss.Lo}, Hi: &dyadicFloat{&v.Loss.Hi}}
	}
	return marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes; a loss enclosure with
// lo > hi or a missing end is an error.
func (v *BoxVerdict) UnmarshalJSON(b []byte) error {
	var j boxVerdictJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*v = BoxVerdict{Kind: j.Kind, Reason: j.Reason, Stationary: j.Stationary, Escape: j.Escape, Undecided: j.Undecided, Cert: j.Cert}
	if j.Loss != nil {
		if j.Loss.Lo == nil || j.Loss.Hi == nil || j.Loss.Lo.f.Cmp(j.Loss.Hi.f) > 0 {
			return fmt.Errorf("loss: want an interval {lo, hi} with lo ≤ hi")
		}
		prec := max(j.Loss.Lo.f.Prec(), j.Loss.Hi.f.Prec())
		v.Loss = exact.NewInterval(prec).SetEndpoints(j.Loss.Lo.f, j.Loss.Hi.f)
	}
	return nil
}

// marshal is json.Marshal without HTML escaping (reasons hold "<").
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
