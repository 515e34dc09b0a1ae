// Package deliver moves alerts from detection to their sinks through the
// store's outbox: Enqueue writes one outbox item per alert and routed
// sink, and a Dispatcher claims due items, sends them, and marks each one
// delivered, failed (to be retried with backoff) or dead.
//
// Delivery is at least once. An item is in the store before anything is
// sent, a claim is a lease that lapses if its claimer dies, and a success
// whose mark is lost is sent again; receivers drop duplicates by alert id.
// Enqueue is idempotent on (alert id, sink), so enqueueing the same alerts
// twice (a re-run after a crash, two replicas) sends them once.
//
// Nothing here logs or stores a sink's URL or secret: items name sinks by
// their configured name, and sink errors are already redacted by package
// alert (the store redacts URLs in stored errors once more).
package deliver
