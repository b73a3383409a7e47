package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"time"

	"github.com/relucert/relucert/atlas"
	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/verify"
)

// kindSuiteShard is the kind of suite --shard's partial file.
const kindSuiteShard = "relucert-suite-shard"

// jsonSuiteConfig decides a suite run: two suite shards merge only when
// these are equal (Dir aside: reported from shard 0).
type jsonSuiteConfig struct {
	Dir string `json:"dir"`
	// Files are the case files' names (base names for a directory,
	// "catalogue/NAME.json" for the catalogue), in the suite's order, and
	// FilesSHA256 the SHA-256 of their names and contents.
	Files       []string `json:"files"`
	FilesSHA256 string   `json:"files_sha256"`
	MaxCells    int      `json:"max_cells"`
	MaxPivots   int      `json:"max_pivots"`
	TimeBudget  string   `json:"time_budget"`
	MaxBits     int      `json:"max_bits"`
	MaxValues   int      `json:"max_values"`
}

// jsonSuiteShardCase is one case of a suite shard with its number.
type jsonSuiteShardCase struct {
	Index int           `json:"index"`
	Case  jsonSuiteCase `json:"case"`
}

// jsonSuiteShard is suite --shard I/N's partial result.
type jsonSuiteShard struct {
	Kind      string               `json:"kind"`
	Config    jsonSuiteConfig      `json:"config"`
	Shard     jsonShardIndex       `json:"shard"`
	Cases     []jsonSuiteShardCase `json:"cases"`
	ElapsedMS float64              `json:"elapsed_ms"`
}

// suiteDigest hashes the names and bytes of the suite's files.
func suiteDigest(dir string, names []string) (string, error) {
	h := sha256.New()
	for _, name := range names {
		fmt.Fprintf(h, "%s\x00", filepath.Base(name))
		if dir == "" {
			b, err := fs.ReadFile(cases.CatalogueFS(), name)
			if err != nil {
				return "", err
			}
			h.Write(b)
		} else {
			f, _, err := cases.OpenRegular(name)
			if err != nil {
				return "", fmt.Errorf("%s: %v", name, err)
			}
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				return "", fmt.Errorf("%s: %v", name, err)
			}
		}
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// runSuiteShard runs the cases of shard and writes its partial result.
func runSuiteShard(dir string, names []string, entries []func(cases.Limits) cases.Entry, shard atlas.Shard, bf *budgetFlags, opt verify.Options,
	certDir, outPath string, stdout, stderr io.Writer) int {
	digest, err := suiteDigest(dir, names)
	if err != nil {
		fmt.Fprintf(stderr, "relucert suite: %v\n", err)
		return exitUsage
	}
	cfg := jsonSuiteConfig{Dir: dir, FilesSHA256: digest, MaxCells: opt.MaxCells, MaxPivots: opt.MaxPivots,
		MaxBits: bf.lim.MaxBits, MaxValues: bf.lim.MaxValues}
	for _, n := range names {
		if dir != "" {
			n = filepath.Base(n)
		}
		cfg.Files = append(cfg.Files, n)
	}
	if opt.Timeout > 0 {
		cfg.TimeBudget = opt.Timeout.String()
	}
	var mine []func(cases.Limits) cases.Entry
	var index []int
	for i, e := range entries {
		if shard.Owns(i) {
			mine = append(mine, e)
			index = append(index, i)
		}
	}
	res := runEntries(mine, opt, bf.lim, newSuiteProgress(stderr, len(mine)), certDir)
	res.Dir = dir
	doc := toSuiteJSON(res)
	part := &jsonSuiteShard{Kind: kindSuiteShard, Config: cfg,
		Shard: jsonShardIndex{Index: shard.I, Count: shard.N}, Cases: []jsonSuiteShardCase{}, ElapsedMS: doc.Totals.ElapsedMS}
	for i, c := range doc.Cases {
		part.Cases = append(part.Cases, jsonSuiteShardCase{Index: index[i], Case: c})
	}
	if err := writeJSONFile(outPath, part); err != nil {
		fmt.Fprintf(stderr, "relucert suite: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "shard %s: %d of %d cases; written to %s (combine the shards with relucert merge)\n", shard, len(mine), len(entries), outPath)
	fmt.Fprintf(stdout, "%d passed, %d failed\n", doc.Totals.Passed, doc.Totals.Failed)
	if doc.Totals.Failed > 0 {
		return exitDisagree
	}
	return exitOK
}

// mergeSuite combines suite shards into suite --json's document.
func mergeSuite(paths []string, datas [][]byte, outPath string, jsonOut bool, stdout, stderr io.Writer) int {
	fail := usageError("merge", stderr)
	parts := make([]jsonSuiteShard, len(paths))
	shards := make([]atlas.Shard, len(paths))
	for i, p := range paths {
		if err := decodeStrict(datas[i], &parts[i]); err != nil {
			return fail("%s: %v", p, err)
		}
		shards[i] = atlas.Shard{I: parts[i].Shard.Index, N: parts[i].Shard.Count}
		if err := shards[i].Validate(); err != nil {
			return fail("%s: shard: %v", p, err)
		}
	}
	err := sameShardSet(paths, shards, func(i int) (string, error) {
		a, b := parts[0].Config, parts[i].Config
		a.Dir, b.Dir = "", ""
		return differingJSON(a, b)
	})
	if err != nil {
		return fail("%v", err)
	}
	n := len(parts[0].Config.Files)
	doc := &jsonSuite{Cases: make([]jsonSuiteCase, n)}
	have := make([]bool, n)
	elapsed := 0.0
	for pi, part := range parts {
		if part.Shard.Index == 0 {
			doc.Dir = part.Config.Dir
		}
		elapsed += part.ElapsedMS
		for ci, c := range part.Cases {
			if c.Index < 0 || c.Index >= n || !shards[pi].Owns(c.Index) || have[c.Index] {
				return fail("%s: cases[%d]: index %d is not a case of shard %s of %d cases, or is given twice", paths[pi], ci, c.Index, shards[pi], n)
			}
			have[c.Index] = true
			doc.Cases[c.Index] = c.Case
		}
	}
	if i := slices.Index(have, false); i >= 0 {
		return fail("case %d (%s) is in no part: its shard %d/%d is incomplete", i, parts[0].Config.Files[i], i%shards[0].N, shards[0].N)
	}
	doc.Totals = suiteTotals(doc.Cases)
	doc.Totals.ElapsedMS = elapsed
	if outPath != "" {
		if err := writeJSONFile(outPath, doc); err != nil {
			return fail("%v", err)
		}
	}
	last := fmt.Sprintf("%d passed, %d failed", doc.Totals.Passed, doc.Totals.Failed)
	if jsonOut {
		writeJSON(stdout, doc)
		fmt.Fprintln(stderr, last)
	} else {
		fmt.Fprintf(stdout, "suite of %d cases merged from %d shards (%.1f s of checking in all)\n", n, len(parts), time.Duration(elapsed*float64(time.Millisecond)).Seconds())
		for _, c := range doc.Cases {
			for _, f := range c.Failures {
				fmt.Fprintf(stdout, "FAIL %s: %s\n", c.Name, f)
			}
		}
		fmt.Fprintln(stdout, last)
	}
	if doc.Totals.Failed > 0 {
		return exitDisagree
	}
	return exitOK
}
