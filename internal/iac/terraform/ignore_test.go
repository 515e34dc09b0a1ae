package terraform

import (
	"testing"

	"github.com/sagekey/sagekey/internal/iac/model"
)

func TestParseIgnore(t *testing.T) {
	cases := []struct {
		in      string
		want    model.Ignore
		problem bool
	}{
		{` notebook-instance.cmk reason="sandbox" expires=2027-01-31`, model.Ignore{Check: "notebook-instance.cmk", Reason: "sandbox", Expires: "2027-01-31"}, false},
		{` x.cmk reason="say \"hi\" twice" expires="2027-01-31"`, model.Ignore{Check: "x.cmk", Reason: `say "hi" twice`, Expires: "2027-01-31"}, false},
		{` x.cmk expires=2027-01-31`, model.Ignore{Check: "x.cmk", Expires: "2027-01-31"}, true},
		{` x.cmk reason="r"`, model.Ignore{Check: "x.cmk", Reason: "r"}, true},
		{` x.cmk reason="r" expires=31/01/2027`, model.Ignore{Check: "x.cmk", Reason: "r", Expires: "31/01/2027"}, true},
		{` reason="r" expires=2027-01-31`, model.Ignore{Reason: "r", Expires: "2027-01-31"}, true},
		{` x.cmk reason="unterminated expires=2027-01-31`, model.Ignore{Check: "x.cmk", Reason: "unterminated expires=2027-01-31"}, true},
		{`-x.cmk reason="r" expires=2027-01-31`, model.Ignore{Check: "-x.cmk", Reason: "r", Expires: "2027-01-31"}, true},
		{` x.cmk reason="r" expires=2027-01-31 color=blue`, model.Ignore{Check: "x.cmk", Reason: "r", Expires: "2027-01-31"}, true},
	}
	for _, c := range cases {
		got := parseIgnore(c.in)
		if (got.Problem != "") != c.problem {
			t.Errorf("%q: problem %q, want problem=%v", c.in, got.Problem, c.problem)
		}
		got.Problem = ""
		if got != c.want {
			t.Errorf("%q = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestIgnoresAbove(t *testing.T) {
	f := &file{path: "x.tf", src: []byte(`# sagekey:ignore a.cmk reason="far" expires=2027-01-01

# unrelated comment
// sagekey:ignore b.cmk reason="near" expires=2027-01-02
  #sagekey:ignore c.cmk reason="indented" expires=2027-01-03
resource "aws_kms_key" "k" {}
`)}
	got := f.ignoresAbove(6)
	if len(got) != 2 || got[0].Check != "b.cmk" || got[1].Check != "c.cmk" || got[0].Range.Start.Line != 4 {
		t.Errorf("ignores = %+v, want b.cmk (line 4) and c.cmk, not the one above the blank line", got)
	}
	if len(f.ignoresAbove(1)) != 0 {
		t.Error("ignores above line 1")
	}
}
