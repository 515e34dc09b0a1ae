resource "aws_sagemaker_feature_group" "fg" {
  feature_group_name             = "fg"
  record_identifier_feature_name = "id"
  event_time_feature_name        = "ts"
  role_arn                       = aws_iam_role.sm.arn
  online_store_config {
    enable_online_store = true
    security_config {
      kms_key_id = try(local.missing_key, aws_kms_key.platform.arn)
    }
  }
  offline_store_config {
    s3_storage_config {
      s3_uri     = "s3://offline/"
      kms_key_id = coalesce(lower("ARN:AWS:KMS:US-EAST-1:111122223333:KEY/OFFLINE"), "x")
    }
  }
}

resource "aws_sagemaker_training_job" "train" {
  count             = length(var.notebooks) > 5 ? 1 : 0
  training_job_name = "never"
}

resource "aws_sagemaker_training_job" "nightly" {
  training_job_name = "nightly"
  role_arn          = aws_iam_role.sm.arn
  resource_config {
    instance_type     = "ml.p4d.24xlarge"
    instance_count    = 1
    volume_size_in_gb = 50
    volume_kms_key_id = module.keys.key_arn
  }
  output_data_config {
    s3_output_path = "s3://out/"
    kms_key_id     = module.ml.key_arn
  }
}

module "keys" {
  source = "./modules/keys"
  prefix = local.name_prefix
}

module "ml" {
  source  = "acme/ml/aws"
  version = "1.0.0"
  env     = var.env
}

module "absent" {
  source = "./modules/does-not-exist"
}
