package descent

import (
	"fmt"
	"math"
)

// PlateauRule is the plateau detection rule. With the loss L_t recorded at
// every step t, step t ≥ Window is *flat* when
//
//	|ln L_t − ln L_{t−Window}| < Eps,
//
// i.e. the loss changed by less than a relative Eps over the last Window
// steps, and then the whole window [t−Window, t] is flat. A plateau is a
// maximal union of flat windows that overlap or touch (so adjacent windows
// merge): it starts at t₀−Window for its first flat step t₀ and ends at its
// last flat step. Plateaus are therefore at least Window steps long, and two
// plateaus are separated by a stretch in which the loss moved by more than a
// relative Eps. A run that ends while the loss is flat closes its last
// plateau at the last step; a final tail that is not flat belongs to no
// plateau. A loss that is zero, negative or not finite is never flat.
type PlateauRule struct {
	// Window is W, in steps (≥ 1).
	Window int
	// Eps is the relative (log) change allowed over a window (> 0).
	Eps float64
}

// DefaultRule returns the rule train uses for a run of the given length:
// Window = steps/200 (at least 10) and Eps = 1e-3.
func DefaultRule(steps int) PlateauRule {
	return PlateauRule{Window: max(steps/200, 10), Eps: 1e-3}
}

// Validate checks the parameters.
func (r PlateauRule) Validate() error {
	if r.Window < 1 {
		return fmt.Errorf("plateau window %d: want at least 1", r.Window)
	}
	if !(r.Eps > 0) || math.IsInf(r.Eps, 0) {
		return fmt.Errorf("plateau eps %g: want a positive number", r.Eps)
	}
	return nil
}

// Plateau is one detected plateau: steps Start…End (inclusive), and the
// step At in it where the loss is flattest, with the loss there.
type Plateau struct {
	Start, End int
	// At is the flat step t of the plateau with the smallest
	// |ln L_t − ln L_{t−Window}| (ties go to the later step): the point
	// train certifies. On a saddle plateau it lies between the approach
	// (alive neurons still converging) and the departure (escaping neurons
	// already large); on a final plateau that has converged it is the
	// last step.
	At int
	// Loss is L_At.
	Loss float64
}

// Len returns the number of steps End − Start.
func (p Plateau) Len() int { return p.End - p.Start }

// Detector applies a PlateauRule online, one step at a time, so that a run
// can keep θ at the plateaus without storing the trajectory. Push the loss
// of steps 0, 1, 2, … in order, then call Close.
type Detector struct {
	rule PlateauRule
	logs []float64 // ring buffer of ln L over the last Window+1 steps
	t    int       // next step

	in        bool
	cur       Plateau
	lastFlat  int
	bestScore float64 // |ln L_At − ln L_{At−W}|
	done      []Plateau
}

// NewDetector returns a detector for rule (which must be valid).
func NewDetector(rule PlateauRule) (*Detector, error) {
	if err := rule.Validate(); err != nil {
		return nil, err
	}
	return &Detector{rule: rule, logs: make([]float64, rule.Window+1)}, nil
}

// Event is what Push reports about the step just pushed.
type Event struct {
	// Flat reports that the step is flat (it belongs to a plateau).
	Flat bool
	// Best reports that the step is the plateau's flattest step so far (its
	// At for now): a caller keeping θ at At should copy it now.
	Best bool
	// Closed is non-nil when this push closed a plateau (it ended more than
	// Window steps ago and no later window can merge with it).
	Closed *Plateau
}

// Push records L_t for the next step t and reports on it.
func (d *Detector) Push(loss float64) Event {
	w := d.rule.Window
	t := d.t
	d.t++
	lg := math.NaN()
	if loss > 0 && !math.IsInf(loss, 0) {
		lg = math.Log(loss)
	}
	d.logs[t%(w+1)] = lg
	prev := d.logs[(t+1)%(w+1)] // ln L_{t−W}, when t ≥ W
	var ev Event
	score := math.Abs(lg - prev)
	flat := t >= w && score < d.rule.Eps // false when either is NaN
	if flat {
		ev.Flat = true
		if d.in && t-w > d.lastFlat+1 {
			ev.Closed = d.close()
		}
		if !d.in {
			d.in = true
			d.cur = Plateau{Start: t - w}
			d.bestScore = math.Inf(1)
		}
		d.lastFlat = t
		d.cur.End = t
		if score <= d.bestScore {
			d.bestScore = score
			d.cur.At = t
			d.cur.Loss = loss
			ev.Best = true
		}
	} else if d.in && t-w > d.lastFlat+1 {
		ev.Closed = d.close()
	}
	return ev
}

func (d *Detector) close() *Plateau {
	p := d.cur
	d.done = append(d.done, p)
	d.in = false
	return &p
}

// Close ends the run: an open plateau is closed at its last flat step (the
// run's last step when the tail is flat). It returns every plateau found.
func (d *Detector) Close() []Plateau {
	if d.in {
		d.close()
	}
	return d.done
}

// DetectPlateaus applies rule to a whole loss curve (losses[t] = L_t).
func DetectPlateaus(losses []float64, rule PlateauRule) ([]Plateau, error) {
	d, err := NewDetector(rule)
	if err != nil {
		return nil, err
	}
	for _, l := range losses {
		d.Push(l)
	}
	return d.Close(), nil
}
