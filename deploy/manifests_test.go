package deploy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

const (
	manifestDir = "kubernetes"
	dockerfile  = "../Dockerfile"
	// imageRepo is the image every workload runs; the README names it too.
	imageRepo = "ghcr.io/sagekey/sagekey"
	// secretName is the Secret the Deployment reads. The example Secret in
	// kubernetes/ must have another name so applying the directory never
	// overwrites the real one with placeholders.
	secretName = "sagekey"
	configKey  = "sagekey.yaml"
)

// kinds are the only objects the manifests may contain; anything else (a
// typo'd kind, a CRD that may not be installed) fails the test.
var kinds = map[schema.GroupVersionKind]func() any{
	corev1.SchemeGroupVersion.WithKind("Namespace"):             func() any { return new(corev1.Namespace) },
	corev1.SchemeGroupVersion.WithKind("ServiceAccount"):        func() any { return new(corev1.ServiceAccount) },
	corev1.SchemeGroupVersion.WithKind("ConfigMap"):             func() any { return new(corev1.ConfigMap) },
	corev1.SchemeGroupVersion.WithKind("Secret"):                func() any { return new(corev1.Secret) },
	corev1.SchemeGroupVersion.WithKind("Service"):               func() any { return new(corev1.Service) },
	appsv1.SchemeGroupVersion.WithKind("Deployment"):            func() any { return new(appsv1.Deployment) },
	policyv1.SchemeGroupVersion.WithKind("PodDisruptionBudget"): func() any { return new(policyv1.PodDisruptionBudget) },
	networkingv1.SchemeGroupVersion.WithKind("NetworkPolicy"):   func() any { return new(networkingv1.NetworkPolicy) },
}

// manifest is one decoded YAML document.
type manifest struct {
	where string // file#index, for messages
	gvk   schema.GroupVersionKind
	obj   any // pointer to the typed API object
}

// decode decodes one YAML document strictly: it must name a known
// apiVersion/kind, have no duplicate keys, no field the type lacks, and no key
// that matches a field only case-insensitively (encoding/json would accept
// `readonlyrootfilesystem`; the API server would not).
func decode(doc []byte) (schema.GroupVersionKind, any, error) {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return schema.GroupVersionKind{}, nil, err
	}
	if tm.APIVersion == "" || tm.Kind == "" {
		return schema.GroupVersionKind{}, nil, errors.New("document has no apiVersion or kind")
	}
	gv, err := schema.ParseGroupVersion(tm.APIVersion)
	if err != nil {
		return schema.GroupVersionKind{}, nil, err
	}
	gvk := gv.WithKind(tm.Kind)
	newObj, ok := kinds[gvk]
	if !ok {
		return gvk, nil, fmt.Errorf("unknown or unexpected kind %s", gvk)
	}
	obj := newObj()
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return gvk, nil, fmt.Errorf("%s: %w", gvk.Kind, err)
	}
	// Case-exact field names: every key of the input must survive a round trip
	// through the typed object under the same spelling.
	in, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return gvk, nil, err
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return gvk, nil, err
	}
	var inTree, outTree any
	if err := json.Unmarshal(in, &inTree); err != nil {
		return gvk, nil, err
	}
	if err := json.Unmarshal(out, &outTree); err != nil {
		return gvk, nil, err
	}
	if err := sameKeys("", inTree, outTree); err != nil {
		return gvk, nil, fmt.Errorf("%s: %w", gvk.Kind, err)
	}
	return gvk, obj, nil
}

// sameKeys reports a key of in that out does not have under exactly that name.
// A key whose value is empty may be dropped by omitempty.
func sameKeys(at string, in, out any) error {
	switch in := in.(type) {
	case map[string]any:
		outMap, _ := out.(map[string]any)
		for k, v := range in {
			o, ok := outMap[k]
			if !ok {
				if isEmpty(v) {
					continue
				}
				return fmt.Errorf("field %s%s is not a field of the API type (check its spelling and case)", at, k)
			}
			if err := sameKeys(at+k+".", v, o); err != nil {
				return err
			}
		}
	case []any:
		outList, _ := out.([]any)
		if len(outList) != len(in) {
			return nil // not comparable element by element; the strict decode already checked them
		}
		for i := range in {
			if err := sameKeys(fmt.Sprintf("%s%d.", at, i), in[i], outList[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case float64:
		return v == 0
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// splitDocuments splits a multi-document YAML stream, dropping documents that
// are only comments or whitespace.
func splitDocuments(data []byte) ([][]byte, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, err
		}
		if s := strings.TrimSpace(string(j)); s == "null" || s == "" {
			continue
		}
		docs = append(docs, doc)
	}
}

// loadManifests decodes every document of every manifest file.
func loadManifests(t *testing.T) []manifest {
	t.Helper()
	entries, err := os.ReadDir(manifestDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []manifest
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			t.Errorf("%s/%s: subdirectory; `kubectl apply -f %s/` would not apply it", manifestDir, name, manifestDir)
			continue
		}
		switch filepath.Ext(name) {
		case ".yaml":
		case ".yml", ".json":
			t.Errorf("%s/%s: use .yaml like the other manifests", manifestDir, name)
			continue
		default:
			continue
		}
		data, err := os.ReadFile(filepath.Join(manifestDir, name))
		if err != nil {
			t.Fatal(err)
		}
		docs, err := splitDocuments(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(docs) == 0 {
			t.Errorf("%s: no Kubernetes object", name)
		}
		for i, doc := range docs {
			where := fmt.Sprintf("%s#%d", name, i)
			gvk, obj, err := decode(doc)
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			out = append(out, manifest{where: where, gvk: gvk, obj: obj})
		}
	}
	if len(out) == 0 {
		t.Fatal("no manifests decoded")
	}
	return out
}

// only returns the single object of type T, failing unless there is exactly one.
func only[T any](t *testing.T, ms []manifest) *T {
	t.Helper()
	var found []*T
	for _, m := range ms {
		if o, ok := m.obj.(*T); ok {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		var zero T
		t.Fatalf("want exactly one %T in %s/, found %d", zero, manifestDir, len(found))
	}
	return found[0]
}

func all[T any](ms []manifest) []*T {
	var found []*T
	for _, m := range ms {
		if o, ok := m.obj.(*T); ok {
			found = append(found, o)
		}
	}
	return found
}

func objectMeta(obj any) *metav1.ObjectMeta {
	return obj.(metav1.ObjectMetaAccessor).GetObjectMeta().(*metav1.ObjectMeta)
}

func TestDecodeIsStrict(t *testing.T) {
	bad := map[string]string{
		"unknown field": `
apiVersion: v1
kind: ConfigMap
metadata: {name: x}
datta: {a: b}
`,
		"misplaced field": `
apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  template:
    spec:
      readOnlyRootFilesystem: true
      containers: [{name: x, image: x}]
`,
		"wrong case": `
apiVersion: v1
kind: Service
metadata: {name: x}
spec: {ports: [{port: 80, targetport: 8080}]}
`,
		"duplicate key": `
apiVersion: v1
kind: ServiceAccount
metadata: {name: x, name: y}
`,
		"unknown kind":       "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n",
		"unknown apiVersion": "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: x}\n",
		"no kind":            "apiVersion: v1\nmetadata: {name: x}\n",
		"wrong type":         "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: two}\n",
	}
	for name, doc := range bad {
		if _, _, err := decode([]byte(doc)); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
	good := "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: 80, targetPort: http}]}\n"
	if _, _, err := decode([]byte(good)); err != nil {
		t.Errorf("valid Service: %v", err)
	}
	docs, err := splitDocuments([]byte("# only a comment\n---\n" + good + "---\n\n---\n" + good))
	if err != nil || len(docs) != 2 {
		t.Errorf("splitDocuments: %d documents, %v; want 2", len(docs), err)
	}
}

func TestManifestsObjects(t *testing.T) {
	ms := loadManifests(t)
	ns := only[corev1.Namespace](t, ms)
	if ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		t.Errorf("Namespace %s: want Pod Security label enforce=restricted", ns.Name)
	}
	seen := map[string]string{}
	for _, m := range ms {
		meta := objectMeta(m.obj)
		if meta.Name == "" {
			t.Errorf("%s: %s has no name", m.where, m.gvk.Kind)
		}
		key := m.gvk.Kind + "/" + meta.Name
		if m.gvk.Kind != "Namespace" {
			if meta.Namespace != ns.Name {
				t.Errorf("%s: %s is in namespace %q, want %q", m.where, key, meta.Namespace, ns.Name)
			}
		}
		if prev, dup := seen[key]; dup {
			t.Errorf("%s: %s is also defined in %s", m.where, key, prev)
		}
		seen[key] = m.where
		if meta.Labels["app.kubernetes.io/name"] != "sagekey" {
			t.Errorf("%s: %s lacks label app.kubernetes.io/name=sagekey", m.where, key)
		}
	}
}

// container returns the Deployment's sagekey container (the only one).
func container(t *testing.T, d *appsv1.Deployment) *corev1.Container {
	t.Helper()
	spec := &d.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("Deployment %s: want one container, have %d", d.Name, len(spec.Containers))
	}
	return &spec.Containers[0]
}

// flagValue returns the value of --name in args (as "--name v" or "--name=v").
func flagValue(args []string, name string) (string, bool) {
	for i, a := range args {
		if a == "--"+name && i+1 < len(args) {
			return args[i+1], true
		}
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// resolvePort finds the container port a probe or Service names.
func resolvePort(c *corev1.Container, p intstr.IntOrString) (corev1.ContainerPort, bool) {
	for _, cp := range c.Ports {
		if (p.Type == intstr.String && p.StrVal == cp.Name) || (p.Type == intstr.Int && p.IntVal == cp.ContainerPort) {
			return cp, true
		}
	}
	return corev1.ContainerPort{}, false
}

func TestDeploymentSecurity(t *testing.T) {
	ms := loadManifests(t)
	d := only[appsv1.Deployment](t, ms)
	c := container(t, d)
	pod := d.Spec.Template.Spec

	if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("replicas: want 2 (they share one PostgreSQL store; its lock serialises scans)")
	}
	if d.Spec.Selector == nil {
		t.Fatal("Deployment has no selector")
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil || sel.Empty() || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("Deployment selector %v does not match its pod template's labels %v (%v)", d.Spec.Selector, d.Spec.Template.Labels, err)
	}

	psc := pod.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	csc := c.SecurityContext
	if csc == nil {
		t.Fatal("container has no securityContext")
	}
	// The container's setting wins over the pod's.
	runAsNonRoot := psc.RunAsNonRoot
	if csc.RunAsNonRoot != nil {
		runAsNonRoot = csc.RunAsNonRoot
	}
	if runAsNonRoot == nil || !*runAsNonRoot {
		t.Error("runAsNonRoot is not true")
	}
	runAsUser := psc.RunAsUser
	if csc.RunAsUser != nil {
		runAsUser = csc.RunAsUser
	}
	if runAsUser == nil || *runAsUser == 0 {
		t.Error("runAsUser must be a non-zero UID (the kubelet can only verify runAsNonRoot for a numeric user)")
	} else if uid := dockerfileUser(t); uid != strconv.FormatInt(*runAsUser, 10) {
		t.Errorf("runAsUser %d differs from the Dockerfile's USER %s", *runAsUser, uid)
	}
	if csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem {
		t.Error("readOnlyRootFilesystem is not true")
	}
	if csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation {
		t.Error("allowPrivilegeEscalation is not false")
	}
	if csc.Privileged != nil && *csc.Privileged {
		t.Error("container is privileged")
	}
	if csc.Capabilities == nil || !slices.Contains(csc.Capabilities.Drop, "ALL") || len(csc.Capabilities.Add) > 0 {
		t.Errorf("capabilities: want drop [ALL] and nothing added, have %+v", csc.Capabilities)
	}
	seccomp := psc.SeccompProfile
	if csc.SeccompProfile != nil {
		seccomp = csc.SeccompProfile
	}
	if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("seccompProfile: want RuntimeDefault, have %+v", seccomp)
	}
	if pod.HostNetwork || pod.HostPID || pod.HostIPC {
		t.Error("pod shares a host namespace")
	}

	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, okReq := c.Resources.Requests[r]
		lim, okLim := c.Resources.Limits[r]
		if !okReq || !okLim {
			t.Errorf("resources: %s needs both a request and a limit", r)
			continue
		}
		if req.Cmp(lim) > 0 {
			t.Errorf("resources: %s request %s exceeds its limit %s", r, req.String(), lim.String())
		}
	}

	// AWS credentials come from IRSA only.
	sa := only[corev1.ServiceAccount](t, ms)
	if pod.ServiceAccountName != sa.Name {
		t.Errorf("serviceAccountName %q, want %q", pod.ServiceAccountName, sa.Name)
	}
	if arn := sa.Annotations["eks.amazonaws.com/role-arn"]; !regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/\S+$`).MatchString(arn) {
		t.Errorf("ServiceAccount %s: eks.amazonaws.com/role-arn %q is not an IAM role ARN", sa.Name, arn)
	}
	for _, e := range c.Env {
		if strings.HasPrefix(e.Name, "AWS_ACCESS_KEY") || strings.HasPrefix(e.Name, "AWS_SECRET") || e.Name == "AWS_SESSION_TOKEN" {
			t.Errorf("env %s: AWS credentials come from IRSA, not static keys", e.Name)
		}
	}
}

func TestDeploymentServeContract(t *testing.T) {
	ms := loadManifests(t)
	d := only[appsv1.Deployment](t, ms)
	c := container(t, d)
	pod := d.Spec.Template.Spec

	if len(c.Command) > 0 {
		t.Errorf("command %q overrides the image's ENTRYPOINT; set args only", c.Command)
	}
	if len(c.Args) == 0 || c.Args[0] != "serve" {
		t.Fatalf("args %q: want `serve ...`", c.Args)
	}
	dockerArgs := dockerfileExecForm(t, "CMD")
	for _, f := range []string{"listen", "auth-token-file"} {
		dv, _ := flagValue(dockerArgs, f)
		kv, _ := flagValue(c.Args, f)
		if dv != kv {
			t.Errorf("--%s is %q in the Deployment but %q in the Dockerfile's CMD", f, kv, dv)
		}
	}

	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 8080 {
		t.Fatalf("ports %+v: want one port named http, 8080", c.Ports)
	}
	port := c.Ports[0]
	listen, ok := flagValue(c.Args, "listen")
	if !ok {
		t.Fatal("no --listen: the default 127.0.0.1:8080 is unreachable from outside the pod")
	}
	host, p, err := net.SplitHostPort(listen)
	if err != nil {
		t.Fatalf("--listen %q: %v", listen, err)
	}
	if p != strconv.Itoa(int(port.ContainerPort)) {
		t.Errorf("--listen port %s is not the container port %d", p, port.ContainerPort)
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		t.Errorf("--listen %q is loopback: probes and the Service could not reach it", listen)
	}
	if exposed := dockerfileInstruction(t, "EXPOSE"); !slices.Contains(exposed, strconv.Itoa(int(port.ContainerPort))) {
		t.Errorf("Dockerfile EXPOSE %q does not include the container port %d", exposed, port.ContainerPort)
	}

	// Mounted files: --config from the ConfigMap, --auth-token-file from the Secret.
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	for _, vm := range c.VolumeMounts {
		if _, ok := volumes[vm.Name]; !ok {
			t.Errorf("volumeMount %s: no such volume", vm.Name)
		}
	}
	// fileSource finds the volume and the key of it that provides file.
	fileSource := func(file string) (corev1.Volume, corev1.VolumeMount, string, bool) {
		for _, vm := range c.VolumeMounts {
			dir := path.Clean(vm.MountPath)
			if path.Dir(file) != dir {
				continue
			}
			v := volumes[vm.Name]
			var items []corev1.KeyToPath
			switch {
			case v.ConfigMap != nil:
				items = v.ConfigMap.Items
			case v.Secret != nil:
				items = v.Secret.Items
			}
			if len(items) == 0 {
				return v, vm, path.Base(file), true
			}
			for _, it := range items {
				if it.Path == path.Base(file) {
					return v, vm, it.Key, true
				}
			}
		}
		return corev1.Volume{}, corev1.VolumeMount{}, "", false
	}

	cm := only[corev1.ConfigMap](t, ms)
	cfg, ok := flagValue(c.Args, "config")
	if !ok {
		t.Error("no --config")
	} else if v, vm, key, ok := fileSource(cfg); !ok || v.ConfigMap == nil || v.ConfigMap.Name != cm.Name || !vm.ReadOnly {
		t.Errorf("--config %s is not a read-only mount of ConfigMap %s", cfg, cm.Name)
	} else if _, ok := cm.Data[key]; !ok {
		t.Errorf("--config %s: ConfigMap %s has no key %q", cfg, cm.Name, key)
	}

	var tokenKey string
	tokenFile, ok := flagValue(c.Args, "auth-token-file")
	if !ok {
		t.Error("no --auth-token-file: serve refuses a non-loopback --listen without it")
	} else if v, vm, key, ok := fileSource(tokenFile); !ok || v.Secret == nil || v.Secret.SecretName != secretName || !vm.ReadOnly {
		t.Errorf("--auth-token-file %s is not a read-only mount of Secret %s", tokenFile, secretName)
	} else {
		tokenKey = key
		if m := v.Secret.DefaultMode; m == nil || *m&0o007 != 0 {
			t.Errorf("the token volume's defaultMode must not be world-readable")
		}
	}

	// Probes: unauthenticated /healthz and /readyz on the container port.
	probes := map[string]struct {
		probe *corev1.Probe
		path  string
	}{
		"livenessProbe":  {c.LivenessProbe, "/healthz"},
		"readinessProbe": {c.ReadinessProbe, "/readyz"},
		"startupProbe":   {c.StartupProbe, "/healthz"},
	}
	for name, want := range probes {
		pr := want.probe
		if pr == nil {
			if name != "startupProbe" {
				t.Errorf("no %s", name)
			}
			continue
		}
		if pr.HTTPGet == nil {
			t.Errorf("%s: want an httpGet probe", name)
			continue
		}
		if pr.HTTPGet.Path != want.path {
			t.Errorf("%s: path %q, want %q", name, pr.HTTPGet.Path, want.path)
		}
		if cp, ok := resolvePort(c, pr.HTTPGet.Port); !ok || cp.ContainerPort != port.ContainerPort {
			t.Errorf("%s: port %s is not the container port", name, pr.HTTPGet.Port.String())
		}
		if s := pr.HTTPGet.Scheme; s != "" && s != corev1.URISchemeHTTP {
			t.Errorf("%s: scheme %s; serve speaks plain HTTP", name, s)
		}
		for _, h := range pr.HTTPGet.HTTPHeaders {
			if strings.EqualFold(h.Name, "Authorization") {
				t.Errorf("%s: the probe endpoints are unauthenticated; no token belongs in a probe header", name)
			}
		}
	}

	// Secrets reach the process only through secretKeyRef environment variables
	// and the mounted token: never a literal value, never an argument.
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	for _, ef := range c.EnvFrom {
		t.Errorf("envFrom %+v: name each variable explicitly", ef)
	}
	secretish := regexp.MustCompile(`(?i)DB|DSN|SECRET|PASSWORD|TOKEN|KEY|CREDENTIAL|WEBHOOK`)
	referenced := map[string]bool{}
	if tokenKey != "" {
		referenced[tokenKey] = true
	}
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			ref := e.ValueFrom.SecretKeyRef
			if ref.Name != secretName {
				t.Errorf("env %s: secretKeyRef to %q, want %q", e.Name, ref.Name, secretName)
			}
			if ref.Optional != nil && *ref.Optional {
				t.Errorf("env %s: secretKeyRef must not be optional", e.Name)
			}
			referenced[ref.Key] = true
			continue
		}
		if secretish.MatchString(e.Name) {
			t.Errorf("env %s: must come from a secretKeyRef, not a literal value or another source", e.Name)
		}
	}
	if e, ok := env["SAGEKEY_DB"]; !ok || e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
		t.Error("SAGEKEY_DB must be set from a secretKeyRef")
	}
	for _, a := range c.Args {
		if a == "--db" || strings.HasPrefix(a, "--db=") {
			t.Errorf("args: --db would expose the DSN; the store comes from SAGEKEY_DB")
		}
		if strings.Contains(a, "://") {
			t.Errorf("args: %q looks like a URL; the DSN and webhook URL come from the Secret", a)
		}
	}

	// The Secret's example lists exactly the keys the Deployment reads, and is
	// named so that applying the directory cannot replace the real Secret.
	secrets := all[corev1.Secret](ms)
	if len(secrets) != 1 {
		t.Fatalf("want one example Secret in %s/, found %d", manifestDir, len(secrets))
	}
	example := secrets[0]
	if example.Name == secretName {
		t.Errorf("the example Secret is named %q, which `kubectl apply -f %s/` would overwrite with placeholders", secretName, manifestDir)
	}
	values := map[string]string{}
	for k, v := range example.StringData {
		values[k] = v
	}
	for k, v := range example.Data {
		values[k] = string(v)
	}
	for k := range referenced {
		if _, ok := values[k]; !ok {
			t.Errorf("the example Secret lacks key %q, which the Deployment reads", k)
		}
	}
	for k, v := range values {
		if !referenced[k] {
			t.Errorf("the example Secret's key %q is not used by the Deployment", k)
		}
		if !strings.Contains(v, "EXAMPLE") {
			t.Errorf("the example Secret's %s value does not say EXAMPLE: only placeholders belong in Git", k)
		}
		for _, a := range append(slices.Clone(c.Args), c.Command...) {
			if strings.Contains(a, v) {
				t.Errorf("args contain the value of secret key %s", k)
			}
		}
		for _, e := range c.Env {
			if e.Value != "" && strings.Contains(e.Value, v) {
				t.Errorf("env %s contains the value of secret key %s", e.Name, k)
			}
		}
	}
	if _, ok := values["SAGEKEY_DB"]; ok && !strings.HasPrefix(values["SAGEKEY_DB"], "postgres://") {
		t.Errorf("the example SAGEKEY_DB should be a postgres:// URL")
	}

	// The webhook sink's url_env/secret_env must be set, from the Secret.
	for _, name := range sinkEnvVars(t, cm) {
		e, ok := env[name]
		if !ok || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			t.Errorf("sagekey.yaml names env %s for a sink, but the container does not set it from the Secret", name)
		}
	}
}

func TestImage(t *testing.T) {
	ms := loadManifests(t)
	var images []string
	for _, d := range all[appsv1.Deployment](ms) {
		for _, c := range append(slices.Clone(d.Spec.Template.Spec.InitContainers), d.Spec.Template.Spec.Containers...) {
			images = append(images, c.Image)
		}
	}
	if len(images) == 0 {
		t.Fatal("no container")
	}
	for _, img := range images {
		if img != images[0] {
			t.Errorf("images differ: %q and %q", img, images[0])
		}
	}
	repo, tag, ok := strings.Cut(images[0], ":")
	if strings.Contains(images[0], "@sha256:") {
		repo, _, _ = strings.Cut(images[0], "@")
		tag, ok = "digest", true
	}
	if repo != imageRepo {
		t.Errorf("image %q: want repository %s (as deploy/README.md says)", images[0], imageRepo)
	}
	if !ok || tag == "" || tag == "latest" {
		t.Errorf("image %q: pin a release tag or digest, not latest", images[0])
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, []byte(imageRepo)) {
		t.Errorf("deploy/README.md does not name the image %s", imageRepo)
	}
	entries, _ := os.ReadDir(manifestDir)
	for _, e := range entries {
		if !bytes.Contains(readme, []byte(e.Name())) {
			t.Errorf("deploy/README.md does not describe %s", e.Name())
		}
	}
}

// sinkEnvVars parses the ConfigMap's sagekey.yaml, checks its serve section,
// and returns the environment variables its sinks read.
func sinkEnvVars(t *testing.T, cm *corev1.ConfigMap) []string {
	t.Helper()
	text, ok := cm.Data[configKey]
	if !ok {
		t.Fatalf("ConfigMap %s has no %s", cm.Name, configKey)
	}
	var cfg map[string]any
	if err := yaml.UnmarshalStrict([]byte(text), &cfg); err != nil {
		t.Fatalf("ConfigMap %s: %s does not parse: %v", cm.Name, configKey, err)
	}
	serve, ok := cfg["serve"].(map[string]any)
	if !ok || len(serve) == 0 {
		t.Fatalf("ConfigMap %s: %s has no serve: section", cm.Name, configKey)
	}
	for _, flag := range []string{"listen", "auth-token-file", "db", "config"} {
		if _, ok := serve[flag]; ok {
			t.Errorf("sagekey.yaml serve.%s: set it in the Deployment (flags, Secret), not the ConfigMap", flag)
		}
	}
	if strings.Contains(text, "postgres://") || strings.Contains(text, "postgresql://") {
		t.Error("sagekey.yaml contains a database URL; it belongs in the Secret (SAGEKEY_DB)")
	}
	var names []string
	sinkNames := map[string]bool{}
	sinks, _ := serve["sinks"].([]any)
	for _, s := range sinks {
		sink, _ := s.(map[string]any)
		if n, _ := sink["name"].(string); n != "" {
			sinkNames[n] = true
		}
		for k, v := range sink {
			if strings.HasSuffix(k, "_env") {
				if name, _ := v.(string); name != "" {
					names = append(names, name)
				}
			}
		}
	}
	// Routes and the default name only defined sinks.
	var used []any
	routes, _ := serve["routes"].([]any)
	for _, r := range routes {
		route, _ := r.(map[string]any)
		rs, _ := route["sinks"].([]any)
		used = append(used, rs...)
	}
	def, _ := serve["default"].([]any)
	used = append(used, def...)
	for _, u := range used {
		if n, _ := u.(string); !sinkNames[n] {
			t.Errorf("sagekey.yaml routes to sink %v, which is not defined", u)
		}
	}
	return names
}

func TestServiceAndPolicies(t *testing.T) {
	ms := loadManifests(t)
	d := only[appsv1.Deployment](t, ms)
	c := container(t, d)
	podLabels := labels.Set(d.Spec.Template.Labels)

	svc := only[corev1.Service](t, ms)
	if svc.Spec.Type != "" && svc.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("Service type %s: want ClusterIP", svc.Spec.Type)
	}
	if len(svc.Spec.Selector) == 0 || !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) {
		t.Errorf("Service selector %v does not select the Deployment's pods %v", svc.Spec.Selector, podLabels)
	}
	if len(svc.Spec.Ports) == 0 {
		t.Error("Service has no port")
	}
	for _, p := range svc.Spec.Ports {
		target := p.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(p.Port) // an unset targetPort is the port
		}
		if cp, ok := resolvePort(c, target); !ok {
			t.Errorf("Service port %d targets %s, which is not a container port", p.Port, target.String())
		} else if p.Port != 8080 || cp.ContainerPort != 8080 {
			t.Errorf("Service port %d -> %d: want 8080 -> 8080", p.Port, cp.ContainerPort)
		}
	}

	for _, pdb := range all[policyv1.PodDisruptionBudget](ms) {
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(podLabels) {
			t.Errorf("PodDisruptionBudget %s does not select the Deployment's pods", pdb.Name)
		}
		if m := pdb.Spec.MinAvailable; m != nil && m.Type == intstr.Int && d.Spec.Replicas != nil && m.IntVal >= *d.Spec.Replicas {
			t.Errorf("PodDisruptionBudget %s: minAvailable %d would block every node drain with %d replicas", pdb.Name, m.IntVal, *d.Spec.Replicas)
		}
	}

	for _, np := range all[networkingv1.NetworkPolicy](ms) {
		sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
		if err != nil || !sel.Matches(podLabels) {
			t.Errorf("NetworkPolicy %s does not select the Deployment's pods", np.Name)
			continue
		}
		if !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) {
			continue
		}
		open := false
		for _, rule := range np.Spec.Ingress {
			if len(rule.Ports) == 0 {
				open = true
			}
			for _, p := range rule.Ports {
				if p.Port == nil {
					open = true
				} else if cp, ok := resolvePort(c, *p.Port); ok && cp.ContainerPort == c.Ports[0].ContainerPort {
					open = true
				}
			}
		}
		if !open {
			t.Errorf("NetworkPolicy %s admits no traffic to the container port", np.Name)
		}
	}
}

// dockerfileLines returns the Dockerfile's instructions, continuation lines
// joined and comments dropped.
func dockerfileLines(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") {
			continue
		}
		if s, ok := strings.CutSuffix(trimmed, "\\"); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(trimmed)
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	return out
}

// finalStage returns the instructions of the Dockerfile's last stage, its FROM
// line first.
func finalStage(t *testing.T) []string {
	t.Helper()
	lines := dockerfileLines(t)
	last := -1
	for i, l := range lines {
		if strings.EqualFold(strings.Fields(l)[0], "FROM") {
			last = i
		}
	}
	if last < 0 {
		t.Fatal("Dockerfile has no FROM")
	}
	return lines[last:]
}

// dockerfileInstruction returns the arguments of the final stage's last
// instruction of that name.
func dockerfileInstruction(t *testing.T, name string) []string {
	t.Helper()
	var args []string
	for _, l := range finalStage(t) {
		f := strings.Fields(l)
		if strings.EqualFold(f[0], name) {
			args = f[1:]
		}
	}
	return args
}

// dockerfileExecForm returns the JSON (exec form) arguments of ENTRYPOINT or CMD.
func dockerfileExecForm(t *testing.T, name string) []string {
	t.Helper()
	var args []string
	for _, l := range finalStage(t) {
		f := strings.Fields(l)
		if !strings.EqualFold(f[0], name) {
			continue
		}
		args = nil
		if err := json.Unmarshal([]byte(strings.TrimSpace(l[len(f[0]):])), &args); err != nil {
			t.Fatalf("Dockerfile %s must use the exec (JSON) form so no shell is needed: %v", name, err)
		}
	}
	return args
}

// dockerfileUser returns the final stage's numeric USER.
func dockerfileUser(t *testing.T) string {
	t.Helper()
	u := dockerfileInstruction(t, "USER")
	if len(u) != 1 {
		t.Fatalf("Dockerfile's final stage has no USER")
	}
	uid, _, _ := strings.Cut(u[0], ":")
	return uid
}

func TestDockerfile(t *testing.T) {
	lines := dockerfileLines(t)
	final := finalStage(t)

	from := strings.Fields(final[0])
	base := from[1]
	if !strings.HasPrefix(base, "gcr.io/distroless/static") && base != "scratch" {
		t.Errorf("final stage FROM %s: want gcr.io/distroless/static* or scratch (a static binary needs no OS)", base)
	}
	if uid := dockerfileUser(t); uid == "" || uid == "0" || uid == "root" {
		t.Errorf("final stage USER %q: want a non-root user", uid)
	} else if _, err := strconv.Atoi(uid); err != nil {
		t.Errorf("final stage USER %q: use the numeric UID so Kubernetes can verify runAsNonRoot", uid)
	}
	for _, l := range final[1:] {
		f := strings.Fields(l)
		if strings.EqualFold(f[0], "RUN") {
			t.Errorf("final stage runs %q: the distroless base has no shell", l)
		}
	}
	if ep := dockerfileExecForm(t, "ENTRYPOINT"); !slices.Equal(ep, []string{"/sagekey"}) {
		t.Errorf("ENTRYPOINT %q, want [\"/sagekey\"]", ep)
	}
	cmd := dockerfileExecForm(t, "CMD")
	if len(cmd) == 0 || cmd[0] != "serve" {
		t.Errorf("CMD %q: want serve ...", cmd)
	}
	if v, ok := flagValue(cmd, "listen"); ok && !strings.HasPrefix(v, "127.") {
		if _, ok := flagValue(cmd, "auth-token-file"); !ok {
			t.Error("CMD listens on a non-loopback address without --auth-token-file; serve would refuse to start")
		}
	}
	copied := false
	for _, l := range final {
		if f := strings.Fields(l); strings.EqualFold(f[0], "COPY") && strings.HasPrefix(f[1], "--from=") && f[len(f)-1] == "/sagekey" {
			copied = true
		}
	}
	if !copied {
		t.Error("final stage does not COPY --from the build stage to /sagekey")
	}

	// The build stage: a static, trimmed build on the go.mod Go version.
	build := ""
	for _, l := range lines {
		if strings.Contains(l, "go build") {
			build = l
		}
	}
	if build == "" {
		t.Fatal("Dockerfile has no go build")
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "./cmd/sagekey"} {
		if !strings.Contains(build, want) {
			t.Errorf("go build step %q lacks %s", build, want)
		}
	}
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)(?:\.(\d+))?\s*$`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	goLine := string(m[1]) + "." + string(m[2])
	found := false
	for _, l := range lines {
		f := strings.Fields(l)
		if !strings.EqualFold(f[0], "FROM") || !strings.HasPrefix(f[1], "golang:") {
			continue
		}
		found = true
		tag := strings.TrimPrefix(f[1], "golang:")
		if tag != goLine && !strings.HasPrefix(tag, goLine+".") && !strings.HasPrefix(tag, goLine+"-") {
			t.Errorf("build stage FROM %s does not match go.mod's go %s", f[1], goLine)
		}
		// A pinned patch release must be at least go.mod's minimum.
		if pm := regexp.MustCompile(`^\d+\.\d+\.(\d+)`).FindStringSubmatch(tag); pm != nil && m[3] != nil {
			have, _ := strconv.Atoi(pm[1])
			want, _ := strconv.Atoi(string(m[3]))
			if have < want {
				t.Errorf("build stage FROM %s is older than go.mod's go %s.%s", f[1], goLine, m[3])
			}
		}
	}
	if !found {
		t.Error("no golang build stage")
	}

	ignore, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(".dockerignore: ", err)
	}
	ignored := strings.Fields(string(ignore))
	for _, want := range []string{".git", "deploy"} {
		if !slices.Contains(ignored, want) {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
	for _, need := range []string{"go.mod", "go.sum", "cmd", "internal"} {
		if slices.Contains(ignored, need) {
			t.Errorf(".dockerignore excludes %s, which the build needs", need)
		}
	}
}
