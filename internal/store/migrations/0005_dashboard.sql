-- Dashboard (sagekey serve): what the read-only pages filter, sort and
-- count on, so each page reads an index range, never the whole table.
--
-- owner is the value of the owner tag (owner_tag) on the resource or key,
-- and detail the JSON history.Detail (name, slots, remediation, blast
-- radius, suppression) a finding's page shows. Both describe the current
-- state only and are written by the scan that last saw the finding; rows
-- stored before this migration hold '' until a scan sees them again.
ALTER TABLE findings ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN detail TEXT NOT NULL DEFAULT '';

-- The findings list shows present findings (gone_ms IS NULL), worst
-- severity first then by fingerprint, filtered by any of status, severity,
-- kind, account, region, owner and check. Each index leads with one filter
-- and carries status and severity after it, so the common combinations
-- (status=FAIL&severity=high&kind=...) are one range scan in page order and
-- their count is read from the index alone.
CREATE INDEX findings_present_by_status   ON findings (status, severity, fingerprint) WHERE gone_ms IS NULL;
CREATE INDEX findings_present_by_severity ON findings (severity, fingerprint) WHERE gone_ms IS NULL;
CREATE INDEX findings_present_by_kind     ON findings (kind, status, severity, fingerprint) WHERE gone_ms IS NULL;
CREATE INDEX findings_present_by_account  ON findings (account, status, severity, fingerprint) WHERE gone_ms IS NULL;
CREATE INDEX findings_present_by_region   ON findings (region, status, severity) WHERE gone_ms IS NULL;
CREATE INDEX findings_present_by_owner    ON findings (owner, status, severity, fingerprint) WHERE gone_ms IS NULL;
CREATE INDEX findings_present_by_check    ON findings (check_id, status, severity, fingerprint) WHERE gone_ms IS NULL;
-- A key's page lists its kms-key.* verdicts, and a resource link lists the
-- resource's findings, by ARN.
CREATE INDEX findings_by_resource ON findings (resource_arn);
-- The overview counts open violations by severity, kind, account and owner.
CREATE INDEX findings_open ON findings (severity, kind, account, owner) WHERE opened_ms IS NOT NULL;
