package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/relucert/relucert/atlas"
	"github.com/relucert/relucert/cases"
)

func init() {
	register("merge", command{
		usage:   mergeSynopsis,
		summary: "combine the partial results of explore --shard (or suite --shard) into the result one machine gives: refuses parts of different configurations, reports missing and duplicated shards",
		run:     runMerge,
	})
}

const mergeSynopsis = "merge PART.json…|DIR [-o OUT.json] [--json] [--plot F.png]"

// maxPartBytes bounds one partial file.
const maxPartBytes = 1 << 30

// readPart reads one partial file and returns its bytes and kind.
func readPart(path string) ([]byte, string, error) {
	f, size, err := cases.OpenRegular(path)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %v", path, err)
	}
	defer f.Close()
	if size > maxPartBytes {
		return nil, "", fmt.Errorf("%s: %d bytes, more than a partial file may have (%d)", path, size, maxPartBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPartBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %v", path, err)
	}
	var head struct {
		SchemaVersion int    `json:"schema_version"`
		Kind          string `json:"kind"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, "", fmt.Errorf("%s: not a partial result (JSON: %v)", path, err)
	}
	switch head.Kind {
	case kindExploreShard, kindSuiteShard:
	default:
		return nil, "", fmt.Errorf("%s: kind %q is not a partial result (want %q or %q)", path, head.Kind, kindExploreShard, kindSuiteShard)
	}
	return data, head.Kind, nil
}

func runMerge(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("merge", mergeSynopsis, stderr)
	outPath := fs.String("o", "", "write the merged result (the atlas, or suite --json's document) to `FILE`")
	jsonOut := fs.Bool("json", false, "print the merged result as JSON instead of the table")
	plotPath := fs.String("plot", "", "draw the merged atlas to this PNG (explore parts only)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	fail := usageError("merge", stderr)
	if len(pos) == 0 {
		fs.Usage()
		return fail("want at least one partial file")
	}
	if pos, err = expandPartDirs(pos); err != nil {
		return fail("%v", err)
	}
	datas := make([][]byte, len(pos))
	kind := ""
	for i, p := range pos {
		d, k, err := readPart(p)
		if err != nil {
			return fail("%v", err)
		}
		if kind != "" && k != kind {
			return fail("%s is a %s but %s is a %s: merge parts of one command", p, k, pos[0], kind)
		}
		kind, datas[i] = k, d
	}
	if kind == kindSuiteShard {
		if *plotPath != "" {
			return fail("--plot draws an atlas; these are suite parts")
		}
		return mergeSuite(pos, datas, *outPath, *jsonOut, stdout, stderr)
	}
	parts := make([]*exploreResult, len(pos))
	for i, p := range pos {
		var j jsonExploreShard
		if err := decodeStrict(datas[i], &j); err != nil {
			return fail("%s: %v", p, err)
		}
		if parts[i], err = j.result(); err != nil {
			return fail("%s: %v", p, err)
		}
	}
	cfgs := make([]jsonExploreConfig, len(parts))
	shards := make([]atlas.Shard, len(parts))
	for i, r := range parts {
		cfgs[i], shards[i] = configJSON(&r.Config), r.Shard
	}
	if err := sameShardSet(pos, shards, func(i int) (string, error) { return differingField(cfgs[0], cfgs[i]) }); err != nil {
		return fail("%v", err)
	}
	// the configuration and data path of shard 0, every run
	merged := &exploreResult{Shard: atlas.Shard{I: 0, N: 1}}
	for _, r := range parts {
		if r.Shard.I == 0 {
			merged.Config = r.Config
		}
		merged.Runs = append(merged.Runs, r.Runs...)
	}
	return writeAtlas(merged, *jsonOut, *outPath, *plotPath, stdout, stderr, "merge")
}

// expandPartDirs replaces each directory among paths by the *.json files
// directly in it, in name order (a container without a shell cannot expand
// a glob).
func expandPartDirs(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		if st, err := os.Stat(p); err != nil || !st.IsDir() {
			out = append(out, p)
			continue
		}
		files, err := cases.Files(p)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no *.json partial files in the directory", p)
		}
		out = append(out, files...)
	}
	return out, nil
}

// sameShardSet checks that the parts are the shards 0/N … (N−1)/N of one
// configuration, each once: differ(i) names the first field in which part
// i's configuration differs from part 0's ("" when equal).
func sameShardSet(paths []string, shards []atlas.Shard, differ func(i int) (string, error)) error {
	n := shards[0].N
	for i := range shards {
		if shards[i].N != n {
			return fmt.Errorf("%s is shard %s but %s is shard %s: the parts come from sweeps cut into different numbers of shards", paths[i], shards[i], paths[0], shards[0])
		}
		d, err := differ(i)
		if err != nil {
			return err
		}
		if d != "" {
			return fmt.Errorf("%s and %s come from different configurations: %s", paths[0], paths[i], d)
		}
	}
	seen := make([]int, len(shards))
	for i, s := range shards {
		seen[i] = s.I
	}
	missing, dup := atlas.Missing(n, seen)
	if len(missing) == 0 && len(dup) == 0 {
		return nil
	}
	var msgs []string
	if len(missing) > 0 {
		var m []string
		for _, i := range missing {
			m = append(m, fmt.Sprintf("%d/%d", i, n))
		}
		msgs = append(msgs, fmt.Sprintf("missing shard(s) %s", strings.Join(m, ", ")))
	}
	for _, d := range dup {
		var files []string
		for i, s := range shards {
			if s.I == d {
				files = append(files, paths[i])
			}
		}
		msgs = append(msgs, fmt.Sprintf("shard %d/%d given %d times (%s)", d, n, len(files), strings.Join(files, ", ")))
	}
	return fmt.Errorf("%s: every shard 0/%d … %d/%d must be given exactly once", strings.Join(msgs, "; "), n, n-1, n)
}

// differingField compares two values field by field through their JSON
// (the data path aside) and names the first field that differs, "" when
// none does.
func differingField(a, b jsonExploreConfig) (string, error) {
	a.Data, b.Data = "", ""
	return differingJSON(a, b)
}

// differingJSON names the first top-level JSON field in which a and b
// differ, with both values; "" when they are equal.
func differingJSON(a, b any) (string, error) {
	var ma, mb map[string]json.RawMessage
	for _, x := range []struct {
		v any
		m *map[string]json.RawMessage
	}{{a, &ma}, {b, &mb}} {
		data, err := json.Marshal(x.v)
		if err != nil {
			return "", err
		}
		if err := json.Unmarshal(data, x.m); err != nil {
			return "", err
		}
	}
	var keys []string
	for k := range ma {
		keys = append(keys, k)
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if string(ma[k]) != string(mb[k]) {
			return fmt.Sprintf("%s is %s in one and %s in the other", k, ma[k], mb[k]), nil
		}
	}
	return "", nil
}
