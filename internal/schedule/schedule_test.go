package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEvery(t *testing.T) {
	t0 := at(10, 0)
	tests := []struct {
		name string
		e    Every
		want time.Time
	}{
		{"no jitter", Every{Interval: 6 * time.Hour}, t0.Add(6 * time.Hour)},
		{"no jitter ignores rand", Every{Interval: time.Hour, Rand: maxRand{}}, t0.Add(time.Hour)},
		{"smallest jitter", Every{Interval: time.Hour, Jitter: 10 * time.Minute, Rand: minRand{}}, t0.Add(time.Hour)},
		{"half jitter", Every{Interval: time.Hour, Jitter: 10 * time.Minute, Rand: fracRand(0.5)}, t0.Add(time.Hour + 5*time.Minute)},
		{"largest jitter is below Jitter", Every{Interval: time.Hour, Jitter: 10 * time.Minute, Rand: maxRand{}}, t0.Add(time.Hour + 10*time.Minute - time.Nanosecond)},
		{"out-of-range source is folded", Every{Interval: time.Hour, Jitter: time.Minute, Rand: fracRand(1.5)}, t0.Add(time.Hour + 30*time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.Next(t0); !got.Equal(tt.want) {
				t.Errorf("Next(%s) = %s, want %s", t0, got, tt.want)
			}
		})
	}
}

func TestEveryDefaultRandStaysInBounds(t *testing.T) {
	e := Every{Interval: time.Hour, Jitter: time.Minute}
	t0 := at(0, 0)
	for range 1000 {
		d := e.Next(t0).Sub(t0)
		if d < time.Hour || d >= time.Hour+time.Minute {
			t.Fatalf("Next - after = %s, want in [1h, 1h1m)", d)
		}
	}
}

func TestCron(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	tests := []struct {
		expr  string
		after time.Time
		want  time.Time
	}{
		{"0 * * * *", at(10, 30), at(11, 0)},
		{"0 * * * *", at(11, 0), at(12, 0)}, // strictly after
		{"@hourly", at(10, 30), at(11, 0)},
		{"@daily", at(10, 30), time.Date(2024, time.March, 6, 0, 0, 0, 0, time.UTC)},
		{"@midnight", at(0, 0), time.Date(2024, time.March, 6, 0, 0, 0, 0, time.UTC)},
		{"@weekly", at(10, 30), time.Date(2024, time.March, 10, 0, 0, 0, 0, time.UTC)}, // Sunday
		{"30 2 * * *", at(10, 30), time.Date(2024, time.March, 6, 2, 30, 0, 0, time.UTC)},
		{"*/15 9-17 * * 1-5", time.Date(2024, time.March, 8, 17, 50, 0, 0, time.UTC), time.Date(2024, time.March, 11, 9, 0, 0, 0, time.UTC)}, // Friday evening → Monday
		{"0 0 29 2 *", time.Date(2025, time.March, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, time.February, 29, 0, 0, 0, 0, time.UTC)},
		{"  0 6 * * *  ", at(10, 30), time.Date(2024, time.March, 6, 6, 0, 0, 0, time.UTC)},
		{"CRON_TZ=America/New_York 0 9 * * *", at(10, 30), time.Date(2024, time.March, 5, 9, 0, 0, 0, ny)},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			c, err := ParseCron(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Next(tt.after); !got.Equal(tt.want) {
				t.Errorf("Next(%s) = %s, want %s", tt.after, got, tt.want)
			}
		})
	}
}

func TestCronInvalid(t *testing.T) {
	for _, expr := range []string{
		"",
		"* * * *",
		"0 0 * * * *", // seconds are not accepted
		"61 * * * *",
		"0 25 * * *",
		"0 0 * * 8",
		"@fortnightly",
		"@every 5m",
		"0 0 30 2 *", // never fires
		"CRON_TZ=Nowhere/Atlantis 0 0 * * *",
	} {
		t.Run(expr, func(t *testing.T) {
			if c, err := ParseCron(expr); err == nil {
				t.Errorf("ParseCron(%q) = %v, want an error", expr, c)
			}
		})
	}
}

func TestZeroCronNeverFires(t *testing.T) {
	if got := (Cron{}).Next(at(0, 0)); !got.IsZero() {
		t.Errorf("Cron{}.Next = %s, want zero", got)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		every, cron string
		jitter      time.Duration
		want        Schedule
		wantErr     string
	}{
		{every: "6h", jitter: 10 * time.Minute, want: Every{Interval: 6 * time.Hour, Jitter: 10 * time.Minute}},
		{every: "1m", want: Every{Interval: time.Minute}},
		{every: "1d", want: Every{Interval: 24 * time.Hour}},
		{every: "1d12h", want: Every{Interval: 36 * time.Hour}},
		{cron: "@daily"},
		{cron: "0 */6 * * *"},
		{wantErr: "--every or --cron"},
		{every: "6h", cron: "@daily", wantErr: "mutually exclusive"},
		{every: "9s", wantErr: "under the minimum"},
		{every: "0", wantErr: "under the minimum"},
		{every: "-1h", wantErr: "--every"},
		{every: "six hours", wantErr: "--every"},
		{every: "1h", jitter: -time.Second, wantErr: "negative"},
		{every: "1h", jitter: time.Hour, wantErr: "shorter than"},
		{cron: "@daily", jitter: time.Minute, wantErr: "--jitter applies to --every"},
		{cron: "0 0 * * * *", wantErr: "--cron"},
		{cron: "@every 1h", wantErr: "use --every"},
	}
	for _, tt := range tests {
		t.Run(tt.every+"|"+tt.cron, func(t *testing.T) {
			got, err := Parse(tt.every, tt.cron, tt.jitter)
			if tt.wantErr != "" {
				var usage *UsageError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &usage) {
					t.Fatalf("Parse = %v, %v; want a *UsageError containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.cron != "" {
				if c, ok := got.(Cron); !ok || c.Expr != tt.cron {
					t.Fatalf("Parse = %#v, want Cron %q", got, tt.cron)
				}
				return
			}
			if got != tt.want {
				t.Errorf("Parse = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "7d", want: 7 * 24 * time.Hour},
		{in: "168h", want: 7 * 24 * time.Hour},
		{in: "1d6h30m", want: 30*time.Hour + 30*time.Minute},
		{in: "90m", want: 90 * time.Minute},
		{in: " 2h ", want: 2 * time.Hour},
		{in: "", bad: true},
		{in: "d", bad: true},
		{in: "xd", bad: true},
		{in: "-1d", bad: true},
		{in: "1d-1h", bad: true},
		{in: "-5m", bad: true},
		{in: "1w", bad: true},
		{in: "1.5d", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ParseDuration(%q) = %s, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}
