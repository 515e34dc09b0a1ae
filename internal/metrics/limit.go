package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// labelLimits caps the distinct values of each label of one metric at
// MaxLabelValues; the values seen first keep their own series.
type labelLimits struct {
	mu   sync.Mutex
	seen []map[string]struct{} // one set per label
}

func newLimits(labels int) *labelLimits {
	l := &labelLimits{seen: make([]map[string]struct{}, labels)}
	l.reset()
	return l
}

func (l *labelLimits) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range l.seen {
		l.seen[i] = map[string]struct{}{}
	}
}

// values returns the label values to use for vs: "unknown" for an empty
// value and "other" for a value beyond the cap. fits is false when some
// value was folded into "other".
func (l *labelLimits) values(vs []string) (out []string, fits bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out, fits = make([]string, len(vs)), true
	for i, v := range vs {
		if v == "" {
			v = UnknownLabelValue
		}
		if _, ok := l.seen[i][v]; !ok {
			if len(l.seen[i]) >= MaxLabelValues {
				v, fits = OtherLabelValue, false
			} else {
				l.seen[i][v] = struct{}{}
			}
		}
		out[i] = v
	}
	return out, fits
}

// limitedGaugeVec is a GaugeVec replaced whole by SetState, with capped
// labels. Values that fold into one series are summed.
type limitedGaugeVec struct {
	vec    *prometheus.GaugeVec
	limits *labelLimits
}

func newLimitedGaugeVec(vec *prometheus.GaugeVec, labels int) *limitedGaugeVec {
	return &limitedGaugeVec{vec: vec, limits: newLimits(labels)}
}

// reset drops every series and forgets the label values seen, so the next
// state gets its own MaxLabelValues.
func (g *limitedGaugeVec) reset() {
	g.vec.Reset()
	g.limits.reset()
}

func (g *limitedGaugeVec) add(v float64, labels ...string) {
	vs, _ := g.limits.values(labels)
	g.vec.WithLabelValues(vs...).Add(v)
}

// setIfRoom sets the series of labels unless a label is beyond the cap.
func (g *limitedGaugeVec) setIfRoom(v float64, labels ...string) {
	if vs, fits := g.limits.values(labels); fits {
		g.vec.WithLabelValues(vs...).Set(v)
	}
}

// limitedCounterVec is a CounterVec with capped labels; its label values are
// remembered for the life of the process, like its series.
type limitedCounterVec struct {
	vec    *prometheus.CounterVec
	limits *labelLimits
}

func (c *limitedCounterVec) add(n int64, labels ...string) {
	if n <= 0 {
		return
	}
	vs, _ := c.limits.values(labels)
	c.vec.WithLabelValues(vs...).Add(float64(n))
}
