-- Event-driven checks: a targeted run re-checks a few named resources
-- (history.Scope.Targeted) and is stored like a scan, but views of the
-- estate (Runs, the KPIs, "the latest scan") must not take it for one.
-- runs.targeted mirrors scope.targeted so they can filter in SQL.
ALTER TABLE runs ADD COLUMN targeted BOOLEAN NOT NULL DEFAULT FALSE;

-- A targeted run reads the states of its resources by ARN, compared
-- without case (SageMaker names ignore case).
CREATE INDEX findings_by_resource_lower ON findings (lower(resource_arn));

-- The idempotency store of the event consumers, shared by the replicas:
-- the ids of the events already handled, and when they were marked, so
-- old ids can be pruned once the queue can no longer redeliver them.
-- Times are Unix milliseconds.
CREATE TABLE event_seen (
    event_id TEXT     PRIMARY KEY,
    seen_ms  ${INT64} NOT NULL
);
CREATE INDEX event_seen_by_time ON event_seen (seen_ms);

-- An event-driven check alerts on the violations its own run opened, so
-- it asks for them by run.
CREATE INDEX violations_by_opened_run ON violations (opened_run);
