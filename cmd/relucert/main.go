// Command relucert verifies parameter points of one-hidden-layer ReLU-like
// networks exactly (README, "Commands"):
//
//	relucert check CASE.json [--json]
//	relucert suite [DIR]
//	relucert snap CANDIDATE.json [-o OUT.json] [--tol T]
//	relucert train DATA.json --width W --mu MU --lr ETA --steps S --seed N [--plot F.png] [--json]
//	relucert embed CASE.json --split J:LAMBDA | --add-zero-output W | --add-zero-input A [-o OUT.json]
//
// Exit status: 0 success (a decided verdict that agrees with the case's
// expect block), 1 a verdict that disagrees (or a failed re-check), 2 bad
// input or usage, 3 undetermined.
//
// Each subcommand lives in its own file and registers itself from an init
// function with register; main.go only dispatches.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
)

// Exit codes of every subcommand (README, "Commands").
const (
	exitOK           = 0 // verdict reached (decided) and agrees with expect, or no expect
	exitDisagree     = 1 // verdict disagrees with expect, or a certificate failed its re-check
	exitUsage        = 2 // bad input or usage
	exitUndetermined = 3 // no verdict: undetermined (a budget, or the theory does not decide)
)

// exitStatusText is the summary of the exit codes that usage and help print.
const exitStatusText = "exit status: 0 decided and agrees with expect (or there is none), 1 disagrees or a certificate fails its re-check, 2 bad input or usage, 3 undetermined (a budget ran out or the theory does not decide)"

// command is one subcommand.
type command struct {
	// usage is the synopsis line, e.g. "check CASE.json [--json]".
	usage string
	// summary is a one-line description.
	summary string
	// run executes the subcommand with the arguments after its name and
	// returns the exit code.
	run func(args []string, stdout, stderr io.Writer) int
}

// commands holds the implemented subcommands by name; each file adds its
// own with register from an init function.
var commands = map[string]command{}

// register adds a subcommand. It panics on a duplicate name (a programming
// error caught by any test run).
func register(name string, c command) {
	if _, dup := commands[name]; dup {
		panic("relucert: subcommand " + name + " registered twice")
	}
	commands[name] = c
}

// planned lists the subcommands (README, "Commands") in the order usage shows
// them; those not registered yet answer "not implemented yet".
var planned = []struct{ name, usage, summary string }{
	{"check", "check CASE.json [--json]", "verify one point exactly"},
	{"suite", "suite [DIR]", "run every case in DIR (default: the embedded catalogue)"},
	{"snap", "snap CANDIDATE.json [-o OUT.json] [--tol T]", "turn a float candidate into an exact point and certify it"},
	{"train", "train DATA.json --width W --mu MU --lr ETA --steps S --seed N [--plot F.png] [--json]", "saddle-to-saddle training with certified plateaus"},
	{"embed", "embed CASE.json --split J:LAMBDA | --add-zero-output W | --add-zero-input A [-o OUT.json]", "widen a network without changing its function and re-verify"},
	{"gen", "gen ...", "generate cases"},
	{"bench", "bench ...", "benchmarks"},
}

func main() {
	setMemoryLimit()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program: it dispatches args (without the program name)
// to a subcommand and returns the exit code. Tests call it in process.
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			// A last resort: nothing should panic, but if something does,
			// the contract is still "exit 2 with a message".
			fmt.Fprintf(stderr, "relucert: internal error: %v\n", r)
			code = exitUsage
		}
	}()
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 2 {
			fmt.Fprintf(stderr, "relucert help: want at most one topic, got %d\n", len(args)-1)
			return exitUsage
		}
		if len(args) == 2 {
			return help(args[1], stdout, stderr)
		}
		usage(stdout)
		return exitOK
	case "version", "-version", "--version":
		if len(args) > 1 {
			fmt.Fprintf(stderr, "relucert version: no arguments expected\n")
			return exitUsage
		}
		fmt.Fprintln(stdout, versionText())
		return exitOK
	}
	if c, ok := commands[name]; ok {
		return c.run(args[1:], stdout, stderr)
	}
	for _, p := range planned {
		if p.name == name {
			fmt.Fprintf(stderr, "relucert %s: not implemented yet\n", name)
			return exitUsage
		}
	}
	fmt.Fprintf(stderr, "relucert: unknown command %q\n\n", name)
	usage(stderr)
	return exitUsage
}

// help prints the help of one command: its synopsis, summary and flags
// with their defaults — what "relucert CMD -h" prints — on stdout. An
// unknown topic is a usage error.
func help(topic string, stdout, stderr io.Writer) int {
	c, ok := commands[topic]
	if !ok {
		fmt.Fprintf(stderr, "relucert help: unknown command %q\n\n", topic)
		usage(stderr)
		return exitUsage
	}
	fmt.Fprintf(stdout, "%s\n\n", c.summary)
	c.run([]string{"-h"}, stdout, stdout)
	return exitOK
}

// versionText says which relucert this is: the module's version (or
// "(devel)" when built from a checkout), the VCS revision and time when
// the build recorded them, and the Go version, from the build information.
func versionText() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "relucert (no build information)"
	}
	out := "relucert " + bi.Main.Version
	if bi.Main.Path != "" {
		out += " (" + bi.Main.Path + ")"
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		out += ", commit " + rev
		if at != "" {
			out += " of " + at
		}
		if modified == "true" {
			out += " with local changes"
		}
	}
	return out + ", " + bi.GoVersion
}

// usage prints the list of subcommands.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: relucert COMMAND [ARGS]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	seen := map[string]bool{}
	line := func(usage, summary string, implemented bool) {
		note := ""
		if !implemented {
			note = " (not implemented yet)"
		}
		fmt.Fprintf(w, "  relucert %s\n      %s%s\n", usage, summary, note)
	}
	for _, p := range planned {
		seen[p.name] = true
		if c, ok := commands[p.name]; ok {
			line(c.usage, c.summary, true)
		} else {
			line(p.usage, p.summary, false)
		}
	}
	var extra []string
	for n := range commands {
		if !seen[n] {
			extra = append(extra, n)
		}
	}
	sort.Strings(extra)
	for _, n := range extra {
		line(commands[n].usage, commands[n].summary, true)
	}
	fmt.Fprintln(w, "  relucert help [COMMAND]\n      a command's flags with their defaults (the same as relucert COMMAND -h)")
	fmt.Fprintln(w, "  relucert version (or --version)\n      the version and build of this binary")
	fmt.Fprintln(w)
	fmt.Fprintln(w, exitStatusText)
}

// parseArgs parses args with fs, allowing flags before, between and after
// the positional arguments ("check x.json --json"), and returns the
// positional arguments. Everything after "--" is positional. A -h or
// --help returns flag.ErrHelp after fs has printed its usage.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newFlagSet returns a FlagSet that reports errors (not exits) and writes
// its messages and usage to stderr.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: relucert %s\n", synopsis)
		if hasFlags(fs) {
			fmt.Fprintln(stderr, "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// usageError returns the function command name calls on a usage error
// (bad arguments or input): it prints "relucert NAME: message" on stderr
// and returns exitUsage.
func usageError(name string, stderr io.Writer) func(format string, a ...any) int {
	return func(format string, a ...any) int {
		fmt.Fprintf(stderr, "relucert "+name+": "+format+"\n", a...)
		return exitUsage
	}
}

// flagExit maps a flag parsing error to an exit code: 0 for -h, 2 otherwise
// (the flag package has already printed the message and usage).
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}
