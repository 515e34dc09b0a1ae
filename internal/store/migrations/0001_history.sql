-- Scan history: runs, what each run saw, and the life of each finding.
-- Times are Unix milliseconds (UTC) in both dialects so one code path reads them.
-- One source for SQLite and PostgreSQL: ${ID} (an auto-increment key),
-- ${INT64} and ${BYTES} are expanded per dialect (dialect.go).
CREATE TABLE runs (
    id           ${ID},
    started_ms   ${INT64} NOT NULL,
    finished_ms  ${INT64} NOT NULL,
    principal    TEXT    NOT NULL, -- the AWS identity that scanned
    os_user      TEXT    NOT NULL, -- the local user who ran sagekey
    tool_version TEXT    NOT NULL,
    scope        TEXT    NOT NULL, -- JSON history.Scope
    counts       TEXT    NOT NULL, -- JSON status -> count
    gaps         INTEGER NOT NULL
);
CREATE INDEX runs_by_start ON runs (started_ms);

CREATE TABLE run_snapshots (
    run_id         ${INT64} PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    schema_version INTEGER NOT NULL,
    body           ${BYTES} NOT NULL -- gzip'd JSON store.Snapshot
);

CREATE TABLE run_findings (
    run_id              ${INT64} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    fingerprint         TEXT    NOT NULL,
    check_id            TEXT    NOT NULL,
    resource_arn        TEXT    NOT NULL,
    slot                TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    account             TEXT    NOT NULL,
    region              TEXT    NOT NULL,
    resource_created_ms ${INT64},
    status              TEXT    NOT NULL,
    severity            INTEGER NOT NULL,
    message             TEXT    NOT NULL,
    tags                TEXT    NOT NULL,
    PRIMARY KEY (run_id, fingerprint)
);

CREATE TABLE findings (
    fingerprint         TEXT PRIMARY KEY,
    check_id            TEXT    NOT NULL,
    resource_arn        TEXT    NOT NULL,
    slot                TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    account             TEXT    NOT NULL,
    region              TEXT    NOT NULL,
    resource_created_ms ${INT64},
    status              TEXT    NOT NULL,
    severity            INTEGER NOT NULL,
    message             TEXT    NOT NULL,
    tags                TEXT    NOT NULL,
    first_seen_ms       ${INT64} NOT NULL,
    last_seen_ms        ${INT64} NOT NULL,
    last_run            ${INT64} NOT NULL,
    gone_ms             ${INT64},
    opened_ms           ${INT64},
    resolved_ms         ${INT64},
    resolution          TEXT    NOT NULL,
    reopened            INTEGER NOT NULL
);

CREATE TABLE violations (
    id           ${ID},
    fingerprint  TEXT    NOT NULL,
    severity     INTEGER NOT NULL,
    opened_ms    ${INT64} NOT NULL,
    opened_run   ${INT64} NOT NULL,
    reopen       BOOLEAN NOT NULL,
    resolved_ms  ${INT64},
    resolved_run ${INT64},
    resolution   TEXT    NOT NULL
);
CREATE INDEX violations_by_fingerprint ON violations (fingerprint);
CREATE INDEX violations_by_resolution ON violations (resolved_ms);
