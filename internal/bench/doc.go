// Package bench measures how many AWS API calls, how much wall time and how
// much memory sagekey needs to audit a large SageMaker estate, and compares
// it with a naive scanner and with a lower bound on the calls any correct
// scanner must make.
//
// Everything is measured, never assumed: the estate is seeded into a real
// moto_server through the AWS SDK, every request of every phase passes
// through a counting reverse proxy (which also adds latency and injects
// throttling, because moto answers instantly and never throttles), and each
// scanner runs as its own child process so that its peak RSS is its own.
//
// The command is cmd/sagekey-bench; this package holds the logic so that it
// can be tested.
package bench
