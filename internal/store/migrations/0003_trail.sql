-- CloudTrail aggregates (sagekey trail). Raw events are never kept: each
-- unit of trail read (an S3 object, a local file, one account/region/day of
-- LookupEvents or Athena) keeps its own counts, so a unit read again
-- replaces what it gave before instead of adding to it. Days are the Unix
-- milliseconds of their UTC midnight.

-- One row per unit read completely. Its counts hang off it and go with it
-- (ON DELETE CASCADE), so deleting the row is how a re-read unit is
-- replaced, and the row exists exactly when its counts do.
CREATE TABLE trail_units (
    id          ${ID},
    source      TEXT     NOT NULL, -- trail.Unit.Source
    unit_key    TEXT     NOT NULL, -- trail.Unit.Key
    etag        TEXT     NOT NULL,
    account     TEXT     NOT NULL, -- '' when the unit does not say (a loose file)
    region      TEXT     NOT NULL, -- '' likewise
    day_ms      ${INT64},          -- NULL likewise
    size        ${INT64} NOT NULL,
    events      ${INT64} NOT NULL,
    matched     ${INT64} NOT NULL,
    bad_records ${INT64} NOT NULL, -- records that could not be used (sum of the unit's problems)
    read_ms     ${INT64} NOT NULL,
    UNIQUE (source, unit_key)
);
CREATE INDEX trail_units_by_day ON trail_units (day_ms);

-- Per-unit group counts, one table per trail.Aggregates list, summed over
-- units when read. ord is a row's place in its unit's list; the key
-- (unit_id, ord) also serves the cascade, which would otherwise scan the
-- table for every replaced unit.
CREATE TABLE trail_denials (
    unit_id    ${INT64} NOT NULL REFERENCES trail_units (id) ON DELETE CASCADE,
    ord        INTEGER  NOT NULL,
    day_ms     ${INT64} NOT NULL,
    account    TEXT     NOT NULL,
    region     TEXT     NOT NULL,
    key_arn    TEXT     NOT NULL,
    principal  TEXT     NOT NULL,
    operation  TEXT     NOT NULL,
    via        TEXT     NOT NULL,
    error_code TEXT     NOT NULL,
    policy     TEXT     NOT NULL,
    count      ${INT64} NOT NULL,
    samples    TEXT     NOT NULL, -- JSON array of event IDs
    PRIMARY KEY (unit_id, ord)
);
CREATE INDEX trail_denials_by_day ON trail_denials (day_ms);

CREATE TABLE trail_blocked (
    unit_id     ${INT64} NOT NULL REFERENCES trail_units (id) ON DELETE CASCADE,
    ord         INTEGER  NOT NULL,
    day_ms      ${INT64} NOT NULL,
    account     TEXT     NOT NULL,
    region      TEXT     NOT NULL,
    action      TEXT     NOT NULL,
    policy_type TEXT     NOT NULL,
    policy_arn  TEXT     NOT NULL,
    guardrail   TEXT     NOT NULL,
    principal   TEXT     NOT NULL,
    count       ${INT64} NOT NULL,
    samples     TEXT     NOT NULL, -- JSON array of event IDs
    PRIMARY KEY (unit_id, ord)
);
CREATE INDEX trail_blocked_by_day ON trail_blocked (day_ms);

-- The high-volume table (one row per key, operation and day in each unit);
-- it has no samples, so it is summed in SQL.
CREATE TABLE trail_requests (
    unit_id   ${INT64} NOT NULL REFERENCES trail_units (id) ON DELETE CASCADE,
    ord       INTEGER  NOT NULL,
    day_ms    ${INT64} NOT NULL,
    account   TEXT     NOT NULL,
    region    TEXT     NOT NULL,
    key_arn   TEXT     NOT NULL,
    operation TEXT     NOT NULL,
    count     ${INT64} NOT NULL,
    PRIMARY KEY (unit_id, ord)
);
CREATE INDEX trail_requests_by_day ON trail_requests (day_ms);

-- The latest create of each resource, whichever unit it came from: a
-- resource recreated under its name is attributed to its latest creator.
-- ARNs are matched case-insensitively, as trail.Merge does.
CREATE TABLE trail_creators (
    resource_arn_lc TEXT     PRIMARY KEY,
    resource_arn    TEXT     NOT NULL,
    account         TEXT     NOT NULL,
    region          TEXT     NOT NULL,
    action          TEXT     NOT NULL,
    event_id        TEXT     NOT NULL,
    time_ms         ${INT64} NOT NULL,
    principal       TEXT     NOT NULL,
    identity        TEXT     NOT NULL,
    source_ip       TEXT     NOT NULL,
    user_agent      TEXT     NOT NULL,
    tool            TEXT     NOT NULL
);
CREATE INDEX trail_creators_by_time ON trail_creators (time_ms);

-- Key lifecycle events, once per event and key however often read.
CREATE TABLE trail_key_events (
    event_id   TEXT     NOT NULL,
    key_arn    TEXT     NOT NULL,
    time_ms    ${INT64} NOT NULL,
    account    TEXT     NOT NULL,
    region     TEXT     NOT NULL,
    action     TEXT     NOT NULL,
    principal  TEXT     NOT NULL,
    identity   TEXT     NOT NULL,
    source_ip  TEXT     NOT NULL,
    user_agent TEXT     NOT NULL,
    tool       TEXT     NOT NULL,
    detail     TEXT     NOT NULL,
    PRIMARY KEY (event_id, key_arn)
);
CREATE INDEX trail_key_events_by_time ON trail_key_events (time_ms);

-- Which days of which account and region were read completely, and from
-- which source: a KPI counts only covered days, so a day nobody read is
-- unknown, never zero.
CREATE TABLE trail_coverage (
    source  TEXT     NOT NULL,
    account TEXT     NOT NULL,
    region  TEXT     NOT NULL,
    day_ms  ${INT64} NOT NULL,
    read_ms ${INT64} NOT NULL,
    PRIMARY KEY (account, region, day_ms, source)
);
CREATE INDEX trail_coverage_by_day ON trail_coverage (day_ms);
