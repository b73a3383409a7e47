package exact

import "errors"

// ErrBudget is returned when an exact computation stops because a work
// budget (pivots, cells) ran out before it decided.
var ErrBudget = errors.New("budget exhausted")
