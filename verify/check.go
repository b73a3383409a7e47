package verify

import "errors"

// Options bounds the work of Check. A zero value means no bound.
type Options struct {
	// MaxCells bounds the number of arrangement cells enumerated per neuron.
	MaxCells int
	// MaxPivots bounds the simplex pivots of each LP.
	MaxPivots int
}

// Check classifies the point p exactly (DESIGN §3–4) and returns the verdict
// with its certificate. The error is non-nil only when p is malformed; a
// budget that runs out gives an Undetermined verdict, never an error.
func Check(p *Point, opt Options) (*Verdict, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return nil, errors.New("verify.Check: not implemented yet")
}
