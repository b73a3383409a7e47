package atlas

import (
	"cmp"
	"math/big"
	"slices"
)

// Global says what is known of a minimum's global optimality.
type Global int

const (
	// GlobalNA: the point is not a local minimum.
	GlobalNA Global = iota
	// GlobalYes: a global minimum (L = 0, or certified by docs/theory.md §10).
	GlobalYes
	// GlobalNo: a local minimum certified not to be global (§10).
	GlobalNo
	// GlobalUnknown: a local minimum with L > 0 that no test has decided.
	GlobalUnknown
)

var globalNames = [...]string{"n/a", "yes", "no", "unknown"}

// String returns "n/a", "yes", "no" or "unknown".
func (g Global) String() string {
	if g < 0 || int(g) >= len(globalNames) {
		return "invalid"
	}
	return globalNames[g]
}

// ParseGlobal is the inverse of String.
func ParseGlobal(s string) (Global, bool) {
	for i, n := range globalNames {
		if n == s {
			return Global(i), true
		}
	}
	return 0, false
}

// Visit is one certified point of a run: the point of one of its plateaus,
// or its final point.
type Visit struct {
	// Plateau is the plateau's number, 1-based; 0 for a final point that is
	// no plateau's point.
	Plateau int
	// Final reports the run's final point (a last plateau certified at the
	// run's last step is both).
	Final bool
	// Step is the step whose float point was snapped.
	Step int
	// Verdict is the exact verdict of the snapped point ("saddle",
	// "local-min", …) or "snap-failed".
	Verdict string
	// Loss is the exact loss L = (1/2n)Σ|r_i|² of the snapped point and Form
	// its canonical form; both nil when no exact point was found.
	Loss *big.Rat
	Form *Form
	// Escape lists the escape neurons of the snapped point (0-based in the
	// run's network).
	Escape []int
	// Fragile counts the neighbouring snap choices that change the verdict
	// (docs/theory.md §6 step 5).
	Fragile int
	// Global is what is known of global optimality.
	Global Global
	// Note says why the snap failed, or that a certificate did not re-check.
	Note string
}

// Run is one task's certified points, in the order training met them.
type Run struct {
	Task   Task
	Visits []Visit
}

// Ref names one visit: the task's index and the visit's place in its run.
type Ref struct {
	Task, Visit int
}

// Reach counts the runs of one width and μ that reached an entry.
type Reach struct {
	Width int
	Mu    *big.Rat
	Runs  int
}

// Entry is one distinct point of an atlas: the visits whose snapped points
// have one canonical form and one verdict.
type Entry struct {
	// Form, Verdict and Loss are common to every visit of the entry.
	Form    *Form
	Verdict string
	Loss    *big.Rat
	// Global is the first visit's (a width-dependent fact: docs/theory.md
	// §10 decides it for widths above a bound).
	Global Global
	// Refs lists the visits, in task order.
	Refs []Ref
	// Runs counts the distinct runs among them.
	Runs int
	// Plateaus[p−1] counts the runs that reached the entry as their p-th
	// plateau; Final the runs whose final point it is.
	Plateaus []int
	Final    int
	// Escape is the escape set of the first visit; EscapeMin and EscapeMax
	// bound the number of escape neurons over all visits (networks of
	// different runs have different numbers of zero neurons).
	Escape               []int
	EscapeMin, EscapeMax int
	// Fragile counts the visits that are fragile.
	Fragile int
	// Reached lists, per width and μ, the runs that reached the entry, in
	// the sweep's order.
	Reached []Reach
}

// Outcome is the class of a run's final point in an atlas's summary.
type Outcome int

const (
	// EndGlobal: a global minimum.
	EndGlobal Outcome = iota
	// EndNonGlobal: a local minimum certified not to be global.
	EndNonGlobal
	// EndLocalUnknown: a local minimum with L > 0 not decided either way.
	EndLocalUnknown
	// EndSaddle, EndNotStationary, EndUndetermined: the verdicts.
	EndSaddle
	EndNotStationary
	EndUndetermined
	// EndSnapFailed: no exact point was found near the final point.
	EndSnapFailed
	numOutcomes
)

var outcomeNames = [...]string{"global-min", "non-global-local-min", "local-min-global-unknown", "saddle", "not-stationary", "undetermined", "snap-failed"}

// String names the outcome.
func (o Outcome) String() string { return outcomeNames[o] }

// Outcomes lists every outcome in order.
func Outcomes() []Outcome {
	out := make([]Outcome, numOutcomes)
	for i := range out {
		out[i] = Outcome(i)
	}
	return out
}

// OutcomeOf classifies a final visit.
func OutcomeOf(v Visit) Outcome {
	switch v.Verdict {
	case "global-min":
		return EndGlobal
	case "local-min":
		switch v.Global {
		case GlobalYes:
			return EndGlobal
		case GlobalNo:
			return EndNonGlobal
		}
		return EndLocalUnknown
	case "saddle":
		return EndSaddle
	case "not-stationary":
		return EndNotStationary
	case "undetermined":
		return EndUndetermined
	}
	return EndSnapFailed
}

// Atlas is the atlas of a sweep.
type Atlas struct {
	// Runs are the runs, by task index.
	Runs []Run
	// Entries are the distinct points: by loss, largest first (the order
	// training meets them), then by verdict and canonical key.
	Entries []*Entry
	// EntryOf[r][v] is the index in Entries of visit v of Runs[r], −1 when
	// the visit has no exact point.
	EntryOf [][]int
	// Unresolved lists the visits without an exact point.
	Unresolved []Ref
	// Ends[o] counts the runs whose final point has outcome o.
	Ends [numOutcomes]int
}

// Build gathers the runs into an atlas. The result depends only on the set
// of runs, not on their order: runs are taken by task index (two runs with
// one index are a caller's error and are both kept, in input order of the
// sort, which is stable).
func Build(runs []Run) *Atlas {
	runs = slices.Clone(runs)
	slices.SortStableFunc(runs, func(a, b Run) int { return cmp.Compare(a.Task.Index, b.Task.Index) })
	a := &Atlas{Runs: runs}
	type id struct{ key, verdict string }
	index := map[id]*Entry{}
	lastRun := map[*Entry]int{}
	var order []*Entry
	for ri, r := range runs {
		for vi, v := range r.Visits {
			ref := Ref{Task: r.Task.Index, Visit: vi}
			if v.Final {
				a.Ends[OutcomeOf(v)]++
			}
			if v.Form == nil || v.Loss == nil {
				a.Unresolved = append(a.Unresolved, ref)
				continue
			}
			k := id{v.Form.Key(), v.Verdict}
			e := index[k]
			if e == nil {
				e = &Entry{Form: v.Form, Verdict: v.Verdict, Loss: v.Loss, Global: v.Global, Escape: v.Escape,
					EscapeMin: len(v.Escape), EscapeMax: len(v.Escape)}
				index[k] = e
				lastRun[e] = -1
				order = append(order, e)
			}
			e.Refs = append(e.Refs, ref)
			e.EscapeMin = min(e.EscapeMin, len(v.Escape))
			e.EscapeMax = max(e.EscapeMax, len(v.Escape))
			if v.Fragile > 0 {
				e.Fragile++
			}
			newRun := lastRun[e] != ri
			lastRun[e] = ri
			if v.Plateau > 0 {
				for len(e.Plateaus) < v.Plateau {
					e.Plateaus = append(e.Plateaus, 0)
				}
				e.Plateaus[v.Plateau-1]++
			}
			if v.Final {
				e.Final++
			}
			if newRun {
				e.Runs++
				t := r.Task
				if n := len(e.Reached); n > 0 && e.Reached[n-1].Width == t.Width && e.Reached[n-1].Mu.Cmp(t.Mu) == 0 {
					e.Reached[n-1].Runs++
				} else {
					e.Reached = append(e.Reached, Reach{Width: t.Width, Mu: t.Mu, Runs: 1})
				}
			}
		}
	}
	a.Entries = order
	slices.SortStableFunc(a.Entries, func(x, y *Entry) int {
		if c := y.Loss.Cmp(x.Loss); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Verdict, y.Verdict); c != 0 {
			return c
		}
		return cmp.Compare(x.Form.Key(), y.Form.Key())
	})
	pos := map[*Entry]int{}
	for i, e := range a.Entries {
		pos[e] = i
	}
	a.EntryOf = make([][]int, len(runs))
	for ri, r := range runs {
		a.EntryOf[ri] = make([]int, len(r.Visits))
		for vi, v := range r.Visits {
			a.EntryOf[ri][vi] = -1
			if v.Form != nil && v.Loss != nil {
				a.EntryOf[ri][vi] = pos[index[id{v.Form.Key(), v.Verdict}]]
			}
		}
	}
	return a
}
