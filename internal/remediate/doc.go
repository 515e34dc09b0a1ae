// Package remediate turns findings into remediation plans: for every FAIL
// finding, an ordered list of steps with the AWS CLI commands (and, where
// JSON has to be reshaped, small python3/boto3 snippets) that fix it,
// respecting what each SageMaker kind allows (the catalog's KeysMutable and
// Immutable). Building a plan is pure: it reads findings, the inventory, the
// resolved keys and, when read, what CloudTrail says (who created each
// resource, who disabled a key or scheduled its deletion), and never calls
// AWS, so a plan can be made from a fresh scan or from a stored run and
// tested with golden files.
//
// Writers render a plan as markdown (for people), JSON
// (sagekey.remediation/v1, for tools) or one bash script. Every command is
// built once, with every AWS-derived value shell-quoted, so each format
// shows the same text and the script cannot be subverted by a hostile
// resource name or tag. Nothing destructive runs without an explicit "yes".
package remediate
