package verify

import (
	"strings"
	"testing"
	"time"
)

// TestBudgetGivesUndetermined: an exhausted budget (cells, pivots or time)
// leaves the verdict undetermined with the reason, never a guess; a failure
// found without the search still decides.
func TestBudgetGivesUndetermined(t *testing.T) {
	// The k = 2 point of TestVectorEscape (c = 2, a saddle with enough work)
	// and a concave kink (not stationary, found by the (S2) cell LP).
	saddle := &Point{
		Act:     ReLU(),
		X:       []exactVec{vec(1, 0), vec(0, 1)},
		Y:       []exactVec{vec(1, 0), vec(0, -2)},
		Neurons: []Neuron{{W: vec(1, 0), A: vec(1, 0)}},
	}
	s1fail := &Point{Act: ReLU(), X: []exactVec{vec(1)}, Y: []exactVec{vec(3)}, Neurons: []Neuron{{W: vec(1), A: vec(1)}}}
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
		// (S1) fails without any LP: the deadline does not hide it.
		{"S1 decides", s1fail, Options{Deadline: time.Now().Add(-time.Second)}, NotStationary, "(S1)"},
	}
	for _, tt := range tests {
		v, err := Check(tt.p, tt.opt)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if v.Kind != tt.want || !strings.Contains(v.Reason, tt.reason) {
			t.Errorf("%s: %v (%s), want %v with %q", tt.name, v.Kind, v.Reason, tt.want, tt.reason)
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
		p.X = append(p.X, vec(i, i*i%7-3, 2*i%5-2))
		p.Y = append(p.Y, vec(1-2*(i%2))) // r_i = −y_i: samples on both sides of Z⁺/Z⁻
	}
	s := newCheckState(p)
	_, err := s.TheoremS2(0, Options{Deadline: time.Unix(1, 0)})
	if err == nil || !strings.Contains(err.Error(), "cells of") || !strings.Contains(err.Error(), "time budget") {
		t.Fatalf("err = %v; want the time budget of the cell enumeration", err)
	}
}
