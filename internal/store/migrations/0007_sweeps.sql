-- Sweeps: one scheduled scan split over N shard processes (Kubernetes
-- Indexed Job, AWS Batch array job), each storing its own run. A run of a
-- sweep records the sweep's id and its shard, so later views can merge the
-- sweep's runs and tell which shards are missing. All three are NULL for a
-- run that was not sharded.
ALTER TABLE runs ADD COLUMN sweep_id TEXT;
ALTER TABLE runs ADD COLUMN shard_index INTEGER;
ALTER TABLE runs ADD COLUMN shard_count INTEGER;
CREATE INDEX runs_by_sweep ON runs (sweep_id);
