package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"image/png"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/relucert/relucert/atlas"
)

// fig3Exact are the three plateaus of the Figure 3 run (docs/theory.md §7),
// in mse_loss: the origin, mean y² = (0.28² + 0.1² + 0.03² + 0.23² +
// 0.22²)/5 = 0.1906/5 = 953/25000; the second plateau, one neuron c·ρ(0.7 − x)
// with its hyperplane on the sample x = 0.7 and c fitted by least squares on
// the four samples below it: z = 0.7 − x = (1.7, 1.3, 0.8, 0.4), Σzy = 0.462 =
// 231/500, Σz² = 5.38 = 269/50, mse = (0.1906 − (231/500)²/(269/50))/5 =
// (256357 − 53361)/(1345000·5) = 50749/1681250; and the least-squares affine
// fit of y on x, 16139/578750 (atlas.TestCanonicalFig3Final solves its normal
// equations).
var fig3Exact = []struct{ mse, verdict string }{
	{"953/25000", "saddle"},
	{"50749/1681250", "saddle"},
	{"16139/578750", "local-min"},
}

func decodeAtlas(t *testing.T, data []byte) *jsonAtlas {
	t.Helper()
	var a jsonAtlas
	if err := decodeStrict(data, &a); err != nil {
		t.Fatalf("%v\n%.2000s", err, data)
	}
	return &a
}

// TestExploreFig3 runs the reference experiment on the ten times shorter
// clock of TestTrainFig3Short (η = 1e-2, 6·10⁴ steps, τ = 1e-3) with two
// seeds: the atlas has the three points of docs/theory.md §7 with their
// exact losses, each reached by both runs at the same plateau (the losses
// are properties of the data, not of the seed), the last a local minimum
// with L > 0 that both runs end at.
func TestExploreFig3(t *testing.T) {
	dir := t.TempDir()
	out, plot := filepath.Join(dir, "atlas.json"), filepath.Join(dir, "atlas.png")
	code, stdout, stderr := runArgs("explore", fig3Data, "--width", "50", "--mu", "-3", "--runs", "2", "--steps", "60000",
		"--lr", "0.01", "--tol", "1e-3", "--json", "-o", out, "--plot", plot)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	a := decodeAtlas(t, []byte(stdout))
	file, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(file) != stdout {
		t.Error("-o wrote another document than --json printed")
	}
	if !strings.HasPrefix(stdout, "{\n  \"schema_version\": 1,\n  \"kind\": \"relucert-atlas\"") || a.Summary.Runs != 2 {
		t.Errorf("the atlas starts %.60q and has %d runs", stdout, a.Summary.Runs)
	}
	for p, w := range fig3Exact {
		i := slices.IndexFunc(a.Points, func(q jsonPoint) bool { return q.MSELoss == w.mse })
		if i < 0 {
			t.Errorf("no point with mse_loss %s in the atlas", w.mse)
			continue
		}
		q := a.Points[i]
		// L = (k/2)·mse_loss with k = 1
		l, _ := new(big.Rat).SetString(w.mse)
		l.Quo(l, big.NewRat(2, 1))
		if q.Loss != l.RatString() || q.Verdict != w.verdict || q.Runs != 2 {
			t.Errorf("point %s: loss %s, verdict %s, %d runs; want %s, %s, 2", w.mse, q.Loss, q.Verdict, q.Runs, l.RatString(), w.verdict)
		}
		if len(q.Plateaus) != p+1 || q.Plateaus[p] != 2 {
			t.Errorf("point %s: reached as plateaus %v, want P%d of both runs", w.mse, q.Plateaus, p+1)
		}
		if (w.verdict == "saddle") != (q.EscapeCount.Min > 0) {
			t.Errorf("point %s: %s with escape count %+v", w.mse, q.Verdict, q.EscapeCount)
		}
	}
	// Theorem G: five distinct inputs with a bias coordinate are five lines,
	// so L* = 0 and the affine fit (L > 0) is not global — at width 50 too,
	// since a network of at most n = 5 neurons reaches L* (docs/theory.md §10)
	last := a.Points[len(a.Points)-1]
	if last.MSELoss != "16139/578750" || last.Final != 2 || last.Global != "no" || last.GlobalWitness != nil {
		t.Errorf("last point %s: final %d, global %s (witness %v); want the local minimum both runs end at, not global by Theorem G", last.MSELoss, last.Final, last.Global, last.GlobalWitness)
	}
	if f := a.Summary.Final; f.NonGlobalLocalMin != 2 || f.GlobalMin != 0 || f.LocalMinGlobalUnknown != 0 {
		t.Errorf("final outcomes %+v", f)
	}
	// the final local minimum's form: two groups, one on the hyperplane of x = 0.7
	if want := []string{"+++++", "++++0"}; !slices.Equal(last.Form.Patterns, want) {
		t.Errorf("final form's patterns %q, want %q", last.Form.Patterns, want)
	}
	f, err := os.Open(plot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if img, err := png.Decode(f); err != nil || img.Bounds().Dx() < 500 {
		t.Errorf("plot: %v", err)
	}
}

// exploreChildEnv carries the arguments of a child process of the shard
// tests (separated by \x1f).
const exploreChildEnv = "RELUCERT_EXPLORE_CHILD"

// TestExploreChild is the child process of the shard tests: it runs
// relucert with the arguments of RELUCERT_EXPLORE_CHILD and exits with its
// exit code; when that variable is "args", with the test binary's own
// positional arguments (after --). Without the variable it does nothing.
func TestExploreChild(t *testing.T) {
	arg := os.Getenv(exploreChildEnv)
	switch arg {
	case "":
		return
	case "args":
		os.Exit(run(flag.Args(), os.Stdout, os.Stderr))
	}
	os.Exit(run(strings.Split(arg, "\x1f"), os.Stdout, os.Stderr))
}

// child returns a command running relucert args in a new process of this
// test binary, with extra environment variables.
func child(args []string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestExploreChild$")
	cmd.Env = append(os.Environ(), exploreChildEnv+"="+strings.Join(args, "\x1f"))
	// no shard from the test's own environment
	for _, v := range []string{"SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"} {
		cmd.Env = append(cmd.Env, v+"=")
	}
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// the small sweep of the shard tests: 6 runs of about 0.1 s each
var shardSweep = []string{"explore", fig3Data, "--width", "6,10", "--mu", "-2,-3", "--runs", "2", "--steps", "20000", "--lr", "0.03"}

// TestExploreShardMerge: three shard processes — one given --shard, one a
// Slurm array task, one a Kubernetes Indexed Job pod — and merge, in any
// order, give the single process's atlas byte for byte; a missing, a
// duplicated and a foreign shard are refused with their names.
func TestExploreShardMerge(t *testing.T) {
	dir := t.TempDir()
	single := filepath.Join(dir, "single.json")
	if out, err := child(append(slices.Clone(shardSweep), "-o", single)).CombinedOutput(); err != nil {
		t.Fatalf("single process: %v\n%s", err, out)
	}
	part := func(i int) string { return filepath.Join(dir, "part-"+string(rune('0'+i))+".json") }
	cmds := []*exec.Cmd{
		child(append(slices.Clone(shardSweep), "--shard", "0/3", "-o", part(0))),
		child(append(slices.Clone(shardSweep), "-o", part(1)),
			"SLURM_ARRAY_TASK_ID=6", "SLURM_ARRAY_TASK_MIN=5", "SLURM_ARRAY_TASK_MAX=7", "SLURM_ARRAY_TASK_COUNT=3"),
		child(append(slices.Clone(shardSweep), "-o", part(2)), "JOB_COMPLETION_INDEX=2", shardCountEnv+"=3"),
	}
	var wg sync.WaitGroup
	outs := make([][]byte, len(cmds))
	errs := make([]error, len(cmds))
	for i, c := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = c.CombinedOutput()
		}()
	}
	wg.Wait()
	for i := range cmds {
		if errs[i] != nil {
			t.Fatalf("shard %d: %v\n%s", i, errs[i], outs[i])
		}
		if !strings.Contains(string(outs[i]), "shard "+string(rune('0'+i))+"/3:") {
			t.Errorf("shard process %d says %q", i, outs[i])
		}
	}
	if !strings.Contains(string(outs[1]), "from the Slurm job array") || !strings.Contains(string(outs[2]), "from the Kubernetes Indexed Job") {
		t.Errorf("the shards from the environment do not say so: %q, %q", outs[1], outs[2])
	}
	want, err := os.ReadFile(single)
	if err != nil {
		t.Fatal(err)
	}
	a := decodeAtlas(t, want)
	if a.Summary.Runs != 8 || a.Summary.Points < 2 {
		t.Errorf("the single atlas has %d runs and %d points", a.Summary.Runs, a.Summary.Points)
	}
	for _, order := range [][]int{{0, 1, 2}, {2, 0, 1}, {1, 2, 0}} {
		merged := filepath.Join(dir, "merged.json")
		args := []string{"merge"}
		for _, i := range order {
			args = append(args, part(i))
		}
		code, _, stderr := runArgs(append(args, "-o", merged)...)
		if code != exitOK {
			t.Fatalf("merge %v: exit %d: %s", order, code, stderr)
		}
		got, err := os.ReadFile(merged)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("merge of parts %v differs from the single process's atlas", order)
		}
	}
	// the table of merge is explore's
	_, tableSingle, _ := runArgs("merge", part(0), part(1), part(2))
	if !strings.Contains(tableSingle, "8 runs,") || !strings.Contains(tableSingle, "point  loss (mse_loss, exact)") {
		t.Errorf("merge's table:\n%s", tableSingle)
	}

	// a part from another configuration: η differs
	other := filepath.Join(dir, "other.json")
	otherSweep := slices.Clone(shardSweep)
	otherSweep[len(otherSweep)-1] = "0.02"
	if out, err := child(append(otherSweep, "--shard", "1/3", "-o", other)).CombinedOutput(); err != nil {
		t.Fatalf("other: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		name  string
		parts []string
		want  []string
	}{
		{"missing", []string{part(0), part(2)}, []string{"missing shard(s) 1/3"}},
		{"duplicated", []string{part(0), part(1), part(2), part(1)}, []string{"shard 1/3 given 2 times", part(1)}},
		{"missing and duplicated", []string{part(2), part(2)}, []string{"missing shard(s) 0/3, 1/3", "shard 2/3 given 2 times"}},
		{"other configuration", []string{part(0), other, part(2)}, []string{"different configurations", "lr is 0.03 in one and 0.02 in the other"}},
		{"not a part", []string{part(0), single}, []string{"not a partial result"}},
	} {
		code, _, stderr := runArgs(append([]string{"merge", "-o", filepath.Join(dir, "bad.json")}, tc.parts...)...)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d", tc.name, code, exitUsage)
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr %q does not say %q", tc.name, stderr, w)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.json")); err == nil {
		t.Error("a refused merge wrote its output")
	}
}

// TestExploreUsage: bad flags and data are refused with exit 2 and a
// message naming the problem.
func TestExploreUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"explore"}, "want exactly one data file"},
		{[]string{"explore", fig3Data, "--width", "0"}, "--width \"0\""},
		{[]string{"explore", fig3Data, "--width", "5,5"}, "listed twice"},
		{[]string{"explore", fig3Data, "--mu", "-3,x"}, "--mu"},
		{[]string{"explore", fig3Data, "--runs", "0"}, "--runs 0"},
		{[]string{"explore", fig3Data, "--shard", "3/3"}, "--shard"},
		{[]string{"explore", fig3Data, "--shard", "0/2"}, "give -o PART.json"},
		{[]string{"explore", fig3Data, "--shard", "0/2", "-o", "x.json", "--json"}, "run them on relucert merge"},
		{[]string{"explore", "../../testdata/snapk/rank-one-saddle.json", "--steps", "10"}, "k = 2 outputs"},
		{[]string{"explore", "no-such-file.json"}, "no-such-file.json"},
		{[]string{"merge"}, "want at least one partial file"},
	} {
		code, _, stderr := runArgs(tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestChooseShard reads the shard from the flag, a Slurm job array or a
// Kubernetes Indexed Job.
func TestChooseShard(t *testing.T) {
	old := getenv
	defer func() { getenv = old }()
	for _, tc := range []struct {
		flag    string
		env     map[string]string
		want    atlas.Shard
		sharded bool
		err     string
	}{
		{"", nil, atlas.Shard{I: 0, N: 1}, false, ""},
		{"2/5", map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "3"}, atlas.Shard{I: 2, N: 5}, true, ""},
		{"", map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "3"}, atlas.Shard{I: 2, N: 3}, true, ""},
		{"", map[string]string{"SLURM_ARRAY_TASK_ID": "11", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_MAX": "13", "SLURM_ARRAY_TASK_COUNT": "4"}, atlas.Shard{I: 1, N: 4}, true, ""},
		{"", map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "8", "SLURM_ARRAY_TASK_COUNT": "3"}, atlas.Shard{}, false, "contiguous"},
		{"", map[string]string{"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "3"}, atlas.Shard{}, false, "SLURM_ARRAY_TASK_ID=\"x\""},
		{"", map[string]string{"SLURM_ARRAY_TASK_ID": "1"}, atlas.Shard{}, false, "SLURM_ARRAY_TASK_COUNT"},
		{"", map[string]string{"JOB_COMPLETION_INDEX": "4", shardCountEnv: "8"}, atlas.Shard{I: 4, N: 8}, true, ""},
		{"", map[string]string{"JOB_COMPLETION_INDEX": "4"}, atlas.Shard{}, false, shardCountEnv + " is not"},
		{"", map[string]string{"JOB_COMPLETION_INDEX": "8", shardCountEnv: "8"}, atlas.Shard{}, false, "index must be in 0…7"},
		{"1/1", nil, atlas.Shard{}, false, "--shard"},
	} {
		getenv = func(k string) string { return tc.env[k] }
		sh, sharded, _, err := chooseShard(tc.flag)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q %v: error %v, want %q", tc.flag, tc.env, err, tc.err)
			}
			continue
		}
		if err != nil || sh != tc.want || sharded != tc.sharded {
			t.Errorf("%q %v: %v %v %v, want %v %v", tc.flag, tc.env, sh, sharded, err, tc.want, tc.sharded)
		}
	}
}

// TestSuiteShardMerge: suite --shard parts merged give suite --json's
// cases and totals (timings aside).
func TestSuiteShardMerge(t *testing.T) {
	dir := t.TempDir()
	cases := filepath.Join(dir, "cases")
	if err := os.Mkdir(cases, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"dead-local-min.json", "disagree.json", "fig3-origin.json", "global-min.json", "not-stationary.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "cases", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cases, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, whole, _ := runArgs("suite", cases, "--json")
	var parts []string
	for i := range 2 {
		p := filepath.Join(dir, "suite-"+string(rune('0'+i))+".json")
		code, out, stderr := runArgs("suite", cases, "--shard", string(rune('0'+i))+"/2", "-o", p)
		if code == exitUsage || !strings.Contains(out, "passed,") {
			t.Fatalf("suite shard %d: exit %d: %s %s", i, code, out, stderr)
		}
		parts = append(parts, p)
	}
	code, merged, stderr := runArgs("merge", parts[1], parts[0], "--json")
	if code != exitDisagree { // disagree.json fails on purpose
		t.Errorf("merge: exit %d, want 1 (a case fails): %s", code, stderr)
	}
	strip := func(s string) jsonSuite {
		var j jsonSuite
		if err := json.Unmarshal([]byte(s), &j); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
		j.Totals.ElapsedMS = 0
		for i := range j.Cases {
			j.Cases[i].ExactMS, j.Cases[i].RecheckMS, j.Cases[i].FloatMS = 0, 0, 0
		}
		return j
	}
	w, m := strip(whole), strip(merged)
	wj, _ := json.Marshal(w)
	mj, _ := json.Marshal(m)
	if !bytes.Equal(wj, mj) {
		t.Errorf("merged suite differs from the whole suite:\n%s\n%s", wj, mj)
	}
	if m.Totals.Cases != 5 || m.Totals.Failed != 1 {
		t.Errorf("totals %+v, want 5 cases, 1 failed", m.Totals)
	}
	if code, _, stderr := runArgs("merge", parts[0]); code != exitUsage || !strings.Contains(stderr, "missing shard(s) 1/2") {
		t.Errorf("merge of one suite part: exit %d, %q", code, stderr)
	}
}

// TestExploreDiabetesData: the real data set of the README's atlas
// example, testdata/explore/diabetes-bmi.json (written by
// make_diabetes_bmi.py from scikit-learn's diabetes data), is what its
// source says: the first 20 samples of the corpus's exact diabetes case
// file, feature 2 (bmi) as the one input, the targets unchanged — number
// for number, as exact rationals.
func TestExploreDiabetesData(t *testing.T) {
	type file struct {
		Bias    bool       `json:"bias"`
		Inputs  [][]string `json:"inputs"`
		Targets [][]string `json:"targets"`
	}
	read := func(path string) file {
		data, err := os.ReadFile(filepath.Join("..", "..", path))
		if err != nil {
			t.Fatal(err)
		}
		var f file
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return f
	}
	bmi, corpus := read(filepath.Join("testdata", "explore", "diabetes-bmi.json")), read(filepath.Join("testdata", "corpus", "data", "diabetes-relu-64.json"))
	if len(bmi.Inputs) != 20 || len(bmi.Targets) != 20 || !bmi.Bias || !corpus.Bias {
		t.Fatalf("%d inputs, %d targets, bias %v", len(bmi.Inputs), len(bmi.Targets), bmi.Bias)
	}
	same := func(a, b string) bool {
		x, ok1 := new(big.Rat).SetString(a)
		y, ok2 := new(big.Rat).SetString(b)
		return ok1 && ok2 && x.Cmp(y) == 0
	}
	for i := range bmi.Inputs {
		if len(bmi.Inputs[i]) != 1 || !same(bmi.Inputs[i][0], corpus.Inputs[i][2]) {
			t.Errorf("inputs[%d] = %v, corpus bmi %s", i, bmi.Inputs[i], corpus.Inputs[i][2])
		}
		if len(bmi.Targets[i]) != 1 || !same(bmi.Targets[i][0], corpus.Targets[i][0]) {
			t.Errorf("targets[%d] = %v, corpus %v", i, bmi.Targets[i], corpus.Targets[i])
		}
	}
	// L* of the data (docs/theory.md §10): with an input bias, distinct
	// inputs x lie on distinct lines, so the best network of any width fits
	// the mean of y at every distinct x; only the two samples sharing
	// x = −5517176704530411/36028797018963968 leave a residual, ±(y_a − y_b)/2.
	// Worked out with Python's fractions (the mean per distinct x, then
	// (1/2n)Σ r²), independently of Theorem G's projection:
	const lStar = "580587548597451307953406765122409/25961484292674138142652481646100480"
	code, out, errOut := runArgs("check", filepath.Join("..", "..", "testdata", "explore", "diabetes-bmi.json"), "--json")
	if code != exitOK {
		t.Fatalf("check: exit %d: %s", code, errOut)
	}
	var c struct {
		Global jsonGlobal `json:"global"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	if c.Global.Optimum != lStar || c.Global.Witness == nil || c.Global.Witness.Loss != lStar || c.Global.Witness.Width > 19 {
		t.Errorf("L* = %s (witness %+v), by hand %s reached by at most 19 neurons (19 distinct inputs)", c.Global.Optimum, c.Global.Witness, lStar)
	}
}

// TestShortNote: the table's reason for a visit that did not snap keeps the
// words and drops every parenthesis, so that one reason is one line
// whatever neurons, samples and numbers the notes name (notes from the
// diabetes sweep of the README).
func TestShortNote(t *testing.T) {
	for _, tc := range []struct{ note, want string }{
		{"the float plan: a strict sign did not survive the snap (neuron 1, sample 15: side − (N) in θ̃, w·x ≈ 0.005784 after the snap; and 14 more): the float point is not near a stationary point of this pattern",
			"the float plan: a strict sign did not survive the snap (…): the float point is not near a stationary point of this pattern"},
		{"a strict sign did not survive the snap (neuron 0, sample 8: side + (P) in θ̃, w·x ≈ -0.1601 after the snap): the float point is not near a stationary point of this pattern. θ̃ is not near a stationary point (bound: its gradient, with every kink within τ = 0.0001 relaxed, has norm ≈ 0.0325 > 0.01·rms(y)·rms(x) ≈ 0.0127; certified: along δa = −G the loss falls at rate ≥ 0.002171²); no snap attempted",
			"a strict sign did not survive the snap (…): the float point is not near a stationary point of this pattern. θ̃ is not near a stationary point (…); no snap attempted"},
		{"the float plan: the pattern's nearest stationary point moves neuron 5 by more than its own size (|w − w̃| > |w̃|): it is not near θ̃",
			"the float plan: the pattern's nearest stationary point moves neuron 5 by more than its own size (…): it is not near θ̃"},
		{"no plateau point", "no plateau point"},
		{"unbalanced ) and (never closed", "unbalanced ) and (…)"},
		{strings.Repeat("é", 250), strings.Repeat("é", 200) + "…"},
	} {
		if got := shortNote(tc.note); got != tc.want {
			t.Errorf("shortNote(%.40q…) = %q, want %q", tc.note, got, tc.want)
		}
	}
}
