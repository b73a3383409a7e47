package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The deployment files of README "An atlas of a landscape": the Slurm job
// array script is checked by bash -n and run as three array tasks; the
// Kubernetes Jobs are checked against the fields of the batch/v1 Job schema
// (kubectl's --dry-run=client needs a cluster's API server, which a test
// does not have) and their commands are run as the pods would run them.

// kfield is a node of the subset of the Kubernetes API schema the
// deployment files may use: its type, and for objects the fields with the
// required ones, for arrays the items, for strings the allowed values.
// Field names and types follow the Kubernetes API reference (batch/v1 Job,
// core/v1 PodSpec, Container, EnvVar, VolumeMount, Volume,
// ResourceRequirements, ObjectMeta).
type kfield struct {
	typ      string // object, array, string, integer, boolean, quantity (integer or string), stringmap
	props    map[string]*kfield
	required []string
	items    *kfield
	enum     []string
}

func kobj(required []string, props map[string]*kfield) *kfield {
	return &kfield{typ: "object", props: props, required: required}
}
func karr(items *kfield) *kfield { return &kfield{typ: "array", items: items} }

var (
	kstr  = &kfield{typ: "string"}
	kint  = &kfield{typ: "integer"}
	kbool = &kfield{typ: "boolean"}
	kmap  = &kfield{typ: "stringmap"}
	kqty  = &kfield{typ: "quantity"}
)

func kenum(vals ...string) *kfield { return &kfield{typ: "string", enum: vals} }

// jobSchema is batch/v1 Job, restricted to the fields a batch job of
// relucert has use for (any other field is reported as unknown).
func jobSchema() *kfield {
	meta := kobj(nil, map[string]*kfield{"name": kstr, "namespace": kstr, "generateName": kstr, "labels": kmap, "annotations": kmap})
	resources := kobj(nil, map[string]*kfield{"limits": {typ: "quantitymap"}, "requests": {typ: "quantitymap"}})
	envVar := kobj([]string{"name"}, map[string]*kfield{
		"name": kstr, "value": kstr,
		"valueFrom": kobj(nil, map[string]*kfield{
			"fieldRef":        kobj([]string{"fieldPath"}, map[string]*kfield{"apiVersion": kstr, "fieldPath": kstr}),
			"configMapKeyRef": kobj([]string{"key"}, map[string]*kfield{"name": kstr, "key": kstr, "optional": kbool}),
		}),
	})
	mount := kobj([]string{"name", "mountPath"}, map[string]*kfield{"name": kstr, "mountPath": kstr, "readOnly": kbool, "subPath": kstr})
	container := kobj([]string{"name"}, map[string]*kfield{
		"name": kstr, "image": kstr, "imagePullPolicy": kenum("Always", "Never", "IfNotPresent"),
		"command": karr(kstr), "args": karr(kstr), "workingDir": kstr,
		"env": karr(envVar), "resources": resources, "volumeMounts": karr(mount),
	})
	volume := kobj([]string{"name"}, map[string]*kfield{
		"name":                  kstr,
		"persistentVolumeClaim": kobj([]string{"claimName"}, map[string]*kfield{"claimName": kstr, "readOnly": kbool}),
		"configMap": kobj(nil, map[string]*kfield{"name": kstr, "optional": kbool, "defaultMode": kint,
			"items": karr(kobj([]string{"key", "path"}, map[string]*kfield{"key": kstr, "path": kstr, "mode": kint}))}),
		"emptyDir": kobj(nil, map[string]*kfield{"medium": kstr, "sizeLimit": kqty}),
	})
	podSpec := kobj([]string{"containers"}, map[string]*kfield{
		"containers": karr(container), "restartPolicy": kenum("Always", "OnFailure", "Never"),
		"volumes": karr(volume), "nodeSelector": kmap, "serviceAccountName": kstr,
	})
	jobSpec := kobj([]string{"template"}, map[string]*kfield{
		"completionMode": kenum("NonIndexed", "Indexed"), "completions": kint, "parallelism": kint,
		"backoffLimit": kint, "backoffLimitPerIndex": kint, "maxFailedIndexes": kint,
		"activeDeadlineSeconds": kint, "ttlSecondsAfterFinished": kint, "suspend": kbool,
		"template": kobj(nil, map[string]*kfield{"metadata": meta, "spec": podSpec}),
	})
	return kobj([]string{"apiVersion", "kind", "metadata", "spec"}, map[string]*kfield{
		"apiVersion": kstr, "kind": kstr, "metadata": meta, "spec": jobSpec,
	})
}

// validate checks node against f and returns one message per problem, each
// naming the path.
func (f *kfield) validate(path string, n *yaml.Node) []string {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	bad := func(format string, a ...any) []string { return []string{path + ": " + fmt.Sprintf(format, a...)} }
	scalar := func() bool { return n.Kind == yaml.ScalarNode }
	switch f.typ {
	case "object", "stringmap", "quantitymap":
		if n.Kind != yaml.MappingNode {
			return bad("want an object")
		}
		var errs []string
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			if seen[k] {
				errs = append(errs, fmt.Sprintf("%s.%s: given twice", path, k))
			}
			seen[k] = true
			switch f.typ {
			case "stringmap":
				errs = append(errs, kstr.validate(path+"."+k, v)...)
			case "quantitymap":
				errs = append(errs, kqty.validate(path+"."+k, v)...)
			default:
				sub, ok := f.props[k]
				if !ok {
					errs = append(errs, fmt.Sprintf("%s.%s: not a field here", path, k))
					continue
				}
				errs = append(errs, sub.validate(path+"."+k, v)...)
			}
		}
		for _, r := range f.required {
			if !seen[r] {
				errs = append(errs, fmt.Sprintf("%s.%s: required", path, r))
			}
		}
		return errs
	case "array":
		if n.Kind != yaml.SequenceNode {
			return bad("want a list")
		}
		var errs []string
		for i, c := range n.Content {
			errs = append(errs, f.items.validate(fmt.Sprintf("%s[%d]", path, i), c)...)
		}
		return errs
	case "string":
		if !scalar() || n.Tag != "!!str" {
			return bad("want a string, got %s %q (quote it)", n.Tag, n.Value)
		}
		if len(f.enum) > 0 && !slices.Contains(f.enum, n.Value) {
			return bad("%q is not one of %v", n.Value, f.enum)
		}
	case "integer":
		if !scalar() || n.Tag != "!!int" {
			return bad("want an integer, got %s %q", n.Tag, n.Value)
		}
	case "boolean":
		if !scalar() || n.Tag != "!!bool" {
			return bad("want true or false, got %s %q", n.Tag, n.Value)
		}
	case "quantity":
		if !scalar() || (n.Tag != "!!int" && n.Tag != "!!str") || !regexp.MustCompile(`^[0-9.]+(m|k|M|G|T|Ki|Mi|Gi|Ti)?$`).MatchString(n.Value) {
			return bad("%q is not a quantity", n.Value)
		}
	}
	return nil
}

// job is the part of a Job the semantic checks read.
type job struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    *int   `yaml:"completions"`
		Parallelism    *int   `yaml:"parallelism"`
		Template       struct {
			Spec struct {
				RestartPolicy string `yaml:"restartPolicy"`
				Containers    []struct {
					Name    string   `yaml:"name"`
					Command []string `yaml:"command"`
					Args    []string `yaml:"args"`
					Env     []struct {
						Name  string `yaml:"name"`
						Value string `yaml:"value"`
					} `yaml:"env"`
					VolumeMounts []struct {
						Name      string `yaml:"name"`
						MountPath string `yaml:"mountPath"`
						SubPath   string `yaml:"subPath"`
					} `yaml:"volumeMounts"`
				} `yaml:"containers"`
				Volumes []struct {
					Name                  string `yaml:"name"`
					PersistentVolumeClaim *struct {
						ClaimName string `yaml:"claimName"`
					} `yaml:"persistentVolumeClaim"`
					ConfigMap *struct {
						Name string `yaml:"name"`
					} `yaml:"configMap"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// loadJob reads a Job manifest, validates it against jobSchema and the
// rules the API server applies to Jobs, and decodes it.
func loadJob(t *testing.T, path string) *job {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		t.Fatalf("%s: want one YAML document", path)
	}
	for _, e := range jobSchema().validate("Job", doc.Content[0]) {
		t.Errorf("%s: %s", path, e)
	}
	var j job
	if err := yaml.Unmarshal(data, &j); err != nil {
		t.Fatal(err)
	}
	fail := func(format string, a ...any) { t.Errorf("%s: "+format, append([]any{path}, a...)...) }
	if j.APIVersion != "batch/v1" || j.Kind != "Job" {
		fail("apiVersion %q, kind %q: want batch/v1 Job", j.APIVersion, j.Kind)
	}
	if n := j.Metadata.Name; !dns1123Label.MatchString(n) || len(n) > 63 {
		fail("metadata.name %q is not a DNS-1123 label of at most 63 characters", n)
	}
	s := j.Spec
	if s.CompletionMode == "Indexed" && (s.Completions == nil || *s.Completions < 1) {
		fail("an Indexed Job needs spec.completions ≥ 1")
	}
	if s.Completions != nil && s.Parallelism != nil && (*s.Parallelism < 0 || *s.Parallelism > *s.Completions) {
		fail("spec.parallelism %d: want 0 … completions %d", *s.Parallelism, *s.Completions)
	}
	ps := s.Template.Spec
	if ps.RestartPolicy != "Never" && ps.RestartPolicy != "OnFailure" {
		fail("spec.template.spec.restartPolicy %q: a Job's pods must have Never or OnFailure", ps.RestartPolicy)
	}
	volumes := map[string]bool{}
	for i, v := range ps.Volumes {
		if !dns1123Label.MatchString(v.Name) || volumes[v.Name] {
			fail("volumes[%d].name %q: not a DNS-1123 label, or repeated", i, v.Name)
		}
		volumes[v.Name] = true
		if (v.PersistentVolumeClaim == nil) == (v.ConfigMap == nil) {
			fail("volumes[%d]: want exactly one source (persistentVolumeClaim or configMap)", i)
		}
	}
	names := map[string]bool{}
	for i, c := range ps.Containers {
		if !dns1123Label.MatchString(c.Name) || names[c.Name] {
			fail("containers[%d].name %q: not a DNS-1123 label, or repeated", i, c.Name)
		}
		names[c.Name] = true
		for k, m := range c.VolumeMounts {
			if !volumes[m.Name] {
				fail("containers[%d].volumeMounts[%d]: volume %q is not in volumes", i, k, m.Name)
			}
			if !strings.HasPrefix(m.MountPath, "/") || strings.HasPrefix(m.SubPath, "/") || strings.Contains(m.SubPath, "..") {
				fail("containers[%d].volumeMounts[%d]: mountPath must be absolute and subPath relative without ..", i, k)
			}
		}
	}
	if len(ps.Containers) != 1 {
		t.Fatalf("%s: want one container, got %d", path, len(ps.Containers))
	}
	return &j
}

// TestDeployJobSchema: the checker refuses what the API server refuses
// (an unknown field, a number where a string belongs, a bad enum value, a
// missing required field), so that its silence on the shipped files means
// something.
func TestDeployJobSchema(t *testing.T) {
	good := "apiVersion: batch/v1\nkind: Job\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, args: [\"1\"]}]\n"
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(good), &n); err != nil {
		t.Fatal(err)
	}
	if errs := jobSchema().validate("Job", n.Content[0]); len(errs) > 0 {
		t.Fatalf("a valid Job refused: %v", errs)
	}
	for _, tc := range []struct{ from, to, want string }{
		{"restartPolicy: Never", "restartPolicy: Never\n      restartpolicy: Never", "restartpolicy: not a field"},
		{`args: ["1"]`, `args: [1]`, "args[0]: want a string"},
		{"restartPolicy: Never", "restartPolicy: Sometimes", "is not one of"},
		{"{name: c, ", "{", "containers[0].name: required"},
		{"spec:\n", "spec:\n  completions: \"8\"\n", "spec.completions: want an integer"},
		{"spec:\n", "spec:\n  completionMode: indexed\n", "is not one of"},
	} {
		var m yaml.Node
		if err := yaml.Unmarshal([]byte(strings.Replace(good, tc.from, tc.to, 1)), &m); err != nil {
			t.Fatal(err)
		}
		errs := strings.Join(jobSchema().validate("Job", m.Content[0]), "; ")
		if !strings.Contains(errs, tc.want) {
			t.Errorf("%q → %q: errors %q, want %q", tc.from, tc.to, errs, tc.want)
		}
	}
}

// tinySweep replaces the sweep of a deployment file by a small one (the
// same flags, smaller numbers), so that running it takes a second.
var tinySweep = map[string]string{"--width": "5", "--runs": "1", "--steps": "3000", "--lr": "0.03"}

// TestDeployKubernetes validates both Jobs and runs their commands as the
// pods would: every index of the Indexed Job with JOB_COMPLETION_INDEX set
// and the container's $(VAR) references expanded, on a directory that
// stands for the shared volume (each mount with its subPath), then the
// merge Job on the same volume. The merged atlas is the one explore makes
// alone.
func TestDeployKubernetes(t *testing.T) {
	ex := loadJob(t, filepath.Join("..", "..", "deploy", "k8s", "explore-job.yaml"))
	mg := loadJob(t, filepath.Join("..", "..", "deploy", "k8s", "merge-job.yaml"))
	if t.Failed() {
		return
	}
	if ex.Spec.CompletionMode != "Indexed" {
		t.Fatalf("explore-job: completionMode %q, want Indexed", ex.Spec.CompletionMode)
	}
	n := *ex.Spec.Completions
	c := ex.Spec.Template.Spec.Containers[0]
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	if env[shardCountEnv] != strconv.Itoa(n) {
		t.Errorf("explore-job: %s = %q, want spec.completions = %d", shardCountEnv, env[shardCountEnv], n)
	}
	root := t.TempDir()
	// the volumes on the test's disk: a PVC by claim name, the ConfigMap
	// with the data file under its key data.json
	hostDir := func(j *job, vol, sub string) string {
		for _, v := range j.Spec.Template.Spec.Volumes {
			if v.Name != vol {
				continue
			}
			var d string
			switch {
			case v.PersistentVolumeClaim != nil:
				d = filepath.Join(root, "pvc-"+v.PersistentVolumeClaim.ClaimName, sub)
			default:
				d = filepath.Join(root, "configmap-"+v.ConfigMap.Name)
			}
			if err := os.MkdirAll(d, 0o755); err != nil { // kubelet creates a missing subPath
				t.Fatal(err)
			}
			return d
		}
		t.Fatalf("volume %s missing", vol)
		return ""
	}
	data, err := os.ReadFile(fig3Data)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "configmap-relucert-data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "configmap-relucert-data", "data.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	// translate a container path to the test's disk through the mounts
	hostPath := func(j *job, p string) string {
		best, bestLen := p, -1
		for _, m := range j.Spec.Template.Spec.Containers[0].VolumeMounts {
			if (p == m.MountPath || strings.HasPrefix(p, m.MountPath+"/")) && len(m.MountPath) > bestLen {
				best, bestLen = filepath.Join(hostDir(j, m.Name, m.SubPath), strings.TrimPrefix(p, m.MountPath)), len(m.MountPath)
			}
		}
		return best
	}
	ref := regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	podArgs := func(j *job, index int) []string {
		c := j.Spec.Template.Spec.Containers[0]
		if len(c.Command) != 1 || filepath.Base(c.Command[0]) != "relucert" {
			t.Fatalf("%s: command %q, want the relucert binary", j.Metadata.Name, c.Command)
		}
		vars := map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(index)}
		for _, e := range c.Env {
			vars[e.Name] = e.Value
		}
		var args []string
		for i, a := range c.Args {
			a = ref.ReplaceAllStringFunc(a, func(s string) string {
				v, ok := vars[s[2:len(s)-1]]
				if !ok {
					t.Errorf("%s: args[%d] refers to %s, which the pod does not have", j.Metadata.Name, i, s)
				}
				return v
			})
			if i > 0 {
				if small, ok := tinySweep[c.Args[i-1]]; ok {
					a = small
				}
			}
			if strings.HasPrefix(a, "/") {
				a = hostPath(j, a)
			}
			args = append(args, a)
		}
		return args
	}
	old := getenv
	defer func() { getenv = old }()
	var exploreArgs []string
	for i := range n {
		args := podArgs(ex, i)
		exploreArgs = args
		getenv = func(k string) string {
			switch k {
			case "JOB_COMPLETION_INDEX":
				return strconv.Itoa(i)
			case shardCountEnv:
				return env[shardCountEnv]
			}
			return ""
		}
		code, out, stderr := runArgs(args...)
		if code != exitOK || !strings.Contains(stderr, fmt.Sprintf("shard %d/%d from the Kubernetes Indexed Job", i, n)) {
			t.Fatalf("pod %d: %q: exit %d: %s %s", i, args, code, out, stderr)
		}
	}
	getenv = func(string) string { return "" }
	margs := podArgs(mg, 0)
	if code, out, stderr := runArgs(margs...); code != exitOK {
		t.Fatalf("merge pod: %q: exit %d: %s %s", margs, code, out, stderr)
	}
	// the merge Job writes the atlas to -o on the volume
	o := slices.Index(margs, "-o")
	if o < 0 {
		t.Fatalf("merge-job writes no atlas (-o): %q", margs)
	}
	got, err := os.ReadFile(margs[o+1])
	if err != nil {
		t.Fatal(err)
	}
	// the same sweep on one machine, without -o's shard path
	k := slices.Index(exploreArgs, "-o")
	single := append(slices.Clone(exploreArgs[:k]), exploreArgs[k+2:]...)
	code, want, stderr := runArgs(append(single, "--json")...)
	if code != exitOK {
		t.Fatalf("single: exit %d: %s", code, stderr)
	}
	if !bytes.Equal(got, []byte(want)) {
		t.Error("the Kubernetes Jobs' atlas differs from one machine's")
	}
}

// TestDeploySlurm checks the job array script with bash -n and runs it as
// the three tasks of an array 4-6 (with the sweep made small through its
// variables and relucert being this test binary), then merges the parts:
// the atlas is the one explore makes alone.
func TestDeploySlurm(t *testing.T) {
	script := filepath.Join("..", "..", "deploy", "slurm", "explore.sbatch")
	if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("bash -n %s: %v\n%s", script, err, out)
	}
	text, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^#SBATCH --array=(\d+)-(\d+)\s*$`).FindSubmatch(text)
	if m == nil {
		t.Fatal("no #SBATCH --array=A-B line (a contiguous range)")
	}
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "relucert")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	w := fmt.Sprintf("#!/bin/sh\nexec %q -test.run='^TestExploreChild$' -- \"$@\"\n", self)
	if err := os.WriteFile(wrapper, []byte(w), 0o755); err != nil {
		t.Fatal(err)
	}
	parts := filepath.Join(dir, "parts")
	vars := []string{"RELUCERT=" + wrapper, exploreChildEnv + "=args", "DATA=" + fig3Data, "WIDTHS=5,6", "MUS=-3", "RUNS=2",
		"STEPS=3000", "LR=0.03", "OUT=" + parts, "SLURM_ARRAY_TASK_MIN=4", "SLURM_ARRAY_TASK_MAX=6", "SLURM_ARRAY_TASK_COUNT=3",
		"JOB_COMPLETION_INDEX="}
	for id := 4; id <= 6; id++ {
		cmd := exec.Command("bash", script)
		cmd.Env = append(os.Environ(), append(vars, "SLURM_ARRAY_TASK_ID="+strconv.Itoa(id))...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("array task %d: %v\n%s", id, err, out)
		}
		if !strings.Contains(string(out), fmt.Sprintf("shard %d/3 from the Slurm job array", id-4)) {
			t.Errorf("array task %d says %q", id, out)
		}
	}
	// outside a job array the script refuses to run
	cmd := exec.Command("bash", script)
	cmd.Env = append(os.Environ(), append(vars, "SLURM_ARRAY_TASK_ID=")...)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "not a job array task") {
		t.Errorf("outside an array: %v, %q", err, out)
	}
	code, got, stderr := runArgs("merge", parts, "--json")
	if code != exitOK {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	code, want, stderr := runArgs("explore", fig3Data, "--width", "5,6", "--mu", "-3", "--runs", "2", "--seed", "1", "--steps", "3000", "--lr", "0.03", "--json")
	if code != exitOK {
		t.Fatalf("single: exit %d: %s", code, stderr)
	}
	if got != want {
		t.Error("the job array's atlas differs from one machine's")
	}
}
