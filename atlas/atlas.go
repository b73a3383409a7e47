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
	// GlobalNo: a local minimum certified not to be global: by §10, or
	// because the atlas holds an exact point of the same or a smaller width
	// with a smaller loss (Build; a narrower network embeds in a wider one
	// with its loss, docs/theory.md §5).
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
	// Global is the visits' (a width-dependent fact): GlobalUnknown when
	// it is unknown for some visit, else the first visit's.
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
	// Witness, when Global is GlobalNo because of the atlas itself, is the
	// index in Entries of a point of the same or a smaller width than the
	// first visit's with a smaller loss; −1 otherwise.
	Witness int
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
//
// A local minimum with L > 0 whose global optimality is unknown is marked
// GlobalNo when some visit of a run of the same or a smaller width has an
// exact point with a smaller loss: that point, widened by zero neurons
// (docs/theory.md §5), is a network of the local minimum's width with a
// smaller loss.
func Build(runs []Run) *Atlas {
	runs = slices.Clone(runs)
	for i := range runs {
		runs[i].Visits = slices.Clone(runs[i].Visits)
	}
	slices.SortStableFunc(runs, func(a, b Run) int { return cmp.Compare(a.Task.Index, b.Task.Index) })
	a := &Atlas{Runs: runs}
	witness := lowerAtWidth(runs)
	type id struct{ key, verdict string }
	index := map[id]*Entry{}
	lastRun := map[*Entry]int{}
	witnessOf := map[*Entry]Ref{}
	keyOf := map[*Entry]string{}
	var order []*Entry
	entryOf := make([][]*Entry, len(runs)) // entryOf[r][v]: the entry of a visit, nil when unresolved
	for ri, r := range runs {
		entryOf[ri] = make([]*Entry, len(r.Visits))
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
					EscapeMin: len(v.Escape), EscapeMax: len(v.Escape), Witness: -1}
				if w, ok := witness[ref]; ok {
					witnessOf[e] = w
				}
				index[k] = e
				keyOf[e] = k.key
				lastRun[e] = -1
				order = append(order, e)
			}
			entryOf[ri][vi] = e
			e.Refs = append(e.Refs, ref)
			if v.Global == GlobalUnknown {
				e.Global = GlobalUnknown // no for some widths, unknown for others
			}
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
		return cmp.Compare(keyOf[x], keyOf[y])
	})
	pos := map[*Entry]int{}
	for i, e := range a.Entries {
		pos[e] = i
	}
	a.EntryOf = make([][]int, len(runs))
	byRef := map[Ref]int{}
	for ri, r := range runs {
		a.EntryOf[ri] = make([]int, len(r.Visits))
		for vi, e := range entryOf[ri] {
			a.EntryOf[ri][vi] = -1
			if e != nil {
				a.EntryOf[ri][vi] = pos[e]
				byRef[Ref{Task: r.Task.Index, Visit: vi}] = pos[e]
			}
		}
	}
	for e, w := range witnessOf {
		if e.Global == GlobalNo {
			e.Witness = byRef[w]
		}
	}
	return a
}

// lowerAtWidth marks every local minimum of unknown global optimality that
// has a visit with a smaller exact loss at the same or a smaller width as
// GlobalNo (in place), and returns the witness of each such visit: the
// visit of smallest loss among those (the first in task order on ties).
func lowerAtWidth(runs []Run) map[Ref]Ref {
	type best struct {
		width int
		loss  *big.Rat
		ref   Ref
	}
	var bs []best
	for _, r := range runs {
		for vi, v := range r.Visits {
			if v.Loss != nil && v.Form != nil {
				bs = append(bs, best{r.Task.Width, v.Loss, Ref{Task: r.Task.Index, Visit: vi}})
			}
		}
	}
	// by width, then by loss, then in task order: the running minimum over
	// widths ≤ w is then a prefix minimum
	slices.SortStableFunc(bs, func(x, y best) int {
		if c := cmp.Compare(x.width, y.width); c != 0 {
			return c
		}
		return x.loss.Cmp(y.loss)
	})
	// least[i] is the first of smallest loss among bs[:i+1]
	least := make([]int, len(bs))
	for i := range bs {
		if i > 0 && bs[i].loss.Cmp(bs[least[i-1]].loss) >= 0 {
			least[i] = least[i-1]
		} else {
			least[i] = i
		}
	}
	out := map[Ref]Ref{}
	for _, r := range runs {
		for vi := range r.Visits {
			v := &r.Visits[vi]
			if v.Verdict != "local-min" || v.Global != GlobalUnknown || v.Loss == nil {
				continue
			}
			// bs[:j] are the visits of width at most r.Task.Width
			j, _ := slices.BinarySearchFunc(bs, r.Task.Width+1, func(b best, w int) int { return cmp.Compare(b.width, w) })
			if j == 0 {
				continue
			}
			if m := &bs[least[j-1]]; m.loss.Cmp(v.Loss) < 0 {
				v.Global = GlobalNo
				out[Ref{Task: r.Task.Index, Visit: vi}] = m.ref
			}
		}
	}
	return out
}
