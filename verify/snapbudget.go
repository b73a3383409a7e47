package verify

// The stages of Snap outside Check that can run long, as the time budget's
// reasons name them ("budget: time budget exceeded while …"). Each asks
// the snapper's poller (snapper.poll) as it goes, so a snap with a time
// budget ends soon after it with an undetermined outcome
// (SnapResult.Budget), never by a watchdog abandoning it.
const (
	stagePlan      = "snap's float planner solved a pattern's least squares (snapplan.go)"
	stageKeepSides = "snap's float planner looked for the stationary point of a pattern nearest θ̃ that keeps every strict side (a QP, snapplan.go keepSides)"
	stageSolve     = "snap's exact stage solved a pattern's KKT system (snapsolve.go)"
	stageNullspace = "snap's big-float layer (k ≥ 2) computed, per alive neuron, the directions its samples do not see (an exact nullspace, snapk.go algebraicPattern)"
	stageNewton    = "snap's big-float layer (k ≥ 2) refined the pattern's stationary point by Newton's method (krawczyk.go refine)"
	stageKrawczyk  = "snap's big-float layer (k ≥ 2) ran the Krawczyk test (krawczyk.go)"
)

// pollAt returns a function that asks the time budget and unwinds Snap
// naming stage when it has run out (nil without a budget).
func (sn *snapper) pollAt(stage string) func() {
	if sn.poll == nil {
		return nil
	}
	return func() { sn.poll.now(stage) }
}

// catchStop runs f and returns the stage in which the time budget unwound
// it (nil when f returned): for a step whose results are optional — a later
// τ of the ladder, a neighbour of the sensitivity step — so that what was
// decided before is kept.
func catchStop(f func()) (st *stopped) {
	defer func() {
		if x := recover(); x != nil {
			s, ok := x.(stopped)
			if !ok {
				panic(x)
			}
			st = &s
		}
	}()
	f()
	return nil
}
