package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/relucert/relucert/atlas"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/internal/atomicfile"
	"github.com/relucert/relucert/numeric/descent"
)

// The JSON of explore and merge (README, "An atlas of a landscape"): the
// atlas (explore --json, explore -o, merge -o) and a shard's partial result
// (explore --shard I/N -o). Exact numbers are strings as big.Rat.RatString
// writes them, with a float64 "_approx" beside them where a reader wants
// one; lists are never null; the object starts with schema_version
// (writeJSON puts it first) and kind.

// The kinds of document.
const (
	kindAtlas        = "relucert-atlas"
	kindExploreShard = "relucert-explore-shard"
)

// jsonExploreConfig is exploreConfig.
type jsonExploreConfig struct {
	// Data is the data file's path as given (reported, not compared when
	// merging); DataSHA256 the SHA-256 of its bytes (compared).
	Data        string   `json:"file"`
	DataSHA256  string   `json:"file_sha256"`
	Activation  string   `json:"activation"`
	InputBias   bool     `json:"input_bias"`
	N           int      `json:"n"`
	D           int      `json:"d"`
	K           int      `json:"k"`
	Widths      []int    `json:"widths"`
	Mu          []string `json:"mu"`
	Runs        int      `json:"runs"`
	Seed        uint64   `json:"seed"`
	Steps       int      `json:"steps"`
	LR          float64  `json:"lr"`
	LossScaling string   `json:"loss_scaling"`
	OutputBias  bool     `json:"output_bias"`
	Window      int      `json:"window"`
	FlatEps     float64  `json:"flat_eps"`
	Tol         float64  `json:"tol"`
	CertifyAt   string   `json:"certify_at"`
	MaxCells    int      `json:"max_cells"`
	MaxPivots   int      `json:"max_pivots"`
	// TimeBudget is the per-point time budget ("" for none). A time budget
	// makes verdicts depend on the machine's speed.
	TimeBudget  string `json:"time_budget"`
	CurvePoints int    `json:"curve_points"`
}

func configJSON(c *exploreConfig) jsonExploreConfig {
	j := jsonExploreConfig{Data: c.Data, DataSHA256: c.DataSHA256, Activation: c.Activation, InputBias: c.InputBias,
		N: c.N, D: c.D, K: c.K, Widths: append([]int{}, c.Widths...), Runs: c.Runs, Seed: c.Seed, Steps: c.Steps, LR: c.LR,
		LossScaling: c.Scaling.String(), OutputBias: c.OutputBias, Window: c.Rule.Window, FlatEps: c.Rule.Eps, Tol: c.Tol,
		CertifyAt: c.CertifyAt, MaxCells: c.Budget.MaxCells, MaxPivots: c.Budget.MaxPivots, CurvePoints: c.CurvePoints, Mu: []string{}}
	for _, mu := range c.Mus {
		j.Mu = append(j.Mu, mu.RatString())
	}
	if c.Budget.Timeout > 0 {
		j.TimeBudget = c.Budget.Timeout.String()
	}
	return j
}

// config is the inverse of configJSON; the error names the field.
func (j *jsonExploreConfig) config() (exploreConfig, error) {
	c := exploreConfig{Data: j.Data, DataSHA256: j.DataSHA256, Activation: j.Activation, InputBias: j.InputBias,
		N: j.N, D: j.D, K: j.K, Widths: append([]int{}, j.Widths...), Runs: j.Runs, Seed: j.Seed, Steps: j.Steps, LR: j.LR,
		OutputBias: j.OutputBias, Rule: descent.PlateauRule{Window: j.Window, Eps: j.FlatEps}, Tol: j.Tol,
		CertifyAt: j.CertifyAt, CurvePoints: j.CurvePoints}
	c.Budget.MaxCells, c.Budget.MaxPivots = j.MaxCells, j.MaxPivots
	var err error
	if c.Scaling, err = descent.ParseLossKind(j.LossScaling); err != nil {
		return c, fmt.Errorf("config.loss_scaling: %v", err)
	}
	if len(j.Widths) == 0 || len(j.Mu) == 0 || j.Runs < 1 || j.Steps < 1 || j.CurvePoints < 1 {
		return c, fmt.Errorf("config: widths, mu, runs, steps and curve_points must be given and positive")
	}
	for i, w := range j.Widths {
		if w < 1 {
			return c, fmt.Errorf("config.widths[%d]: %d is not a width", i, w)
		}
	}
	for i, s := range j.Mu {
		mu, ok := new(big.Rat).SetString(s)
		if !ok {
			return c, fmt.Errorf("config.mu[%d]: %q is not an exact number", i, s)
		}
		c.Mus = append(c.Mus, mu)
	}
	if j.TimeBudget != "" {
		if c.Budget.Timeout, err = time.ParseDuration(j.TimeBudget); err != nil {
			return c, fmt.Errorf("config.time_budget: %v", err)
		}
	}
	return c, nil
}

// jsonForm is an atlas.Form.
type jsonForm struct {
	// Outputs[i] = f(x_i), exact.
	Outputs    [][]string `json:"outputs"`
	OutputBias bool       `json:"output_bias"`
	Patterns   []string   `json:"patterns"`
}

func formJSON(f *atlas.Form) *jsonForm {
	j := &jsonForm{Outputs: [][]string{}, OutputBias: f.OutputBias, Patterns: []string{}}
	for _, v := range f.Outputs {
		j.Outputs = append(j.Outputs, v.Strings())
	}
	for _, p := range f.Patterns {
		j.Patterns = append(j.Patterns, string(p))
	}
	return j
}

func (j *jsonForm) form(n, k int) (*atlas.Form, error) {
	if len(j.Outputs) != n {
		return nil, fmt.Errorf("outputs: %d rows for n = %d samples", len(j.Outputs), n)
	}
	f := &atlas.Form{OutputBias: j.OutputBias}
	for i, row := range j.Outputs {
		if len(row) != k {
			return nil, fmt.Errorf("outputs[%d]: %d numbers for k = %d", i, len(row), k)
		}
		v := make(exact.Vec, k)
		for l, s := range row {
			r, ok := new(big.Rat).SetString(s)
			if !ok {
				return nil, fmt.Errorf("outputs[%d][%d]: %q is not an exact number", i, l, s)
			}
			v[l] = r
		}
		f.Outputs = append(f.Outputs, v)
	}
	for i, s := range j.Patterns {
		if len(s) != n || strings.Trim(s, "+-0") != "" {
			return nil, fmt.Errorf("patterns[%d]: %q is not a pattern of %d signs +, -, 0", i, s, n)
		}
		if i > 0 && j.Patterns[i-1] >= s {
			return nil, fmt.Errorf("patterns[%d]: %q is not sorted after %q", i, s, j.Patterns[i-1])
		}
		f.Patterns = append(f.Patterns, atlas.Pattern(s))
	}
	return f, nil
}

// jsonCurve is a run's loss curve at a few steps.
type jsonCurve struct {
	Steps []int     `json:"steps"`
	Loss  []float64 `json:"loss"`
}

// jsonShardVisit is an atlas.Visit in a partial file.
type jsonShardVisit struct {
	Plateau int    `json:"plateau"`
	Final   bool   `json:"final"`
	Step    int    `json:"step"`
	Verdict string `json:"verdict"`
	// Loss is the exact L = (1/2n)Σ|r|²; null (with Form) when no exact
	// point was found.
	Loss          *string   `json:"loss"`
	Form          *jsonForm `json:"form"`
	EscapeNeurons []int     `json:"escape_neurons"`
	Fragile       int       `json:"fragile"`
	Global        string    `json:"global"`
	Note          string    `json:"note"`
}

// jsonShardRun is one run in a partial file.
type jsonShardRun struct {
	Task   int              `json:"task"`
	Width  int              `json:"width"`
	Mu     string           `json:"mu"`
	Seed   uint64           `json:"seed"`
	Visits []jsonShardVisit `json:"visits"`
	Curve  jsonCurve        `json:"curve"`
}

// jsonShardIndex is a shard's place: index I of count N.
type jsonShardIndex struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// jsonExploreShard is a partial result: one shard's runs.
type jsonExploreShard struct {
	Kind   string            `json:"kind"`
	Config jsonExploreConfig `json:"config"`
	Shard  jsonShardIndex    `json:"shard"`
	Runs   []jsonShardRun    `json:"runs"`
}

func shardJSON(res *exploreResult) *jsonExploreShard {
	j := &jsonExploreShard{Kind: kindExploreShard, Config: configJSON(&res.Config),
		Shard: jsonShardIndex{Index: res.Shard.I, Count: res.Shard.N}, Runs: []jsonShardRun{}}
	for _, r := range res.Runs {
		jr := jsonShardRun{Task: r.Task.Index, Width: r.Task.Width, Mu: r.Task.Mu.RatString(), Seed: r.Task.Seed,
			Visits: []jsonShardVisit{}, Curve: jsonCurve{Steps: append([]int{}, r.CurveSteps...), Loss: append([]float64{}, r.CurveLoss...)}}
		for _, v := range r.Visits {
			jv := jsonShardVisit{Plateau: v.Plateau, Final: v.Final, Step: v.Step, Verdict: v.Verdict, EscapeNeurons: jsonInts(v.Escape),
				Fragile: v.Fragile, Global: v.Global.String(), Note: v.Note}
			if v.Form != nil && v.Loss != nil {
				s := v.Loss.RatString()
				jv.Loss, jv.Form = &s, formJSON(v.Form)
			}
			jr.Visits = append(jr.Visits, jv)
		}
		j.Runs = append(j.Runs, jr)
	}
	return j
}

// verdictNames are the verdicts a visit may carry.
var verdictNames = map[string]bool{"not-stationary": true, "saddle": true, "local-min": true, "global-min": true, "undetermined": true, "snap-failed": true}

// result is the inverse of shardJSON; errors name the field and index.
func (j *jsonExploreShard) result() (*exploreResult, error) {
	if j.Kind != kindExploreShard {
		return nil, fmt.Errorf("kind %q: want %q", j.Kind, kindExploreShard)
	}
	cfg, err := j.Config.config()
	if err != nil {
		return nil, err
	}
	sh := atlas.Shard{I: j.Shard.Index, N: j.Shard.Count}
	if err := sh.Validate(); err != nil {
		return nil, fmt.Errorf("shard: %v", err)
	}
	res := &exploreResult{Config: cfg, Shard: sh}
	tasks := cfg.tasks()
	for ri, jr := range j.Runs {
		at := func(format string, a ...any) error {
			return fmt.Errorf("runs[%d]: "+format, append([]any{ri}, a...)...)
		}
		if jr.Task < 0 || jr.Task >= len(tasks) {
			return nil, at("task %d: the sweep has tasks 0…%d", jr.Task, len(tasks)-1)
		}
		t := tasks[jr.Task]
		if jr.Width != t.Width || jr.Mu != t.Mu.RatString() || jr.Seed != t.Seed {
			return nil, at("width %d, μ = %s, seed %d, but task %d of the configuration is width %d, μ = %s, seed %d",
				jr.Width, jr.Mu, jr.Seed, t.Index, t.Width, t.Mu.RatString(), t.Seed)
		}
		if !sh.Owns(t.Index) {
			return nil, at("task %d does not belong to shard %s", t.Index, sh)
		}
		if len(jr.Curve.Steps) != len(jr.Curve.Loss) {
			return nil, at("curve: %d steps and %d losses", len(jr.Curve.Steps), len(jr.Curve.Loss))
		}
		for i, l := range jr.Curve.Loss {
			if math.IsNaN(l) || math.IsInf(l, 0) {
				return nil, at("curve.loss[%d] is not finite", i)
			}
		}
		r := exploreRun{Run: atlas.Run{Task: t}, CurveSteps: append([]int{}, jr.Curve.Steps...), CurveLoss: append([]float64{}, jr.Curve.Loss...)}
		for vi, jv := range jr.Visits {
			vat := func(format string, a ...any) error {
				return at("visits[%d]: "+format, append([]any{vi}, a...)...)
			}
			if !verdictNames[jv.Verdict] {
				return nil, vat("verdict %q is not a verdict", jv.Verdict)
			}
			g, ok := atlas.ParseGlobal(jv.Global)
			if !ok {
				return nil, vat("global %q: want n/a, yes, no or unknown", jv.Global)
			}
			v := atlas.Visit{Plateau: jv.Plateau, Final: jv.Final, Step: jv.Step, Verdict: jv.Verdict, Escape: append([]int{}, jv.EscapeNeurons...),
				Fragile: jv.Fragile, Global: g, Note: jv.Note}
			if (jv.Loss == nil) != (jv.Form == nil) {
				return nil, vat("loss and form must both be given or both be null")
			}
			if jv.Loss != nil {
				l, ok := new(big.Rat).SetString(*jv.Loss)
				if !ok {
					return nil, vat("loss %q is not an exact number", *jv.Loss)
				}
				f, err := jv.Form.form(cfg.N, cfg.K)
				if err != nil {
					return nil, vat("form.%v", err)
				}
				v.Loss, v.Form = l, f
			}
			r.Visits = append(r.Visits, v)
		}
		res.Runs = append(res.Runs, r)
	}
	return res, nil
}

// jsonPoint is one distinct point of an atlas.
type jsonPoint struct {
	// ID numbers the points 1, 2, … in the atlas's order (loss, largest
	// first).
	ID int `json:"id"`
	// Loss is L = (1/2n)Σ|r_i|² (docs/theory.md §1) and MSELoss PyTorch's
	// mse_loss = 2L/k, exact, each with a float64 beside it.
	Loss          string   `json:"loss"`
	LossApprox    *float64 `json:"loss_approx"`
	MSELoss       string   `json:"mse_loss"`
	MSELossApprox *float64 `json:"mse_loss_approx"`
	Verdict       string   `json:"verdict"`
	// Global: "yes", "no", "unknown" (a local minimum with L > 0 that no
	// test decided) or "n/a" (not a minimum); GlobalWitness, for "no" when
	// the atlas itself shows it, the id of a point of the same or a
	// smaller width with a smaller loss (null otherwise).
	Global        string `json:"global"`
	GlobalWitness *int   `json:"global_witness"`
	// EscapeNeurons are those of the first visit (0-based in that run's
	// network); EscapeCount bounds their number over all visits.
	EscapeNeurons []int          `json:"escape_neurons"`
	EscapeCount   jsonCountRange `json:"escape_count"`
	// Runs counts the runs that reached the point, Visits the certified
	// points that are it; Plateaus[p−1] the runs that reached it as their
	// p-th plateau, Final the runs that end there.
	Runs     int   `json:"runs"`
	Visits   int   `json:"visits"`
	Plateaus []int `json:"plateaus"`
	Final    int   `json:"final"`
	// Fragile counts the visits whose verdict a neighbouring snap choice
	// changes (docs/theory.md §6).
	Fragile int         `json:"fragile"`
	Reached []jsonReach `json:"reached"`
	// First is the first visit, in the sweep's order.
	First jsonFirst `json:"first"`
	// Form is the canonical form (docs/theory.md §12).
	Form *jsonForm `json:"form"`
}

type jsonCountRange struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

type jsonReach struct {
	Width int    `json:"width"`
	Mu    string `json:"mu"`
	Runs  int    `json:"runs"`
}

type jsonFirst struct {
	Task    int    `json:"task"`
	Width   int    `json:"width"`
	Mu      string `json:"mu"`
	Seed    uint64 `json:"seed"`
	Plateau int    `json:"plateau"`
	Step    int    `json:"step"`
}

// jsonUnresolved is a visit without an exact point.
type jsonUnresolved struct {
	Task    int    `json:"task"`
	Width   int    `json:"width"`
	Mu      string `json:"mu"`
	Seed    uint64 `json:"seed"`
	Plateau int    `json:"plateau"`
	Final   bool   `json:"final"`
	Step    int    `json:"step"`
	Verdict string `json:"verdict"`
	Note    string `json:"note"`
}

// jsonEnds counts the runs by the outcome of their final point.
type jsonEnds struct {
	GlobalMin             int `json:"global_min"`
	NonGlobalLocalMin     int `json:"non_global_local_min"`
	LocalMinGlobalUnknown int `json:"local_min_global_unknown"`
	Saddle                int `json:"saddle"`
	NotStationary         int `json:"not_stationary"`
	Undetermined          int `json:"undetermined"`
	SnapFailed            int `json:"snap_failed"`
}

type jsonAtlasSummary struct {
	Runs       int      `json:"runs"`
	Visits     int      `json:"visits"`
	Points     int      `json:"points"`
	Unresolved int      `json:"unresolved"`
	Final      jsonEnds `json:"final"`
	// GlobalTest says what decided "global".
	GlobalTest string `json:"global_test"`
}

type jsonAtlasVisit struct {
	Plateau int  `json:"plateau"`
	Final   bool `json:"final"`
	Step    int  `json:"step"`
	// Point is the id of the point the visit is (null when not snapped).
	Point         *int   `json:"point"`
	Verdict       string `json:"verdict"`
	EscapeNeurons []int  `json:"escape_neurons"`
	Fragile       int    `json:"fragile"`
	Note          string `json:"note"`
}

type jsonAtlasRun struct {
	Task   int              `json:"task"`
	Width  int              `json:"width"`
	Mu     string           `json:"mu"`
	Seed   uint64           `json:"seed"`
	Visits []jsonAtlasVisit `json:"visits"`
	// FinalPoint is the id of the run's final point (null when not
	// snapped).
	FinalPoint *int      `json:"final_point"`
	Curve      jsonCurve `json:"curve"`
}

// jsonAtlas is the atlas: explore --json, explore -o and merge -o.
type jsonAtlas struct {
	Kind       string            `json:"kind"`
	Config     jsonExploreConfig `json:"config"`
	Summary    jsonAtlasSummary  `json:"summary"`
	Points     []jsonPoint       `json:"points"`
	Unresolved []jsonUnresolved  `json:"unresolved"`
	Runs       []jsonAtlasRun    `json:"runs"`
}

func atlasJSON(res *exploreResult, a *atlas.Atlas) *jsonAtlas {
	cfg := &res.Config
	j := &jsonAtlas{Kind: kindAtlas, Config: configJSON(cfg),
		Points: []jsonPoint{}, Unresolved: []jsonUnresolved{}, Runs: []jsonAtlasRun{}}
	byTask := map[int]*exploreRun{}
	for i := range res.Runs {
		byTask[res.Runs[i].Task.Index] = &res.Runs[i]
	}
	for i, e := range a.Entries {
		mse := new(big.Rat).Mul(e.Loss, big.NewRat(2, int64(cfg.K)))
		first := byTask[e.Refs[0].Task]
		fv := first.Visits[e.Refs[0].Visit]
		p := jsonPoint{ID: i + 1, Loss: e.Loss.RatString(), LossApprox: approxFloat(e.Loss), MSELoss: mse.RatString(), MSELossApprox: approxFloat(mse),
			Verdict: e.Verdict, Global: e.Global.String(), EscapeNeurons: jsonInts(e.Escape),
			EscapeCount: jsonCountRange{e.EscapeMin, e.EscapeMax}, Runs: e.Runs, Visits: len(e.Refs),
			Plateaus: jsonInts(e.Plateaus), Final: e.Final, Fragile: e.Fragile, Reached: []jsonReach{},
			First: jsonFirst{Task: first.Task.Index, Width: first.Task.Width, Mu: first.Task.Mu.RatString(), Seed: first.Task.Seed,
				Plateau: fv.Plateau, Step: fv.Step},
			Form: formJSON(e.Form)}
		if e.Witness >= 0 {
			id := e.Witness + 1
			p.GlobalWitness = &id
		}
		for _, r := range e.Reached {
			p.Reached = append(p.Reached, jsonReach{Width: r.Width, Mu: r.Mu.RatString(), Runs: r.Runs})
		}
		j.Points = append(j.Points, p)
	}
	for _, ref := range a.Unresolved {
		r := byTask[ref.Task]
		v := r.Visits[ref.Visit]
		j.Unresolved = append(j.Unresolved, jsonUnresolved{Task: r.Task.Index, Width: r.Task.Width, Mu: r.Task.Mu.RatString(), Seed: r.Task.Seed,
			Plateau: v.Plateau, Final: v.Final, Step: v.Step, Verdict: v.Verdict, Note: v.Note})
	}
	visits := 0
	for ri, r := range a.Runs {
		er := byTask[r.Task.Index]
		jr := jsonAtlasRun{Task: r.Task.Index, Width: r.Task.Width, Mu: r.Task.Mu.RatString(), Seed: r.Task.Seed, Visits: []jsonAtlasVisit{},
			Curve: jsonCurve{Steps: append([]int{}, er.CurveSteps...), Loss: append([]float64{}, er.CurveLoss...)}}
		for vi, v := range r.Visits {
			visits++
			jv := jsonAtlasVisit{Plateau: v.Plateau, Final: v.Final, Step: v.Step, Verdict: v.Verdict, EscapeNeurons: jsonInts(v.Escape),
				Fragile: v.Fragile, Note: v.Note}
			if e := a.EntryOf[ri][vi]; e >= 0 {
				id := e + 1
				jv.Point = &id
				if v.Final {
					jr.FinalPoint = &id
				}
			}
			jr.Visits = append(jr.Visits, jv)
		}
		j.Runs = append(j.Runs, jr)
	}
	j.Summary = jsonAtlasSummary{Runs: len(a.Runs), Visits: visits, Points: len(a.Entries), Unresolved: len(a.Unresolved),
		Final: jsonEnds{GlobalMin: a.Ends[atlas.EndGlobal], NonGlobalLocalMin: a.Ends[atlas.EndNonGlobal],
			LocalMinGlobalUnknown: a.Ends[atlas.EndLocalUnknown], Saddle: a.Ends[atlas.EndSaddle],
			NotStationary: a.Ends[atlas.EndNotStationary], Undetermined: a.Ends[atlas.EndUndetermined], SnapFailed: a.Ends[atlas.EndSnapFailed]},
		GlobalTest: globalTestNote}
	return j
}

// writeJSONFile writes v as writeJSON formats it to path, atomically.
func writeJSONFile(path string, v any) error {
	var b bytes.Buffer
	writeJSON(&b, v)
	if err := atomicfile.Write(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

// decodeStrict decodes one JSON object written by writeJSON from data into
// v: its schema_version must be SchemaVersion; unknown fields and trailing
// data are refused.
func decodeStrict(data []byte, v any) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	var version int
	if err := json.Unmarshal(fields["schema_version"], &version); err != nil || version != SchemaVersion {
		return fmt.Errorf("schema_version %s: want %d", fields["schema_version"], SchemaVersion)
	}
	delete(fields, "schema_version")
	data, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("data after the JSON object")
	}
	return nil
}
