// Package cutover moves a live SageMaker endpoint onto a customer-managed
// key without downtime: it creates a copy of the endpoint's config with the
// key added to every slot that can take one, points the endpoint at the
// copy (UpdateEndpoint is a blue/green deployment in SageMaker: the old
// fleet serves until the new one is healthy), waits for InService,
// verifies, and only then deletes the old config.
//
// It is the only package in sagekey that changes AWS resources, so its API
// interface lists exactly the calls it makes, and it stops at the first
// failed step and reports what was done and what state the endpoint is
// left in, rather than pressing on or rolling back blindly.
package cutover
