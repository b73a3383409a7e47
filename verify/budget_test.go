package verify

import (
	"errors"
	"math/big"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/recheck"
)

// TestBudgetGivesUndetermined: an exhausted budget (cells, pivots or time)
// leaves the verdict undetermined with the reason, never a guess; a failure
// found without the search still decides.
func TestBudgetGivesUndetermined(t *testing.T) {
	// The k = 2 point of TestVectorEscape (c = 2, a saddle with enough work)
	// and a concave kink (not stationary, found by the (S2) cell LP).
	saddle := &Point{
		Act:     ReLU(),
		X:       exact.RatMatOf([]exactVec{vec(1, 0), vec(0, 1)}),
		Y:       exact.RatMatOf([]exactVec{vec(1, 0), vec(0, -2)}),
		Neurons: []Neuron{{W: vec(1, 0), A: vec(1, 0)}},
	}
	s1fail := &Point{Act: ReLU(), X: exact.RatMatOf([]exactVec{vec(1)}), Y: exact.RatMatOf([]exactVec{vec(3)}), Neurons: []Neuron{{W: vec(1), A: vec(1)}}}
	tests := []struct {
		name   string
		p      *Point
		opt    Options
		want   VerdictKind
		reason string
	}{
		{"no budget", saddle, Options{}, Saddle, ""},
		{"time", saddle, Options{Deadline: time.Now().Add(-time.Second)}, Undetermined, "time budget"},
		{"cells", saddle, Options{MaxCells: 1}, Undetermined, "budget"},
		// One pivot suffices for every LP here: a budget not exhausted changes nothing.
		{"pivots enough", saddle, Options{MaxPivots: 1}, Saddle, "indefinite test"},
		// (S1) fails without any LP: a deadline that leaves time does not
		// hide it; one that has passed stops Check in its first stage.
		{"S1 decides", s1fail, Options{Deadline: time.Now().Add(time.Minute)}, NotStationary, "(S1)"},
		{"S1 too late", s1fail, Options{Deadline: time.Now().Add(-time.Second)}, Undetermined, "time budget exceeded while setting up the exact engine"},
	}
	for _, tt := range tests {
		v, err := Check(tt.p, tt.opt)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if v.Kind != tt.want || !strings.Contains(v.Reason, tt.reason) {
			t.Errorf("%s: %v (%s), want %v with %q", tt.name, v.Kind, v.Reason, tt.want, tt.reason)
		}
		if v.Loss == nil {
			// Stopped before the loss was known: there is nothing to
			// re-check, and the verdict must say it ran out of time.
			if v.Kind != Undetermined || !strings.HasPrefix(v.Reason, "budget: ") {
				t.Errorf("%s: no loss in a %v verdict (%s)", tt.name, v.Kind, v.Reason)
			}
			continue
		}
		if err := Recheck(tt.p, v); err != nil {
			t.Errorf("%s: Recheck: %v", tt.name, err)
		}
	}
}

// TestTimeBudgetInCells: the time budget also ends the cell enumeration of
// (S2) — here for a zero-input neuron whose every sample is a boundary
// sample, stopped by a deadline that has passed — with a "time budget"
// reason, not a generic one.
func TestTimeBudgetInCells(t *testing.T) {
	p := &Point{Act: ReLU(), Neurons: []Neuron{{W: vec(0, 0, 0), A: vec(1)}}}
	for i := int64(1); i <= 8; i++ {
		p.X = p.X.AppendRow(vec(i, i*i%7-3, 2*i%5-2))
		p.Y = p.Y.AppendRow(vec(1 - 2*(i%2))) // r_i = −y_i: samples on both sides of Z⁺/Z⁻
	}
	s := newCheckState(p)
	_, err := s.TheoremS2(0, Options{Deadline: time.Unix(1, 0)})
	if err == nil || !strings.Contains(err.Error(), "cells of") || !strings.Contains(err.Error(), "time budget") {
		t.Fatalf("err = %v; want the time budget of the cell enumeration", err)
	}
}

// TestBudgetEveryStage stops Check at its k-th question to the time
// budget, for every k until Check finishes: each stop gives an
// undetermined verdict whose reason names the stage and keeps what was
// decided (a failed (S1) found before its segment), and the stages of
// engine set-up, Theorem S sums and segment search are all reached.
func TestBudgetEveryStage(t *testing.T) {
	s1fail := &Point{Act: ReLU(), X: exact.RatMatOf([]exactVec{vec(1), vec(2)}), Y: exact.RatMatOf([]exactVec{vec(3), vec(3)}), Neurons: []Neuron{{W: vec(1), A: vec(1)}}}
	zero := &Point{Act: ReLU(), X: exact.RatMatOf([]exactVec{vec(1, 0), vec(0, 1), vec(1, 1)}), Y: exact.RatMatOf([]exactVec{vec(1), vec(-1), vec(2)}),
		Neurons: []Neuron{{W: vec(0, 0), A: vec(0)}}} // a zero neuron that escapes: Theorem E
	for _, tc := range []struct {
		name   string
		p      *Point
		want   VerdictKind
		stages []string
	}{
		{"not stationary", s1fail, NotStationary, []string{"setting up the exact engine", "computing the sums of Theorem S", "searching a decreasing segment"}},
		{"saddle", zero, Saddle, []string{"setting up the exact engine", "deciding the escape neurons", "checking the path of Theorem E"}},
	} {
		seen := map[string]bool{}
		finished := false
		for k := 0; k < 200 && !finished; k++ {
			v, err := Check(tc.p, Options{stop: stopAfter(k)})
			if err != nil {
				t.Fatalf("%s, stop at %d: %v", tc.name, k, err)
			}
			if v.Kind == tc.want {
				finished = true
				continue
			}
			if v.Kind != Undetermined || !strings.HasPrefix(v.Reason, "budget: time budget exceeded while ") {
				t.Fatalf("%s, stop at %d: %v (%s)", tc.name, k, v.Kind, v.Reason)
			}
			for _, s := range tc.stages {
				if strings.Contains(v.Reason, "while "+s) {
					seen[s] = true
				}
			}
			if strings.Contains(v.Reason, "segment") && tc.want == NotStationary && !strings.Contains(v.Reason, "(S1) fails for neuron 0") {
				t.Errorf("%s: stopped in the segment search without saying (S1) failed: %s", tc.name, v.Reason)
			}
		}
		if !finished {
			t.Errorf("%s: Check never finished", tc.name)
		}
		for _, s := range tc.stages {
			if !seen[s] {
				t.Errorf("%s: no stop while %s", tc.name, s)
			}
		}
	}
}

// TestRecheckWithinStops: the re-check asks its stop too; stopped at its
// k-th question it says the certificate was not re-checked (ErrBudget),
// never that it is wrong, and with enough questions it validates it.
func TestRecheckWithinStops(t *testing.T) {
	s1fail := &Point{Act: ReLU(), X: exact.RatMatOf([]exactVec{vec(1), vec(2)}), Y: exact.RatMatOf([]exactVec{vec(3), vec(3)}), Neurons: []Neuron{{W: vec(1), A: vec(1)}}}
	zero := &Point{Act: ReLU(), X: exact.RatMatOf([]exactVec{vec(1, 0), vec(0, 1), vec(1, 1)}), Y: exact.RatMatOf([]exactVec{vec(1), vec(-1), vec(2)}),
		Neurons: []Neuron{{W: vec(0, 0), A: vec(0)}}}
	for _, p := range []*Point{s1fail, zero} {
		v, err := Check(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ok := false
		for k := 0; k < 200 && !ok; k++ {
			err := recheck.RecheckWithin(p, v, stopAfter(k))
			switch {
			case err == nil:
				ok = true
			case !errors.Is(err, exact.ErrBudget):
				t.Fatalf("%v, stop at %d: %v", v.Kind, k, err)
			}
		}
		if !ok {
			t.Errorf("%v: never re-checked", v.Kind)
		}
	}
}

// TestParallelBudget: on points large enough for every parallel section
// of the engine (n·m·d ≥ 2^16 work units: the signs, residuals, sums and
// Theorem S run on GOMAXPROCS goroutines), a stop at any question leaves
// an undetermined verdict and no worker behind (go test -race runs this in
// .ci/run), and without a stop the planted verdict is found.
func TestParallelBudget(t *testing.T) {
	for _, cfg := range []GenConfig{
		{Kind: GenLocalMin, N: 2000, D: 8, M: 8, K: 1, Act: ReLU(), Boundary: 16, Dyadic: true, Seed: 3},
		{Kind: GenSaddle, N: 2000, D: 8, M: 8, K: 1, Act: ReLU(), Boundary: 16, Dyadic: true, Seed: 4},
		{Kind: GenLocalMin, N: 2000, D: 8, M: 8, K: 1, Act: Leaky(big.NewRat(1, 10)), Boundary: 16, Dyadic: true, Seed: 5},
	} {
		p, exp, err := Generate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{0, 1, 2, 4, 8, 16, 1 << 30} {
			v, err := Check(p, Options{stop: stopAfter(k)})
			if err != nil {
				t.Fatalf("%v, stop at %d: %v", cfg.Kind, k, err)
			}
			switch {
			case k == 1<<30:
				if v.Kind != exp.Verdict {
					t.Errorf("%v: %v (%s), want %v", cfg.Kind, v.Kind, v.Reason, exp.Verdict)
				}
			case v.Kind != exp.Verdict && (v.Kind != Undetermined || !strings.HasPrefix(v.Reason, "budget: ")):
				t.Errorf("%v, stop at %d: %v (%s)", cfg.Kind, k, v.Kind, v.Reason)
			}
		}
	}
}

// stopAfter returns a stop function that says stop from its (k+1)-th call
// on; it may be called from several goroutines at once, as the engine's
// workers do.
func stopAfter(k int) exact.Stop {
	var calls atomic.Int64
	return func() bool { return calls.Add(1) > int64(k) }
}
