terraform {
  required_version = ">= 1.5"
}

resource "aws_kms_key" "ml" {
  description         = "SageMaker volumes"
  enable_key_rotation = false
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "research"
  role_arn      = var.role_arn
  instance_type = "ml.t3.medium"
}

resource "aws_sagemaker_endpoint_configuration" "fraud" {
  name       = "fraud-v1"
  kms_key_id = "alias/aws/sagemaker"

  production_variants {
    variant_name  = "main"
    model_name    = "fraud"
    instance_type = "ml.m5.large"
  }
}

resource "aws_sagemaker_feature_group" "customers" {
  feature_group_name = "customers"

  offline_store_config {
    s3_storage_config {
      s3_uri     = "s3://features/customers"
      kms_key_id = aws_kms_key.ml.arn
    }
  }
}

module "ml" {
  source = "./modules/ml"
}
