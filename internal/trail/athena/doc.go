// Package athena reads a CloudTrail trail through Amazon Athena: instead of
// downloading a year of an organization's logs (terabytes), sagekey asks
// Athena for the few thousand rows its aggregation needs and folds them into
// the same trail.Aggregates the S3 reader builds.
//
// The table is the one AWS documents for partition projection, with account
// and region projected beside the day (TableDDL), so every query names the
// partitions it reads and Athena scans only those prefixes. Queries mirror
// trail.Aggregator: each groups records to the granularity the Aggregator
// keeps (UTC day, account, region and the fields that decide a group) and
// returns a count and sample event IDs; Read turns each row into one
// trail.Event with that Weight and those Samples and lets the Aggregator of
// its unit (account × region × day) decide, so both readers judge events by
// the same code.
//
// Everything interpolated into SQL is validated (account IDs, regions,
// names, dates) and quoted. The package reads: its API starts SELECTs and
// reads their results; the one DDL statement runs only through CreateTable,
// on request.
package athena
