// Package serve is sagekey's continuous mode: one long-running process
// that scans on a schedule (one replica at a time, under the store's scan
// lock), turns lifecycle transitions into alerts through the store's
// outbox, delivers them, keeps Prometheus gauges of the latest state and
// serves the read-only dashboard, /metrics, health probes and an
// authenticated scan trigger.
//
// It orchestrates stages that live elsewhere: the scan itself (a function
// the CLI builds from scan's own options), detection (internal/alert/detect,
// pure), composition and routing (internal/alert/compose, route), delivery
// (internal/alert/deliver), metrics (internal/metrics) and the dashboard
// (internal/dashboard). Nothing here calls AWS except through the scan and
// trail functions it is given, and no endpoint changes AWS.
package serve
