package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/relucert/relucert/atlas"
	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/numeric/descent"
	"github.com/relucert/relucert/recheck"
	"github.com/relucert/relucert/verify"
)

func init() {
	register("explore", command{
		usage:   exploreSynopsis,
		summary: "a certified atlas of a data set's landscape: many training runs (widths × μ × seeds), every plateau snapped and certified, the distinct points identified up to the symmetries of embedding (docs/theory.md §12); sharded on Slurm or Kubernetes with --shard and merge",
		run:     runExplore,
	})
}

const exploreSynopsis = "explore DATA.json --width W[,W…] --mu MU[,MU…] --runs R --steps S --lr ETA [--seed S0] [--json] [-o ATLAS.json] [--plot F.png] [--shard I/N -o PART.json] [--loss mse|half] [--window W] [--flat-eps E] [--tol T] [--certify-at flat|first|end] [--output-bias] " + budgetSynopsis

// curvePoints is the number of steps at which each run's loss curve is kept
// in the atlas (evenly spaced, the first and the last included).
const curvePoints = 256

// exploreConfig is everything that decides an atlas: two shards can be
// merged only when their configurations are equal (the data file's path
// aside: Data is reported, DataSHA256 compared).
type exploreConfig struct {
	Data        string
	DataSHA256  string
	Activation  string
	N, D, K     int
	InputBias   bool
	Widths      []int
	Mus         []*big.Rat
	Runs        int
	Seed        uint64
	Steps       int
	LR          float64
	Scaling     descent.LossKind
	OutputBias  bool
	Rule        descent.PlateauRule
	Tol         float64
	CertifyAt   string
	Budget      verify.Options
	CurvePoints int
}

// tasks returns the sweep's runs in order.
func (c *exploreConfig) tasks() []atlas.Task {
	return atlas.Tasks(c.Widths, c.Mus, c.Seed, c.Runs)
}

// exploreRun is one run's certified points and its loss curve.
type exploreRun struct {
	atlas.Run
	// CurveSteps and CurveLoss are the loss (in the run's scaling) at
	// CurvePoints evenly spaced steps.
	CurveSteps []int
	CurveLoss  []float64
}

// exploreResult is what explore computed: all runs of the sweep, or one
// shard's.
type exploreResult struct {
	Config exploreConfig
	// Shard is the part computed (0/1 for a whole sweep run on one
	// machine).
	Shard atlas.Shard
	Runs  []exploreRun
}

// maxExploreRuns bounds the runs of one sweep (widths × μ × runs): the
// sweep's tasks and their results are held in memory (README "Limits").
const maxExploreRuns = 1 << 20

func runExplore(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("explore", exploreSynopsis, stderr)
	widthStr := fs.String("width", "50", "widths m, comma-separated")
	muStr := fs.String("mu", "-3", "initialisation exponents μ (β = width^μ), comma-separated, exact (\"-1/2\")")
	runs := fs.Int("runs", 20, "runs (seeds) per width and μ")
	seed := fs.Uint64("seed", 1, "first seed: the runs use seeds S0, S0+1, …, S0+R−1")
	jsonOut := fs.Bool("json", false, "print the atlas as one JSON object instead of the table")
	outPath := fs.String("o", "", "write the atlas JSON to `FILE` (with --shard: the shard's partial result)")
	plotPath := fs.String("plot", "", "draw the atlas (loss of each distinct point against how many runs reach it, by verdict; every run's loss curve) to this PNG")
	shardStr := fs.String("shard", "", "run only part I of N of the sweep (`I/N`, 0 ≤ I < N) and write it to -o for relucert merge; default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX/"+shardCountEnv+" when set")
	tf := addTrainFlags(fs)
	bf := addBudgetFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	usageErr := usageError("explore", stderr)
	if len(pos) != 1 {
		fs.Usage()
		return usageErr("want exactly one data file, got %d arguments", len(pos))
	}
	opt, err := bf.options()
	if err != nil {
		return usageErr("%v", err)
	}
	cfg := exploreConfig{Data: pos[0], Runs: *runs, Seed: *seed, Steps: *tf.steps, LR: *tf.lr, Tol: *tf.tol,
		CertifyAt: *tf.certAt, Budget: opt, CurvePoints: curvePoints}
	if cfg.Widths, err = parseWidths(*widthStr); err != nil {
		return usageErr("--width %q: %v", *widthStr, err)
	}
	if cfg.Mus, err = parseMus(*muStr); err != nil {
		return usageErr("--mu %q: %v", *muStr, err)
	}
	if cfg.Scaling, cfg.Rule, err = tf.settings(); err != nil {
		return usageErr("%v", err)
	}
	for _, w := range cfg.Widths {
		if err := checkTrainWidth(w, nil); err != nil {
			return usageErr("%v", err)
		}
	}
	if total := len(cfg.Widths) * len(cfg.Mus); *runs < 1 || *runs > maxExploreRuns/total {
		return usageErr("--runs %d: want 1 to %d (at most %d runs in all: widths × μ × runs)", *runs, maxExploreRuns/total, maxExploreRuns)
	}
	if uint64(*runs-1) > math.MaxUint64-*seed {
		return usageErr("--seed %d with --runs %d: the seeds overflow", *seed, *runs)
	}
	for _, w := range cfg.Widths {
		for _, mu := range cfg.Mus {
			if _, _, err := descent.Beta(w, mu); err != nil {
				return usageErr("%v", err)
			}
		}
	}
	shard, sharded, shardNote, err := chooseShard(*shardStr)
	if err != nil {
		return usageErr("%v", err)
	}
	if sharded && *outPath == "" {
		return usageErr("shard %s: a shard's result is a partial file for relucert merge: give -o PART.json", shard)
	}
	if sharded && (*jsonOut || *plotPath != "") {
		return usageErr("shard %s: --json and --plot belong to the whole atlas: run them on relucert merge", shard)
	}

	entry := bf.loadCase(cfg.Data)
	if entry.Err != nil {
		return usageErr("%v", entry.Err)
	}
	c := entry.Case
	for _, w := range cfg.Widths {
		if err := checkTrainWidth(w, c); err != nil {
			return usageErr("%s: %v", cfg.Data, err)
		}
	}
	if c.Point().K() != 1 {
		return usageErr("%s: k = %d outputs: explore needs exact snapped points, which exist for k = 1 only (k ≥ 2 points are algebraic, docs/theory.md §8.2)", cfg.Data, c.Point().K())
	}
	prob, err := descent.NewProblem(c.Point(), cfg.Scaling)
	if err != nil {
		return usageErr("%s: %v", cfg.Data, err)
	}
	prob.OutputBias = *tf.outBias || c.OutputBias != nil
	cfg.OutputBias = prob.OutputBias
	cfg.Activation, cfg.N, cfg.D, cfg.K, cfg.InputBias = c.Point().Act.String(), prob.N(), prob.D(), prob.K(), c.Bias
	if cfg.DataSHA256, err = fileSHA256(cfg.Data); err != nil {
		return usageErr("%s: %v", cfg.Data, err)
	}
	if shardNote != "" {
		fmt.Fprintf(stderr, "relucert explore: %s\n", shardNote)
	}

	res, failed, err := exploreShard(prob, &cfg, shard)
	if err != nil {
		fmt.Fprintf(stderr, "relucert explore: %v\n", err)
		return exitDisagree
	}
	code := exitOK
	if failed {
		code = exitDisagree
	}
	if sharded {
		doc := shardJSON(res)
		if err := writeJSONFile(*outPath, doc); err != nil {
			fmt.Fprintf(stderr, "relucert explore: %v\n", err)
			return exitUsage
		}
		visits := 0
		for _, r := range res.Runs {
			visits += len(r.Visits)
		}
		fmt.Fprintf(stdout, "shard %s: %d of %d runs, %d certified points; written to %s (combine the shards with relucert merge)\n",
			shard, len(res.Runs), len(cfg.tasks()), visits, *outPath)
		return code
	}
	if c := writeAtlas(res, *jsonOut, *outPath, *plotPath, stdout, stderr, "explore"); c != exitOK {
		return c
	}
	return code
}

// writeAtlas builds the atlas of a whole sweep and prints it (table or
// JSON), writes it to outPath and draws it to plotPath when asked.
func writeAtlas(res *exploreResult, jsonOut bool, outPath, plotPath string, stdout, stderr io.Writer, cmd string) int {
	runs := make([]atlas.Run, len(res.Runs))
	for i, r := range res.Runs {
		runs[i] = r.Run
	}
	a := atlas.Build(runs)
	doc := atlasJSON(res, a)
	if outPath != "" {
		if err := writeJSONFile(outPath, doc); err != nil {
			fmt.Fprintf(stderr, "relucert %s: %v\n", cmd, err)
			return exitUsage
		}
	}
	if plotPath != "" {
		if err := plotAtlas(doc, plotPath); err != nil {
			fmt.Fprintf(stderr, "relucert %s: plot: %v\n", cmd, err)
			return exitDisagree
		}
	}
	if jsonOut {
		writeJSON(stdout, doc)
		return exitOK
	}
	writeAtlasReport(stdout, doc)
	if outPath != "" {
		fmt.Fprintf(stdout, "\natlas written to %s\n", outPath)
	}
	if plotPath != "" {
		fmt.Fprintf(stdout, "plot written to %s\n", plotPath)
	}
	return exitOK
}

// exploreShard trains and certifies the runs of the sweep that shard owns,
// in task order. failed reports a certificate that did not re-check.
func exploreShard(prob *descent.Problem, cfg *exploreConfig, shard atlas.Shard) (res *exploreResult, failed bool, err error) {
	var mine []atlas.Task
	for _, t := range cfg.tasks() {
		if shard.Owns(t.Index) {
			mine = append(mine, t)
		}
	}
	res = &exploreResult{Config: *cfg, Shard: shard}
	total := len(mine) * cfg.Steps
	progress, finish := descent.TerminalProgress(total, "explore")
	defer finish()
	for i, t := range mine {
		var prog func(int)
		if progress != nil {
			offset := i * cfg.Steps
			prog = func(done int) { progress(offset + done) }
		}
		dc := descent.Config{Width: t.Width, Mu: t.Mu, LR: cfg.LR, Steps: cfg.Steps, Seed: t.Seed, Rule: cfg.Rule, Progress: prog,
			Stop: exact.StopAt(cfg.Budget.Deadline)}
		tr, err := trainAndCertify(prob, dc, cfg.Tol, cfg.CertifyAt, cfg.Budget)
		if err != nil {
			return nil, false, fmt.Errorf("width %d, μ = %s, seed %d: %w", t.Width, t.Mu.RatString(), t.Seed, err)
		}
		failed = failed || tr.failed
		r, err := exploreRunOf(t, tr, cfg.CurvePoints)
		if err != nil {
			return nil, false, fmt.Errorf("width %d, μ = %s, seed %d: %w", t.Width, t.Mu.RatString(), t.Seed, err)
		}
		res.Runs = append(res.Runs, r)
	}
	return res, failed, nil
}

// exploreRunOf turns a certified training run into the atlas's record of
// it: one visit per plateau, and the final point (a visit of its own unless
// the last plateau was certified at the last step).
func exploreRunOf(t atlas.Task, tr *trainedRun, points int) (exploreRun, error) {
	r := exploreRun{Run: atlas.Run{Task: t}}
	visit := func(plateau, step int, c *trainCert, final bool) error {
		v := atlas.Visit{Plateau: plateau, Final: final, Step: step, Verdict: c.Verdict, Escape: c.Escape,
			Fragile: len(c.Fragile), Note: c.Note}
		if final && tr.run.Stopped != "" {
			v.Note = strings.TrimPrefix(v.Note+"; training stopped early: "+tr.run.Stopped, "; ")
		}
		if c.Point != nil && c.Loss != nil {
			f, err := atlas.Canonical(c.Point)
			if err != nil {
				return err
			}
			v.Form, v.Loss = f, c.Loss
			v.Global = globalOf(c)
		}
		r.Visits = append(r.Visits, v)
		return nil
	}
	for i, row := range tr.rows {
		if err := visit(i+1, row.at.Step, row.cert, row.cert == tr.final); err != nil {
			return r, err
		}
	}
	if n := len(tr.rows); n == 0 || tr.rows[n-1].cert != tr.final {
		if err := visit(0, tr.run.LastStep, tr.final, true); err != nil {
			return r, err
		}
	}
	// the loss curve: points values evenly spaced over the run's recorded
	// curve (every LossStride-th step and the last)
	run := tr.run
	n := min(points, len(run.Loss))
	for k := range n {
		i := len(run.Loss) - 1
		if n > 1 {
			i = k * (len(run.Loss) - 1) / (n - 1)
		}
		r.CurveSteps = append(r.CurveSteps, run.LossStep(i))
		r.CurveLoss = append(r.CurveLoss, run.Loss[i])
	}
	return r, nil
}

// globalOf says what is known of the global optimality of a certified
// point (Theorem G, docs/theory.md §10): a global-min verdict is global; a
// local minimum is not global when Theorem G found a network of at most
// its width with a smaller loss, and undecided when it did not (L > L*, but
// L* may need more neurons). Build adds what the atlas itself shows.
func globalOf(c *trainCert) atlas.Global {
	switch c.Verdict {
	case "global-min":
		return atlas.GlobalYes
	case "local-min":
		if c.Check != nil && c.Check.Cert != nil && c.Check.Cert.Global != nil {
			switch c.Check.Cert.Global.Width {
			case recheck.WidthGlobal:
				return atlas.GlobalYes
			case recheck.WidthNotGlobal:
				return atlas.GlobalNo
			}
		}
		return atlas.GlobalUnknown
	}
	return atlas.GlobalNA
}

// globalTestNote says which test decided "global" in an atlas.
const globalTestNote = "Theorem G (docs/theory.md §10): yes when L = L*, the least loss of any width; no when it found a network of at most the point's width with a smaller loss, or when the atlas has an exact point of the same or a smaller width with a smaller loss (global_witness); otherwise unknown"

func parseWidths(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || w < 1 {
			return nil, fmt.Errorf("%q is not a width (an integer ≥ 1)", part)
		}
		for _, x := range out {
			if x == w {
				return nil, fmt.Errorf("width %d listed twice", w)
			}
		}
		out = append(out, w)
	}
	return out, nil
}

func parseMus(s string) ([]*big.Rat, error) {
	var out []*big.Rat
	for _, part := range strings.Split(s, ",") {
		mu, err := cases.ParseNumber(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("%q: %v", part, err)
		}
		for _, x := range out {
			if x.Cmp(mu) == 0 {
				return nil, fmt.Errorf("μ = %s listed twice", mu.RatString())
			}
		}
		out = append(out, mu)
	}
	return out, nil
}

// fileSHA256 returns the hex SHA-256 of the file's bytes.
func fileSHA256(path string) (string, error) {
	f, _, err := cases.OpenRegular(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeAtlasReport prints the atlas as a table.
func writeAtlasReport(w io.Writer, doc *jsonAtlas) {
	cfg := doc.Config
	bias := ""
	if cfg.InputBias {
		bias = " (with bias)"
	}
	ob := ""
	if cfg.OutputBias {
		ob = ", trainable output bias b"
	}
	fmt.Fprintf(w, "explore %s: n = %d, d = %d%s, k = %d, %s%s\n", cfg.Data, cfg.N, cfg.D, bias, cfg.K, cfg.Activation, ob)
	fmt.Fprintf(w, "widths %s; μ %s; %d seeds from %d; η = %g, %d steps; loss %s\n", joinInts(cfg.Widths), strings.Join(cfg.Mu, ", "),
		cfg.Runs, cfg.Seed, cfg.LR, cfg.Steps, cfg.LossScaling)
	fmt.Fprintf(w, "plateau rule: |ln L_t − ln L_{t−%d}| < %g; snap τ = %g; each plateau certified at its %s step\n",
		cfg.Window, cfg.FlatEps, cfg.Tol, map[string]string{"flat": "flattest", "first": "first flat", "end": "last"}[cfg.CertifyAt])
	s := doc.Summary
	fmt.Fprintf(w, "%d runs, %d certified points, %d distinct", s.Runs, s.Visits, s.Points)
	if s.Unresolved > 0 {
		fmt.Fprintf(w, ", %d not snapped", s.Unresolved)
	}
	fmt.Fprint(w, "\n\n")

	lossCol := "loss (mse_loss, exact)"
	if cfg.LossScaling == "half" {
		lossCol = "loss ((1/2n)Σ|r|², exact)"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "point\t%s\t≈\tverdict\tglobal\tescape\truns\treached as\tfinal\tfragile\twidth/μ: runs\n", lossCol)
	for _, p := range doc.Points {
		l, approx := p.MSELoss, p.MSELossApprox
		if cfg.LossScaling == "half" {
			l, approx = p.Loss, p.LossApprox
		}
		esc := strconv.Itoa(p.EscapeCount.Min)
		if p.EscapeCount.Max != p.EscapeCount.Min {
			esc += "–" + strconv.Itoa(p.EscapeCount.Max)
		}
		var at []string
		for i, c := range p.Plateaus {
			if c > 0 {
				at = append(at, fmt.Sprintf("P%d×%d", i+1, c))
			}
		}
		if len(at) == 0 {
			at = append(at, "end only")
		}
		var reach []string
		for _, r := range p.Reached {
			reach = append(reach, fmt.Sprintf("%d/%s: %d", r.Width, r.Mu, r.Runs))
		}
		global := p.Global
		if p.GlobalWitness != nil {
			global = fmt.Sprintf("no (%d)", *p.GlobalWitness)
		}
		ap := "—"
		if approx != nil {
			ap = fmt.Sprintf("%.7g", *approx)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%s\n", p.ID, shortRat(l), ap, p.Verdict, global, esc, p.Runs,
			strings.Join(at, " "), p.Final, p.Fragile, strings.Join(reach, ", "))
	}
	tw.Flush()
	writeUnresolved(w, doc.Unresolved)
	e := s.Final
	fmt.Fprintf(w, "\nfinal points of the %d runs: global minimum %d, non-global local minimum %d, local minimum with L > 0 not decided %d, saddle %d, not stationary %d, undetermined %d, not snapped %d\n",
		s.Runs, e.GlobalMin, e.NonGlobalLocalMin, e.LocalMinGlobalUnknown, e.Saddle, e.NotStationary, e.Undetermined, e.SnapFailed)
	fmt.Fprintf(w, "global: %s\n", s.GlobalTest)
	fmt.Fprintf(w, "(\"reached as\": P2×3 = the second plateau of 3 runs; \"escape\": escape neurons of the runs' networks, min–max; \"no (5)\": point 5 has a smaller loss at the same or a smaller width; a point is one canonical form with one verdict, docs/theory.md §12)\n")
}

func joinInts(v []int) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ", ")
}

// shortNote shortens a snap failure's reason for the table: every
// outermost parenthesis (which lists neurons, samples and numbers that
// differ from run to run) becomes "(…)", so that visits failing for one
// reason share a line; the JSON has the whole note.
func shortNote(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			if depth == 0 {
				b.WriteString("(…)")
			}
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	if t := b.String(); utf8.RuneCountInString(t) <= 200 {
		return t
	}
	return string([]rune(b.String())[:200]) + "…"
}

// shortRat returns an exact number's text for a table: itself when short,
// else how many digits its numerator and denominator have (--json has it
// in full).
func shortRat(s string) string {
	if len(s) <= 28 {
		return s
	}
	num, den, _ := strings.Cut(s, "/")
	return fmt.Sprintf("(%d/%d digits)", len(strings.TrimPrefix(num, "-")), len(den))
}

// writeUnresolved prints the visits without an exact point, grouped by
// reason, then by width and μ, with the plateaus they were met at.
func writeUnresolved(w io.Writer, us []jsonUnresolved) {
	type group struct {
		width int
		mu    string
		at    []int // plateau numbers, 0 for a final point
	}
	var reasons []string
	groups := map[string][]*group{}
	for _, u := range us {
		r := shortNote(u.Note)
		gs, ok := groups[r]
		if !ok {
			reasons = append(reasons, r)
		}
		if n := len(gs); n == 0 || gs[n-1].width != u.Width || gs[n-1].mu != u.Mu {
			gs = append(gs, &group{width: u.Width, mu: u.Mu})
		}
		g := gs[len(gs)-1]
		g.at = append(g.at, u.Plateau)
		groups[r] = gs
	}
	for _, r := range reasons {
		var parts []string
		total := 0
		for _, g := range groups[r] {
			counts := map[int]int{}
			var order []int
			for _, p := range g.at {
				if counts[p] == 0 {
					order = append(order, p)
				}
				counts[p]++
			}
			slices.Sort(order)
			var cs []string
			for _, p := range order {
				name := fmt.Sprintf("P%d", p)
				if p == 0 {
					name = "end"
				}
				cs = append(cs, fmt.Sprintf("%s×%d", name, counts[p]))
				total += counts[p]
			}
			parts = append(parts, fmt.Sprintf("%d/%s: %s", g.width, g.mu, strings.Join(cs, " ")))
		}
		fmt.Fprintf(w, "not snapped (%d): %s — %s\n", total, strings.Join(parts, ", "), r)
	}
}
