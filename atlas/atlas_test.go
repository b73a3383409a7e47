package atlas_test

import (
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/relucert/relucert/atlas"
	"github.com/relucert/relucert/exact"
)

func TestTasksAndShards(t *testing.T) {
	mus := []*big.Rat{big.NewRat(-1, 1), big.NewRat(-3, 1)}
	ts := atlas.Tasks([]int{5, 50}, mus, 7, 3)
	if len(ts) != 12 {
		t.Fatalf("%d tasks, want 2·2·3 = 12", len(ts))
	}
	// the width varies slowest, the seed fastest
	want := []struct {
		w    int
		mu   int64
		seed uint64
	}{{5, -1, 7}, {5, -1, 8}, {5, -1, 9}, {5, -3, 7}, {5, -3, 8}, {5, -3, 9},
		{50, -1, 7}, {50, -1, 8}, {50, -1, 9}, {50, -3, 7}, {50, -3, 8}, {50, -3, 9}}
	for i, tk := range ts {
		if tk.Index != i || tk.Width != want[i].w || tk.Mu.Cmp(big.NewRat(want[i].mu, 1)) != 0 || tk.Seed != want[i].seed {
			t.Errorf("task %d = %+v, want %+v", i, tk, want[i])
		}
	}
	// 4 shards: every task in exactly one
	for ti := range ts {
		n := 0
		for i := range 4 {
			if (atlas.Shard{I: i, N: 4}).Owns(ti) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("task %d owned by %d shards", ti, n)
		}
	}
	for _, s := range []string{"", "1", "a/2", "2/2", "-1/3", "0/0", "1/-1"} {
		if _, err := atlas.ParseShard(s); err == nil {
			t.Errorf("ParseShard(%q) accepted", s)
		}
	}
	if sh, err := atlas.ParseShard("3/8"); err != nil || sh != (atlas.Shard{I: 3, N: 8}) || sh.String() != "3/8" {
		t.Errorf("ParseShard(3/8) = %v, %v", sh, err)
	}
	missing, dup := atlas.Missing(5, []int{0, 2, 2, 4, 2})
	if !slices.Equal(missing, []int{1, 3}) || !slices.Equal(dup, []int{2}) {
		t.Errorf("Missing = %v, %v; want [1 3], [2]", missing, dup)
	}
}

func formOf(outputs []string, patterns ...atlas.Pattern) *atlas.Form {
	f := &atlas.Form{Patterns: patterns}
	for _, o := range outputs {
		f.Outputs = append(f.Outputs, exact.Vec{rat(o)})
	}
	return f
}

// TestBuild gathers six hand-made runs: three points (one reached as a
// saddle by every run, one local minimum reached by runs 0, 1 and 4, one
// reached by run 2 only), a snap failure, and a point that is one form with
// two verdicts (kept as two entries). The counts are written out by hand.
func TestBuild(t *testing.T) {
	mu := big.NewRat(-3, 1)
	origin := formOf([]string{"0", "0"})
	mid := formOf([]string{"1", "0"}, "+-")
	low := formOf([]string{"1", "1"}, "++")
	task := func(i int) atlas.Task { return atlas.Task{Index: i, Width: 10 + 10*(i/3), Mu: mu, Seed: uint64(i)} }
	saddle := func(p int, f *atlas.Form, loss string, esc ...int) atlas.Visit {
		return atlas.Visit{Plateau: p, Verdict: "saddle", Form: f, Loss: rat(loss), Escape: esc}
	}
	end := func(p int, f *atlas.Form, loss, verdict string, g atlas.Global) atlas.Visit {
		return atlas.Visit{Plateau: p, Final: true, Verdict: verdict, Form: f, Loss: rat(loss), Global: g}
	}
	runs := []atlas.Run{
		{task(0), []atlas.Visit{saddle(1, origin, "1", 0, 1, 2), saddle(2, mid, "1/2", 3), end(3, low, "1/4", "local-min", atlas.GlobalUnknown)}},
		{task(1), []atlas.Visit{saddle(1, origin, "1", 0, 1), end(2, low, "1/4", "local-min", atlas.GlobalUnknown)}},
		{task(2), []atlas.Visit{saddle(1, origin, "1", 0), end(2, mid, "1/2", "local-min", atlas.GlobalUnknown)}},
		{task(3), []atlas.Visit{saddle(1, origin, "1"), {Plateau: 0, Final: true, Verdict: "snap-failed", Note: "sign flip"}}},
		{task(4), []atlas.Visit{saddle(1, origin, "1", 4), saddle(2, mid, "1/2", 5, 6), end(0, low, "1/4", "local-min", atlas.GlobalUnknown)}},
		{task(5), []atlas.Visit{saddle(1, origin, "1", 1), end(0, formOf([]string{"2", "1"}, "++"), "0", "global-min", atlas.GlobalYes)}},
	}
	a := atlas.Build(runs)
	if len(a.Entries) != 5 {
		t.Fatalf("%d entries, want 5", len(a.Entries))
	}
	type row struct {
		verdict          string
		loss             string
		runs, final      int
		plateaus         []int
		escMin, escMax   int
		reached10, reach int
	}
	want := []row{
		{"saddle", "1", 6, 0, []int{6}, 0, 3, 3, 3},
		{"local-min", "1/2", 1, 1, []int{0, 1}, 0, 0, 1, 0},
		{"saddle", "1/2", 2, 0, []int{0, 2}, 1, 2, 1, 1},
		{"local-min", "1/4", 3, 3, []int{0, 1, 1}, 0, 0, 2, 1},
		{"global-min", "0", 1, 1, nil, 0, 0, 0, 1},
	}
	for i, w := range want {
		e := a.Entries[i]
		r10, r20 := 0, 0
		for _, r := range e.Reached {
			if r.Width == 10 {
				r10 += r.Runs
			} else {
				r20 += r.Runs
			}
		}
		got := row{e.Verdict, e.Loss.RatString(), e.Runs, e.Final, e.Plateaus, e.EscapeMin, e.EscapeMax, r10, r20}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("entry %d = %+v, want %+v", i, got, w)
		}
	}
	if !slices.Equal(a.Unresolved, []atlas.Ref{{Task: 3, Visit: 1}}) {
		t.Errorf("Unresolved = %v", a.Unresolved)
	}
	// run 2's local minimum 1/2 (width 10) is not global: runs 0 and 1 reach
	// 1/4 at width 10; run 4's 1/4 (width 20) neither: run 5 reaches 0 at
	// width 20; runs 0 and 1 end at 1/4, the least loss of width 10: unknown
	ends := map[atlas.Outcome]int{atlas.EndLocalUnknown: 2, atlas.EndNonGlobal: 2, atlas.EndSnapFailed: 1, atlas.EndGlobal: 1}
	globals := []struct {
		g       atlas.Global
		witness int
	}{{atlas.GlobalNA, -1}, {atlas.GlobalNo, 3}, {atlas.GlobalNA, -1}, {atlas.GlobalUnknown, -1}, {atlas.GlobalYes, -1}}
	for i, w := range globals {
		if e := a.Entries[i]; e.Global != w.g || e.Witness != w.witness {
			t.Errorf("entry %d: global %s, witness %d; want %s, %d", i, e.Global, e.Witness, w.g, w.witness)
		}
	}
	if runs[2].Visits[1].Global != atlas.GlobalUnknown {
		t.Error("Build changed its input")
	}
	for _, o := range atlas.Outcomes() {
		if a.Ends[o] != ends[o] {
			t.Errorf("Ends[%s] = %d, want %d", o, a.Ends[o], ends[o])
		}
	}
	if !slices.Equal(a.EntryOf[0], []int{0, 2, 3}) || !slices.Equal(a.EntryOf[3], []int{0, -1}) {
		t.Errorf("EntryOf = %v", a.EntryOf)
	}
	// the order of the runs does not matter
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10 {
		sh := slices.Clone(runs)
		rng.Shuffle(len(sh), func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
		if b := atlas.Build(sh); !reflect.DeepEqual(a, b) {
			t.Fatal("Build depends on the order of the runs")
		}
	}
}
