package verify

import "github.com/relucert/relucert/exact"

// The time budget of Check (Options.Deadline) is asked at every stage:
// the cell enumeration and the LPs (a stop function and their own
// checks), the k ≥ 2 tests, and — through a poller — the set-up of the
// exact engine, the sums of Theorem S, the search of a decreasing segment
// (its polynomial root isolation included) and the evaluations of the loss
// along it. A poller unwinds Check with a panic of type stopped, which
// Check recovers and turns into an undetermined verdict saying which stage
// the budget ran out in and what was decided before.

// stopped is the panic value with which a poller unwinds Check.
type stopped struct{ stage string }

// poller asks a stop function now and then. Its methods may be called only
// on Check's own goroutine (a panic in a worker goroutine of
// internal/parallel would end the process): loops run by workers ask
// stopNow instead, return early, and their caller polls after the join.
// A nil poller never stops.
type poller struct {
	stop  exact.Stop
	count int
}

// newPoller returns the poller of opt's deadline, nil without one.
func newPoller(opt Options) *poller {
	if opt.stop != nil {
		return &poller{stop: opt.stop}
	}
	if opt.Deadline.IsZero() {
		return nil
	}
	return &poller{stop: exact.StopAt(opt.Deadline)}
}

// tick asks the stop function every 1024 calls, for loops whose steps are
// cheap; stage names the work for the reason.
func (pl *poller) tick(stage string) {
	if pl == nil {
		return
	}
	pl.count++
	if pl.count&1023 == 0 {
		pl.now(stage)
	}
}

// now asks the stop function and unwinds Check when it says stop.
func (pl *poller) now(stage string) {
	if pl != nil && pl.stop() {
		panic(stopped{stage})
	}
}

// stopNow reports whether the stop function says stop, for loops run by
// worker goroutines (never panics).
func (pl *poller) stopNow() bool { return pl != nil && pl.stop() }

// exactStop returns the poller's stop function, for the exact package.
func (pl *poller) exactStop() exact.Stop {
	if pl == nil {
		return nil
	}
	return pl.stop
}

// budgetReason formats the reason of a verdict cut short by the time
// budget in stage st, after what was decided (may be empty).
func budgetReason(st stopped, decided string) string {
	r := "budget: time budget exceeded while " + st.stage
	if decided != "" {
		r += "; " + decided
	}
	return r
}
