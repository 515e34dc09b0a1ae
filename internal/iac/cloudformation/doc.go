// Package cloudformation reads CloudFormation templates (YAML with
// short-form tags, or JSON; SAM templates and CDK's cdk.out output
// included) into the declared-infrastructure model, so `sagekey iac` can
// judge SageMaker's key slots before a stack is created.
//
// It evaluates what can be known without deploying: parameters (defaults
// and --parameter overrides), Mappings, Fn::Sub, Fn::Join, Fn::Select,
// Fn::Split and Fn::FindInMap. What only a deployment knows (a key's ARN,
// a pseudo parameter, another stack's export) becomes an Unknown value
// that names the declaration it waits for, and Fn::If becomes both of its
// branches, because the judge reports the worse one. Local nested stacks
// are followed with their parameters bound.
//
// Input that cannot be read (a syntax error, a binary or oversized file, a
// YAML alias bomb, a symlink or nested-stack cycle, a remote nested
// template) is a model.Gap with its file and line; the other files are
// still read. Nothing here touches AWS.
package cloudformation
