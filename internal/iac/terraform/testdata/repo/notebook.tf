# sagekey:ignore notebook-instance.cmk reason="sandbox, no data" expires=2027-01-31
resource "aws_sagemaker_notebook_instance" "by_resource" {
  name          = "${local.name_prefix}-a"
  role_arn      = aws_iam_role.sm.arn
  instance_type = "ml.t3.medium"
  kms_key_id    = aws_kms_key.platform.arn
}

// sagekey:ignore notebook-instance.cmk expires=soon
resource "aws_sagemaker_notebook_instance" "by_alias" {
  name          = "${local.name_prefix}-b"
  role_arn      = aws_iam_role.sm.arn
  instance_type = "ml.t3.medium"
  kms_key_id    = aws_kms_alias.platform.arn
}

resource "aws_sagemaker_notebook_instance" "by_aws_managed_alias" {
  name          = "c"
  role_arn      = aws_iam_role.sm.arn
  instance_type = "ml.t3.medium"
  kms_key_id    = data.aws_kms_alias.sagemaker.target_key_arn
}

resource "aws_sagemaker_notebook_instance" "by_literal" {
  name          = "d"
  role_arn      = aws_iam_role.sm.arn
  instance_type = "ml.t3.medium"
  kms_key_id    = "arn:aws:kms:us-east-1:111122223333:key/literal"
}

resource "aws_sagemaker_notebook_instance" "by_variable_default" {
  name          = "e"
  role_arn      = aws_iam_role.sm.arn
  instance_type = "ml.t3.medium"
  kms_key_id    = var.volume_key_arn
}

resource "aws_sagemaker_notebook_instance" "no_key" {
  name          = "f"
  role_arn      = aws_iam_role.sm.arn
  instance_type = "ml.t3.medium"
}

resource "aws_sagemaker_notebook_instance" "per_team" {
  for_each      = var.notebooks
  name          = "${local.name_prefix}-${each.key}"
  role_arn      = aws_iam_role.sm.arn
  instance_type = each.value
  kms_key_id    = local.platform_key
}

resource "aws_sagemaker_notebook_instance" "conditional" {
  name          = "g"
  role_arn      = aws_iam_role.sm.arn
  instance_type = "ml.t3.medium"
  kms_key_id    = var.use_cmk ? aws_kms_key.platform.arn : data.aws_kms_alias.sagemaker.target_key_arn
}
