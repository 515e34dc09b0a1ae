package alert

import "context"

// Sink delivers alerts to one destination.
type Sink interface {
	// Send delivers a once. It returns nil only when the destination
	// accepted it; an error IsPermanent when retrying cannot help. Send may
	// be called again with the same alert (delivery is at least once), so
	// destinations deduplicate on Alert.ID.
	Send(ctx context.Context, a Alert) error
	// Name identifies the sink in routing, logs and metrics labels. It is
	// the configured name, never the URL or topic (which may be secret).
	Name() string
}
