package events

import (
	"reflect"
	"testing"
)

func nb(action, id, when string, del bool) Target {
	return Target{Kind: "notebook-instance", Account: "111122223333", Region: "us-east-1", Name: "churn-explore",
		Action: "sagemaker:" + action, EventID: id, Time: at(when), Delete: del}
}

func TestCoalesce(t *testing.T) {
	t.Parallel()
	create := nb("CreateNotebookInstance", "e1", "2026-03-04T12:00:00Z", false)
	create.ARN = "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/churn-explore"
	update := nb("UpdateNotebookInstance", "e2", "2026-03-04T12:01:00Z", false)
	update.Name = "Churn-Explore" // the same notebook: names are unique without regard to case
	del := nb("DeleteNotebookInstance", "e3", "2026-03-04T12:02:00Z", true)
	recreate := nb("CreateNotebookInstance", "e4", "2026-03-04T12:03:00Z", false)
	other := Target{Kind: "endpoint", Account: "111122223333", Region: "us-east-1", Name: "churn-explore",
		Action: "sagemaker:DeleteEndpoint", EventID: "e5", Time: at("2026-03-04T12:00:30Z"), Delete: true}
	failed := nb("UpdateNotebookInstance", "e6", "2026-03-04T12:09:00Z", false)
	failed.Failed = true
	sameSecondDelete := nb("DeleteNotebookInstance", "e7", "2026-03-04T12:03:00Z", true)

	with := func(t Target, ids ...string) Target { t.EventIDs = ids; return t }
	tests := []struct {
		name string
		in   []Target
		want []Target
	}{
		{"empty", nil, nil},
		{"latest wins", []Target{update, create}, []Target{with(update, "e1", "e2")}},
		{"delete wins over earlier", []Target{create, del, update}, []Target{with(del, "e1", "e2", "e3")}},
		{"recreate wins over delete", []Target{recreate, del, create}, []Target{with(recreate, "e1", "e3", "e4")}},
		{"other resources apart, first-seen order", []Target{other, create, update},
			[]Target{with(other, "e5"), with(update, "e1", "e2")}},
		{"failed calls dropped", []Target{failed, create}, []Target{with(create, "e1")}},
		{"same second: not the delete, whatever the order", []Target{sameSecondDelete, recreate},
			[]Target{with(recreate, "e4", "e7")}},
		{"same second, reversed", []Target{recreate, sameSecondDelete},
			[]Target{with(recreate, "e4", "e7")}},
		{"coalescing twice changes nothing", Coalesce([]Target{create, del}),
			[]Target{with(del, "e1", "e3")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Coalesce(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Coalesce =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// TestCoalesceKeys: a KMS key's alias events stay apart from its other
// events, and a parent scopes a name.
func TestCoalesceKeys(t *testing.T) {
	t.Parallel()
	base := Target{Kind: KindKMSKey, Account: "1", Region: "r", ARN: keyARN, EventID: "k1", Time: at("2026-03-04T12:00:00Z")}
	alias := base
	alias.Name, alias.EventID = "alias/x", "k2"
	disable := base
	disable.EventID = "k3"
	if got := Coalesce([]Target{base, alias, disable}); len(got) != 2 {
		t.Errorf("got %d targets, want 2 (the key, the alias): %+v", len(got), got)
	}
	a := Target{Kind: "user-profile", Account: "1", Region: "r", Name: "alice", Parent: "d-1", EventID: "u1"}
	b := a
	b.Parent, b.EventID = "d-2", "u2"
	if got := Coalesce([]Target{a, b}); len(got) != 2 {
		t.Errorf("profiles in two domains coalesced: %+v", got)
	}
}

// TestCoalesceDoesNotAlias: the result's EventIDs are its own.
func TestCoalesceDoesNotAlias(t *testing.T) {
	t.Parallel()
	in := []Target{nb("CreateNotebookInstance", "e1", "2026-03-04T12:00:00Z", false)}
	in[0].EventIDs = []string{"e0"}
	out := Coalesce(in)
	out[0].EventIDs[0] = "changed"
	if in[0].EventIDs[0] != "e0" {
		t.Error("Coalesce shares EventIDs with its input")
	}
}
