package bench

import (
	"net/url"
	"time"

	"github.com/sagekey/sagekey/internal/motoserver"
)

// motoBinaryName is what findMotoPID looks for in command lines.
const motoBinaryName = motoserver.BinaryName

// cpuSample is cumulative CPU time at one instant (see cpuNow).
type cpuSample struct {
	ok                   bool
	self, children, moto time.Duration // moto < 0: not sampled
}

// TrailCPU is the CPU time that the processes of a run used while it ran.
// The run's wall time means little without it: sagekey, moto_server (one
// Python process) and the proxy share the machine's CPUs, so a run can be
// bound by the emulator rather than by sagekey.
type TrailCPU struct {
	SagekeySeconds float64 `json:"sagekey_seconds"`
	// MotoSeconds is nil when moto_server's time could not be read.
	MotoSeconds  *float64 `json:"moto_server_seconds"`
	ProxySeconds float64  `json:"proxy_seconds"`
	// CPUs is how many the machine has.
	CPUs int `json:"cpus"`
}

// cpuBetween is the CPU time used between two samples; nil if either
// failed.
func cpuBetween(before, after cpuSample, cpus int) *TrailCPU {
	if !before.ok || !after.ok {
		return nil
	}
	c := &TrailCPU{
		SagekeySeconds: (after.children - before.children).Seconds(),
		ProxySeconds:   (after.self - before.self).Seconds(),
		CPUs:           cpus,
	}
	if before.moto >= 0 && after.moto >= 0 {
		s := (after.moto - before.moto).Seconds()
		c.MotoSeconds = &s
	}
	return c
}

// portOf returns the port of a base URL such as moto's.
func portOf(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Port()
}
