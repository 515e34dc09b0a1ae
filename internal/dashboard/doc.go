// Package dashboard is the read-only web dashboard of sagekey serve: the
// stored scan history rendered on the server as plain HTML pages, with
// inline CSS and SVG charts, no script and no external asset.
//
// Pages: the overview (/), the findings list with filters and pages
// (/findings), one finding with its slots, remediation, creator and
// lifecycle (/findings/{fingerprint}), keys with their blast radius (/keys,
// /keys/{key ARN}), the KPIs (/kpi), the stored runs (/runs) and the
// alerts that could not be delivered (/alerts).
//
// It reuses the HTML report's view model, named templates and charts
// (report.HTMLTemplates), so a finding or a key reads the same in a report
// and on the dashboard. Every page is a GET (HEAD) with a strict
// Content-Security-Policy; every AWS-derived string goes through
// html/template's contextual escaping.
//
// Pages read the store through indexed, paginated queries. Aggregates that
// would read every finding (overview counts, trend, keys, KPIs, filter
// values) are computed once per stored run and kept in memory until the
// next run is stored (see cache.go).
package dashboard
