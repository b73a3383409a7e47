package main

import (
	"bytes"
	"encoding"
	"encoding/json"
	"flag"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/relucert/relucert/certfile"
	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/recheck"
)

// The JSON contract (README, "JSON output"): every command's --json object
// is described by a JSON Schema in docs/schema/, generated from the Go
// types that encode it (so it cannot drift from them: TestSchemasUpToDate),
// and real outputs of every command are validated against those files by an
// independent validator (TestOutputsMatchSchemas).

var updateSchemas = flag.Bool("update-schemas", false, "rewrite docs/schema/*.schema.json from the Go types")

const schemaDir = "../../docs/schema"

// ratPattern is the form of an exact number: big.Rat.RatString.
const ratPattern = `^-?[0-9]+(/[0-9]+)?$`

// schemaGen builds a JSON Schema (draft 2020-12) from Go types with their
// json tags: a struct is an object with exactly its fields (all required
// but omitempty ones), a slice an array or null, a pointer its target or
// null, *big.Rat a string in RatString form, a TextMarshaler a string.
type schemaGen struct {
	defs map[string]any
}

var (
	ratType      = reflect.TypeOf(big.Rat{})
	floatType    = reflect.TypeOf(big.Float{})
	intervalType = reflect.TypeOf(exact.Interval{})
	textType     = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
	rawType      = reflect.TypeOf(json.RawMessage{})
)

func nullable(s map[string]any) map[string]any {
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	if t.Kind() == reflect.Pointer {
		return nullable(g.schema(t.Elem()))
	}
	switch {
	case t == rawType:
		return map[string]any{"type": "object"}
	case t == ratType:
		return map[string]any{"type": "string", "pattern": ratPattern}
	case t == floatType:
		// a box's binary floats, written as exact rationals p/2^e
		return map[string]any{"type": "string", "pattern": ratPattern}
	case t == intervalType:
		// a loss enclosure [lo, hi] (recheck.BoxVerdict's encoding)
		end := map[string]any{"type": "string", "pattern": ratPattern}
		return map[string]any{"type": "object", "properties": map[string]any{"lo": end, "hi": end},
			"required": []any{"hi", "lo"}, "additionalProperties": false}
	case t == reflect.TypeOf(recheck.VerdictKind(0)):
		return map[string]any{"enum": []any{"not-stationary", "saddle", "local-min", "global-min", "undetermined"}}
	case t == reflect.TypeOf(recheck.NeuronKind(0)):
		return map[string]any{"enum": []any{"zero", "zero-output", "zero-input", "dead", "non-differentiable", "alive"}}
	case reflect.PointerTo(t).Implements(textType) || t.Implements(textType):
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Slice:
		return map[string]any{"type": []any{"array", "null"}, "items": g.schema(t.Elem())}
	case reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem()), "minItems": t.Len(), "maxItems": t.Len()}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := t.PkgPath() + "." + t.Name()
		if t.Name() == "" {
			return g.object(t)
		}
		key := strings.ReplaceAll(strings.TrimPrefix(name, "github.com/relucert/relucert/"), "/", ".")
		if _, ok := g.defs[key]; !ok {
			g.defs[key] = nil // recursion guard
			g.defs[key] = g.object(t)
		}
		return map[string]any{"$ref": "#/$defs/" + key}
	}
	panic("schema: unsupported type " + t.String())
}

// object is the schema of a struct's fields (embedded structs inlined, as
// encoding/json does).
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []any
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" || !f.IsExported() && !f.Anonymous {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = g.schema(f.Type)
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	sort.Slice(required, func(a, b int) bool { return required[a].(string) < required[b].(string) })
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

// commandSchema is the schema of a command's output: one of the types (an
// object each), with "schema_version" first (writeJSON adds it) when
// versioned.
func commandSchema(title string, versioned bool, types ...any) map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	var alts []any
	for _, v := range types {
		s := g.object(reflect.TypeOf(v))
		if versioned {
			s["properties"].(map[string]any)["schema_version"] = map[string]any{"const": SchemaVersion}
			s["required"] = append([]any{"schema_version"}, s["required"].([]any)...)
		}
		alts = append(alts, s)
	}
	out := map[string]any{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"title":   title,
		"$defs":   g.defs,
	}
	if len(alts) == 1 {
		for k, v := range alts[0].(map[string]any) {
			out[k] = v
		}
	} else {
		out["oneOf"] = alts
	}
	return out
}

// schemas lists the generated schema files: the --json output of each
// command (gen prints a case file: case.schema.json is written by hand),
// and the certificate file.
func schemas() map[string]map[string]any {
	return map[string]map[string]any{
		"check":         commandSchema("relucert check --json", true, jsonCheck{}, jsonInputError{}, jsonBudgetStop{}),
		"suite":         commandSchema("relucert suite --json", true, jsonSuite{}),
		"snap":          commandSchema("relucert snap --json", true, jsonSnap{}, jsonInputError{}, jsonBudgetStop{}),
		"embed":         commandSchema("relucert embed --json", true, jsonEmbed{}, jsonScan{}, jsonBudgetStop{}),
		"train":         commandSchema("relucert train --json", true, jsonTrain{}, jsonBudgetStop{}),
		"explore":       commandSchema("relucert explore --json (also explore -o, and merge of explore parts)", true, jsonAtlas{}),
		"explore-shard": commandSchema("relucert explore --shard I/N -o PART.json (a partial result for merge)", true, jsonExploreShard{}),
		"suite-shard":   commandSchema("relucert suite --shard I/N -o PART.json (a partial result for merge; merge prints suite --json)", true, jsonSuiteShard{}),
		"bench":         commandSchema("relucert bench --json (one object per line)", true, benchRow{}, physicalRow{}),
		"recheck":       commandSchema("relucert recheck --json", true, jsonRecheck{}),
		"certificate":   commandSchema("relucert certificate file (check/suite/snap --cert; a k ≥ 2 box verdict from snap --cert has \"box\")", false, certfile.File{}, certfile.BoxFile{}),
	}
}

func encodeSchema(s map[string]any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// TestSchemasUpToDate: docs/schema/NAME.schema.json is what the Go types
// generate (go test ./cmd/relucert -run SchemasUpToDate -update-schemas
// rewrites them).
func TestSchemasUpToDate(t *testing.T) {
	for name, s := range schemas() {
		path := filepath.Join(schemaDir, name+".schema.json")
		want := encodeSchema(s)
		if *updateSchemas {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update-schemas)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date with the Go types: run go test ./cmd/relucert -run SchemasUpToDate -update-schemas", path)
		}
	}
}

// compile loads docs/schema/NAME.schema.json into the validator.
func compile(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	path, err := filepath.Abs(filepath.Join(schemaDir, name+".schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

// validate checks one JSON document against a schema.
func validate(t *testing.T, s *jsonschema.Schema, what, doc string) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", what, err, doc)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s does not match its schema: %v", what, err)
	}
}

// TestOutputsMatchSchemas runs every command with --json on real inputs
// (decided and undetermined verdicts, bad input, a scan, a short training,
// bench rows, a certificate file and its recheck) and validates each
// output against docs/schema with an independent JSON Schema validator;
// gen's output against the hand-written case schema.
func TestOutputsMatchSchemas(t *testing.T) {
	dir := t.TempDir()
	cert := filepath.Join(dir, "a.cert.json")
	expPart, suitePart := filepath.Join(dir, "explore-part.json"), filepath.Join(dir, "suite-part.json")
	cat := "../../cases/catalogue/"
	runs := []struct {
		schema string
		args   []string
		lines  bool
	}{
		{"check", []string{"check", "--json", "--cert", cert, cat + "perturb-blind-saddle.json"}, false},
		{"check", []string{"check", "--json", cat + "k2-local-min-no-escape.json"}, false},
		{"check", []string{"check", "--json", cat + "s2-gradient-fail.json"}, false},
		{"check", []string{"check", "--json", cat + "bias-k2-completes-escape-saddle.json"}, false},
		{"check", []string{"check", "--json", cat + "k2-undetermined-local-min.json"}, false},
		{"check", []string{"check", "--json", "--perturb", "50", cat + "nonglobal-local-min.json"}, false},
		{"check", []string{"check", "--json", "../../cases/testdata/bad/bad-leaky.json"}, false},
		{"suite", []string{"suite", "--json"}, false},
		{"snap", []string{"snap", "--json", "testdata/fig3.json"}, false},
		{"snap", []string{"snap", "--json", "testdata/bias-candidate.json"}, false},
		{"embed", []string{"embed", "--json", cat + "nonglobal-local-min.json", "--add-zero-output", "0,0"}, false},
		{"embed", []string{"embed", "--json", "--scan", "0", cat + "nonglobal-local-min.json"}, false},
		{"train", []string{"train", "--json", "testdata/fig3.json", "--width", "50", "--mu", "-3", "--lr", "0.01", "--steps", "30000", "--seed", "1"}, false},
		{"bench", []string{"bench", "--json", "--sizes", "20", "--d", "3", "--m", "4", "--boundary", "1", "--extra=false"}, true},
		{"recheck", []string{"recheck", "--json", cert}, false},
		{"explore", []string{"explore", "--json", "testdata/fig3.json", "--width", "5,6", "--mu", "-3", "--runs", "2", "--steps", "3000", "--lr", "0.03"}, false},
		{"explore", []string{"merge", "--json", expPart}, false},
		{"suite", []string{"merge", "--json", suitePart}, false},
	}
	// the partial files merge reads, and merge of them
	if code := run([]string{"explore", "testdata/fig3.json", "--width", "5", "--mu", "-3", "--runs", "2", "--steps", "3000", "--lr", "0.03", "--shard", "0/1", "-o", expPart}, io.Discard, io.Discard); code != exitOK {
		t.Fatalf("explore --shard: exit %d", code)
	}
	if code := run([]string{"suite", "../../cases/testdata", "--shard", "0/1", "-o", suitePart}, io.Discard, io.Discard); code == exitUsage {
		t.Fatalf("suite --shard: exit %d", code)
	}
	for name, f := range map[string]string{"explore-shard": expPart, "suite-shard": suitePart} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		validate(t, compile(t, name), name+" file", string(data))
	}
	compiled := map[string]*jsonschema.Schema{}
	for _, r := range runs {
		s := compiled[r.schema]
		if s == nil {
			s = compile(t, r.schema)
			compiled[r.schema] = s
		}
		var out, errb bytes.Buffer
		code := run(r.args, &out, &errb)
		what := strings.Join(r.args, " ")
		if !strings.Contains(out.String(), `"schema_version"`) {
			t.Errorf("%s (exit %d): no schema_version in\n%s%s", what, code, out.String(), errb.String())
			continue
		}
		docs := []string{out.String()}
		if r.lines {
			docs = strings.Split(strings.TrimSpace(out.String()), "\n")
		}
		for _, d := range docs {
			validate(t, s, what, d)
		}
	}
	data, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, compile(t, "certificate"), "certificate file", string(data))
	box := filepath.Join(dir, "box.cert.json")
	if code := run([]string{"snap", "--cert", box, "../../testdata/snapk/rank-one-saddle.json"}, io.Discard, io.Discard); code != exitOK {
		t.Fatalf("snap --cert of a k = 2 box: exit %d", code)
	}
	if data, err = os.ReadFile(box); err != nil {
		t.Fatal(err)
	}
	validate(t, compile(t, "certificate"), "box certificate file", string(data))
	var out, errb bytes.Buffer
	if code := run([]string{"gen", "--n", "6", "--d", "2", "--m", "2"}, &out, &errb); code != exitOK {
		t.Fatalf("gen: exit %d %s", code, errb.String())
	}
	validate(t, compile(t, "case"), "gen output", out.String())
}
