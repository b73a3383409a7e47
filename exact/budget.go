package exact

import (
	"errors"
	"time"
)

// ErrBudget is returned when an exact computation stops because a work
// budget (pivots, cells, time) ran out before it decided.
var ErrBudget = errors.New("budget exhausted")

// Stop is asked by long exact computations between their steps; once it
// returns true they give up with ErrBudget. A nil Stop never stops. It
// may be called from several goroutines at once (the workers of a
// parallel loop), and once true it must stay true.
type Stop func() bool

// Stopped reports whether s says stop (false for a nil s).
func (s Stop) Stopped() bool { return s != nil && s() }

// StopAt returns the Stop that is true from the time t on; for the zero
// time it returns nil (never stop).
func StopAt(t time.Time) Stop {
	if t.IsZero() {
		return nil
	}
	return func() bool { return !time.Now().Before(t) }
}
