# Issue 15, cost: the two profiles and what each one sets.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
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
  dns_zone_name          = "example.com"
  deploy_workloads       = true
}

run "seed_profile" {
  command = plan

  assert {
    condition     = var.cost_profile == "seed"
    error_message = "The seed profile is the default."
  }
  assert {
    condition     = length(aws_nat_gateway.main) == 1 && length(aws_vpc_endpoint.interface) == 0 && aws_vpc_endpoint.s3.vpc_endpoint_type == "Gateway"
    error_message = "One NAT, no interface endpoints (the free S3 gateway endpoint stays)."
  }
  assert {
    condition     = aws_memorydb_cluster.redis.engine == "valkey" && aws_memorydb_cluster.redis.num_replicas_per_shard == 0 && aws_memorydb_cluster.redis.tls_enabled
    error_message = "One Valkey node, TLS kept."
  }
  assert {
    condition     = aws_db_instance.main.instance_class == "db.t4g.micro" && aws_db_instance.main.multi_az == false && aws_db_instance.main.storage_encrypted
    error_message = "Single-AZ db.t4g.micro, still encrypted."
  }
  assert {
    condition     = alltrue([for s in aws_apprunner_service.frontend : s.instance_configuration[0].cpu == "256" && s.instance_configuration[0].memory == "512"])
    error_message = "0.25 vCPU / 0.5 GB frontends."
  }
  assert {
    condition     = length(aws_wafv2_web_acl_association.apprunner) == 2 && aws_cloudtrail.main.enable_log_file_validation && aws_flow_log.main.traffic_type == "ALL"
    error_message = "The security that matters stays: WAF, CloudTrail, flow logs."
  }
}

run "resilient_profile" {
  command = plan

  variables {
    cost_profile = "resilient"
  }

  assert {
    condition     = length(aws_nat_gateway.main) == 2 && length(aws_eip.nat) == 2
    error_message = "One NAT gateway per AZ."
  }
  assert {
    condition     = alltrue([for s in ["sqs", "ecr.api", "ecr.dkr", "logs", "ssm", "ssmmessages", "ec2messages", "secretsmanager", "kms", "sts", "monitoring"] : contains(keys(aws_vpc_endpoint.interface), s)]) && length(aws_vpc_endpoint.interface) == 11
    error_message = "Interface endpoints keep AWS API traffic off the NAT."
  }
  assert {
    condition     = alltrue([for e in aws_vpc_endpoint.interface : e.private_dns_enabled && e.vpc_endpoint_type == "Interface"])
    error_message = "Interface endpoints need private DNS."
  }
  assert {
    condition     = aws_memorydb_cluster.redis.num_replicas_per_shard == 1 && aws_db_instance.main.multi_az && aws_db_instance.main.instance_class == "db.t4g.small"
    error_message = "A MemoryDB replica and a Multi-AZ db.t4g.small."
  }
  assert {
    condition     = alltrue([for s in aws_apprunner_service.frontend : s.instance_configuration[0].cpu == "1024" && s.instance_configuration[0].memory == "2048"])
    error_message = "1 vCPU / 2 GB frontends."
  }
}

run "an_explicit_variable_beats_the_profile" {
  command = plan

  variables {
    cost_profile                = "seed"
    single_nat_gateway          = false
    interface_endpoint_services = ["sqs"]
  }

  assert {
    condition     = length(aws_nat_gateway.main) == 2 && keys(aws_vpc_endpoint.interface) == ["sqs"]
    error_message = "single_nat_gateway and interface_endpoint_services override the profile."
  }
}

run "unknown_profile_is_refused" {
  command = plan

  variables {
    cost_profile = "cheap"
  }

  expect_failures = [var.cost_profile]
}
