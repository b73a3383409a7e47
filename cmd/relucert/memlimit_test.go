package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestFittedLimit: the soft limit after reading is max(current, 2 × heap),
// worked out by hand, and saturates instead of overflowing.
func TestFittedLimit(t *testing.T) {
	for _, tc := range []struct {
		current int64
		heap    uint64
		want    int64
	}{
		{768 << 20, 100 << 20, 768 << 20},          // a small case: the default stays
		{768 << 20, 384 << 20, 768 << 20},          // exactly half: 2 × heap = the default
		{768 << 20, 750 << 20, 1500 << 20},         // n = 10⁶, d = 16 as big.Rat: raised
		{3 << 30, 1 << 30, 3 << 30},                // never lowered
		{768 << 20, math.MaxUint64, math.MaxInt64}, // saturates
	} {
		if got := fittedLimit(tc.current, tc.heap); got != tc.want {
			t.Errorf("fittedLimit(%d, %d) = %d, want %d", tc.current, tc.heap, got, tc.want)
		}
	}
}

// TestFitMemoryLimit: after a case is read the command's own soft limit
// becomes at least twice the heap in use; with GOMEMLIMIT given (softLimit
// unset) it is left alone.
func TestFitMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer func() {
		debug.SetMemoryLimit(old)
		softLimit.Store(false)
	}()
	keep := make([]byte, 8<<20) // at least 8 MiB in use
	const low = 1 << 20
	debug.SetMemoryLimit(low)
	fitMemoryLimit() // softLimit unset: a user's GOMEMLIMIT
	if got := debug.SetMemoryLimit(-1); got != low {
		t.Errorf("without the command's own limit: %d, want %d unchanged", got, low)
	}
	softLimit.Store(true)
	fitMemoryLimit()
	if got := debug.SetMemoryLimit(-1); got < 2*int64(len(keep)) {
		t.Errorf("limit %d after reading, want ≥ 2 × %d", got, len(keep))
	}
	keep[0] = 1
}
