// Package iac is the orchestrator of `sagekey iac`: it finds the
// infrastructure as code under the paths given (Terraform configuration,
// Terraform plan JSON, CloudFormation/CDK/SAM templates), reads each with
// its reader into the IaC model, maps the model onto the catalog's kinds
// and key slots (internal/iac/mapping), resolves the keys the code refers
// to (offline, or with KMS when asked), and judges the result with the same
// engine and rules as a live scan. It writes nothing to the history store.
package iac
