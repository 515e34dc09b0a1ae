package serve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/alert/compose"
	"github.com/sagekey/sagekey/internal/alert/detect"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/metrics"
	"github.com/sagekey/sagekey/internal/scan"
	"github.com/sagekey/sagekey/internal/schedule"
	"github.com/sagekey/sagekey/internal/store"
)

// Stored is one stored scan as the alerts and gauges need it: the run, its
// snapshot and its findings (evaluated again, as `sagekey report` does).
type Stored struct {
	Run      store.Run
	Snapshot store.Snapshot
	Findings []finding.Finding
}

// Options configure Run. Functions that reach AWS are given by the caller,
// so this package never builds AWS clients itself.
type Options struct {
	Store *store.Store
	// Scan runs one scan and stores it (full: describe everything again).
	// It returns a nil result, or one with no run id, when the scan did
	// not complete.
	Scan func(ctx context.Context, full bool) (*scan.Result, error)
	// NoScan turns the scheduled scans off: other processes store the
	// scans (sagekey scan --shard sweeps from a CronJob or an AWS Batch
	// array job), and serve alerts on them, shows them and consumes
	// Queue. Schedule and Scan are then unused.
	NoScan bool
	// Load reads and evaluates a stored scan.
	Load func(ctx context.Context, runID int64) (Stored, error)
	// Trail, when set, reads CloudTrail after each scan (`sagekey trail`).
	Trail func(ctx context.Context) error
	// Queue, when set, consumes event-driven checks from SQS.
	Queue *QueueOptions

	Schedule   schedule.Schedule
	FullEvery  time.Duration
	Backoff    schedule.Backoff
	RunAtStart bool

	Detect      detect.Options
	TrailDetect detect.TrailOptions
	Compose     compose.Options
	// Route names the sinks of an alert; Sinks are the configured sinks.
	Route            func(alert.Alert) []string
	Sinks            map[string]alert.Sink
	AlertMaxAttempts int
	// AlertBackoff spaces the retries of a failed delivery.
	AlertBackoff schedule.Backoff
	// AlertPoll is how often the outbox is polled for due deliveries.
	AlertPoll time.Duration

	Metrics   *metrics.Metrics
	Dashboard http.Handler
	// CostCenterTag attributes the monthly KMS cost gauge.
	CostCenterTag string

	// Listen is the HTTP address; AuthToken, when set, is required as a
	// bearer token (or basic-auth password) everywhere but the probes.
	Listen    string
	AuthToken string
	// ReadyGrace is how late the scheduled scan may be before /readyz
	// fails.
	ReadyGrace time.Duration
	// Refresh is how often the latest stored scan is looked for, to update
	// the gauges (another replica may have stored it).
	Refresh time.Duration
	// ShutdownTimeout bounds the outbox flush and HTTP drain on SIGTERM.
	ShutdownTimeout time.Duration

	Clock schedule.Clock // nil: the system clock
	// Listening, when set, is told the bound address (tests, logs).
	Listening func(addr net.Addr)
}

// ErrUnsafeListen is returned when a non-loopback address is asked for
// without a token: the dashboard shows the estate's weaknesses, and
// /api/scan spends the accounts' API quotas.
var ErrUnsafeListen = errors.New("listening beyond loopback needs --auth-token-file")

// CheckListen refuses a non-loopback listen address without a token.
func CheckListen(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", addr, err)
	}
	if token != "" || host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--listen %s: %w", addr, ErrUnsafeListen)
	}
	return nil
}

func (o *Options) defaults() error {
	if o.Store == nil || o.Load == nil || (!o.NoScan && (o.Scan == nil || o.Schedule == nil)) {
		return errors.New("serve: a store, a loader, and unless NoScan a scan and a schedule are required")
	}
	if err := CheckListen(o.Listen, o.AuthToken); err != nil {
		return err
	}
	if o.Clock == nil {
		o.Clock = schedule.SystemClock{}
	}
	if o.Metrics == nil {
		o.Metrics = metrics.New()
	}
	if o.ReadyGrace <= 0 {
		o.ReadyGrace = time.Hour
	}
	if o.Refresh <= 0 {
		o.Refresh = time.Minute
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 20 * time.Second
	}
	if o.AlertPoll <= 0 {
		o.AlertPoll = 2 * time.Second
	}
	if o.CostCenterTag == "" {
		o.CostCenterTag = "cost-center"
	}
	if o.Route == nil {
		o.Route = func(alert.Alert) []string { return nil }
	}
	if o.Queue != nil {
		return o.Queue.defaults()
	}
	return nil
}
