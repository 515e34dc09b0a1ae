// Package route reads the alert sink configuration of `sagekey serve`,
// builds the sinks (package alert) and decides which sinks each alert goes
// to.
//
// Sink URLs and webhook secrets are credentials, so the configuration
// names where to read them (a file, such as a mounted Kubernetes secret, or
// an environment variable) and never holds them; Build reads them, and
// nothing in this package puts a URL or secret into an error or a log.
//
// Routing is a union of rules: an alert goes to every sink of every rule
// it matches; an alert no rule matches goes to the default sinks, or to
// every sink when no default is configured, so that an alert is never
// dropped for want of a route.
package route
