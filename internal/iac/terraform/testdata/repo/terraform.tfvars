env = "prod"
notebooks = {
  research = "ml.t3.medium"
  platform = "ml.t3.large"
}
