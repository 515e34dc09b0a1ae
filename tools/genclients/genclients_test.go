package main

import (
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/awsclient"
	iamcollect "github.com/sagekey/sagekey/internal/collect/iam"
	smcollect "github.com/sagekey/sagekey/internal/collect/sagemaker"
	"github.com/sagekey/sagekey/internal/cutover"
	"github.com/sagekey/sagekey/internal/events/consumer"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/securityhub"
	"github.com/sagekey/sagekey/internal/trail/athena"
	"github.com/sagekey/sagekey/internal/trail/lookup"
	"github.com/sagekey/sagekey/internal/trail/s3log"
	"github.com/sagekey/sagekey/internal/trailscan"
)

// root is the repository root, seen from this package's directory.
const root = "../.."

// compiled is every adapter as the compiler sees it: the interface and the
// generated constructor, keyed like adapterKey. The tests check it against
// adapters.go, so the reflect view and the generator's source view cannot
// drift apart.
var compiled = map[string]struct {
	iface reflect.Type
	ctor  any
}{
	"internal/collect/sagemaker.FullAPI":    {reflect.TypeFor[smcollect.FullAPI](), smcollect.ClientAPI},
	"internal/collect/sagemaker.TaggingAPI": {reflect.TypeFor[smcollect.TaggingAPI](), smcollect.TaggingClientAPI},
	"internal/collect/iam.API":              {reflect.TypeFor[iamcollect.API](), iamcollect.ClientAPI},
	"internal/keys.KMSAPI":                  {reflect.TypeFor[keys.KMSAPI](), keys.KMSClientAPI},
	"internal/awsclient.STSAPI":             {reflect.TypeFor[awsclient.STSAPI](), awsclient.STSClientAPI},
	"internal/awsclient.EC2RegionsAPI":      {reflect.TypeFor[awsclient.EC2RegionsAPI](), awsclient.EC2RegionsClientAPI},
	"internal/awsclient.OrganizationsAPI":   {reflect.TypeFor[awsclient.OrganizationsAPI](), awsclient.OrganizationsClientAPI},
	"internal/awsclient.github.com/aws/aws-sdk-go-v2/credentials/stscreds.AssumeRoleAPIClient": {
		reflect.TypeFor[stscreds.AssumeRoleAPIClient](), awsclient.AssumeRoleClientAPI},
	"internal/cutover.API":              {reflect.TypeFor[cutover.API](), cutover.ClientAPI},
	"internal/securityhub.API":          {reflect.TypeFor[securityhub.API](), securityhub.ClientAPI},
	"internal/events/consumer.SQSAPI":   {reflect.TypeFor[consumer.SQSAPI](), consumer.SQSClientAPI},
	"internal/alert.SNSAPI":             {reflect.TypeFor[alert.SNSAPI](), alert.SNSClientAPI},
	"internal/trail/s3log.API":          {reflect.TypeFor[s3log.API](), s3log.ClientAPI},
	"internal/trail/s3log.TrailsAPI":    {reflect.TypeFor[s3log.TrailsAPI](), s3log.TrailsClientAPI},
	"internal/trail/lookup.API":         {reflect.TypeFor[lookup.API](), lookup.ClientAPI},
	"internal/trail/athena.API":         {reflect.TypeFor[athena.API](), athena.ClientAPI},
	"internal/trailscan.OrgPoliciesAPI": {reflect.TypeFor[trailscan.OrgPoliciesAPI](), trailscan.OrgPoliciesClientAPI},
	"internal/trailscan.IAMPoliciesAPI": {reflect.TypeFor[trailscan.IAMPoliciesAPI](), trailscan.IAMPoliciesClientAPI},
}

func adapterKey(a adapter) string { return a.dir + "." + a.iface }

func methodNames(t reflect.Type) []string {
	out := make([]string, t.NumMethod())
	for i := range out {
		out[i] = t.Method(i).Name
	}
	return out
}

func TestGeneratedFilesAreCurrent(t *testing.T) {
	stale, _, err := staleFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Fatalf("stale generated client adapters: %s\nrun: go run ./tools/genclients", strings.Join(stale, ", "))
	}
}

// TestAdaptersMatchTheCompiledInterfaces checks the generator's reading of
// each interface against reflect, and each constructor's signature: it
// takes the listed service's *Client and returns the interface.
func TestAdaptersMatchTheCompiledInterfaces(t *testing.T) {
	l := newLoader(root)
	seen := map[string]bool{}
	for _, a := range adapters {
		key := adapterKey(a)
		seen[key] = true
		c, ok := compiled[key]
		if !ok {
			t.Errorf("%s: add it to the compiled map of this test", key)
			continue
		}
		target, err := l.load(module + "/" + a.dir)
		if err != nil {
			t.Fatal(err)
		}
		src, name := target, a.iface
		if i := strings.LastIndex(a.iface, "."); i >= 0 {
			if src, err = l.load(a.iface[:i]); err != nil {
				t.Fatal(err)
			}
			name = a.iface[i+1:]
		}
		ms, err := l.ifaceMethods(src, name, target.path, newImports(target))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.name)
		}
		if want := methodNames(c.iface); !slices.Equal(got, want) {
			t.Errorf("%s: the generator reads methods %v, reflect sees %v", key, got, want)
		}
		ct := reflect.TypeOf(c.ctor)
		if ct.NumIn() != 1 || ct.NumOut() != 1 || ct.Out(0) != c.iface ||
			ct.In(0).Kind() != reflect.Pointer || ct.In(0).Elem().Name() != "Client" || ct.In(0).Elem().PkgPath() != a.client {
			t.Errorf("%s: constructor %s is %v, want func(*%s.Client) %v", key, a.ctor, ct, path.Base(a.client), c.iface)
		}
	}
	for key := range compiled {
		if !seen[key] {
			t.Errorf("%s is in the compiled map but not in adapters.go", key)
		}
	}
}

func TestLowerCamel(t *testing.T) {
	for in, want := range map[string]string{
		"FullAPI": "fullAPI", "API": "api", "STSAPI": "stsapi", "EC2RegionsAPI": "ec2RegionsAPI",
		"IAMPoliciesAPI": "iamPoliciesAPI", "AssumeRoleAPIClient": "assumeRoleAPIClient",
	} {
		if got := lowerCamel(in); got != want {
			t.Errorf("lowerCamel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParamNames(t *testing.T) {
	got := paramNames([]string{"context.Context", "*s3.GetObjectInput", "...func(*s3.Options)"}, "context.Context")
	if want := []string{"ctx", "in", "optFns"}; !slices.Equal(got, want) {
		t.Errorf("paramNames = %v, want %v", got, want)
	}
	got = paramNames([]string{"context.Context", "string", "int"}, "context.Context")
	if want := []string{"ctx", "in1", "in2"}; !slices.Equal(got, want) {
		t.Errorf("paramNames = %v, want %v", got, want)
	}
}
