package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"golang.org/x/sync/errgroup"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/events/eventstest"
	"github.com/sagekey/sagekey/internal/motoserver"
)

// RunEvents executes the events benchmark, prints the report to stdout and
// returns the exit status (0 all targets met, 1 otherwise).
func RunEvents(ctx context.Context, cfg EventsConfig, stdout io.Writer, log *slog.Logger) int {
	res, err := executeEvents(ctx, cfg, log)
	return finish(stdout, log, res, err, WriteEventsText, cfg.JSONPath)
}

// executeEvents sets up moto, the estate, the queue, the proxy, the webhook
// receiver and sagekey serve, sends the events and collects the alerts. It
// fails only when the benchmark itself cannot run; a serve that fails or
// alerts too late is a result.
func executeEvents(ctx context.Context, cfg EventsConfig, log *slog.Logger) (*EventsResult, error) {
	h, stop, err := startHarness(ctx, cfg.KeepDir, cfg.SagekeyPath, log)
	if err != nil {
		return nil, err
	}
	defer stop()
	work, bin, srv := h.work, h.bin, h.srv
	awsCfg, err := motoserver.AWSConfig(ctx, srv.URL(), eventsRegion)
	if err != nil {
		return nil, err
	}
	accounts := eventsAccountIDs(cfg.Accounts)
	res := &EventsResult{Config: EventsResultConfig{
		Rate: cfg.Rate, Duration: cfg.Duration.String(), Events: cfg.Events(), Latency: cfg.Latency.String(),
		Base: cfg.Base, Accounts: accounts, Pollers: cfg.Pollers, TargetP99: cfg.TargetP99.String(),
		Store: "sqlite", Sagekey: bin,
	}}
	if cfg.Postgres != "" {
		res.Config.Store = "postgres"
	}
	if cfg.KeepDir != "" {
		res.Config.WorkDir = work
	}

	seedStart := time.Now()
	est, err := seedEventsEstate(ctx, awsCfg, cfg.Base)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	res.Seed = EventsSeed{Key: est.key, Notebooks: cfg.Base, Keyed: (cfg.Base + 1) / 2, Queue: est.queue, DLQ: est.dlq,
		SetupSeconds: time.Since(seedStart).Seconds()}
	log.Info("estate seeded", "notebooks", cfg.Base, "queue", est.queue, "elapsed", time.Since(seedStart).Round(time.Millisecond))

	proxy, err := NewProxy(srv.URL(), ProxyOptions{Latency: cfg.Latency}, log)
	if err != nil {
		return nil, err
	}
	timed := &timedProxy{proxy: proxy}
	ps, err := startTimedProxy(timed)
	if err != nil {
		return nil, err
	}
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ps.Shutdown(shutdownCtx)
	}()
	proxyURL := "http://" + ps.Addr

	secret := randomHex(16)
	hook, err := startHookReceiver([]byte(secret), log)
	if err != nil {
		return nil, err
	}
	defer hook.close()

	sp, err := startEventsServe(ctx, cfg, work, bin, proxyURL, accounts, est.queue, hook.url(), secret)
	if err != nil {
		return nil, err
	}
	res.Serve = &EventsServe{Command: sp.command, LogPath: sp.logPath}
	defer sp.kill()

	// The first scan runs at start: the base estate as first found.
	log.Info("sagekey serve started; waiting for its first scan", "listen", sp.addr)
	firstStart := time.Now()
	if err := sp.waitFor(ctx, "the first scan", eventsFirstScanLimit, func(f families) bool {
		return f.sum("sagekey_scans_total", "result", "ok")+f.sum("sagekey_scans_total", "result", "incomplete") >= 1
	}); err != nil {
		res.Serve.Failure = err.Error() + "; log " + sp.logPath + ":\n" + tailOf(sp.logPath, 15)
		sp.stopInto(res.Serve)
		res.evaluate()
		return res, nil
	}
	res.FirstScanSeconds = time.Since(firstStart).Seconds()
	// Let the first scan's alerts (the base estate's unkeyed notebooks)
	// be delivered, so the event phase is counted alone.
	hook.settle(ctx, 2*time.Second, 60*time.Second)
	res.BaseAlerts = hook.total()
	log.Info("first scan stored and its alerts delivered", "first_scan", roundSeconds(res.FirstScanSeconds), "alerts", res.BaseAlerts)
	before, _ := sp.metrics(ctx)
	proxy.Reset()
	timed.reset()
	motoPID := findMotoPID(portOf(srv.URL()))
	cpuBefore := sampleEventsCPU(motoPID, sp.cmd.Process.Pid)

	// The generator reaches each account as serve does: the caller's
	// directly, the others by assuming the organization's role.
	sms := make([]*sagemaker.Client, len(accounts))
	for i, account := range accounts {
		c := awsCfg
		if account != eventsAccount {
			c = awsclient.AssumeRole(awsCfg, awsCfg, "arn:aws:iam::"+account+":role/"+awsclient.DefaultRoleName)
			// Assumed now, not on the first event's schedule.
			if _, err := c.Credentials.Retrieve(ctx); err != nil {
				return nil, fmt.Errorf("assume %s in %s: %w", awsclient.DefaultRoleName, account, err)
			}
		}
		sms[i] = sagemaker.NewFromConfig(c)
	}
	log.Info("sending events", "rate", cfg.Rate, "duration", cfg.Duration, "events", cfg.Events(), "accounts", len(accounts))
	gen := generateEvents(ctx, sms, accounts, sqs.NewFromConfig(awsCfg), est.queue, cfg, time.Now())
	res.Generator = gen.summary()
	log.Info("events sent", "sent", res.Generator.Sent, "errors", res.Generator.Errors,
		"achieved_rate", fmt.Sprintf("%.1f/s", res.Generator.AchievedRate), "slip_max", roundWall(time.Duration(res.Generator.SlipMaxSeconds*float64(time.Second))))

	// Wait for every sent event's alert, at most eventsDrain after the last send.
	want := map[string]bool{}
	for _, e := range gen.events {
		if e.err == "" {
			want[e.arn] = true
		}
	}
	deadline := time.Now().Add(eventsDrain)
	for time.Now().Before(deadline) && ctx.Err() == nil && hook.openedFor(want) < len(want) && sp.running() {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // a late duplicate would arrive now
	if ctx.Err() != nil {
		return nil, fmt.Errorf("interrupted while waiting for alerts: %w", context.Cause(ctx))
	}
	res.Proxy = proxy.Snapshot()
	res.AnswerTimes = timed.stats()
	res.CPU = cpuBefore.until(sampleEventsCPU(motoPID, sp.cmd.Process.Pid))
	after, err := sp.metrics(ctx)
	if err != nil {
		res.Serve.Failure = "read /metrics at the end: " + err.Error()
	}
	res.Metrics = eventsMetrics(before, after)
	res.Alerts, res.Latency = matchAlerts(gen.events, hook.snapshot())
	sp.stopInto(res.Serve)
	res.evaluate()
	return res, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// eventsEstate is what was seeded directly in moto.
type eventsEstate struct {
	key        string
	queue, dlq string
}

// seedEventsEstate creates the CMK (rotation on, tagged) and base notebooks
// (half with the key, all tagged like the e2e estate) in the caller's
// account, and the event queue with its dead-letter queue (the
// organization's central queue, there too), directly in moto.
func seedEventsEstate(ctx context.Context, cfg aws.Config, base int) (*eventsEstate, error) {
	km, sm, q := kms.NewFromConfig(cfg), sagemaker.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	k, err := km.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("sagekey-bench events CMK"),
		Tags: []kmstypes.Tag{{TagKey: aws.String("owner"), TagValue: aws.String("ml-platform")}, {TagKey: aws.String("cost-center"), TagValue: aws.String("cc-42")}}})
	if err != nil {
		return nil, fmt.Errorf("create key: %w", err)
	}
	if _, err := km.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: k.KeyMetadata.KeyId}); err != nil {
		return nil, fmt.Errorf("enable key rotation: %w", err)
	}
	est := &eventsEstate{key: aws.ToString(k.KeyMetadata.Arn)}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(seedConcurrency)
	for i := range base {
		g.Go(func() error {
			key := ""
			if i%2 == 0 {
				key = est.key
			}
			_, err := createNotebook(gctx, sm, eventsAccount, fmt.Sprintf("base-%04d", i), key)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	dlq, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(eventsDLQName)})
	if err != nil {
		return nil, fmt.Errorf("create dead-letter queue: %w", err)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return nil, fmt.Errorf("dead-letter queue ARN: %w", err)
	}
	redrive := fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"%d"}`, attrs.Attributes["QueueArn"], eventsMaxReceives)
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(eventsQueueName),
		Attributes: map[string]string{"RedrivePolicy": redrive}})
	if err != nil {
		return nil, fmt.Errorf("create queue: %w", err)
	}
	est.queue, est.dlq = aws.ToString(queue.QueueUrl), aws.ToString(dlq.QueueUrl)
	return est, nil
}

// createNotebook creates a notebook instance tagged like the e2e estate in
// account (sm's), with key as its KMS key unless empty, and returns its ARN.
func createNotebook(ctx context.Context, sm *sagemaker.Client, account, name, key string) (string, error) {
	in := &sagemaker.CreateNotebookInstanceInput{NotebookInstanceName: aws.String(name), InstanceType: smtypes.InstanceTypeMlT3Medium,
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/sagemaker"),
		Tags:    []smtypes.Tag{{Key: aws.String("owner"), Value: aws.String("ml-platform")}, {Key: aws.String("cost-center"), Value: aws.String("cc-42")}}}
	if key != "" {
		in.KmsKeyId = aws.String(key)
	}
	out, err := sm.CreateNotebookInstance(ctx, in)
	if err != nil {
		return "", fmt.Errorf("create notebook %s: %w", name, err)
	}
	return aws.ToString(out.NotebookInstanceArn), nil
}

// sentEvent is one generated event.
type sentEvent struct {
	name, arn string
	account   string
	scheduled time.Time // when the schedule said to start it
	started   time.Time // when its notebook creation started
	created   time.Time // when CreateNotebookInstance returned
	sent      time.Time // when SendMessage returned
	err       string
}

// generated is the generator's record.
type generated struct {
	t0     time.Time
	events []sentEvent
}

// generateEvents creates notebook ev-NNNNN without a key in account
// i mod len(accounts) (with sms[that], a client of the account) and then
// sends its CreateNotebookInstance event, for i = 0 … Events−1 at
// t0 + i/rate, with at most eventsInFlight events in flight. Both calls go
// to moto directly: they are the world changing, not sagekey.
func generateEvents(ctx context.Context, sms []*sagemaker.Client, accounts []string, q *sqs.Client, queue string, c EventsConfig, t0 time.Time) *generated {
	n := c.Events()
	g := &generated{t0: t0, events: make([]sentEvent, n)}
	sem := make(chan struct{}, eventsInFlight)
	var wg sync.WaitGroup
	for i := range n {
		e := &g.events[i]
		e.name = fmt.Sprintf("ev-%05d", i)
		e.account = accounts[i%len(accounts)]
		sm := sms[i%len(accounts)]
		e.scheduled = t0.Add(time.Duration(float64(i) / c.Rate * float64(time.Second)))
		if d := time.Until(e.scheduled); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			e.err = "interrupted"
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			e.started = time.Now()
			arn, err := createNotebook(ctx, sm, e.account, e.name, "")
			if err != nil {
				e.err = err.Error()
				return
			}
			e.arn, e.created = arn, time.Now()
			call := eventstest.Call{ID: fmt.Sprintf("bench-%s-%05d", t0.UTC().Format("150405"), i), Account: e.account,
				Region: eventsRegion, Service: "sagemaker", Name: "CreateNotebookInstance",
				Request: map[string]any{"notebookInstanceName": e.name}, Time: time.Now().UTC()}
			if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queue), MessageBody: aws.String(string(call.JSON()))}); err != nil {
				e.err = "send event: " + err.Error()
				return
			}
			e.sent = time.Now()
		}()
	}
	wg.Wait()
	return g
}

// summary is what the generator achieved.
func (g *generated) summary() EventsGenerator {
	s := EventsGenerator{Planned: len(g.events)}
	var slips, creates, sends []time.Duration
	var first, last time.Time
	for _, e := range g.events {
		if e.err != "" {
			s.Errors++
			if s.FirstError == "" {
				s.FirstError = e.name + ": " + e.err
			}
			continue
		}
		s.Sent++
		slips = append(slips, max(0, e.started.Sub(e.scheduled)))
		creates = append(creates, e.created.Sub(e.started))
		sends = append(sends, e.sent.Sub(e.created))
		if first.IsZero() || e.sent.Before(first) {
			first = e.sent
		}
		if e.sent.After(last) {
			last = e.sent
		}
	}
	if s.Sent > 0 {
		s.WallSeconds = last.Sub(g.t0).Seconds()
		// Sends per second between the first and the last: n sends span
		// n−1 intervals.
		if span := last.Sub(first).Seconds(); s.Sent > 1 && span > 0 {
			s.AchievedRate = float64(s.Sent-1) / span
		}
		st := durationStats(slips)
		s.SlipP50Seconds, s.SlipP99Seconds, s.SlipMaxSeconds = st.P50, st.P99, st.Max
		s.Create, s.Send = durationStats(creates), durationStats(sends)
	}
	return s
}

// hookReceiver is the webhook sink's endpoint in the benchmark process: it
// checks each delivery's HMAC signature and timestamp as a real receiver
// would, and records each alert's deliveries with their arrival times.
type hookReceiver struct {
	secret []byte
	srv    *http.Server
	addr   string
	log    *slog.Logger

	mu         sync.Mutex
	deliveries map[string]*delivery // by alert id
	bad        []string
	last       time.Time // last delivery
}

type delivery struct {
	alert alert.Alert
	first time.Time
	count int
}

func startHookReceiver(secret []byte, log *slog.Logger) (*hookReceiver, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("webhook receiver listen: %w", err)
	}
	r := &hookReceiver{secret: secret, addr: l.Addr().String(), log: log, deliveries: map[string]*delivery{}}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := r.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("webhook receiver", "error", err)
		}
	}()
	return r, nil
}

func (r *hookReceiver) url() string { return "http://" + r.addr + "/hook" }

func (r *hookReceiver) close() { _ = r.srv.Close() }

func (r *hookReceiver) serveHTTP(w http.ResponseWriter, req *http.Request) {
	arrived := time.Now()
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	ts := req.Header.Get(alert.HeaderTimestamp)
	if err := alert.Verify(r.secret, req.Header.Get(alert.HeaderSignature), ts, body); err != nil {
		r.refuse("signature: " + err.Error())
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if err := alert.CheckTimestamp(ts, arrived, 5*time.Minute); err != nil {
		r.refuse("timestamp: " + err.Error())
		http.Error(w, "stale", http.StatusUnauthorized)
		return
	}
	var a alert.Alert
	if err := json.Unmarshal(body, &a); err != nil || a.Schema != alert.Schema || req.Header.Get(alert.HeaderAlertID) != a.ID {
		r.refuse("document: " + truncate(string(body), 200))
		http.Error(w, "bad document", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	d := r.deliveries[a.ID]
	if d == nil {
		d = &delivery{alert: a, first: arrived}
		r.deliveries[a.ID] = d
	}
	d.count++
	r.last = arrived
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (r *hookReceiver) refuse(why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bad = append(r.bad, why)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// total is how many distinct alerts arrived.
func (r *hookReceiver) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.deliveries)
}

// settle waits until no delivery arrived for quiet, at most limit.
func (r *hookReceiver) settle(ctx context.Context, quiet, limit time.Duration) {
	deadline := time.Now().Add(limit)
	start := time.Now()
	for time.Now().Before(deadline) && ctx.Err() == nil {
		r.mu.Lock()
		last := r.last
		r.mu.Unlock()
		if last.IsZero() {
			last = start
		}
		if time.Since(last) >= quiet {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// openedFor counts the resources in arns that have a violation_opened.
func (r *hookReceiver) openedFor(arns map[string]bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	for _, d := range r.deliveries {
		if d.alert.Kind == alert.ViolationOpened && d.alert.Resource != nil && arns[d.alert.Resource.ARN] {
			seen[d.alert.Resource.ARN] = true
		}
	}
	return len(seen)
}

// receivedAlert is one distinct alert as the receiver saw it.
type receivedAlert struct {
	alert alert.Alert
	first time.Time
	count int
}

// hookSnapshot is everything the receiver got.
type hookSnapshot struct {
	alerts []receivedAlert
	bad    []string
}

func (r *hookReceiver) snapshot() hookSnapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := hookSnapshot{bad: append([]string(nil), r.bad...)}
	for _, d := range r.deliveries {
		s.alerts = append(s.alerts, receivedAlert{alert: d.alert, first: d.first, count: d.count})
	}
	return s
}

// matchAlerts pairs each sent event with the violation_opened alerts about
// its notebook and measures event-to-alert latency from SendMessage's
// return to the first such alert's arrival.
func matchAlerts(sent []sentEvent, hook hookSnapshot) (EventsAlerts, LatencyStats) {
	byARN := map[string][]receivedAlert{}
	a := EventsAlerts{Refused: len(hook.bad)}
	if len(hook.bad) > 0 {
		a.FirstRefused = hook.bad[0]
	}
	for _, r := range hook.alerts {
		a.Received++
		if r.count > 1 {
			a.Redelivered++
			a.Duplicates++
		}
		if r.alert.Kind == alert.ViolationOpened && r.alert.Resource != nil {
			byARN[strings.ToLower(r.alert.Resource.ARN)] = append(byARN[strings.ToLower(r.alert.Resource.ARN)], r)
		}
	}
	var lat []time.Duration
	for _, e := range sent {
		if e.err != "" {
			continue
		}
		got := byARN[strings.ToLower(e.arn)]
		if len(got) == 0 {
			a.Missing++
			if len(a.MissingExamples) < 5 {
				a.MissingExamples = append(a.MissingExamples, e.name)
			}
			continue
		}
		a.Matched++
		if e.account != "" {
			if a.ByAccount == nil {
				a.ByAccount = map[string]int{}
			}
			a.ByAccount[e.account]++
		}
		first := got[0].first
		checks := map[string]int{}
		for _, r := range got {
			if r.first.Before(first) {
				first = r.first
			}
			checks[r.alert.CheckID]++
		}
		for _, n := range checks {
			// A second alert id for the same notebook and check is the same
			// violation alerted twice.
			if n > 1 {
				a.Duplicates += n - 1
			}
		}
		a.PerEvent = max(a.PerEvent, len(got))
		lat = append(lat, first.Sub(e.sent))
	}
	return a, durationStats(lat)
}

// families is a parsed /metrics page.
type families map[string]*dto.MetricFamily

// sum adds a family's counter, gauge or histogram-count samples whose
// label name has value (any when name is "").
func (f families) sum(family, name, value string) float64 {
	fam, ok := f[family]
	if !ok {
		return 0
	}
	var s float64
	for _, m := range fam.GetMetric() {
		if name != "" && labelOf(m, name) != value {
			continue
		}
		switch {
		case m.GetCounter() != nil:
			s += m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			s += m.GetGauge().GetValue()
		case m.GetHistogram() != nil:
			s += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return s
}

// byLabel is a counter family's values by one label.
func (f families) byLabel(family, name string) map[string]float64 {
	out := map[string]float64{}
	fam, ok := f[family]
	if !ok {
		return out
	}
	for _, m := range fam.GetMetric() {
		if c := m.GetCounter(); c != nil {
			out[labelOf(m, name)] += c.GetValue()
		}
	}
	return out
}

func labelOf(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// histogram merges a histogram family's series into cumulative buckets.
func (f families) histogram(family string) histogram {
	h := histogram{}
	fam, ok := f[family]
	if !ok {
		return h
	}
	for _, m := range fam.GetMetric() {
		hm := m.GetHistogram()
		if hm == nil {
			continue
		}
		h.count += float64(hm.GetSampleCount())
		h.sum += hm.GetSampleSum()
		for i, b := range hm.GetBucket() {
			if i >= len(h.bounds) {
				h.bounds = append(h.bounds, b.GetUpperBound())
				h.cumulative = append(h.cumulative, 0)
			}
			h.cumulative[i] += float64(b.GetCumulativeCount())
		}
	}
	return h
}

// parseMetrics parses a Prometheus text page.
func parseMetrics(body []byte) (families, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	return families(fams), nil
}

// eventsMetrics is what serve's /metrics counted during the event phase:
// after minus before (a nil page counts as empty).
func eventsMetrics(before, after families) EventsMetrics {
	m := EventsMetrics{Events: map[string]float64{}, Checks: map[string]float64{}}
	if after == nil {
		return m
	}
	for k, v := range after.byLabel("sagekey_events_total", "outcome") {
		m.Events[k] = v - before.byLabel("sagekey_events_total", "outcome")[k]
	}
	for k, v := range after.byLabel("sagekey_event_checks_total", "result") {
		m.Checks[k] = v - before.byLabel("sagekey_event_checks_total", "result")[k]
	}
	m.Scans = after.sum("sagekey_scans_total", "", "") - before.sum("sagekey_scans_total", "", "")
	dur := after.histogram("sagekey_event_check_duration_seconds").minus(before.histogram("sagekey_event_check_duration_seconds"))
	m.CheckDuration = dur.summary()
	lag := after.histogram("sagekey_event_lag_seconds").minus(before.histogram("sagekey_event_lag_seconds"))
	m.Lag = lag.summary()
	return m
}

// eventsServe is the running `sagekey serve`.
type eventsServe struct {
	cmd     *exec.Cmd
	command string
	logPath string
	logFile *os.File
	addr    string
	token   string
	done    chan struct{}
	waitErr error
	rss     *rssWatch
	peakRSS int64 // KiB, once done
}

// startEventsServe writes serve's config, token and webhook secret into
// the work directory and starts it as a child process.
// accounts are its --accounts.
func startEventsServe(ctx context.Context, cfg EventsConfig, work, bin, endpoint string, accounts []string, queue, hookURL, secret string) (*eventsServe, error) {
	token := randomHex(16)
	tokenFile := filepath.Join(work, "serve-token")
	secretFile := filepath.Join(work, "hook-secret")
	configFile := filepath.Join(work, "sagekey.yaml")
	config := fmt.Sprintf(`required_tags: [owner]
serve:
  alert-retry-min: 1s
  alert-retry-max: 5s
  sinks:
    - {name: bench, type: webhook, url_env: SAGEKEY_BENCH_HOOK_URL, secret_file: %q}
`, secretFile)
	for path, body := range map[string]string{tokenFile: token + "\n", secretFile: secret, configFile: config} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			return nil, err
		}
	}
	db := filepath.Join(work, "events.db")
	if cfg.Postgres != "" {
		db = cfg.Postgres
	} else {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			_ = os.Remove(db + suffix) // a kept work directory's last run must not be this run's history
		}
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--listen", addr, "--auth-token-file", tokenFile, "--config", configFile,
		"--db", db, "--endpoint-url", endpoint, "--regions", eventsRegion, "--accounts", strings.Join(accounts, ","), "--every", "24h",
		"--queue", queue, "--queue-pollers", fmt.Sprint(cfg.Pollers), "--alert-severity", "high",
		"--log-level", "info", "--log-format", "json"}
	s := &eventsServe{addr: addr, token: token, logPath: filepath.Join(work, "serve.log"), done: make(chan struct{})}
	shown := append([]string(nil), args...)
	if cfg.Postgres != "" {
		for i := range shown {
			if shown[i] == cfg.Postgres {
				shown[i] = "postgres://…" // no password in the report
			}
		}
	}
	s.command = "sagekey " + strings.Join(shown, " ")

	if s.logFile, err = os.Create(s.logPath); err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir = work
	s.cmd.Env = append(scannerEnv(work, eventsRegion), "SAGEKEY_BENCH_HOOK_URL="+hookURL)

	s.cmd.Stdout, s.cmd.Stderr = s.logFile, s.logFile
	if err := s.cmd.Start(); err != nil {
		s.logFile.Close()
		return nil, fmt.Errorf("start sagekey serve: %w", err)
	}
	s.rss = watchRSS(s.cmd.Process.Pid)
	go func() {
		s.waitErr = s.cmd.Wait()
		s.peakRSS = s.rss.finish(s.cmd.ProcessState)
		close(s.done)
	}()
	return s, nil
}

func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

func (s *eventsServe) running() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// metrics reads and parses serve's /metrics.
func (s *eventsServe) metrics(ctx context.Context) (families, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.addr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: %s", resp.Status)
	}
	return parseMetrics(body)
}

// waitFor polls /metrics until ok, serve exits or limit passes.
func (s *eventsServe) waitFor(ctx context.Context, what string, limit time.Duration, ok func(families) bool) error {
	deadline := time.Now().Add(limit)
	for {
		if !s.running() {
			return fmt.Errorf("sagekey serve exited (%v) while waiting for %s", s.waitErr, what)
		}
		if f, err := s.metrics(ctx); err == nil && ok(f) {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted while waiting for %s: %w", what, context.Cause(ctx))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// stopInto sends SIGTERM, waits for the exit (killing serve after a
// minute) and records the exit status and peak RSS.
func (s *eventsServe) stopInto(r *EventsServe) {
	if s.running() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(60 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
			r.Failure = joinFailure(r.Failure, "did not stop within 60s of SIGTERM; killed")
		}
	}
	s.logFile.Close()
	r.ExitCode = -1
	if ps := s.cmd.ProcessState; ps != nil {
		r.ExitCode = ps.ExitCode()
		r.PeakRSSKiB = s.peakRSS
	}
	if r.ExitCode != 0 {
		r.Failure = joinFailure(r.Failure, fmt.Sprintf("exited with status %d after SIGTERM (want 0); log %s:\n%s", r.ExitCode, s.logPath, tailOf(s.logPath, 15)))
	}
}

// kill is the deferred last resort when the benchmark aborts.
func (s *eventsServe) kill() {
	if s.running() {
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.logFile.Close()
}

func joinFailure(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// histogram is cumulative buckets, as Prometheus exposes them.
type histogram struct {
	bounds     []float64 // upper bounds, ascending; the last may be +Inf
	cumulative []float64
	count, sum float64
}

// minus is h − o bucket by bucket (o taken earlier from the same series).
func (h histogram) minus(o histogram) histogram {
	out := histogram{bounds: h.bounds, cumulative: append([]float64(nil), h.cumulative...), count: h.count - o.count, sum: h.sum - o.sum}
	for i := range out.cumulative {
		if i < len(o.cumulative) {
			out.cumulative[i] -= o.cumulative[i]
		}
	}
	return out
}

// quantile estimates the q-quantile by linear interpolation inside the
// bucket holding it, as Prometheus's histogram_quantile does; NaN without
// observations. Above the last finite bound it returns that bound.
func (h histogram) quantile(q float64) float64 {
	if h.count <= 0 || len(h.bounds) == 0 {
		return math.NaN()
	}
	rank := q * h.count
	lower, below := 0.0, 0.0
	for i, ub := range h.bounds {
		c := h.cumulative[i]
		if c >= rank {
			if math.IsInf(ub, 1) {
				return lower
			}
			if c == below {
				return ub
			}
			return lower + (ub-lower)*(rank-below)/(c-below)
		}
		lower, below = ub, c
	}
	return lower
}

func (h histogram) summary() HistogramSummary {
	s := HistogramSummary{Count: int64(h.count)}
	if h.count > 0 {
		s.MeanSeconds = h.sum / h.count
		s.P50Seconds, s.P99Seconds = h.quantile(0.5), h.quantile(0.99)
	}
	return s
}

// eventsCPUSample is cumulative CPU time of the processes of the event
// phase at one instant.
type eventsCPUSample struct {
	at                time.Time
	ok                bool
	bench, moto, serv time.Duration // moto, serv < 0: not sampled
	// system is the busy time of every CPU of the machine (/proc/stat);
	// < 0 where not sampled.
	system time.Duration
}

// systemBusy is the machine's CPU time spent busy since boot, summed over
// its CPUs, from /proc/stat (Linux only).
func systemBusy() (time.Duration, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, false
	}
	var busy int64
	for i, v := range f[1:] {
		if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest times are in user already
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, false
		}
		busy += n
	}
	return time.Duration(busy) * time.Second / 100, true // USER_HZ: Linux fixes it at 100 for user space
}

// sampleEventsCPU samples the benchmark, moto_server, serve and the whole
// machine.
func sampleEventsCPU(motoPID, servePID int) eventsCPUSample {
	c := cpuNow(motoPID)
	s := eventsCPUSample{at: time.Now(), ok: c.ok, bench: c.self, moto: c.moto, serv: -1, system: -1}
	if d, ok := systemBusy(); ok {
		s.system = d
	}
	if d, ok := procCPU(servePID); ok {
		s.serv = d
	}
	return s
}

// until is the CPU time used from s to after; nil where it cannot be
// measured.
func (s eventsCPUSample) until(after eventsCPUSample) *EventsCPU {
	if !s.ok || !after.ok {
		return nil
	}
	c := &EventsCPU{WallSeconds: after.at.Sub(s.at).Seconds(), BenchSeconds: (after.bench - s.bench).Seconds(), CPUs: runtime.NumCPU()}
	if s.moto >= 0 && after.moto >= 0 {
		v := (after.moto - s.moto).Seconds()
		c.MotoSeconds = &v
	}
	if s.serv >= 0 && after.serv >= 0 {
		v := (after.serv - s.serv).Seconds()
		c.ServeSeconds = &v
	}
	// What the rest of the machine used: the whole machine's busy time
	// less the benchmark's processes (sagekey's child processes, if any,
	// count as others).
	if s.system >= 0 && after.system >= 0 && c.MotoSeconds != nil && c.ServeSeconds != nil {
		v := (after.system - s.system).Seconds() - c.BenchSeconds - *c.MotoSeconds - *c.ServeSeconds
		v = max(v, 0)
		c.OthersSeconds = &v
	}
	return c
}

// timedProxy times each request sagekey makes, from its arrival at the
// proxy to the end of the answer: the proxy's added latency plus moto's
// time, by operation. It tells whether serve waits on AWS (here moto) or
// on itself.
type timedProxy struct {
	proxy *Proxy
	mu    sync.Mutex
	times map[string][]time.Duration
}

func (t *timedProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info, err := describeRequest(r) // puts the body back for the proxy
	start := time.Now()
	t.proxy.ServeHTTP(w, r)
	if err != nil {
		return
	}
	d := time.Since(start)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.times == nil {
		t.times = map[string][]time.Duration{}
	}
	t.times[info.operation] = append(t.times[info.operation], d)
}

func (t *timedProxy) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.times = nil
}

func (t *timedProxy) stats() map[string]LatencyStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string]LatencyStats{}
	for op, ds := range t.times {
		out[op] = durationStats(ds)
	}
	return out
}

func startTimedProxy(t *timedProxy) (*http.Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: proxy listen: %w", err)
	}
	srv := &http.Server{Addr: l.Addr().String(), Handler: t, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.proxy.log.Error("proxy: serve", "error", err)
		}
	}()
	return srv, nil
}
