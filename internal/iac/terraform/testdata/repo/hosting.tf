resource "aws_sagemaker_endpoint_configuration" "main" {
  count       = var.replicas
  name        = "ep-${count.index}"
  kms_key_arn = aws_kms_key.platform.arn

  production_variants {
    variant_name           = "a"
    model_name             = "m"
    initial_instance_count = 1
    instance_type          = "ml.g5.xlarge"
    core_dump_config {
      destination_s3_uri = "s3://dumps/"
      kms_key_id         = module.keys.key_arn
    }
  }

  production_variants {
    variant_name = "serverless"
    model_name   = "m"
    serverless_config {
      max_concurrency   = 1
      memory_size_in_mb = 2048
    }
  }

  data_capture_config {
    initial_sampling_percentage = 100
    destination_s3_uri          = "s3://capture/"
    kms_key_id                  = var.capture_key_arn
    capture_options {
      capture_mode = "Input"
    }
  }

  async_inference_config {
    output_config {
      s3_output_path = "s3://async/"
      kms_key_id     = "alias/async-${var.env}"
    }
  }
}

resource "aws_sagemaker_endpoint_configuration" "dynamic_variants" {
  name = "dyn"
  dynamic "production_variants" {
    for_each = { a = "ml.m5.large", b = "ml.m5.xlarge" }
    iterator = v
    content {
      variant_name  = v.key
      instance_type = v.value
    }
  }
}
