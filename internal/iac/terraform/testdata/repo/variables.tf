variable "env" {
  type    = string
  default = "dev"
}

variable "volume_key_arn" {
  type    = string
  default = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

# No default and not in terraform.tfvars: Unknown, referring to the variable.
variable "capture_key_arn" {
  type = string
}

variable "use_cmk" {
  type = bool
}

variable "notebooks" {
  type    = map(string)
  default = {}
}

variable "replicas" {
  type    = number
  default = 1
}
