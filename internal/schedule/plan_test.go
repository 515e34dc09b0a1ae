package schedule

import (
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	now := at(12, 0)
	week := 7 * 24 * time.Hour
	tests := []struct {
		name      string
		lastFull  time.Time
		fullEvery time.Duration
		want      Mode
	}{
		{"no full scan yet", time.Time{}, week, Full},
		{"recent full scan", now.Add(-24 * time.Hour), week, Incremental},
		{"just under the period", now.Add(-week + time.Second), week, Incremental},
		{"exactly the period", now.Add(-week), week, Full},
		{"older than the period", now.Add(-8 * 24 * time.Hour), week, Full},
		{"full scan in the future (clock skew)", now.Add(time.Hour), week, Incremental},
		{"zero period: always full", now.Add(-time.Minute), 0, Full},
		{"negative period: always full", now.Add(-time.Minute), -time.Hour, Full},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Decide(now, tt.lastFull, tt.fullEvery); got != tt.want {
				t.Errorf("Decide = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestModeString(t *testing.T) {
	if Full.String() != "full" || Incremental.String() != "incremental" {
		t.Errorf("String: %q, %q", Full, Incremental)
	}
}
