mock_provider "aws" {
  source = "./tests/mocks"
}
provider "aws" {
  alias                       = "secrets"
  region                      = "us-west-2"
  access_key                  = "offline-test"
  secret_key                  = "offline-test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
variables {
  generate_secret_values = false
}
run "plan" {
  command = plan
}
run "apply" {
}
run "ecs" {
  command = plan
  variables {
    frontend_platform        = "ecs"
    frontend_certificate_arn = "arn:aws:acm:us-west-2:123456789012:certificate/mock"
    single_nat_gateway       = true
  }
}
