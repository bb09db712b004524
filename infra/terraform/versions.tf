terraform {
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # State lives in an encrypted, versioned S3 bucket with native locking.
  # Configure it at init time, e.g.:
  #   terraform init -backend-config="bucket=<state-bucket>" \
  #     -backend-config="key=migrationai/prod.tfstate" -backend-config="region=us-west-2"
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
}
