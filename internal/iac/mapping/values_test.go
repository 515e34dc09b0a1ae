package mapping

import (
	"reflect"
	"testing"

	"github.com/sagekey/sagekey/internal/iac/model"
)

func TestTags(t *testing.T) {
	kv := func(k, v string) model.Value {
		return obj(map[string]model.Value{"key": str(k, 1), "value": str(v, 1)})
	}
	cases := []struct {
		name    string
		attrs   map[string]model.Value
		paths   []string
		want    map[string]string
		wantErr bool
	}{
		{"map", map[string]model.Value{"tags": obj(map[string]model.Value{"team": str("ml", 1)})}, []string{"tags_all", "tags"},
			map[string]string{"team": "ml"}, false},
		{"a plan's tags_all wins (provider default_tags)", map[string]model.Value{
			"tags":     obj(map[string]model.Value{"team": str("ml", 1)}),
			"tags_all": obj(map[string]model.Value{"team": str("ml", 1), "owner": str("a", 1)})}, []string{"tags_all", "tags"},
			map[string]string{"team": "ml", "owner": "a"}, false},
		{"awscc list", map[string]model.Value{"tags": list(kv("team", "ml"))}, []string{"tags"}, map[string]string{"team": "ml"}, false},
		{"CloudFormation list", map[string]model.Value{"Tags": list(obj(map[string]model.Value{"Key": str("team", 1),
			"Value": str("ml", 1)}))}, []string{"Tags"}, map[string]string{"team": "ml"}, false},
		{"unknown value", map[string]model.Value{"tags": obj(map[string]model.Value{"team": ref(model.RefVariable, "var.team", "", 1)})},
			[]string{"tags"}, nil, true},
		{"none", map[string]model.Value{}, []string{"tags"}, nil, false},
	}
	for _, c := range cases {
		r := tf("aws_sagemaker_notebook_instance", "nb", 1, c.attrs)
		got, errText := tags(&r, c.paths)
		if !reflect.DeepEqual(got, c.want) || (errText != "") != c.wantErr {
			t.Errorf("%s: tags = %v, %q", c.name, got, errText)
		}
	}
}
