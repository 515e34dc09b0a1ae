variable "kms_key_arn" {
  type = string
}

resource "aws_sagemaker_domain" "studio" {
  domain_name = "studio"
  auth_mode   = "IAM"
  kms_key_id  = var.kms_key_arn
}
