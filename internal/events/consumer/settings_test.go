package consumer

import (
	"context"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/events"
)

func TestSettings(t *testing.T) {
	t.Parallel()
	handle := func(context.Context, []events.Target) error { return nil }
	valid := func() Consumer { return Consumer{API: nilAPI{}, QueueURL: "q", Handle: handle} }
	c := valid()
	s, err := c.settings()
	if err != nil {
		t.Fatal(err)
	}
	if s.batch != DefaultBatch || s.wait != DefaultWait || s.visibility != DefaultVisibility || s.extend != DefaultVisibility/2 {
		t.Errorf("defaults = %+v", s)
	}
	for name, change := range map[string]func(*Consumer){
		"no API":              func(c *Consumer) { c.API = nil },
		"no queue":            func(c *Consumer) { c.QueueURL = "" },
		"no handler":          func(c *Consumer) { c.Handle = nil },
		"batch over 10":       func(c *Consumer) { c.Batch = 11 },
		"negative batch":      func(c *Consumer) { c.Batch = -1 },
		"wait over 20 s":      func(c *Consumer) { c.Wait = 21 * time.Second },
		"visibility under 1s": func(c *Consumer) { c.Visibility = 500 * time.Millisecond },
		"extend past timeout": func(c *Consumer) { c.Visibility, c.Extend = 10*time.Second, 10*time.Second },
	} {
		c := valid()
		change(&c)
		if _, err := c.settings(); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if _, err := c.Poll(context.Background()); err == nil {
			t.Errorf("%s: Poll accepted it", name)
		}
		if err := c.Run(context.Background()); err == nil {
			t.Errorf("%s: Run accepted it", name)
		}
	}
}

func TestSeconds(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]int32{time.Second: 1, 1500 * time.Millisecond: 2, time.Minute: 60} {
		if got := seconds(d); got != want {
			t.Errorf("seconds(%s) = %d, want %d", d, got, want)
		}
	}
}

func TestNextBackoff(t *testing.T) {
	t.Parallel()
	d := time.Duration(0)
	for range 10 {
		d = nextBackoff(d)
	}
	if d != 30*time.Second {
		t.Errorf("backoff settles at %s, want 30s", d)
	}
}

// TestHandlerPanicIsAnError: a panicking handler fails its batch instead
// of the service.
func TestHandlerPanicIsAnError(t *testing.T) {
	t.Parallel()
	c := &Consumer{Handle: func(context.Context, []events.Target) error { panic("boom") }}
	if err := c.handle(context.Background(), nil); err == nil {
		t.Fatal("panic not turned into an error")
	}
}

// nilAPI is an SQSAPI that must never be reached: settings are checked
// before any call.
type nilAPI struct{ SQSAPI }
