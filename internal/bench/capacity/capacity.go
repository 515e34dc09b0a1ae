// Package capacity estimates the wall time of a sharded sweep (sagekey scan
// --shard I/N over many accounts and regions) from the benchmark's per-call
// figures, sagekey's request rates and the history store's measured write
// cost, and names the term that bounds it. It is a model, not a
// measurement: docs/capacity.md states its assumptions and where each
// figure comes from.
//
// The structure it follows is the scan's (internal/scan, internal/collect,
// internal/keys), phase by phase, in every shard:
//
//  1. every shard reaches every account (AssumeRole, GetCallerIdentity,
//     DescribeRegions: 3 calls, 8 accounts at a time), because it needs an
//     account's regions before it can tell which units it owns;
//  2. collection: jobs of account × region × kind, --concurrency at once,
//     each listing page by page and describing up to 8 resources at once;
//  3. keys: resolved account after account, --concurrency keys at once,
//     5 KMS reads per key, one after the other;
//  4. IAM: one authorization listing per account, --concurrency at once;
//  5. one SaveRun of the shard's whole run. SaveRun holds the store's
//     writer lock for its transaction and first reads the stored states of
//     the units it covers, so the shards' saves run one after another and
//     each costs the findings it writes plus its own units' stored findings.
package capacity

import (
	"math"
	"time"
)

// Rates are sagekey's request rates per account, region and operation, in
// requests per second. Each (account, region) unit has its own buckets.
type Rates struct {
	List     float64 // sagemaker List* (except ListTags) and Search
	Describe float64 // sagemaker Describe*, ListTags, Get*
	KMS      float64 // every kms operation
	Other    float64 // every other service (organizations, sts, ec2, iam)
}

// DefaultRates are listRate, describeRate, kmsRate and otherRate of
// internal/awsclient/ratelimit.go at --rate-scale 1. awsclient keeps them
// unexported (NewRateLimits returns opaque buckets), so they are copied
// here; TestDefaultRatesMatchREADME pins them to what the README states.
var DefaultRates = Rates{List: 5, Describe: 40, KMS: 100, Other: 10}

// Unit is one (account, region) of the estate.
type Unit struct {
	// TrainingJobs come from Search, 100 per page, tags included.
	TrainingJobs int
	// Described are the resources that need a Describe and a ListTags each
	// (notebooks, endpoint configs, endpoints, clusters, ...).
	Described int
	// Models are the distinct models endpoint configs serve: one
	// DescribeModel each.
	Models int
	// Keys are the distinct customer-managed keys the unit's resources
	// use: 5 KMS reads each.
	Keys int
	// Findings is what the unit adds to a stored run.
	Findings int
}

// Resources is the unit's resource count.
func (u Unit) Resources() int { return u.TrainingJobs + u.Described }

// Store is the history store's measured cost (internal/store,
// BenchmarkSweepSaveShard and BenchmarkSweepSaveStored).
type Store struct {
	// PerFindingWritten is a SaveRun's cost per finding it stores.
	PerFindingWritten time.Duration
	// PerFindingStored is a SaveRun's cost per finding state already in
	// the store (it reads them all).
	PerFindingStored time.Duration
}

// Input is one sweep.
type Input struct {
	Accounts, Regions int
	Unit              Unit
	Shards            int
	// Concurrency is --concurrency (default 8).
	Concurrency int
	// Latency is one API round trip.
	Latency time.Duration
	Rates   Rates
	Store   Store
	// ListQueries is the number of first pages a unit lists, one per
	// List or Search query the collectors make (an empty kind still takes
	// one page to prove empty).
	ListQueries int
	// IAMPages is GetAccountAuthorizationDetails pages per account.
	IAMPages int
	// FromOrg adds the organizations:ListAccounts pages of --org.
	FromOrg bool
}

// Constants of the scan's code, not of the estate.
const (
	accountPrepCalls    = 3 // sts:AssumeRole, sts:GetCallerIdentity, ec2:DescribeRegions
	accountPrepLimit    = 8 // internal/scan/accounts.go
	describeConcurrency = 8 // internal/collect/sagemaker/describe.go
	kmsCallsPerKey      = 5 // DescribeKey, rotation, policy, tags, grants (internal/keys)
	searchPageSize      = 100
	orgPageSize         = 20 // organizations:ListAccounts MaxResults
)

// Bottlenecks, the term of Result that is largest.
const (
	AccountPrep = "account prep (every shard reaches every account)"
	APILatency  = "API round trips (per-shard --concurrency)"
	APIRates    = "per-account API rates (one unit's own requests)"
	KMSKeys     = "KMS key reads (keys resolved account by account)"
	StoreWrites = "store: findings written (saves are serialised)"
	StoreReads  = "store: each save reads its units' stored findings"
)

// Result is the estimate for the slowest shard; shards run in parallel and
// their saves, at the end, one after another.
type Result struct {
	Units, UnitsPerShard int
	AccountsPerShard     float64
	Prep                 time.Duration
	Collect              time.Duration
	// UnitFloor is the time one unit takes at sagekey's rates however
	// little else its shard has to do.
	UnitFloor  time.Duration
	Keys       time.Duration
	IAM        time.Duration
	SaveWrite  time.Duration // all shards' findings, written one save after another
	SaveRead   time.Duration // every save reading the findings table
	Wall       time.Duration
	Bottleneck string
}

// Estimate models one sweep.
func Estimate(in Input) Result {
	shards := max(in.Shards, 1)
	conc := float64(max(in.Concurrency, 1))
	lat := in.Latency.Seconds()
	u := in.Unit
	units := in.Accounts * in.Regions
	perShard := int(math.Ceil(float64(units) / float64(shards)))
	// Units are spread by rendezvous hashing of (account, region), so a
	// shard touches an account when any of its regions lands there.
	touched := float64(in.Accounts) * (1 - math.Pow(1-1/float64(shards), float64(in.Regions)))
	touched = math.Min(touched, float64(perShard))

	prep := float64(in.Accounts*accountPrepCalls) * lat / accountPrepLimit
	if in.FromOrg {
		pages := math.Ceil(float64(in.Accounts) / orgPageSize)
		prep += pages * math.Max(lat, 1/in.Rates.Other)
	}

	searchPages := math.Max(1, math.Ceil(float64(u.TrainingJobs)/searchPageSize))
	// Latency rounds of one unit, summed over its jobs: one per listing
	// page (pages of one query follow each other), and one per 8
	// Describe-or-ListTags calls.
	rounds := float64(in.ListQueries) + (searchPages - 1) + float64(2*u.Described+u.Models)/describeConcurrency
	collect := float64(perShard) * rounds * lat / conc
	// A unit cannot go faster than its own buckets allow: Search at the
	// List rate, ListTags (one bucket for all kinds) and Describe* at the
	// Describe rate, and its keys' reads (each of the 5 its own bucket)
	// at the KMS rate.
	floor := math.Max(math.Max(searchPages/in.Rates.List, float64(u.Described)/in.Rates.Describe),
		math.Max(float64(u.Models)/in.Rates.Describe, float64(u.Keys)/in.Rates.KMS))
	floor = math.Max(floor, rounds*lat/math.Min(conc, float64(in.ListQueries)))
	collect = math.Max(collect, floor)

	// Keys are resolved one account after another, Concurrency at once
	// within an account, 5 reads in a row per key.
	keysPerAccount := float64(u.Keys) * float64(perShard) / math.Max(touched, 1)
	keyTime := touched * math.Ceil(keysPerAccount/conc) * kmsCallsPerKey * lat
	iam := math.Ceil(touched/conc) * float64(max(in.IAMPages, 1)) * math.Max(lat, 1/in.Rates.Other)

	// A daily sweep re-scans an estate already stored: each save reads its
	// own units' stored findings, so the sweep reads the table once, and
	// all the findings are written once, by saves that wait for each other.
	total := float64(units * u.Findings)
	write := total * in.Store.PerFindingWritten.Seconds()
	read := total * in.Store.PerFindingStored.Seconds()

	r := Result{
		Units: units, UnitsPerShard: perShard, AccountsPerShard: touched,
		Prep: secs(prep), Collect: secs(collect), UnitFloor: secs(floor), Keys: secs(keyTime), IAM: secs(iam),
		SaveWrite: secs(write), SaveRead: secs(read),
		Wall: secs(prep + collect + keyTime + iam + write + read),
	}
	terms := []struct {
		name string
		v    float64
	}{{AccountPrep, prep}, {APILatency, collect}, {KMSKeys, keyTime}, {StoreWrites, write}, {StoreReads, read}}
	best := terms[0]
	for _, t := range terms[1:] {
		if t.v > best.v {
			best = t
		}
	}
	r.Bottleneck = best.name
	if best.name == APILatency && floor >= collect {
		r.Bottleneck = APIRates
	}
	return r
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
