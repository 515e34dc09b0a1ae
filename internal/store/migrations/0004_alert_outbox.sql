-- Alert outbox (sagekey serve). Every alert is written here before it is
-- sent, so a crash or restart loses nothing: delivery is at least once,
-- and the alert's id is the idempotency key receivers deduplicate on. One
-- row per alert and sink; a row is pending until delivered_ms or dead_ms is
-- set. Sinks are stored by name only: their URLs and secrets live in the
-- configuration, never in the database. Times are Unix milliseconds.
CREATE TABLE alert_outbox (
    id              TEXT     NOT NULL, -- the alert's idempotency key
    sink            TEXT     NOT NULL, -- configured sink name, not its URL
    payload         TEXT     NOT NULL, -- the alert as JSON
    created_ms      ${INT64} NOT NULL,
    next_attempt_ms ${INT64} NOT NULL, -- due from then; a claim pushes it out by the lease
    attempts        INTEGER  NOT NULL DEFAULT 0, -- claims so far (a crashed attempt counts)
    last_error      TEXT     NOT NULL DEFAULT '',
    delivered_ms    ${INT64},
    dead_ms         ${INT64},          -- gave up: a dead letter, shown on the dashboard
    PRIMARY KEY (id, sink)
);

-- The due-work query reads only pending rows in next_attempt_ms order, so a
-- partial index keeps it small however many delivered rows accumulate.
CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_ms) WHERE delivered_ms IS NULL AND dead_ms IS NULL;
CREATE INDEX alert_outbox_dead ON alert_outbox (dead_ms) WHERE dead_ms IS NOT NULL;
