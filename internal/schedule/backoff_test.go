package schedule

import (
	"math"
	"testing"
	"time"
)

func TestBackoffDelayBounds(t *testing.T) {
	b := Backoff{Base: time.Minute, Max: 10 * time.Minute}
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{-1, time.Minute, time.Minute},
		{0, time.Minute, time.Minute},
		{1, time.Minute, 2 * time.Minute},
		{2, time.Minute, 4 * time.Minute},
		{3, time.Minute, 8 * time.Minute},
		{4, time.Minute, 10 * time.Minute}, // capped
		{64, time.Minute, 10 * time.Minute},
		{math.MaxInt, time.Minute, 10 * time.Minute},
	}
	for _, tt := range tests {
		lo, hi := b, b
		lo.Rand, hi.Rand = minRand{}, maxRand{}
		if got := lo.Delay(tt.attempt); got != tt.min {
			t.Errorf("Delay(%d) with the smallest draw = %s, want %s", tt.attempt, got, tt.min)
		}
		if got := hi.Delay(tt.attempt); got != tt.max {
			t.Errorf("Delay(%d) with the largest draw = %s, want %s", tt.attempt, got, tt.max)
		}
		for range 200 { // the default source stays within the same bounds
			if got := b.Delay(tt.attempt); got < tt.min || got > tt.max {
				t.Fatalf("Delay(%d) = %s, want in [%s, %s]", tt.attempt, got, tt.min, tt.max)
			}
		}
	}
}

func TestBackoffDefaultsAndOddBounds(t *testing.T) {
	tests := []struct {
		name     string
		b        Backoff
		attempt  int
		min, max time.Duration
	}{
		{"zero value", Backoff{}, 0, DefaultBackoffBase, DefaultBackoffBase},
		{"zero value, capped", Backoff{}, 30, DefaultBackoffBase, DefaultBackoffMax},
		{"max under base", Backoff{Base: time.Hour, Max: time.Minute}, 5, time.Hour, time.Hour},
		{"huge base does not overflow", Backoff{Base: time.Duration(math.MaxInt64 / 3), Max: time.Duration(math.MaxInt64)}, 10, time.Duration(math.MaxInt64 / 3), time.Duration(math.MaxInt64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi := tt.b, tt.b
			lo.Rand, hi.Rand = minRand{}, maxRand{}
			if got := lo.Delay(tt.attempt); got != tt.min {
				t.Errorf("smallest Delay = %s, want %s", got, tt.min)
			}
			if got := hi.Delay(tt.attempt); got != tt.max {
				t.Errorf("largest Delay = %s, want %s", got, tt.max)
			}
		})
	}
}

func TestNextAttempt(t *testing.T) {
	b := Backoff{Base: time.Minute, Max: time.Hour, Rand: maxRand{}}
	failed := at(10, 0)
	tests := []struct {
		name      string
		scheduled time.Time
		failures  int
		want      time.Time
	}{
		{"first failure waits Base", at(16, 0), 1, at(10, 1)},
		{"zero failures treated as the first", at(16, 0), 0, at(10, 1)},
		{"third failure", at(16, 0), 3, at(10, 4)},
		{"capped by Max", at(16, 0), 20, at(11, 0)},
		{"capped by the next scheduled scan", at(10, 3), 3, at(10, 3)},
		{"scheduled scan sooner than Base", at(10, 0).Add(30 * time.Second), 1, at(10, 0).Add(30 * time.Second)},
		{"no scheduled scan", time.Time{}, 20, at(11, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := b.NextAttempt(failed, tt.scheduled, tt.failures); !got.Equal(tt.want) {
				t.Errorf("NextAttempt = %s, want %s", got, tt.want)
			}
		})
	}
}
