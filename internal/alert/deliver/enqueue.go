package deliver

import (
	"context"
	"fmt"
	"time"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/store"
)

// Outbox is the part of the store delivery uses.
type Outbox interface {
	EnqueueAlerts(ctx context.Context, items []store.OutboxItem) error
	ClaimDueAlerts(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]store.OutboxItem, error)
	MarkDelivered(ctx context.Context, id, sink string, at time.Time) error
	MarkFailed(ctx context.Context, id, sink, errText string, next time.Time, dead bool) error
}

var _ Outbox = (*store.Store)(nil)

// Enqueue writes one outbox item per (alert, routed sink), all in one
// transaction, due at now. It returns how many items it offered; items
// already in the outbox (the same alert id and sink) are left as they are
// and still counted, so the count does not depend on what was there.
func Enqueue(ctx context.Context, ob Outbox, route func(alert.Alert) []string, alerts []alert.Alert, now time.Time) (int, error) {
	var items []store.OutboxItem
	for _, a := range alerts {
		sinks := route(a)
		if len(sinks) == 0 {
			continue
		}
		// The payload is the document every sink sends, so a delivery
		// read back from the outbox is the alert as composed.
		payload, err := a.JSON()
		if err != nil {
			return 0, fmt.Errorf("encode alert %s: %w", a.ID, err)
		}
		for _, s := range sinks {
			items = append(items, store.OutboxItem{ID: a.ID, Sink: s, Payload: payload, Created: now})
		}
	}
	if len(items) == 0 {
		return 0, nil
	}
	if err := ob.EnqueueAlerts(ctx, items); err != nil {
		return 0, fmt.Errorf("enqueue %d alert deliveries: %w", len(items), err)
	}
	return len(items), nil
}
