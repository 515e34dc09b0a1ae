package main

import (
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// memProfileEnv names a file to write a heap profile to: the profile taken
// when the live heap was largest (checked every 100ms; rewritten whenever
// it grew by 5 %), or one taken at exit when the run was too short to be
// checked. A diagnostic for the benchmark's memory target
// (go tool pprof -sample_index=inuse_space), deliberately not a flag.
const memProfileEnv = "SAGEKEY_MEMPROFILE"

// startMemProfile starts watching the heap when SAGEKEY_MEMPROFILE is set;
// the returned func stops it and writes the last profile.
//
// Otherwise it turns the runtime's heap sampling off: nothing else reads
// the samples, and their records (one per allocating call stack) held
// 1.6 MiB by the end of a 100,000-job scan.
func startMemProfile() func() {
	path := os.Getenv(memProfileEnv)
	if path == "" {
		runtime.MemProfileRate = 0
		return func() {}
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak uint64
	write := func() {
		f, err := os.Create(path)
		if err != nil {
			return
		}
		defer f.Close()
		_ = pprof.Lookup("heap").WriteTo(f, 0)
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			metrics.Read(sample)
			if live := sample[0].Value.Uint64(); live > peak+peak/20 {
				peak = live
				write()
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
		if peak == 0 {
			runtime.GC()
			write()
		}
	}
}
