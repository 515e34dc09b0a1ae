package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/inventory"
)

// TestConformanceKnownRecords: stored records are read back one at a time
// per account, region and kind, and looked up by ARN in batches larger
// than one query's parameters allow; a record stored again replaces the
// old one.
func TestConformanceKnownRecords(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		ctx := context.Background()
		created := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		job := func(kind string, i int) *inventory.Resource {
			name := fmt.Sprintf("%s-%04d", kind, i)
			return &inventory.Resource{Kind: kind, ARN: "arn:aws:sagemaker:us-east-1:" + acct + ":" + kind + "/" + name, Name: name,
				Account: acct, Region: "us-east-1", CreatedAt: created.Add(time.Duration(i) * time.Second),
				Slots: []inventory.Slot{{Type: "volume", Name: "volume", KeyRef: "alias/k"}}}
		}
		var records []*inventory.Resource
		for i := range 1200 {
			records = append(records, job("training-job", i))
		}
		records = append(records, job("processing-job", 0))
		if err := s.SaveKnown(ctx, records, nil); err != nil {
			t.Fatal(err)
		}
		n := 0
		for r, err := range s.KnownRecords(ctx, acct, "us-east-1", "training-job") {
			if err != nil {
				t.Fatal(err)
			}
			if r.Kind != "training-job" || r.CreatedAt.IsZero() || len(r.Slots) != 1 {
				t.Fatalf("record read back as %+v", r)
			}
			n++
		}
		if n != 1200 {
			t.Errorf("KnownRecords yielded %d training jobs, want 1200", n)
		}
		for range s.KnownRecords(ctx, acct, "eu-west-1", "training-job") {
			t.Errorf("a record of another region was yielded")
		}

		var arns []string
		for i := 100; i < 1200; i++ { // 1,100: three batches
			arns = append(arns, records[i].ARN)
		}
		arns = append(arns, records[1200].ARN, "arn:aws:sagemaker:us-east-1:"+acct+":training-job/never-stored")
		found, err := s.KnownRecordsByARN(ctx, acct, "us-east-1", "training-job", arns)
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 1100 {
			t.Errorf("KnownRecordsByARN found %d, want the 1100 stored training jobs asked for", len(found))
		}
		if r, ok := found[records[1199].ARN]; !ok || !r.CreatedAt.Equal(records[1199].CreatedAt) {
			t.Errorf("record %s read back as %+v", records[1199].ARN, r)
		}

		again := *records[5]
		again.ExecutionRoles = []string{"arn:aws:iam::" + acct + ":role/r"}
		if err := s.SaveKnown(ctx, []*inventory.Resource{&again}, nil); err != nil {
			t.Fatal(err)
		}
		found, err = s.KnownRecordsByARN(ctx, acct, "us-east-1", "training-job", []string{again.ARN})
		if err != nil {
			t.Fatal(err)
		}
		if got := found[again.ARN].ExecutionRoles; !slices.Equal(got, again.ExecutionRoles) {
			t.Errorf("stored again with roles %v, read back %v", again.ExecutionRoles, got)
		}
	})
}
