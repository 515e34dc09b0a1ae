//go:build !linux

package bench

import "time"

// cpuNow samples nothing where there is no /proc to read moto_server's
// time from: the report then leaves CPU time out.
func cpuNow(int) cpuSample { return cpuSample{} }

func findMotoPID(string) int { return 0 }

func procCPU(int) (time.Duration, bool) { return 0, false }
