// Package shard splits a scan's (account, region) units between N
// independent scanner processes — the pods of a Kubernetes Indexed Job or
// the children of an AWS Batch array job — without any coordination: each
// process decides on its own which units it owns, and every unit is owned
// by exactly one shard.
//
// Ownership is rendezvous (highest random weight) hashing: each unit goes
// to the shard index with the highest hash of "account/region/index". So
// going from N to N+1 shards moves only the units the new shard wins
// (about 1/(N+1) of them), and an account's regions spread over shards
// instead of one shard taking a whole large account.
package shard

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Environment variables "auto" reads.
const (
	// EnvK8sIndex is set by Kubernetes in every pod of an Indexed Job.
	EnvK8sIndex = "JOB_COMPLETION_INDEX"
	// EnvCount carries the number of shards where the platform does not:
	// Kubernetes exposes the completion index but not spec.completions, so
	// the Job must pass the count itself (equal to its completions).
	EnvCount = "SAGEKEY_SHARD_COUNT"
	// EnvBatchIndex and EnvBatchSize are set by AWS Batch in each child of
	// an array job (the size is the parent's arrayProperties.size).
	EnvBatchIndex = "AWS_BATCH_JOB_ARRAY_INDEX"
	EnvBatchSize  = "AWS_BATCH_JOB_ARRAY_SIZE"
)

// Auto is the --shard value that reads the index and count from the
// environment.
const Auto = "auto"

// Spec is one shard of Count. The zero value (Count 0) is "not sharded":
// it owns everything. A sweep of one shard (0/1) owns everything too but is
// still a sweep, so a Job scaled down to one pod keeps recording its runs.
type Spec struct {
	Index int
	Count int
}

// Sharded reports whether s is a shard of a sweep (possibly the only one).
func (s Spec) Sharded() bool { return s.Count > 0 }

// String is the "I/N" form Parse reads.
func (s Spec) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Parse reads "I/N" (0 ≤ I < N) or "auto". An empty string is the zero
// Spec. getenv is os.Getenv in the CLI; tests pass a map's lookup.
//
// "auto" uses, in order: JOB_COMPLETION_INDEX with SAGEKEY_SHARD_COUNT
// (Kubernetes), then AWS_BATCH_JOB_ARRAY_INDEX with
// AWS_BATCH_JOB_ARRAY_SIZE, or SAGEKEY_SHARD_COUNT where the size is not
// set (AWS Batch). With neither index set it is an error, not "unsharded":
// a sweep job that silently scanned everything in every shard would
// multiply the cost by N and store N overlapping runs.
func Parse(s string, getenv func(string) string) (Spec, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "":
		return Spec{}, nil
	case Auto:
		return fromEnv(getenv)
	}
	i, n, ok := strings.Cut(s, "/")
	if !ok {
		return Spec{}, fmt.Errorf("%q: want I/N (e.g. 0/3) or %q", s, Auto)
	}
	return build(i, n, s)
}

func fromEnv(getenv func(string) string) (Spec, error) {
	count := getenv(EnvCount)
	if idx := getenv(EnvK8sIndex); idx != "" {
		if count == "" {
			return Spec{}, fmt.Errorf("%s is %s but %s is not set: pass the Job's completions count", EnvK8sIndex, idx, EnvCount)
		}
		return build(idx, count, EnvK8sIndex+"/"+EnvCount)
	}
	if idx := getenv(EnvBatchIndex); idx != "" {
		size := getenv(EnvBatchSize)
		switch {
		case size == "":
			size = count
		case count != "" && count != size:
			return Spec{}, fmt.Errorf("%s=%s disagrees with %s=%s", EnvCount, count, EnvBatchSize, size)
		}
		if size == "" {
			return Spec{}, fmt.Errorf("%s is %s but neither %s nor %s is set", EnvBatchIndex, idx, EnvBatchSize, EnvCount)
		}
		return build(idx, size, EnvBatchIndex+"/"+EnvBatchSize)
	}
	return Spec{}, fmt.Errorf("%q: neither %s (Kubernetes Indexed Job) nor %s (AWS Batch array job) is set", Auto, EnvK8sIndex, EnvBatchIndex)
}

func build(index, count, what string) (Spec, error) {
	i, err := strconv.Atoi(strings.TrimSpace(index))
	if err != nil {
		return Spec{}, fmt.Errorf("%s: index %q is not a number", what, index)
	}
	n, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil {
		return Spec{}, fmt.Errorf("%s: count %q is not a number", what, count)
	}
	if n < 1 || i < 0 || i >= n {
		return Spec{}, fmt.Errorf("%s: want 0 ≤ index < count, have %d/%d", what, i, n)
	}
	return Spec{Index: i, Count: n}, nil
}

// Owns reports whether this shard scans the unit (account, region). An
// unsharded Spec owns every unit.
func (s Spec) Owns(account, region string) bool {
	if s.Count <= 1 {
		return true
	}
	return Owner(account, region, s.Count) == s.Index
}

// Owner is the shard index, of count, that owns (account, region).
func Owner(account, region string, count int) int {
	best, bestWeight := 0, uint64(0)
	for i := range count {
		if w := weight(account, region, i); i == 0 || w > bestWeight {
			best, bestWeight = i, w
		}
	}
	return best
}

// weight is the unit's score for shard index. It must never change: every
// shard of a sweep, whatever its sagekey version, has to agree on it, and a
// new hash would reassign every unit. SHA-256 rather than a faster hash
// because the inputs differ only in their last bytes, where FNV spreads
// poorly, and a sweep hashes only units × shards short strings.
func weight(account, region string, index int) uint64 {
	sum := sha256.Sum256([]byte(account + "/" + region + "/" + strconv.Itoa(index)))
	return binary.BigEndian.Uint64(sum[:8])
}
