variable "env" {
  type = string
}

variable "key_admins" {
  type    = list(string)
  default = []
}

resource "aws_kms_key" "this" {
  for_each    = toset(["data", "logs"])
  description = "${var.env} ${each.key}"
}

resource "aws_sagemaker_model_card" "card" {
  model_card_name = "card-${var.env}"
  security_config {
    kms_key_id = aws_kms_key.this["data"].arn
  }
}

output "key_arn" {
  value = aws_kms_key.this["data"].arn
}
