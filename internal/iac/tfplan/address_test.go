package tfplan

import (
	"reflect"
	"testing"

	"github.com/sagekey/sagekey/internal/iac/model"
)

func TestSplitSteps(t *testing.T) {
	got := splitSteps(`module.ml["a.b"].aws_kms_key.k[0].arn`)
	want := []step{{"module", ""}, {"ml", `["a.b"]`}, {"aws_kms_key", ""}, {"k", "[0]"}, {"arn", ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v", got)
	}
	a := parseInstance(`module.ml["a.b"].module.net[2].data.aws_kms_alias.x["k]"]`)
	if a.modulePath() != `module.ml["a.b"].module.net[2]` || a.configAddress() != "module.ml.module.net.data.aws_kms_alias.x" || a.key != `["k]"]` {
		t.Errorf("got %+v", a)
	}
}

// TestResolveInstances covers the reference forms Terraform writes for
// indexed resources.
func TestResolveInstances(t *testing.T) {
	inst := func(addr string) instance { return instance{address: addr, addr: parseInstance(addr)} }
	r := &resolver{modules: map[string]*cfgModule{}, instances: map[string][]instance{
		"aws_kms_key.k": {inst(`aws_kms_key.k["a"]`), inst(`aws_kms_key.k["b"]`)},
	}}
	ref := func(addr, attr string) model.Ref {
		return model.Ref{Kind: model.RefResource, Address: addr, Attr: attr}
	}
	for _, c := range []struct {
		from string
		refs []string
		want []model.Ref
	}{
		// A literal key names that instance; the shorter forms go.
		{"aws_sagemaker_domain.d", []string{`aws_kms_key.k["b"].arn`, `aws_kms_key.k["b"]`, "aws_kms_key.k"},
			[]model.Ref{ref(`aws_kms_key.k["b"]`, "arn")}},
		// each.key: the referrer's own key is preferred.
		{`aws_sagemaker_domain.d["a"]`, []string{"aws_kms_key.k", "each.key"}, []model.Ref{ref(`aws_kms_key.k["a"]`, "")}},
		// No way to choose: every instance may be the key.
		{"aws_sagemaker_domain.d", []string{"aws_kms_key.k"}, []model.Ref{ref(`aws_kms_key.k["a"]`, ""), ref(`aws_kms_key.k["b"]`, "")}},
		// A key that is not planned keeps the written address.
		{"aws_sagemaker_domain.d", []string{`aws_kms_key.k["c"].arn`}, []model.Ref{ref(`aws_kms_key.k["c"]`, "arn")}},
		{"aws_sagemaker_domain.d", []string{"var.key", "local.key", "path.module"}, []model.Ref{
			{Kind: model.RefVariable, Address: "var.key"}, {Kind: model.RefVariable, Address: "local.key"}}},
	} {
		if got := r.resolve(parseInstance(c.from), "", c.refs, 0); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %v: got %+v, want %+v", c.from, c.refs, got, c.want)
		}
	}
}
