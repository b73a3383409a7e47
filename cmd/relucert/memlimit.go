package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// defaultMemoryLimit is the Go runtime's soft memory limit while the input
// is read (README "Limits"): the garbage collector works harder as the
// heap nears it, so a hostile file's garbage is collected early. Once the
// input is read, fitMemoryLimit raises it to twice the heap then in use.
const defaultMemoryLimit = 768 << 20

// softLimit records that the command set its own soft memory limit (the
// user gave no GOMEMLIMIT); only then does fitMemoryLimit move it.
var softLimit atomic.Bool

// setMemoryLimit sets the default soft memory limit unless GOMEMLIMIT is set.
func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(defaultMemoryLimit)
	softLimit.Store(true)
}

// fittedLimit is the soft limit once the input is in memory: at least the
// current limit and twice the heap in use, so that a large legitimate check
// (n = 10⁶, d = 16, m = 64 is about 1.5 GiB of big.Rat) has room to work
// instead of collecting garbage without end near a limit below its live heap.
func fittedLimit(current int64, heap uint64) int64 {
	const most = 1<<63 - 1
	if heap > most/2 {
		return most
	}
	return max(current, int64(2*heap))
}

// fitMemoryLimit raises the command's soft memory limit to fittedLimit of
// the heap in use, once an input was read (a no-op when GOMEMLIMIT was
// given, and in the tests, which do not run main). It only ever raises the
// limit.
func fitMemoryLimit() {
	if !softLimit.Load() {
		return
	}
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	cur := debug.SetMemoryLimit(-1)
	if want := fittedLimit(cur, s[0].Value.Uint64()); want > cur {
		debug.SetMemoryLimit(want)
	}
}
