package deploy

// The ecosystem files at the repository root: action.yml (a composite GitHub
// Action running `sagekey iac --format sarif` and uploading the SARIF to code
// scanning) and .pre-commit-hooks.yaml (pre-commit hooks). Both are decoded
// strictly into structs written from their documented schemas, so a typo'd
// key (`pass_filename`, `working_directory`) fails here instead of being
// ignored by GitHub or pre-commit, and the properties they rely on are checked.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	yamlv3 "gopkg.in/yaml.v3"
)

const (
	actionFile    = "../action.yml"
	preCommitFile = "../.pre-commit-hooks.yaml"
	iacDoc        = "../docs/iac.md"
	goModFile     = "../go.mod"
)

// actionMetadata is action.yml as documented in "Metadata syntax for GitHub
// Actions". runs has only the composite keys: a composite action with
// `main` or `image` is a mistake this test should catch.
type actionMetadata struct {
	Name        string                  `yaml:"name"`
	Author      string                  `yaml:"author"`
	Description string                  `yaml:"description"`
	Inputs      map[string]actionInput  `yaml:"inputs"`
	Outputs     map[string]actionOutput `yaml:"outputs"`
	Runs        actionRuns              `yaml:"runs"`
	Branding    *actionBranding         `yaml:"branding"`
}

type actionInput struct {
	Description string `yaml:"description"`
	Required    bool   `yaml:"required"`
	// Default is a string: GitHub hands every input to the action as one.
	Default            *string `yaml:"default"`
	DeprecationMessage string  `yaml:"deprecationMessage"`
}

type actionOutput struct {
	Description string `yaml:"description"`
	Value       string `yaml:"value"` // required for composite actions
}

type actionRuns struct {
	Using string       `yaml:"using"`
	Steps []actionStep `yaml:"steps"`
}

// actionStep is a composite step: runs.steps[*].
type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	Uses             string            `yaml:"uses"`
	With             map[string]string `yaml:"with"`
	Env              map[string]string `yaml:"env"`
	WorkingDirectory string            `yaml:"working-directory"`
	ContinueOnError  any               `yaml:"continue-on-error"` // a boolean or an expression
}

type actionBranding struct {
	Icon  string `yaml:"icon"`
	Color string `yaml:"color"`
}

// preCommitHook is one entry of .pre-commit-hooks.yaml as documented at
// https://pre-commit.com/#creating-new-hooks.
type preCommitHook struct {
	ID                      string   `yaml:"id"`
	Name                    string   `yaml:"name"`
	Entry                   string   `yaml:"entry"`
	Language                string   `yaml:"language"`
	Files                   string   `yaml:"files"`
	Exclude                 string   `yaml:"exclude"`
	Types                   []string `yaml:"types"`
	TypesOr                 []string `yaml:"types_or"`
	ExcludeTypes            []string `yaml:"exclude_types"`
	AlwaysRun               *bool    `yaml:"always_run"`
	FailFast                *bool    `yaml:"fail_fast"`
	Verbose                 *bool    `yaml:"verbose"`
	PassFilenames           *bool    `yaml:"pass_filenames"`
	RequireSerial           *bool    `yaml:"require_serial"`
	Description             string   `yaml:"description"`
	LanguageVersion         string   `yaml:"language_version"`
	MinimumPreCommitVersion string   `yaml:"minimum_pre_commit_version"`
	Args                    []string `yaml:"args"`
	Stages                  []string `yaml:"stages"`
}

// decodeStrict decodes one YAML document into out, refusing keys out's type
// lacks (yaml.v3 also refuses duplicate keys) and a second document.
func decodeStrict(data []byte, out any) error {
	dec := yamlv3.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(out); err != nil {
		return err
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err == nil {
			return errors.New("more than one YAML document")
		}
		return err
	}
	return nil
}

func loadAction(t *testing.T) *actionMetadata {
	t.Helper()
	data, err := os.ReadFile(actionFile)
	if err != nil {
		t.Fatal(err)
	}
	var a actionMetadata
	if err := decodeStrict(data, &a); err != nil {
		t.Fatalf("%s: %v", actionFile, err)
	}
	return &a
}

func loadHooks(t *testing.T) []preCommitHook {
	t.Helper()
	data, err := os.ReadFile(preCommitFile)
	if err != nil {
		t.Fatal(err)
	}
	var hooks []preCommitHook
	if err := decodeStrict(data, &hooks); err != nil {
		t.Fatalf("%s: %v", preCommitFile, err)
	}
	if len(hooks) == 0 {
		t.Fatalf("%s: no hooks", preCommitFile)
	}
	return hooks
}

func TestEcosystemDecodeIsStrict(t *testing.T) {
	bad := map[string]struct {
		doc string
		out any
	}{
		"unknown action key":    {"name: x\ndescription: y\nruns: {using: composite, steps: []}\nbrand: {}\n", new(actionMetadata)},
		"unknown step key":      {"name: x\ndescription: y\nruns: {using: composite, steps: [{run: a, shell: bash, working_directory: b}]}\n", new(actionMetadata)},
		"node action in runs":   {"name: x\ndescription: y\nruns: {using: node20, main: index.js}\n", new(actionMetadata)},
		"duplicate key":         {"name: x\nname: y\n", new(actionMetadata)},
		"default not a scalar":  {"name: x\ninputs: {a: {description: d, default: [1]}}\n", new(actionMetadata)},
		"typo'd hook key":       {"- id: x\n  pass_filename: false\n", new([]preCommitHook)},
		"pass_filenames a list": {"- id: x\n  pass_filenames: [no]\n", new([]preCommitHook)},
		"second document":       {"- id: x\n---\n- id: y\n", new([]preCommitHook)},
	}
	for name, c := range bad {
		if err := decodeStrict([]byte(c.doc), c.out); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
	var ok []preCommitHook
	if err := decodeStrict([]byte("- id: x\n  pass_filenames: false\n"), &ok); err != nil {
		t.Errorf("valid hook: %v", err)
	}
}

var (
	exprRE      = regexp.MustCompile(`\$\{\{(.*?)\}\}`)
	inputRefRE  = regexp.MustCompile(`\binputs\.([A-Za-z0-9_-]+)`)
	stepRefRE   = regexp.MustCompile(`\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)
	envUseRE    = regexp.MustCompile(`\$\{?(SK_[A-Z0-9_]+)`)
	usesRE      = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@(v[0-9]+(\.[0-9]+){0,2}|[0-9a-f]{40})$`)
	brandColors = []string{"white", "black", "yellow", "blue", "green", "orange", "red", "purple", "gray-dark"}
	severities  = []string{"critical", "high", "medium", "low"}
)

// stepIndex returns the index of the first step matching, or -1.
func stepIndex(steps []actionStep, match func(actionStep) bool) int {
	return slices.IndexFunc(steps, match)
}

// stepLabel names a step in messages.
func stepLabel(i int, s actionStep) string {
	return fmt.Sprintf("step %d (%q)", i, cmpOr(s.Name, s.ID, s.Uses))
}

func cmpOr(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func TestActionMetadata(t *testing.T) {
	a := loadAction(t)
	if a.Name == "" || a.Description == "" {
		t.Error("name and description are required")
	}
	if a.Branding == nil || a.Branding.Icon == "" || !slices.Contains(brandColors, a.Branding.Color) {
		t.Errorf("branding %+v: want an icon and one of %v", a.Branding, brandColors)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", a.Runs.Using)
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s: no description", name)
		}
		if in.Required && in.Default != nil {
			t.Errorf("input %s: required with a default", name)
		}
	}
	wantDefaults := map[string]string{
		"path": ".", "fail-on": "high", "upload-sarif": "true", "sarif-file": "sagekey.sarif",
		"args": "", "version": "", "category": "",
	}
	for name, want := range wantDefaults {
		in, ok := a.Inputs[name]
		switch {
		case !ok:
			t.Errorf("input %s missing", name)
		case in.Default == nil || *in.Default != want:
			t.Errorf("input %s: default %v, want %q", name, in.Default, want)
		}
	}
	if d := a.Inputs["fail-on"].Default; d != nil && !slices.Contains(severities, *d) {
		t.Errorf("fail-on default %q is not a severity", *d)
	}
	for _, name := range []string{"exit-code", "sarif-file"} {
		if o, ok := a.Outputs[name]; !ok || o.Value == "" || o.Description == "" {
			t.Errorf("output %s: missing, or without value or description", name)
		}
	}
}

// TestActionInputsNeverReachAScript checks the script-injection rule: no run
// script contains an expression at all; inputs, step outputs and contexts
// reach it through env. Every SK_ variable a script reads is in its step's
// env, and every input is both declared and used.
func TestActionInputsNeverReachAScript(t *testing.T) {
	a := loadAction(t)
	used := map[string]bool{}
	noteRefs := func(where, text string) {
		for _, m := range inputRefRE.FindAllStringSubmatch(text, -1) {
			used[m[1]] = true
			if _, ok := a.Inputs[m[1]]; !ok {
				t.Errorf("%s: inputs.%s is not a declared input", where, m[1])
			}
		}
	}
	for i, s := range a.Runs.Steps {
		where := stepLabel(i, s)
		if (s.Run == "") == (s.Uses == "") {
			t.Errorf("%s: want exactly one of run and uses", where)
		}
		if s.Run != "" {
			if s.Shell == "" {
				t.Errorf("%s: a composite run step needs shell", where)
			}
			if exprRE.MatchString(s.Run) || strings.Contains(s.Run, "${{") {
				t.Errorf("%s: the script interpolates an expression; pass it through env", where)
			}
			missing := map[string]bool{}
			for _, m := range envUseRE.FindAllStringSubmatch(s.Run, -1) {
				if _, ok := s.Env[m[1]]; !ok && !missing[m[1]] {
					missing[m[1]] = true
					t.Errorf("%s: the script reads $%s, which its env does not set", where, m[1])
				}
			}
			for name := range s.Env {
				if name == "PATH" || strings.HasPrefix(name, "GITHUB_") || strings.HasPrefix(name, "RUNNER_") {
					t.Errorf("%s: env %s overrides a variable the runner owns", where, name)
				}
			}
		}
		if s.Uses != "" && !usesRE.MatchString(s.Uses) {
			t.Errorf("%s: uses %q is not pinned to a major version tag or a full commit SHA", where, s.Uses)
		}
		noteRefs(where+" if", s.If)
		for k, v := range s.Env {
			noteRefs(where+" env "+k, v)
		}
		for k, v := range s.With {
			noteRefs(where+" with "+k, v)
		}
	}
	for name, o := range a.Outputs {
		noteRefs("output "+name, o.Value)
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %s is declared but never used", name)
		}
	}
}

// TestActionStepOutputs checks that every steps.<id>.outputs.<name> names an
// earlier step that writes that output.
func TestActionStepOutputs(t *testing.T) {
	a := loadAction(t)
	ids := map[string]int{}
	for i, s := range a.Runs.Steps {
		if s.ID != "" {
			if _, dup := ids[s.ID]; dup {
				t.Errorf("step id %q is used twice", s.ID)
			}
			ids[s.ID] = i
		}
	}
	check := func(where string, at int, text string) {
		for _, m := range stepRefRE.FindAllStringSubmatch(text, -1) {
			j, ok := ids[m[1]]
			if !ok || j >= at {
				t.Errorf("%s: steps.%s is not an earlier step", where, m[1])
				continue
			}
			if src := a.Runs.Steps[j]; src.Run != "" && !strings.Contains(src.Run, m[2]+"=") {
				t.Errorf("%s: step %s never writes output %s", where, m[1], m[2])
			}
		}
	}
	for i, s := range a.Runs.Steps {
		where := stepLabel(i, s)
		check(where+" if", i, s.If)
		for _, v := range s.Env {
			check(where+" env", i, v)
		}
		for _, v := range s.With {
			check(where+" with", i, v)
		}
	}
	for name, o := range a.Outputs {
		check("output "+name, len(a.Runs.Steps), o.Value)
	}
}

// TestActionRunsSageKeyAndUploads checks the flow: install sagekey from this
// module, run `sagekey iac --format sarif` keeping its exit status, upload
// the SARIF even when violations were found, then exit with that status.
func TestActionRunsSageKeyAndUploads(t *testing.T) {
	a := loadAction(t)
	steps := a.Runs.Steps
	module := goModule(t)

	install := stepIndex(steps, func(s actionStep) bool { return s.ID == "install" })
	if install < 0 {
		t.Fatal("no step with id install")
	}
	if run := steps[install].Run; !strings.Contains(run, module+"/cmd/sagekey@") || !strings.Contains(run, "./cmd/sagekey") {
		t.Errorf("install step does not build %s/cmd/sagekey (go install ...@version, or the action's source)", module)
	}
	if _, err := os.Stat(filepath.Join("..", "cmd", "sagekey")); err != nil {
		t.Errorf("the install step builds ./cmd/sagekey: %v", err)
	}

	const iacCall = `"$SK_BIN" iac `
	scan := stepIndex(steps, func(s actionStep) bool { return strings.Contains(s.Run, iacCall) })
	if scan < 0 {
		t.Fatal("no step runs `sagekey iac`")
	}
	sc := steps[scan]
	if sc.ID != "scan" {
		t.Errorf("the iac step's id is %q; outputs and later steps read steps.scan", sc.ID)
	}
	iacLine := ""
	for _, line := range strings.Split(sc.Run, "\n") {
		if strings.Contains(line, iacCall) {
			iacLine = line
		}
	}
	for _, want := range []string{"--format sarif", `-o "$SK_SARIF"`, `--fail-on "$SK_FAIL_ON"`, " -- "} {
		if !strings.Contains(iacLine, want) {
			t.Errorf("the iac command %q lacks %q", strings.TrimSpace(iacLine), want)
		}
	}
	if !strings.Contains(sc.Run, "set +e") || !strings.Contains(sc.Run, "code=$?") || !strings.Contains(sc.Run, "exit-code=$code") {
		t.Error("the iac step must keep sagekey's exit status (set +e, code=$?) and write it as output exit-code")
	}
	for env, input := range map[string]string{"SK_SARIF": "sarif-file", "SK_FAIL_ON": "fail-on", "SK_PATHS": "path", "SK_ARGS": "args"} {
		if v := sc.Env[env]; v != "${{ inputs."+input+" }}" {
			t.Errorf("iac step env %s = %q, want ${{ inputs.%s }}", env, v, input)
		}
	}

	upload := stepIndex(steps, func(s actionStep) bool {
		return strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@")
	})
	if upload < 0 {
		t.Fatal("no step uses github/codeql-action/upload-sarif")
	}
	up := steps[upload]
	if upload < scan {
		t.Error("the upload comes before the iac step")
	}
	if up.With["sarif_file"] != "${{ steps.scan.outputs.sarif-file }}" {
		t.Errorf("upload sarif_file = %q, want the iac step's sarif-file output", up.With["sarif_file"])
	}
	if up.With["category"] != "${{ inputs.category }}" {
		t.Errorf("upload category = %q, want ${{ inputs.category }}", up.With["category"])
	}
	if !strings.Contains(up.If, "inputs.upload-sarif == 'true'") || !strings.Contains(up.If, "steps.scan.outputs.sarif-file") {
		t.Errorf("upload if %q: want it gated on the upload-sarif input and on a SARIF file having been written", up.If)
	}
	if strings.Contains(up.If, "steps.scan.outputs.exit-code") {
		t.Error("the upload must not depend on the exit status: violations (exit 3) are what it is for")
	}

	last := steps[len(steps)-1]
	if last.Run == "" || last.Env["SK_CODE"] != "${{ steps.scan.outputs.exit-code }}" || !strings.Contains(last.Run, `exit "$SK_CODE"`) {
		t.Errorf("the last step must exit with the iac step's status, got %+v", last)
	}
	if last.If != "" {
		t.Errorf("the last step has if %q; it must always report the status", last.If)
	}
	if upload > len(steps)-2 {
		t.Error("the upload must come before the final exit step")
	}
}

// goModule is this repository's module path.
func goModule(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(goModFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.TrimSpace(rest)
		}
	}
	t.Fatal("go.mod has no module line")
	return ""
}

func TestPreCommitHooks(t *testing.T) {
	hooks := loadHooks(t)
	seen := map[string]bool{}
	stages := []string{"commit", "pre-commit", "merge-commit", "pre-merge-commit", "push", "pre-push",
		"prepare-commit-msg", "commit-msg", "post-checkout", "post-commit", "post-merge", "post-rewrite", "manual"}
	for _, h := range hooks {
		if h.ID == "" || h.Name == "" || h.Entry == "" || h.Language == "" {
			t.Errorf("hook %+v: id, name, entry and language are required", h)
		}
		if seen[h.ID] {
			t.Errorf("hook id %q is used twice", h.ID)
		}
		seen[h.ID] = true
		for _, s := range h.Stages {
			if !slices.Contains(stages, s) {
				t.Errorf("hook %s: unknown stage %q", h.ID, s)
			}
		}
		if h.Files != "" {
			if _, err := regexp.Compile(h.Files); err != nil {
				t.Errorf("hook %s: files: %v", h.ID, err)
			}
		}
		fields := strings.Fields(h.Entry)
		if len(fields) < 2 || fields[0] != "sagekey" || fields[1] != "iac" {
			t.Errorf("hook %s: entry %q does not start with `sagekey iac`", h.ID, h.Entry)
		}
		if h.PassFilenames == nil || *h.PassFilenames {
			t.Errorf("hook %s: pass_filenames must be false: iac reads the whole configuration (modules, variables, nested stacks)", h.ID)
		}
		if h.Language != "golang" {
			t.Errorf("hook %s: language %q, want golang (pre-commit runs `go install ./...` here)", h.ID, h.Language)
		}
		for i, arg := range h.Args {
			if (arg == "--format" || arg == "-o" || arg == "--output") && i+1 < len(h.Args) && h.Args[i+1] != "table" {
				t.Errorf("hook %s: args write a machine report (%s %s); a hook's output is for the person committing", h.ID, arg, h.Args[i+1])
			}
			if arg == "--fail-on" && (i+1 >= len(h.Args) || !slices.Contains(severities, h.Args[i+1])) {
				t.Errorf("hook %s: --fail-on needs one of %v", h.ID, severities)
			}
		}
	}
	if !seen["sagekey-iac"] {
		t.Error("no hook with id sagekey-iac")
	}
	// `go install ./...` must produce the entry's executable: a main
	// package in a directory named like it.
	src, err := os.ReadFile(filepath.Join("..", "cmd", "sagekey", "main.go"))
	if err != nil || !bytes.Contains(src, []byte("package main")) {
		t.Errorf("cmd/sagekey/main.go is not a main package (%v): pre-commit would install no `sagekey`", err)
	}
}

func TestPreCommitFilesPattern(t *testing.T) {
	var hook *preCommitHook
	hooks := loadHooks(t)
	for i := range hooks {
		if hooks[i].ID == "sagekey-iac" {
			hook = &hooks[i]
		}
	}
	if hook == nil {
		t.Fatal("no hook sagekey-iac")
	}
	re := regexp.MustCompile(hook.Files) // pre-commit uses Python's re.search; this pattern is in their common subset
	for _, name := range []string{"main.tf", "modules/kms/main.tf", "stack.tf.json", "prod.tfvars", "prod.tfvars.json",
		"template.yaml", "template.yml", "cfn/stack.template", "cdk.out/App.template.json", "plan.json"} {
		if !re.MatchString(name) {
			t.Errorf("files %q does not match %s: changing it would not run the hook", hook.Files, name)
		}
	}
	for _, name := range []string{"main.go", "README.md", "Dockerfile", "tf"} {
		if re.MatchString(name) {
			t.Errorf("files %q matches %s", hook.Files, name)
		}
	}
}

// TestIaCDocCoversTheAction keeps docs/iac.md's table of the action's
// inputs and outputs and its pre-commit section in step with the files.
func TestIaCDocCoversTheAction(t *testing.T) {
	data, err := os.ReadFile(iacDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	a := loadAction(t)
	for name := range a.Inputs {
		if !strings.Contains(doc, "`"+name+"`") {
			t.Errorf("%s does not document input `%s`", iacDoc, name)
		}
	}
	for name := range a.Outputs {
		if !strings.Contains(doc, "`"+name+"`") {
			t.Errorf("%s does not document output `%s`", iacDoc, name)
		}
	}
	for _, h := range loadHooks(t) {
		if !strings.Contains(doc, h.ID) {
			t.Errorf("%s does not mention hook %s", iacDoc, h.ID)
		}
	}
}
