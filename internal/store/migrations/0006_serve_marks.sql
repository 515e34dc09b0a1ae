-- Marks shared by the replicas of sagekey serve: named numbers such as
-- when the last full scan ran, the last run whose alerts were enqueued and
-- how far alerts on CloudTrail have been raised, so a replica that takes
-- over the schedule (or a restart) carries on where the last one stopped.
-- Times are Unix milliseconds.
CREATE TABLE serve_marks (
    name  TEXT     PRIMARY KEY,
    value ${INT64} NOT NULL
);
