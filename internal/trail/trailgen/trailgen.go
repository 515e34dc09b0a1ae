// Package trailgen writes a deterministic, realistic CloudTrail trail:
// hourly gzipped log files under CloudTrail's own object keys, mostly the
// noise a real trail carries (EC2, S3 data events, IAM, STS) with a small
// share of the KMS and SageMaker events sagekey reads, and any scenario
// events the caller places in it. Tests, the demo and the benchmarks read
// it back exactly as they read a real trail, so the readers' speed and the
// aggregation's results are measured on realistic bytes.
//
// The same Options always give the same files, byte for byte.
package trailgen

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/trail"
)

// DefaultInterestShare is the share of generated events sagekey reads when
// Options.InterestShare is zero: in a busy account, KMS calls made for
// SageMaker and SageMaker's own calls are a few percent of the trail.
const DefaultInterestShare = 0.02

// Options describe the trail to generate.
type Options struct {
	// Events is how many events to generate, spread evenly over
	// Accounts × Regions × hours; Extra events come on top.
	Events int
	// Start is the first hour (truncated to the hour, UTC; zero means
	// 2026-01-01) and Days how many days of hours follow (at least 1).
	Start time.Time
	Days  int
	// Regions and Accounts default to us-east-1 and 111122223333.
	Regions  []string
	Accounts []string
	// OrgID is the organization of an organization trail ("o-..."); ""
	// writes an account trail's keys.
	OrgID string
	// Prefix is the trail's S3 key prefix, "" for none.
	Prefix string
	// InterestShare is the share of Events that are KMS or SageMaker
	// events (0 means DefaultInterestShare, negative means none).
	InterestShare float64
	Seed          int64
	// Keys are the KMS key ARNs the KMS events for SageMaker use; an event
	// uses a key of its own account and region when there is one. Empty
	// means one generated key per account and region (see Summary.Keys).
	Keys []string
	// Extra are scenario events, each written into the file of its account
	// (recipientAccountId, else userIdentity.accountId, else the first
	// account), region (else the first region) and hour (else the first
	// hour), in time order among the generated ones. They are written as
	// given, except that an empty eventVersion, eventID, recipientAccountId
	// or awsRegion is filled in as CloudTrail always writes one. Weight and
	// Samples are not CloudTrail fields and are not written.
	Extra []trail.Event
}

// Summary says what Generate wrote.
type Summary struct {
	Files int
	// Bytes is the size of the gzipped files, RawBytes of their JSON.
	Bytes, RawBytes int64
	// Events counts every record written, Extra included.
	Events int
	// Interesting counts the records whose event source is KMS or
	// SageMaker, Extra included.
	Interesting int
	// Candidates counts the records a reader must decode: those whose
	// event source is KMS or SageMaker. They are the interesting ones plus
	// noise such as the KMS calls S3 makes for SSE-KMS (event source KMS,
	// but not for SageMaker); SageMaker assuming its execution role names
	// sagemaker.amazonaws.com but is an STS event, which the reader
	// skips by its event source.
	Candidates int
	// The interesting generated events sagekey aggregates (Extra not
	// included): KMS data-key calls SageMaker made on Keys, KMS calls on
	// Keys refused to a role (AccessDenied), and SageMaker create calls,
	// each creating a new resource.
	SageMakerKMS, KMSDenied, Creates int
	// Keys are the key ARNs the KMS events used.
	Keys []string
}

// hourKey identifies one log file: an account, a region and an hour.
type hourKey struct {
	account, region string
	hour            time.Time
}

// Generate writes the trail, one gzipped log file at a time in key order,
// through put, which may keep body.
func Generate(o Options, put func(key string, body []byte) error) (Summary, error) {
	o = withDefaults(o)
	sum := Summary{Keys: o.Keys}
	hours := o.Days * 24
	cells := len(o.Accounts) * len(o.Regions) * hours
	extras := map[hourKey][]trail.Event{}
	for _, ev := range o.Extra {
		k := placeExtra(&o, ev)
		extras[k] = append(extras[k], fillExtra(ev, k))
	}
	// Every cell of the grid, then any hour only Extra events fall in.
	var files []hourKey
	for _, a := range o.Accounts {
		for _, r := range o.Regions {
			for h := range hours {
				files = append(files, hourKey{a, r, o.Start.Add(time.Duration(h) * time.Hour)})
			}
		}
	}
	inGrid := make(map[hourKey]int, len(files))
	for i, f := range files {
		inGrid[f] = i
	}
	for k := range extras {
		if _, ok := inGrid[k]; !ok {
			files = append(files, k)
		}
	}
	slices.SortFunc(files, func(a, b hourKey) int {
		return cmp.Or(strings.Compare(a.account, b.account), strings.Compare(a.region, b.region), a.hour.Compare(b.hour))
	})

	g := newGenerator(&o)
	var raw bytes.Buffer
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // BestSpeed is a valid level
	for _, f := range files {
		n := 0
		if i, ok := inGrid[f]; ok {
			// The first Events % cells cells carry one event more.
			n = o.Events / cells
			if i < o.Events%cells {
				n++
			}
		}
		ex := extras[f]
		if n == 0 && len(ex) == 0 {
			continue
		}
		raw.Reset()
		fileID, err := g.file(&raw, f, n, ex, &sum)
		if err != nil {
			return sum, err
		}
		var body bytes.Buffer
		body.Grow(raw.Len() / 8)
		zw.Reset(&body)
		if _, err := zw.Write(raw.Bytes()); err != nil {
			return sum, err
		}
		if err := zw.Close(); err != nil {
			return sum, err
		}
		key := trail.DayPrefix(o.Prefix, o.OrgID, f.account, f.region, f.hour) +
			f.account + "_CloudTrail_" + f.region + "_" + f.hour.Format("20060102T1504Z") + "_" + fileID + ".json.gz"
		if err := put(key, body.Bytes()); err != nil {
			return sum, fmt.Errorf("writing %s: %w", key, err)
		}
		sum.Files++
		sum.Bytes += int64(body.Len())
		sum.RawBytes += int64(raw.Len())
	}
	return sum, nil
}

// WriteDir generates the trail as files under dir, at their object keys.
func WriteDir(dir string, o Options) (Summary, error) {
	return Generate(o, func(key string, body []byte) error {
		if !filepath.IsLocal(key) {
			return errors.New("key leaves the directory (check Prefix)")
		}
		path := filepath.Join(dir, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return os.WriteFile(path, body, 0o644)
	})
}

func withDefaults(o Options) Options {
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	o.Start = o.Start.UTC().Truncate(time.Hour)
	o.Days = max(o.Days, 1)
	o.Events = max(o.Events, 0)
	if len(o.Regions) == 0 {
		o.Regions = []string{"us-east-1"}
	}
	if len(o.Accounts) == 0 {
		o.Accounts = []string{"111122223333"}
	}
	switch {
	case o.InterestShare == 0:
		o.InterestShare = DefaultInterestShare
	case o.InterestShare < 0:
		o.InterestShare = 0
	}
	if len(o.Keys) == 0 {
		for _, a := range o.Accounts {
			for _, r := range o.Regions {
				o.Keys = append(o.Keys, "arn:aws:kms:"+r+":"+a+":key/"+uuid(newRand(o.Seed, "key", a, r)))
			}
		}
	}
	return o
}

// placeExtra finds the file an Extra event belongs in.
func placeExtra(o *Options, ev trail.Event) hourKey {
	k := hourKey{account: trail.AccountOf(&ev), region: ev.AWSRegion, hour: ev.EventTime.UTC().Truncate(time.Hour)}
	if k.account == "" {
		k.account = o.Accounts[0]
	}
	if k.region == "" {
		k.region = o.Regions[0]
	}
	if ev.EventTime.IsZero() {
		k.hour = o.Start
	}
	return k
}

// fillExtra fills in the fields CloudTrail always writes.
func fillExtra(ev trail.Event, k hourKey) trail.Event {
	if ev.EventVersion == "" {
		ev.EventVersion = "1.08"
	}
	if ev.EventID == "" {
		// Derived from the event itself, so that the trail does not
		// depend on the order of Extra.
		b, _ := json.Marshal(ev) // an Event always marshals
		ev.EventID = uuid(newRand(0, "extra", string(b)))
	}
	if ev.RecipientAccountID == "" {
		ev.RecipientAccountID = k.account
	}
	if ev.AWSRegion == "" {
		ev.AWSRegion = k.region
	}
	return ev
}

// newRand returns a generator seeded by seed and names, so each file's
// content depends only on the options and the file, not on what was
// generated before it.
func newRand(seed int64, names ...string) *rand.Rand {
	h := fnv.New64a()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
	}
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}

// uuid returns a random version 4 UUID.
func uuid(r *rand.Rand) string {
	return string(appendUUID(nil, r))
}

func appendUUID(b []byte, r *rand.Rand) []byte {
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], r.Uint64())
	binary.BigEndian.PutUint64(u[8:], r.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hex[c>>4], hex[c&0x0f])
	}
	return b
}

// appendAlnum appends n random characters from alphabet.
func appendAlnum(b []byte, r *rand.Rand, n int, alphabet string) []byte {
	for range n {
		b = append(b, alphabet[r.IntN(len(alphabet))])
	}
	return b
}

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	mixedAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)
