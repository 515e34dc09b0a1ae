package checkdoc

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"

	"github.com/sagekey/sagekey/internal/awsclient"
	iamcollect "github.com/sagekey/sagekey/internal/collect/iam"
	smcollect "github.com/sagekey/sagekey/internal/collect/sagemaker"
	"github.com/sagekey/sagekey/internal/cutover"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/securityhub"
)

// README markers around the generated permission list.
const (
	PermissionsStart = "<!-- permissions:start -->"
	PermissionsEnd   = "<!-- permissions:end -->"
)

// Permissions returns every IAM action sagekey can call, read off the
// read-only client interfaces themselves, so the documented policy is
// exactly what the code can do.
func Permissions() map[string][]string {
	services := []struct {
		prefix string
		iface  reflect.Type
	}{
		{"sts", reflect.TypeFor[awsclient.STSAPI]()},
		// The SDK's assume-role credential provider, used for --org and
		// --accounts, calls this interface.
		{"sts", reflect.TypeFor[stscreds.AssumeRoleAPIClient]()},
		{"organizations", reflect.TypeFor[awsclient.OrganizationsAPI]()},
		{"ec2", reflect.TypeFor[awsclient.EC2RegionsAPI]()},
		{"sagemaker", reflect.TypeFor[smcollect.FullAPI]()},
		// Tags read in pages; without it, tags are read with ListTags.
		{"tag", reflect.TypeFor[smcollect.TaggingAPI]()},
		{"kms", reflect.TypeFor[keys.KMSAPI]()},
		// Read only when a key-access check is selected.
		{"iam", reflect.TypeFor[iamcollect.API]()},
	}
	out := map[string][]string{}
	for _, s := range services {
		for i := range s.iface.NumMethod() {
			out[s.prefix] = append(out[s.prefix], s.prefix+":"+s.iface.Method(i).Name)
		}
		sort.Strings(out[s.prefix])
	}
	return out
}

// keyAccessChecks names the checks that read grants and IAM roles: a scan
// without them needs neither permission, and makes neither call.
const keyAccessChecks = "key-access checks: `<kind>.key-access` and `kms-key.least-privilege`"

// PermissionsTable is the README's table of required actions.
func PermissionsTable() string {
	p := Permissions()
	var b strings.Builder
	b.WriteString("| Service | Actions |\n|---|---|\n")
	notes := map[string]string{
		"sts":           " (`sts:AssumeRole` only with `--org` or `--accounts`, on the member-account roles)",
		"organizations": " (only for `--org`, in the management or a delegated administrator account)",
		"ec2":           " (only for `--regions all`)",
		"kms":           " (`kms:ListGrants` only for the " + keyAccessChecks + ")",
		"iam":           " (one read per account, only for the " + keyAccessChecks + ")",
		"tag":           " (tags of 100 resources a call; without it sagekey reads each resource's tags with `sagemaker:ListTags`, slower but complete)",
	}
	for _, svc := range []string{"sts", "organizations", "ec2", "sagemaker", "tag", "kms", "iam"} {
		note := notes[svc]
		fmt.Fprintf(&b, "| %s | `%s`%s |\n", strings.ToUpper(svc), strings.Join(p[svc], "`, `"), note)
	}
	return b.String()
}

// splice replaces the text between two markers.
func splice(doc, start, end, body string) (string, error) {
	i, j := strings.Index(doc, start), strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("README lacks the %s / %s markers", start, end)
	}
	return doc[:i+len(start)] + "\n" + body + doc[j:], nil
}

// SpliceReadme rewrites every generated section of the README.
func SpliceReadme(readme string) (string, error) {
	out, err := splice(readme, CoverageStart, CoverageEnd, CoverageTable())
	if err != nil {
		return "", err
	}
	out, err = splice(out, PermissionsStart, PermissionsEnd, PermissionsTable())
	if err != nil {
		return "", err
	}
	out, err = splice(out, ApplyPermissionsStart, ApplyPermissionsEnd, ApplyPermissionsLine())
	if err != nil {
		return "", err
	}
	out, err = splice(out, ImportPermissionsStart, ImportPermissionsEnd, ImportPermissionsLine())
	if err != nil {
		return "", err
	}
	return splice(out, TrailPermissionsStart, TrailPermissionsEnd, TrailPermissionsTable())
}

// README markers around the permissions of remediate --apply.
const (
	ApplyPermissionsStart = "<!-- apply-permissions:start -->"
	ApplyPermissionsEnd   = "<!-- apply-permissions:end -->"
)

// ApplyPermissionsLine lists the SageMaker actions an endpoint cut-over
// calls, read off cutover.API like the scan's list is read off its
// interfaces; the verifying re-scan needs the scan's permissions too.
func ApplyPermissionsLine() string {
	api := reflect.TypeFor[cutover.API]()
	actions := make([]string, api.NumMethod())
	for i := range api.NumMethod() {
		actions[i] = "`sagemaker:" + api.Method(i).Name + "`"
	}
	sort.Strings(actions)
	return strings.Join(actions, ", ") + "\n"
}

// README markers around the permissions of --import.
const (
	ImportPermissionsStart = "<!-- import-permissions:start -->"
	ImportPermissionsEnd   = "<!-- import-permissions:end -->"
)

// ImportPermissionsLine lists what --format asff --import calls, read off
// securityhub.API, plus the identity call that names the caller's account.
func ImportPermissionsLine() string {
	api := reflect.TypeFor[securityhub.API]()
	actions := []string{"`sts:GetCallerIdentity`"}
	for i := range api.NumMethod() {
		actions = append(actions, "`securityhub:"+api.Method(i).Name+"`")
	}
	sort.Strings(actions)
	return strings.Join(actions, ", ") + "\n"
}
