locals {
  name_prefix = "${var.env}-ml"
  # Referenced through a local: the Ref survives the indirection.
  platform_key = aws_kms_key.platform.arn
  tags = merge({ team = "ml" }, { env = upper(var.env) })
}

resource "aws_kms_key" "platform" {
  description         = "${local.name_prefix} platform key"
  enable_key_rotation = true
  tags                = local.tags
}

resource "aws_kms_alias" "platform" {
  name          = "alias/${local.name_prefix}"
  target_key_id = aws_kms_key.platform.key_id
}

resource "aws_kms_key" "legacy" {
  description         = "legacy key, disabled and not rotated"
  is_enabled          = false
  enable_key_rotation = false
}

data "aws_kms_alias" "sagemaker" {
  name = "alias/aws/sagemaker"
}

data "aws_kms_key" "shared" {
  key_id = "alias/shared"
}

# Not a mapped family: read for references, not returned.
resource "aws_iam_role" "sm" {
  name = "sm"
}
