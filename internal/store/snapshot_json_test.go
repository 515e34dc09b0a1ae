package store

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// writeSnapshotJSON spells out the fields of Snapshot and Inventory; a new
// field there must be added to it (and here).
func TestSnapshotJSONFieldsCovered(t *testing.T) {
	want := map[reflect.Type][]string{
		reflect.TypeFor[Snapshot]():            {"SchemaVersion", "Inventory", "Keys", "KeyRefs"},
		reflect.TypeFor[inventory.Inventory](): {"SchemaVersion", "Resources", "Gaps", "IAM"},
	}
	for typ, fields := range want {
		var got []string
		for i := range typ.NumField() {
			got = append(got, typ.Field(i).Name)
		}
		if !reflect.DeepEqual(got, fields) {
			t.Errorf("%s has fields %v; writeSnapshotJSON writes %v: update it", typ, got, fields)
		}
	}
}

// The streamed body holds the same bytes json.Encoder wrote before it.
func TestSnapshotJSONMatchesEncoder(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	full := Snapshot{
		SchemaVersion: inventory.SchemaVersion,
		Inventory: inventory.Inventory{
			SchemaVersion: inventory.SchemaVersion,
			Resources: []inventory.Resource{
				{Kind: "notebook-instance", ARN: "arn:aws:sagemaker:us-east-1:1:notebook-instance/a<b>&c", Name: "a", Account: "1",
					Region: "us-east-1", Tags: map[string]string{"owner": "team-\u2028<x>", "b": "1"}, CreatedAt: created,
					Slots: []inventory.Slot{{Type: "volume", Name: "volume", KeyRef: "alias/ml"}}},
				{Kind: "training-job", ARN: "arn:t", TagsError: "denied \"quoted\""},
			},
			Gaps: []inventory.Gap{{}},
			IAM:  []inventory.AccountIAM{{}},
		},
		Keys:    []keys.Key{{Ref: "alias/ml", ARN: "arn:aws:kms:us-east-1:1:key/k"}},
		KeyRefs: map[string]string{"alias/ml": "arn:aws:kms:us-east-1:1:key/k", "a": "b"},
	}
	cases := map[string]Snapshot{
		"full":    full,
		"empty":   {},
		"no iam":  {Inventory: inventory.Inventory{Resources: []inventory.Resource{}, Gaps: []inventory.Gap{}}},
		"one res": {Inventory: inventory.Inventory{Resources: full.Inventory.Resources[:1]}},
	}
	for name, snap := range cases {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(snap); err != nil {
			t.Fatal(err)
		}
		body, err := gzipSnapshot(snap)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s: streamed snapshot\n%s\nwant\n%s", name, got, want.Bytes())
		}
	}
}
