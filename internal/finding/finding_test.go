package finding

import "testing"

func TestParseSeverityRoundTrip(t *testing.T) {
	t.Parallel()
	for s := Info; s <= Critical; s++ {
		got, err := ParseSeverity(s.String())
		if err != nil || got != s {
			t.Errorf("ParseSeverity(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseSeverity("urgent"); err == nil {
		t.Error("ParseSeverity(urgent) accepted an unknown name")
	}
	if got, _ := ParseSeverity("HIGH"); got != High {
		t.Errorf("ParseSeverity is case-sensitive: got %v", got)
	}
	if !(Critical > High && High > Medium && Medium > Low && Low > Info) {
		t.Error("severities are not ordered")
	}
}
