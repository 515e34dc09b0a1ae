package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/batch"
	batchtypes "github.com/aws/aws-sdk-go-v2/service/batch/types"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/shard"
)

const (
	batchDir        = "aws-batch"
	batchJobDefFile = batchDir + "/job-definition.json"
	batchArrayFile  = batchDir + "/array-job.json"
	// jobNameLabel is the label Kubernetes puts on a Job's pods with the
	// Job's name: the sweep id every shard of the Job agrees on.
	jobNameLabel = "batch.kubernetes.io/job-name"
)

// The sweep runs as a CronJob: the strict decoder accepts that kind too.
func init() {
	kinds[batchv1.SchemeGroupVersion.WithKind("CronJob")] = func() any { return new(batchv1.CronJob) }
}

// sweepContainer returns the CronJob's pod template and its only container.
func sweepContainer(t *testing.T, cj *batchv1.CronJob) (*corev1.PodSpec, *corev1.Container) {
	t.Helper()
	pod := &cj.Spec.JobTemplate.Spec.Template.Spec
	if len(pod.Containers) != 1 || len(pod.InitContainers) != 0 {
		t.Fatalf("CronJob %s: want one container, have %d (+%d init)", cj.Name, len(pod.Containers), len(pod.InitContainers))
	}
	return pod, &pod.Containers[0]
}

func envVar(c *corev1.Container, name string) (corev1.EnvVar, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e, true
		}
	}
	return corev1.EnvVar{}, false
}

// secretLiteral matches values that must come from a Secret, never a manifest.
var secretLiteral = regexp.MustCompile(`(?i)(postgres(ql)?://|password|passwd|secret=|token=|AKIA[0-9A-Z]{16})`)

func TestSweepDecodeIsStrict(t *testing.T) {
	for name, doc := range map[string]string{
		"wrong case":      "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}\nspec: {schedule: '0 * * * *', jobTemplate: {spec: {completionmode: Indexed}}}\n",
		"misplaced field": "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}\nspec: {schedule: '0 * * * *', completions: 3}\n",
		"old apiVersion":  "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: x}\n",
	} {
		if _, _, err := decode([]byte(doc)); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
	good := "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}\nspec: {schedule: '0 * * * *', jobTemplate: {spec: {completionMode: Indexed, completions: 2}}}\n"
	if _, _, err := decode([]byte(good)); err != nil {
		t.Errorf("valid CronJob: %v", err)
	}
}

func TestSweepCronJob(t *testing.T) {
	ms := loadManifests(t)
	cj := only[batchv1.CronJob](t, ms)
	d := only[appsv1.Deployment](t, ms)
	serveContainer := container(t, d)
	job := cj.Spec.JobTemplate.Spec
	pod, c := sweepContainer(t, cj)

	if cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Errorf("concurrencyPolicy %q: want Forbid, so two sweeps never scan the same units at once", cj.Spec.ConcurrencyPolicy)
	}
	if job.CompletionMode == nil || *job.CompletionMode != batchv1.IndexedCompletion {
		t.Fatal("completionMode: want Indexed (pods get JOB_COMPLETION_INDEX)")
	}
	if job.Completions == nil || *job.Completions < 2 {
		t.Fatalf("completions %v: a sweep needs at least 2 shards", job.Completions)
	}
	n := *job.Completions
	if job.Parallelism == nil || *job.Parallelism != n {
		t.Errorf("parallelism %v, want completions (%d): every shard runs at once", job.Parallelism, n)
	}
	if job.BackoffLimitPerIndex == nil || pod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("want backoffLimitPerIndex with restartPolicy Never (a shard is retried on its own); have %v, %q",
			job.BackoffLimitPerIndex, pod.RestartPolicy)
	}
	if p := job.PodFailurePolicy; p != nil {
		for _, r := range p.Rules {
			if r.OnExitCodes != nil && r.OnExitCodes.ContainerName != nil && *r.OnExitCodes.ContainerName != c.Name {
				t.Errorf("podFailurePolicy names container %q, not %q", *r.OnExitCodes.ContainerName, c.Name)
			}
		}
	}

	// The serve Deployment's image, identity and hardening.
	if c.Image != serveContainer.Image {
		t.Errorf("image %q, want the serve Deployment's %q", c.Image, serveContainer.Image)
	}
	if pod.ServiceAccountName != d.Spec.Template.Spec.ServiceAccountName {
		t.Errorf("serviceAccountName %q, want the Deployment's %q (IRSA)", pod.ServiceAccountName, d.Spec.Template.Spec.ServiceAccountName)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("automountServiceAccountToken: want false, as the Deployment")
	}
	if !reflect.DeepEqual(pod.SecurityContext, d.Spec.Template.Spec.SecurityContext) {
		t.Errorf("pod securityContext %+v differs from the Deployment's", pod.SecurityContext)
	}
	if !reflect.DeepEqual(c.SecurityContext, serveContainer.SecurityContext) {
		t.Errorf("container securityContext %+v differs from the Deployment's", c.SecurityContext)
	}
	if len(c.Command) > 0 {
		t.Errorf("command %q overrides the image's ENTRYPOINT; set args only", c.Command)
	}

	// sagekey scan --shard auto, with the count and the sweep id from env.
	if len(c.Args) == 0 || c.Args[0] != "scan" {
		t.Fatalf("args %q: want `scan ...`", c.Args)
	}
	if v, _ := flagValue(c.Args, "shard"); v != shard.Auto {
		t.Errorf("--shard %q, want %q", v, shard.Auto)
	}
	count, ok := envVar(c, shard.EnvCount)
	if !ok || count.Value != strconv.Itoa(int(n)) {
		t.Errorf("env %s = %q, want completions (%d): Kubernetes does not expose the count", shard.EnvCount, count.Value, n)
	}
	sweepRef, _ := flagValue(c.Args, "sweep")
	name, isRef := strings.CutPrefix(sweepRef, "$(")
	name, closed := strings.CutSuffix(name, ")")
	if !isRef || !closed {
		t.Fatalf("--sweep %q: want $(VAR) naming the Job, so every shard agrees", sweepRef)
	}
	if e, ok := envVar(c, name); !ok || e.ValueFrom == nil || e.ValueFrom.FieldRef == nil ||
		e.ValueFrom.FieldRef.FieldPath != "metadata.labels['"+jobNameLabel+"']" {
		t.Errorf("env %s: want the pod's %s label (the Job's name), have %+v", name, jobNameLabel, e)
	}
	if db, ok := envVar(c, "SAGEKEY_DB"); !ok || db.ValueFrom == nil || db.ValueFrom.SecretKeyRef == nil ||
		db.ValueFrom.SecretKeyRef.Name != secretName {
		t.Errorf("SAGEKEY_DB: want it from Secret %s, as the Deployment", secretName)
	}
	for _, e := range c.Env {
		if secretLiteral.MatchString(e.Value) || strings.HasPrefix(e.Name, "AWS_ACCESS_KEY") || strings.HasPrefix(e.Name, "AWS_SECRET") {
			t.Errorf("env %s carries a secret literal or static AWS keys", e.Name)
		}
	}
	if cfg, ok := flagValue(c.Args, "config"); ok {
		mounted := false
		for _, vm := range c.VolumeMounts {
			mounted = mounted || (strings.HasPrefix(cfg, vm.MountPath+"/") && vm.ReadOnly)
		}
		if !mounted {
			t.Errorf("--config %s is not on a read-only mount", cfg)
		}
	}
	if out, ok := flagValue(c.Args, "output"); ok {
		writable := false
		for _, vm := range c.VolumeMounts {
			writable = writable || (strings.HasPrefix(out, vm.MountPath+"/") && !vm.ReadOnly)
		}
		if !writable {
			t.Errorf("--output %s: the root filesystem is read-only and no writable volume holds it", out)
		}
	}
	checkScanArgs(t, "CronJob", c.Args)

	// The sweep pods are not the server's: no Service endpoint, no PDB.
	podLabels := labels.Set(cj.Spec.JobTemplate.Spec.Template.Labels)
	if podLabels["app.kubernetes.io/name"] != "sagekey" {
		t.Error("sweep pods lack app.kubernetes.io/name=sagekey")
	}
	svc := only[corev1.Service](t, ms)
	if labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) {
		t.Errorf("Service %s selects the sweep pods %v: it would send requests to a scan", svc.Name, podLabels)
	}
	for _, pdb := range all[policyv1.PodDisruptionBudget](ms) {
		if sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); err == nil && sel.Matches(podLabels) {
			t.Errorf("PodDisruptionBudget %s selects the sweep pods", pdb.Name)
		}
	}
}

// checkScanArgs parses args with sagekey's own flag set, so a misspelt or
// removed flag fails here rather than in the cluster at 3 a.m.
func checkScanArgs(t *testing.T, where string, args []string) {
	t.Helper()
	var out bytes.Buffer
	root := cli.NewRootCommand(cli.Env{Stdout: &out, Stderr: &out})
	cmd, rest, err := root.Find(args)
	if err != nil || cmd.Name() != "scan" {
		t.Fatalf("%s: %q is not a scan command: %v", where, args, err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Errorf("%s: sagekey scan rejects %q: %v", where, args, err)
	}
}

// decodeAWS decodes an AWS CLI input file (`--cli-input-json`) into the SDK
// input type strictly: the SDK types have no json tags, and encoding/json
// matches keys to field names case-insensitively, so besides rejecting
// unknown keys every key must be the field name with its first letter
// lowered — the exact spelling the AWS CLI accepts.
func decodeAWS(data []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return err
	}
	var tree any
	if err := json.Unmarshal(data, &tree); err != nil {
		return err
	}
	return exactKeys("", tree, reflect.TypeOf(into))
}

func exactKeys(at string, v any, typ reflect.Type) error {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch v := v.(type) {
	case map[string]any:
		if typ.Kind() == reflect.Map {
			for k, e := range v {
				if err := exactKeys(at+k+".", e, typ.Elem()); err != nil {
					return err
				}
			}
			return nil
		}
		for k, e := range v {
			r, size := utf8.DecodeRuneInString(k)
			f, ok := typ.FieldByName(string(unicode.ToUpper(r)) + k[size:])
			if !ok || !unicode.IsLower(r) {
				return fmt.Errorf("key %s%s is not the AWS CLI spelling of a field of %s", at, k, typ.Name())
			}
			if err := exactKeys(at+k+".", e, f.Type); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := exactKeys(fmt.Sprintf("%s%d.", at, i), e, typ.Elem()); err != nil {
				return err
			}
		}
	}
	return nil
}

func loadAWS(t *testing.T, path string, into any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := decodeAWS(data, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestBatchDecodeIsStrict(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown key":   `{"jobDefinitionName": "x", "containerProperties": {"imagee": "x"}}`,
		"Go spelling":   `{"JobDefinitionName": "x"}`,
		"wrong case":    `{"jobDefinitionName": "x", "containerProperties": {"jobrolearn": "x"}}`,
		"wrong type":    `{"jobDefinitionName": "x", "retryStrategy": {"attempts": "two"}}`,
		"wrong nesting": `{"jobDefinitionName": "x", "image": "x"}`,
	} {
		if err := decodeAWS([]byte(doc), new(batch.RegisterJobDefinitionInput)); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
	good := `{"jobDefinitionName": "x", "containerProperties": {"jobRoleArn": "x", "environment": [{"name": "A", "value": "b"}]}, "tags": {"K": "v"}}`
	if err := decodeAWS([]byte(good), new(batch.RegisterJobDefinitionInput)); err != nil {
		t.Errorf("valid input: %v", err)
	}
}

func TestBatchJobDefinition(t *testing.T) {
	var def batch.RegisterJobDefinitionInput
	loadAWS(t, batchJobDefFile, &def)
	var sub batch.SubmitJobInput
	loadAWS(t, batchArrayFile, &sub)
	d := only[appsv1.Deployment](t, loadManifests(t))

	if def.Type != batchtypes.JobDefinitionTypeContainer || def.ContainerProperties == nil {
		t.Fatalf("type %q: want a container job definition", def.Type)
	}
	if len(def.PlatformCapabilities) != 1 {
		t.Errorf("platformCapabilities %v: want FARGATE or EC2", def.PlatformCapabilities)
	}
	cp := def.ContainerProperties
	if img := deref(cp.Image); img != container(t, d).Image {
		t.Errorf("image %q, want the serve Deployment's %q", img, container(t, d).Image)
	}
	if len(cp.Command) == 0 || cp.Command[0] != "scan" {
		t.Fatalf("command %q: want `scan ...` (the image's ENTRYPOINT is sagekey)", cp.Command)
	}
	if v, _ := flagValue(cp.Command, "shard"); v != shard.Auto {
		t.Errorf("--shard %q, want %q", v, shard.Auto)
	}
	// The sweep id defaults to the array's parent job id, which every child
	// shares; a fixed --sweep would put every sweep under one id.
	if v, ok := flagValue(cp.Command, "sweep"); ok {
		t.Errorf("--sweep %q: leave it to the parent job id", v)
	}
	checkScanArgs(t, batchJobDefFile, cp.Command)
	iamRole := regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/\S+$`)
	if !iamRole.MatchString(deref(cp.JobRoleArn)) {
		t.Errorf("jobRoleArn %q is not an IAM role ARN (the audit role, as IRSA's in Kubernetes)", deref(cp.JobRoleArn))
	}
	if cp.ReadonlyRootFilesystem == nil || !*cp.ReadonlyRootFilesystem || (cp.Privileged != nil && *cp.Privileged) {
		t.Error("want readonlyRootFilesystem true and not privileged, as the Deployment")
	}

	// The count comes from AWS Batch (AWS_BATCH_JOB_ARRAY_SIZE): no env may
	// restate it, nor use Batch's reserved prefix, nor carry a secret.
	for _, e := range cp.Environment {
		name, value := deref(e.Name), deref(e.Value)
		switch {
		case strings.HasPrefix(name, "AWS_BATCH_"):
			t.Errorf("env %s: AWS Batch reserves the AWS_BATCH_ prefix", name)
		case name == shard.EnvCount:
			t.Errorf("env %s: AWS Batch passes the array size itself; a second count can disagree", name)
		case name == "SAGEKEY_DB" || strings.HasPrefix(name, "AWS_ACCESS_KEY") || strings.HasPrefix(name, "AWS_SECRET"):
			t.Errorf("env %s: credentials come from secrets and the job role", name)
		case secretLiteral.MatchString(value):
			t.Errorf("env %s carries a secret literal", name)
		}
	}
	db := false
	for _, s := range cp.Secrets {
		if deref(s.Name) == "SAGEKEY_DB" {
			db = regexp.MustCompile(`^arn:aws[a-z-]*:(secretsmanager|ssm):`).MatchString(deref(s.ValueFrom))
		}
	}
	if !db {
		t.Error("SAGEKEY_DB: want it from a Secrets Manager or SSM parameter ARN in secrets")
	}
	if deref(cp.ExecutionRoleArn) == "" && len(cp.Secrets) > 0 {
		t.Error("secrets need an executionRoleArn to be read")
	}
	exits := map[string]batchtypes.RetryAction{}
	if def.RetryStrategy != nil {
		for _, e := range def.RetryStrategy.EvaluateOnExit {
			exits[deref(e.OnExitCode)] = e.Action
		}
	}
	if exits["3"] != batchtypes.RetryActionExit {
		t.Error("retryStrategy: exit 3 (violations, run stored) must not be retried")
	}

	// The array job runs that definition with at least two shards.
	if deref(sub.JobDefinition) != deref(def.JobDefinitionName) {
		t.Errorf("array job runs %q, want the job definition %q", deref(sub.JobDefinition), deref(def.JobDefinitionName))
	}
	if sub.ArrayProperties == nil || sub.ArrayProperties.Size == nil || *sub.ArrayProperties.Size < 2 || *sub.ArrayProperties.Size > 10000 {
		t.Errorf("arrayProperties.size %v: want 2 to 10,000 shards", sub.ArrayProperties)
	}
	if sub.ContainerOverrides != nil && len(sub.ContainerOverrides.Command) > 0 {
		t.Error("containerOverrides.command: keep the command in the job definition, which the test checks")
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
