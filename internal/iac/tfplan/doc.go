// Package tfplan reads Terraform plan JSON (`terraform show -json
// plan.out`) into the declared-infrastructure model. It returns the
// resources and data sources whose type starts with aws_sagemaker_,
// awscc_sagemaker_ or aws_kms_ that the plan leaves in place, one
// model.Resource per instance address, with their planned attribute
// values. Values Terraform cannot know until apply become Unknown ("known
// after apply"), and every value carries the references its configuration
// expression names, so a key the same plan creates is still recognised as
// that key while its ARN is unknown.
//
// What is read:
//
//   - format_version 1.x. Any other major version, or none, is a Gap and
//     nothing else is read.
//   - planned_values: the root module and child modules at any depth give
//     each instance's values.
//   - resource_changes: change.after_unknown marks the unknown parts of
//     those values; change.after stands in for an instance planned_values
//     lacks. An instance whose change only deletes or forgets it, and a
//     deposed object, is left out; create, read, update, no-op and replace
//     in either order are kept, since each leaves the instance as planned.
//   - configuration: the expressions of the wanted resources, module call
//     arguments and module outputs, at any depth. references become Refs:
//     resources and data sources (with the attribute named), input
//     variables of child modules followed to what their callers pass,
//     module outputs followed to what they name. Root variables and locals
//     (which the plan does not record) stay variable Refs. Nested blocks map
//     onto the planned list elements by position.
//   - The configuration names blocks without instance keys; a Ref names the
//     planned instances instead, preferring those in the referrer's module
//     instance and, for an indexed referrer, the one with the same key.
//
// Everything else (prior_state, resource_drift, output_changes, resources
// of other types) is scanned and dropped without being decoded: a plan can
// be hundreds of megabytes, most of it prior state, and decoding it whole
// (tfjson.Plan) takes several times its size in memory.
//
// Plan JSON has no line numbers, so every Range names the plan file alone.
// A syntax error is a Gap placed at its line and column.
package tfplan
