package scan_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/rules"
	"github.com/sagekey/sagekey/internal/scan"
	"github.com/sagekey/sagekey/internal/store"
)

const account = "123456789012" // moto's

func notebookRef(name, arn string) scan.Ref {
	r := scan.Ref{Account: account, Region: "us-east-1"}
	r.Ref = collect.Ref{Kind: "notebook-instance", Name: name, ARN: arn}
	return r
}

// TestCheckerAgainstMoto re-checks named resources as serve --queue does,
// against moto and a real store: a new notebook opens its violation and
// nothing else changes; a deleted one resolves as deleted; a key's own
// findings are kept only when the key is judged; an account outside the
// configured ones is a gap, never a verdict.
func TestCheckerAgainstMoto(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	cfg := mototest.Config(t, srv, "us-east-1")
	ctx := context.Background()
	sm := sagemaker.NewFromConfig(cfg)
	k, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	key := aws.ToString(k.KeyMetadata.Arn)
	notebook := func(name, key string) string {
		in := &sagemaker.CreateNotebookInstanceInput{NotebookInstanceName: aws.String(name), InstanceType: smtypes.InstanceTypeMlT3Medium,
			RoleArn: aws.String("arn:aws:iam::" + account + ":role/sagemaker")}
		if key != "" {
			in.KmsKeyId = aws.String(key)
		}
		out, err := sm.CreateNotebookInstance(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.NotebookInstanceArn)
	}
	keyed, doomed := notebook("nb-keyed", key), notebook("nb-doomed", "")

	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	opts := scan.Options{AWS: awsclient.Options{EndpointURL: srv.URL(), Region: "us-east-1"}, Regions: []string{"us-east-1"},
		Settings: engine.Settings{}, Concurrency: 4, Store: st}
	if _, err := scan.Run(ctx, opts); err != nil {
		t.Fatal(err)
	}
	before := statesByARN(t, st)

	checker, err := scan.NewChecker(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	// A new notebook: its findings appear, a violation opens, and the
	// other notebooks' findings are untouched.
	fresh := notebook("nb-fresh", "")
	res, err := checker.Check(ctx, []scan.Ref{notebookRef("nb-fresh", "")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Scope.Targeted || !slices.Equal(res.Scope.Resources, []string{fresh}) {
		t.Errorf("scope = %+v, want targeted at %s", res.Scope, fresh)
	}
	for _, f := range res.Report.Findings.All() {
		if f.Resource.ARN != fresh {
			t.Errorf("the check judged %s %s, which it was not asked about", f.CheckID, f.Resource.ARN)
		}
	}
	eps, err := st.EpisodesOpenedIn(ctx, res.Report.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) == 0 {
		t.Errorf("no violation opened by the check of an unencrypted notebook")
	}
	after := statesByARN(t, st)
	for arn, states := range before {
		if !slices.Equal(states, after[arn]) {
			t.Errorf("%s changed by a check that did not read it:\n%v\n%v", arn, states, after[arn])
		}
	}

	// A deleted notebook, named by the event with no ARN: found gone, its
	// findings resolve as deleted.
	if _, err := sm.StopNotebookInstance(ctx, &sagemaker.StopNotebookInstanceInput{NotebookInstanceName: aws.String("nb-doomed")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sm.DeleteNotebookInstance(ctx, &sagemaker.DeleteNotebookInstanceInput{NotebookInstanceName: aws.String("nb-doomed")}); err != nil {
		t.Fatal(err)
	}
	res, err = checker.Check(ctx, []scan.Ref{notebookRef("nb-doomed", doomed)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Findings.Len() != 0 || len(res.Report.Gaps) != 0 {
		t.Errorf("a deleted notebook: %d findings, gaps %v", res.Report.Findings.Len(), res.Report.Gaps)
	}
	for _, s := range statesByARN(t, st)[strings.ToLower(doomed)] {
		if !strings.Contains(s, "gone") || strings.Contains(s, "open") {
			t.Errorf("deleted notebook state %s, want gone and resolved", s)
		}
	}

	// The keyed notebook: its key's findings only when the key is judged.
	res, err = checker.Check(ctx, []scan.Ref{notebookRef("nb-keyed", keyed)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := keyFindings(res); n != 0 {
		t.Errorf("a resource check kept %d key findings", n)
	}
	res, err = checker.Check(ctx, []scan.Ref{notebookRef("nb-keyed", keyed)}, []string{key})
	if err != nil {
		t.Fatal(err)
	}
	if n := keyFindings(res); n == 0 {
		t.Errorf("a key check kept no finding of the key %s", key)
	}

	// Outside the configured accounts: a gap, no verdict.
	other := notebookRef("nb-elsewhere", "")
	other.Account = "999999999999"
	if checker.Covers(ctx, other.Account, other.Region) || !checker.Covers(ctx, account, "us-east-1") || checker.Covers(ctx, account, "eu-west-1") {
		t.Errorf("Covers: other account or region accepted, or ours refused")
	}
	res, err = checker.Check(ctx, []scan.Ref{other}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Findings.Len() != 0 || len(res.Report.Gaps) != 1 || len(res.Scope.Resources) != 0 {
		t.Errorf("an unconfigured account: findings %d, gaps %v, covered %v", res.Report.Findings.Len(), res.Report.Gaps, res.Scope.Resources)
	}
}

func keyFindings(res *scan.Result) int {
	n := 0
	for _, f := range res.Report.Findings.All() {
		if f.Resource.Kind == rules.KeyKind {
			n++
		}
	}
	return n
}

// statesByARN renders each resource's stored finding states.
func statesByARN(t *testing.T, st *store.Store) map[string][]string {
	t.Helper()
	states, err := st.States(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, s := range states {
		out[strings.ToLower(s.ResourceARN)] = append(out[strings.ToLower(s.ResourceARN)], render(s))
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

func render(s history.State) string {
	out := s.CheckID + " " + string(s.Status)
	if s.Open() {
		out += " open"
	}
	if !s.Gone.IsZero() {
		out += " gone"
	}
	return out
}
