package checkdoc

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/sagekey/sagekey/internal/trail/athena"
	"github.com/sagekey/sagekey/internal/trail/lookup"
	"github.com/sagekey/sagekey/internal/trail/s3log"
	"github.com/sagekey/sagekey/internal/trailscan"
)

// README markers around the permissions of sagekey trail.
const (
	TrailPermissionsStart = "<!-- trail-permissions:start -->"
	TrailPermissionsEnd   = "<!-- trail-permissions:end -->"
)

// iamActionOf names the IAM action behind an API operation where the two
// differ: S3 authorizes ListObjectsV2 as s3:ListBucket.
var iamActionOf = map[string]string{"s3:ListObjectsV2": "s3:ListBucket", "s3:HeadBucket": "s3:ListBucket"}

// TrailPermissionsTable lists what each trail source calls, read off the
// readers' interfaces, with what AWS requires beyond them.
func TrailPermissionsTable() string {
	sources := []struct {
		source string
		calls  []struct {
			prefix string
			iface  reflect.Type
		}
		also string
	}{
		{"`--s3-uri`, `--trail`", []struct {
			prefix string
			iface  reflect.Type
		}{{"s3", reflect.TypeFor[s3log.API]()}, {"cloudtrail", reflect.TypeFor[s3log.TrailsAPI]()}},
			"`cloudtrail:*` only for `--trail`; `kms:Decrypt` on the trail's key when its log files are SSE-KMS encrypted"},
		{"`--lookup-events`", []struct {
			prefix string
			iface  reflect.Type
		}{{"cloudtrail", reflect.TypeFor[lookup.API]()}}, "`sts:GetCallerIdentity`"},
		{"guardrail discovery (without `--guardrail-policy`)", []struct {
			prefix string
			iface  reflect.Type
		}{{"organizations", reflect.TypeFor[trailscan.OrgPoliciesAPI]()}, {"iam", reflect.TypeFor[trailscan.IAMPoliciesAPI]()}},
			"optional: without them blocks stay unattributed (`--discover-guardrails=false` skips the calls)"},
		{"`--athena-workgroup`", []struct {
			prefix string
			iface  reflect.Type
		}{{"athena", reflect.TypeFor[athena.API]()}},
			"Athena reads with the caller's permissions: `glue:GetDatabase`, `glue:GetTable` (and `glue:CreateTable` for `--athena-create-table`), " +
				"`s3:GetObject`/`s3:ListBucket` on the trail bucket, `s3:PutObject`/`s3:GetObject`/`s3:GetBucketLocation` on the results location"},
	}
	var b strings.Builder
	b.WriteString("| Source | Actions | Also |\n|---|---|---|\n")
	for _, s := range sources {
		var actions []string
		for _, c := range s.calls {
			for i := range c.iface.NumMethod() {
				a := c.prefix + ":" + c.iface.Method(i).Name
				if iam, ok := iamActionOf[a]; ok {
					a = iam
				}
				actions = append(actions, "`"+a+"`")
			}
		}
		sort.Strings(actions)
		actions = slices.Compact(actions)
		fmt.Fprintf(&b, "| %s | %s | %s |\n", s.source, strings.Join(actions, ", "), s.also)
	}
	b.WriteString("| `--org` | `organizations:ListAccounts` | |\n")
	return b.String()
}
