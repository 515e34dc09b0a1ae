# The awscc provider writes nested settings as object attributes, not blocks.
resource "awscc_sagemaker_domain" "cc" {
  domain_name = "cc"
  auth_mode   = "IAM"
  kms_key_id  = aws_kms_key.platform.key_id
  default_user_settings = {
    execution_role = aws_iam_role.sm.arn
    sharing_settings = {
      s3_kms_key_id = aws_kms_alias.platform.arn
    }
  }
}
