package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/verify"
)

// budgetSynopsis is the budget flags' part of a command's synopsis.
const budgetSynopsis = "[--budget cells=N,pivots=N,time=D] [--max-cells N] [--max-pivots N] [--max-bits B] [--max-values N]"

// budgetFlags are the work bounds of the exact path, shared by check, suite
// and snap: cells per neuron's arrangement, simplex pivots per LP, and time
// per point. An exhausted budget gives an undetermined verdict with the
// reason, never a guess or a hang.
type budgetFlags struct {
	opt  verify.Options
	spec string
	// lim bounds the case file read (--max-bits, --max-values).
	lim cases.Limits
}

// addBudgetFlags registers --budget, --max-cells and --max-pivots on fs.
func addBudgetFlags(fs *flag.FlagSet) *budgetFlags {
	b := &budgetFlags{}
	fs.StringVar(&b.spec, "budget", "", "work `budget` of the exact path, e.g. cells=5000,pivots=20000,time=10s (time per point); when exceeded the verdict is undetermined (budget: …)")
	fs.IntVar(&b.opt.MaxCells, "max-cells", 0, "bound on the arrangement cells per neuron (0: no bound; same as --budget cells=N)")
	fs.IntVar(&b.opt.MaxPivots, "max-pivots", 0, "bound on the simplex pivots per LP (0: no bound; same as --budget pivots=N)")
	fs.IntVar(&b.lim.MaxBits, "max-bits", cases.DefaultMaxBits, "bound on the bits of every numerator and denominator of the case file, and of the common denominator of each group of numbers")
	fs.IntVar(&b.lim.MaxValues, "max-values", cases.DefaultMaxValues, "bound on the numbers, rows and neurons of the case file (also sets the file-size limit: 16 bytes per value, at least 64 MiB)")
	return b
}

// maxTimeBudget bounds --budget time= (a week: a deadline far enough to
// mean "none" and small enough to stay a valid time).
const maxTimeBudget = 7 * 24 * time.Hour

// options returns the verify.Options the flags ask for, or an error naming
// the bad part of --budget. With a time budget, Options.Deadline is set to
// the time budget from now: the deadline of the whole command, which
// reading the case file (b.lim.Deadline), verify.Check and the re-check
// share. (suite sets a deadline per case instead.)
func (b *budgetFlags) options() (opt verify.Options, err error) {
	defer func() {
		if err == nil && opt.Timeout > 0 {
			opt.Deadline = time.Now().Add(opt.Timeout)
			b.lim.Deadline = opt.Deadline
		}
	}()
	opt = b.opt
	if opt.MaxCells < 0 || opt.MaxPivots < 0 {
		return opt, fmt.Errorf("--max-cells and --max-pivots must not be negative")
	}
	if b.lim.MaxBits < 1 || b.lim.MaxBits > maxMaxBits {
		return opt, fmt.Errorf("--max-bits %d: want 1 to %d", b.lim.MaxBits, maxMaxBits)
	}
	if b.lim.MaxValues < 1 || b.lim.MaxValues > maxMaxValues {
		return opt, fmt.Errorf("--max-values %d: want 1 to %d", b.lim.MaxValues, maxMaxValues)
	}
	if b.spec == "" {
		return opt, nil
	}
	for _, part := range strings.Split(b.spec, ",") {
		key, val, ok := strings.Cut(part, "=")
		if !ok {
			return opt, fmt.Errorf("--budget %q: %q is not key=value (keys: cells, pivots, time)", b.spec, part)
		}
		switch key {
		case "cells", "pivots":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				return opt, fmt.Errorf("--budget %q: %s=%q is not a non-negative integer", b.spec, key, val)
			}
			if key == "cells" {
				opt.MaxCells = n
			} else {
				opt.MaxPivots = n
			}
		case "time":
			d, err := time.ParseDuration(val)
			if err != nil || d <= 0 {
				return opt, fmt.Errorf("--budget %q: time=%q is not a positive duration such as 10s or 500ms", b.spec, val)
			}
			if d > maxTimeBudget {
				return opt, fmt.Errorf("--budget %q: time=%v is more than the maximum %v", b.spec, d, maxTimeBudget)
			}
			opt.Timeout = d
		default:
			return opt, fmt.Errorf("--budget %q: unknown key %q (keys: cells, pivots, time)", b.spec, key)
		}
	}
	return opt, nil
}

// Ceilings of --max-bits and --max-values: a rational with 100000-digit
// numerator (the parser's own limit, cases.MaxDigits) has about 332,000
// bits; 2^28 values need about 25 GiB.
const (
	maxMaxBits   = 1 << 19
	maxMaxValues = 1 << 28
)

// loadCase reads the case file at path within the limits of the flags,
// streaming; the entry says whether the file expects to be rejected. The
// soft memory limit is then fitted to the case (fitMemoryLimit).
func (b *budgetFlags) loadCase(path string) cases.Entry {
	e := cases.LoadEntry(path, b.lim)
	fitMemoryLimit()
	return e
}

// watchdogGrace is how long after its time budget a command's exact work
// may run before the watchdog of runUntil gives up on it: the command then
// still ends within a second of the budget. (A variable so that a test
// can wait for the stage that asks the budget, however loaded the machine.)
var watchdogGrace = 500 * time.Millisecond

// runUntil runs f and reports whether it returned by deadline +
// watchdogGrace (always true, after f returns, when the deadline is
// zero). When it reports false, f is abandoned — still running, its
// results must not be read — and the command reports the budget and ends.
// The exact work asks the time budget at every stage, so this watchdog is
// a last resort against a single step that does not.
func runUntil(deadline time.Time, f func()) bool {
	if deadline.IsZero() {
		f()
		return true
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	timer := time.NewTimer(time.Until(deadline.Add(watchdogGrace)))
	defer timer.Stop()
	select {
	case <-done:
		return true
	case <-timer.C:
		return false
	}
}

// budgetNote says how a time budget ended the work, for reports.
func budgetNote(opt verify.Options) string {
	if opt.Timeout > 0 {
		return fmt.Sprintf("time=%v", opt.Timeout)
	}
	return "time budget"
}

// isBudget reports whether err says a budget ran out (not that the input
// is bad or a certificate wrong).
func isBudget(err error) bool { return errors.Is(err, exact.ErrBudget) }

// budgetStop reports that the time budget ended a command before it had a
// verdict: "verdict: undetermined" and the reason on stdout (one JSON
// object with --json), the reason on stderr; exit status 3 (undetermined).
func budgetStop(cmd, file, reason string, asJSON bool, stdout, stderr io.Writer) int {
	fmt.Fprintf(stderr, "relucert %s: %s: %s\n", cmd, file, reason)
	if asJSON {
		writeJSON(stdout, jsonBudgetStop{File: file, Verdict: verify.Undetermined.String(), Reason: reason, ExitCode: exitUndetermined})
	} else {
		fmt.Fprintf(stdout, "verdict: undetermined\nreason: %s\n", reason)
	}
	return exitUndetermined
}

// readBudgetReason is the reason of a time budget that ran out while the
// input was read.
func readBudgetReason(opt verify.Options, err error) string {
	return fmt.Sprintf("budget: time budget (%s) exceeded while reading the input: %v", budgetNote(opt), err)
}

// lateReason is the reason the watchdog of withinDeadline gives.
func lateReason(opt verify.Options) string {
	return fmt.Sprintf("budget: time budget (%s) exceeded; the exact computation did not stop in time and was abandoned", budgetNote(opt))
}

// pastDeadline reports whether the deadline (zero: none) has passed.
func pastDeadline(deadline time.Time) bool {
	return !deadline.IsZero() && !time.Now().Before(deadline)
}
