variable "prefix" {
  type = string
}

resource "aws_kms_key" "main" {
  description = "${var.prefix} key from ${path.module}"
}

output "key_arn" {
  value = aws_kms_key.main.arn
}
