package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// MinInterval is the shortest interval between scheduled scans that Parse
// accepts. It is short enough for a test estate or an emulator; a real
// estate is scanned every few hours, and the scan lock keeps an interval
// shorter than a scan from overlapping anyway.
const MinInterval = 10 * time.Second

// Schedule says when the next scan is due.
type Schedule interface {
	// Next returns the first scheduled time strictly after after, or the zero
	// time when the schedule never fires again.
	Next(after time.Time) time.Time
}

// Every fires Interval after the previous time plus a jitter drawn uniformly from
// [0, Jitter), so that replicas and neighbouring deployments do not all call AWS
// at the same moment.
type Every struct {
	Interval time.Duration
	Jitter   time.Duration
	Rand     Rand // nil: math/rand/v2's top-level source
}

// Next implements Schedule.
func (e Every) Next(after time.Time) time.Time {
	return after.Add(e.Interval + time.Duration(draw(e.Rand, int64(e.Jitter))))
}

// Cron fires on a standard 5-field cron expression (minute hour day-of-month month
// day-of-week) or a descriptor (@yearly, @monthly, @weekly, @daily, @midnight,
// @hourly). Times are computed in the location of the time passed to Next unless
// the expression starts with CRON_TZ=<zone>.
type Cron struct {
	Expr  string
	sched cron.Schedule
}

// Next implements Schedule. A Cron that was not built by ParseCron never fires.
func (c Cron) Next(after time.Time) time.Time {
	if c.sched == nil {
		return time.Time{}
	}
	return c.sched.Next(after)
}

// String returns the expression.
func (c Cron) String() string { return c.Expr }

// ParseCron parses a cron expression. It refuses @every (use --every) and
// expressions that can never fire, such as "0 0 30 2 *".
func ParseCron(expr string) (Cron, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return Cron{}, errors.New("empty cron expression")
	}
	if strings.HasPrefix(expr, "@every") || strings.Contains(expr, " @every") {
		return Cron{}, fmt.Errorf("cron expression %q: use --every for intervals", expr)
	}
	// The standard five fields and descriptors only: no seconds field, so nothing
	// fires more often than once a minute.
	p := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	s, err := p.Parse(expr)
	if err != nil {
		return Cron{}, fmt.Errorf("cron expression %q: %w", expr, err)
	}
	// The parser searches five years ahead of a time, which covers every
	// leap-year pattern, so a fixed probe tells whether the expression ever fires.
	probe := time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)
	if s.Next(probe).IsZero() {
		return Cron{}, fmt.Errorf("cron expression %q never fires", expr)
	}
	return Cron{Expr: expr, sched: s}, nil
}

// UsageError is a mistake in the schedule flags; the CLI maps it to its usage exit
// code.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usagef(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// Parse builds the schedule from --every, --cron and --jitter. Exactly one of
// every and cronExpr must be set; an interval under MinInterval is refused; jitter
// applies to --every only and must be shorter than the interval. Every error is a
// *UsageError.
//
// The jitter of the returned Every comes from math/rand/v2's top-level source; set
// Every.Rand to inject another.
func Parse(every, cronExpr string, jitter time.Duration) (Schedule, error) {
	every, cronExpr = strings.TrimSpace(every), strings.TrimSpace(cronExpr)
	switch {
	case every != "" && cronExpr != "":
		return nil, usagef("--every and --cron are mutually exclusive")
	case every == "" && cronExpr == "":
		return nil, usagef("a schedule is required: --every or --cron")
	case jitter < 0:
		return nil, usagef("--jitter %s is negative", jitter)
	}
	if cronExpr != "" {
		if jitter != 0 {
			return nil, usagef("--jitter applies to --every, not --cron")
		}
		c, err := ParseCron(cronExpr)
		if err != nil {
			return nil, &UsageError{fmt.Errorf("--cron: %w", err)}
		}
		return c, nil
	}
	d, err := ParseDuration(every)
	if err != nil {
		return nil, &UsageError{fmt.Errorf("--every: %w", err)}
	}
	if d < MinInterval {
		return nil, usagef("--every %s is under the minimum of %s", every, MinInterval)
	}
	if jitter >= d {
		return nil, usagef("--jitter %s must be shorter than --every %s", jitter, every)
	}
	return Every{Interval: d, Jitter: jitter}, nil
}

// ParseDuration parses a Go duration ("6h", "90m") optionally led by whole days
// ("7d", "1d12h"), as --every and --full-every take them.
func ParseDuration(in string) (time.Duration, error) {
	s := strings.TrimSpace(in)
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.ParseUint(s[:i], 10, 16)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", in)
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q", in)
	}
	if d < 0 || s[0] == '-' || s[0] == '+' {
		return 0, fmt.Errorf("invalid duration %q", in)
	}
	return days + d, nil
}
