package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/store/storetest"
)

// The store's write rate for the capacity model (docs/capacity.md). A unit
// is one (account, region) of a sweep at a typical size: 50 resources, 3
// findings each, 5 distinct keys. Writers save units concurrently, each with
// its own *store.Store (its own connections), the way shards of a sweep are
// separate processes sharing one database.
const (
	capResourcesPerUnit = 50
	capFindingsPerRes   = 3
	capKeysPerUnit      = 5
	capFindingsPerUnit  = capResourcesPerUnit * capFindingsPerRes
	// capWorkingUnits are the units the writers save again and again.
	// Divisible by every writer count below, so each writer owns its own
	// units (shards never share one), and the same for every writer count,
	// so the findings table is the same size whatever the concurrency.
	capWorkingUnits = 48
)

var capChecks = [capFindingsPerRes]string{"notebook-instance.cmk", "notebook-instance.key-rotation", "notebook-instance.key-access"}

func capAccount(n int) string { return fmt.Sprintf("%012d", 200000000000+n) }

var capRegions = []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3",
	"eu-central-1", "eu-north-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2",
	"ap-northeast-3", "ca-central-1", "sa-east-1"}

// capUnit is the record a one-unit scan saves at time at: every
// observation a real scan makes (tags, owner, detail) and a snapshot with
// the unit's resources and keys, so the gzip and the row sizes are real
// too. day flips one finding in ten between PASS and FAIL, so saves open
// and resolve violations as a daily sweep does.
func capUnit(unit, day int, at time.Time) store.RunRecord {
	account, region := capAccount(unit/len(capRegions)), capRegions[unit%len(capRegions)]
	keyARN := func(k int) string {
		return fmt.Sprintf("arn:aws:kms:%s:%s:key/%08d-0000-4000-8000-%012d", region, account, k, unit)
	}
	var (
		obs  []history.Observation
		res  []inventory.Resource
		ks   []keys.Key
		refs = map[string]string{}
	)
	for k := range capKeysPerUnit {
		ref := fmt.Sprintf("alias/ml-%d", k)
		refs[ref] = keyARN(k)
		ks = append(ks, keys.Key{Ref: ref, ARN: keyARN(k), Manager: keys.ManagerCustomer, State: keys.StateEnabled,
			Tags: map[string]string{"owner": "ml-platform", "cost-center": "cc-1"}})
	}
	counts := map[finding.Status]int{}
	for r := range capResourcesPerUnit {
		name := fmt.Sprintf("nb-%04d", r)
		arn := fmt.Sprintf("arn:aws:sagemaker:%s:%s:notebook-instance/%s", region, account, name)
		ref := fmt.Sprintf("alias/ml-%d", r%capKeysPerUnit)
		tags := map[string]string{"owner": "team-" + name[len(name)-1:], "cost-center": "cc-1"}
		res = append(res, inventory.Resource{Kind: "notebook-instance", ARN: arn, Name: name, Account: account, Region: region,
			Tags: tags, Slots: []inventory.Slot{{Type: "volume", Name: "volume", KeyRef: ref}}})
		for c, check := range capChecks {
			st := finding.Pass
			if (r+c+day)%10 == 0 {
				st = finding.Fail
			}
			counts[st]++
			obs = append(obs, history.Observation{
				Subject: history.Subject{CheckID: check, ResourceARN: arn, Kind: "notebook-instance", Account: account, Region: region},
				Status:  st, Severity: finding.High, Message: "volume: encrypted with " + ref + " (customer managed, enabled)",
				Tags: tags, Owner: tags["owner"],
				Detail: &history.Detail{Name: name, Slots: []finding.Slot{{Name: "volume", KeyRef: ref, KeyARN: refs[ref],
					KeyManager: "CUSTOMER", KeyState: "Enabled", Status: st, Reason: "customer-managed key"}},
					Remediation: "Recreate the notebook instance with KmsKeyId set to a customer-managed key."},
			})
		}
	}
	sc := history.Scope{Accounts: []string{account}, Regions: []string{region}, Checks: capChecks[:],
		Complete: []history.Coverage{{Account: account, Region: region, Kinds: []string{"notebook-instance"}}}}
	return store.RunRecord{
		Run: store.Run{Started: at, Finished: at.Add(time.Minute), Principal: "arn:aws:iam::" + account + ":role/auditor",
			User: "bench", ToolVersion: "bench", Scope: sc, Counts: counts},
		Observations: obs,
		Snapshot: store.Snapshot{SchemaVersion: inventory.SchemaVersion,
			Inventory: inventory.Inventory{SchemaVersion: inventory.SchemaVersion, Resources: res, Gaps: []inventory.Gap{}},
			Keys:      ks, KeyRefs: refs},
	}
}

// capUnits is one run of n units from first on: a shard's save.
func capUnits(first, n int, at time.Time) store.RunRecord {
	rec := capUnit(first, 0, at)
	for u := first + 1; u < first+n; u++ {
		r := capUnit(u, 0, at)
		rec.Observations = append(rec.Observations, r.Observations...)
		for st, c := range r.Run.Counts {
			rec.Run.Counts[st] += c
		}
		sc := &rec.Run.Scope
		sc.Accounts = append(sc.Accounts, r.Run.Scope.Accounts...)
		sc.Regions = append(sc.Regions, r.Run.Scope.Regions...)
		sc.Complete = append(sc.Complete, r.Run.Scope.Complete...)
		rec.Snapshot.Inventory.Resources = append(rec.Snapshot.Inventory.Resources, r.Snapshot.Inventory.Resources...)
		rec.Snapshot.Keys = append(rec.Snapshot.Keys, r.Snapshot.Keys...)
		for k, v := range r.Snapshot.KeyRefs {
			rec.Snapshot.KeyRefs[k] = v
		}
	}
	return rec
}

type capBackend struct {
	name string
	dsn  func(b *testing.B) string
}

func capBackends() []capBackend {
	return []capBackend{
		{"sqlite", func(b *testing.B) string { return filepath.Join(b.TempDir(), "history.db") }},
		{"postgres", func(b *testing.B) string { return storetest.PostgresDatabase(b) }},
	}
}

// capPrefill saves units [first, first+n) once, before the clock starts.
// The sweep's steady state is a re-scan: every unit's findings are already
// stored, and a save upserts them.
func capPrefill(b *testing.B, s *store.Store, first, n int) {
	b.Helper()
	for u := first; u < first+n; u++ {
		if _, err := s.SaveRun(context.Background(), capUnit(u, 0, t0)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSweepSave saves one-unit runs from 1, 4 and 8 concurrent
// writers into one database holding capWorkingUnits units. SaveRun holds
// the writer lock for its whole transaction, so the question is whether
// the runs/s of all writers together grows with writers at all.
func BenchmarkSweepSave(b *testing.B) {
	for _, be := range capBackends() {
		for _, writers := range []int{1, 4, 8} {
			b.Run(fmt.Sprintf("%s/writers=%d", be.name, writers), func(b *testing.B) {
				dsn := be.dsn(b)
				stores := make([]*store.Store, writers)
				for w := range stores {
					stores[w] = open(b, dsn)
				}
				capPrefill(b, stores[0], 0, capWorkingUnits)
				// Records are built before the clock starts: the scan
				// builds them, the store only writes them.
				recs := make([]store.RunRecord, b.N)
				for i := range recs {
					recs[i] = capUnit(i%capWorkingUnits, 1+i/capWorkingUnits, t0.Add(time.Duration(1+i)*time.Minute))
				}
				var (
					wg   sync.WaitGroup
					errs = make([]error, writers)
				)
				b.ResetTimer()
				start := time.Now()
				for w := range writers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						// Writer w takes runs w, w+writers, ...: its units are
						// those ≡ w (mod writers), in time order.
						for i := w; i < b.N; i += writers {
							if _, err := stores[w].SaveRun(context.Background(), recs[i]); err != nil {
								errs[w] = err
								return
							}
						}
					}()
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "runs/s")
				b.ReportMetric(float64(b.N*capFindingsPerUnit)/elapsed.Seconds(), "findings/s")
			})
		}
	}
}

// BenchmarkSweepSaveStored saves one-unit runs from one writer into
// histories that already hold more findings of other units. SaveRun reads
// every stored finding state (loadStates reads the whole findings table,
// not the run's scope), so a save's cost grows with the history, and this
// measures by how much per stored finding.
func BenchmarkSweepSaveStored(b *testing.B) {
	for _, be := range capBackends() {
		for _, storedUnits := range []int{0, 200, 600} {
			b.Run(fmt.Sprintf("%s/stored=%d", be.name, storedUnits*capFindingsPerUnit), func(b *testing.B) {
				s := open(b, be.dsn(b))
				// The other units are in accounts of their own, outside
				// the saved units' scope: they are read, never changed.
				// One run stores them all: unit by unit, each save would
				// read the growing table again and the setup would take
				// longer than the measurement.
				if storedUnits > 0 {
					if _, err := s.SaveRun(context.Background(), capUnits(10000, storedUnits, t0)); err != nil {
						b.Fatal(err)
					}
				}
				capPrefill(b, s, 0, capWorkingUnits)
				recs := make([]store.RunRecord, b.N)
				for i := range recs {
					recs[i] = capUnit(i%capWorkingUnits, 1+i/capWorkingUnits, t0.Add(time.Duration(1+i)*time.Minute))
				}
				b.ResetTimer()
				start := time.Now()
				for i := range b.N {
					if _, err := s.SaveRun(context.Background(), recs[i]); err != nil {
						b.Fatal(err)
					}
				}
				elapsed := time.Since(start)
				b.StopTimer()
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "runs/s")
				b.ReportMetric(float64((storedUnits+capWorkingUnits)*capFindingsPerUnit), "stored-findings")
			})
		}
	}
}

// BenchmarkSweepSaveShard saves runs the size of a whole shard's (a shard
// saves once, all its units in one run), again and again into a history
// holding just those units: its ns/op over its findings is the cost per
// finding written, the stored ones read included.
func BenchmarkSweepSaveShard(b *testing.B) {
	for _, be := range capBackends() {
		for _, units := range []int{17, 170} {
			b.Run(fmt.Sprintf("%s/units=%d", be.name, units), func(b *testing.B) {
				s := open(b, be.dsn(b))
				if _, err := s.SaveRun(context.Background(), capUnits(0, units, t0)); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				start := time.Now()
				for i := range b.N {
					rec := capUnits(0, units, t0.Add(time.Duration(1+i)*time.Hour))
					if _, err := s.SaveRun(context.Background(), rec); err != nil {
						b.Fatal(err)
					}
				}
				elapsed := time.Since(start)
				b.StopTimer()
				b.ReportMetric(float64(b.N*units*capFindingsPerUnit)/elapsed.Seconds(), "findings/s")
			})
		}
	}
}
