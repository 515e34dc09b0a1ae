-- Immutable records (jobs, endpoint configs, monitoring job definitions)
-- described by earlier scans, so a re-scan describes only what is new.
-- A record is valid for a listed resource only when both its ARN and its
-- creation time match: a resource recreated under the same name is new.
CREATE TABLE known_records (
    arn        TEXT    PRIMARY KEY,
    account    TEXT    NOT NULL,
    region     TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    created_ms ${INT64} NOT NULL,
    stored_ms  ${INT64} NOT NULL,
    body       TEXT    NOT NULL -- JSON inventory.Resource
);
CREATE INDEX known_records_by_target ON known_records (account, region, kind);

-- For each account, region and kind: every record created in
-- [from_ms, until_ms) is in known_records (from_ms 0: all history). A
-- re-scan then asks AWS only for records created since until_ms.
CREATE TABLE known_windows (
    account  TEXT     NOT NULL,
    region   TEXT     NOT NULL,
    kind     TEXT     NOT NULL,
    from_ms  ${INT64} NOT NULL,
    until_ms ${INT64} NOT NULL,
    PRIMARY KEY (account, region, kind)
);
