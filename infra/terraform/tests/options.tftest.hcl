# The switches (ECS Fargate instead of App Runner) and the guards on the seed's contradictions.

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

run "ecs_fargate_switch" {
  command = plan

  variables {
    frontend_platform = "ecs"
  }

  assert {
    condition     = length(aws_apprunner_service.frontend) == 0 && length(aws_apprunner_vpc_connector.main) == 0
    error_message = "No App Runner with frontend_platform = ecs."
  }
  assert {
    condition     = toset([for s in aws_ecs_service.frontend : s.name]) == toset(["migrationai-frontend", "migrationai-admin-frontend"]) && alltrue([for s in aws_ecs_service.frontend : s.launch_type == "FARGATE"])
    error_message = "Both frontends on Fargate."
  }
  assert {
    condition     = alltrue([for s in aws_ecs_service.frontend : s.network_configuration[0].assign_public_ip == false])
    error_message = "Tasks have no public IP."
  }
  assert {
    condition     = aws_lb.public[0].internal == false && alltrue([for l in aws_lb_listener.public : l.protocol == "HTTPS"])
    error_message = "A public ALB with HTTPS listeners."
  }
  assert {
    condition     = length(aws_wafv2_web_acl_association.public_alb) == 1
    error_message = "The public ALB is behind the WAF."
  }
  assert {
    condition     = alltrue([for r in aws_vpc_security_group_ingress_rule.public_alb_https : r.from_port != 22 && r.from_port != 80])
    error_message = "Only HTTPS is open to the internet."
  }
  assert {
    condition = (
      aws_acm_certificate.this["frontends"].domain_name == "migrationai.example.com" &&
      aws_acm_certificate.this["frontends"].validation_method == "DNS" &&
      alltrue([for l in aws_lb_listener.public : l.certificate_arn == aws_acm_certificate.this["frontends"].arn]) &&
      aws_route53_record.frontends[0].name == "migrationai.example.com"
    )
    error_message = "The public listeners use a DNS-validated certificate Terraform creates in the zone, and the zone names the load balancer."
  }
  assert {
    condition     = output.frontend_urls["frontend"] == "https://migrationai.example.com" && output.frontend_urls["admin-frontend"] == "https://migrationai.example.com:8443"
    error_message = "The frontend URLs use the certificate's name."
  }
  assert {
    condition     = alltrue([for t in aws_ecs_task_definition.frontend : t.cpu == "256" && t.memory == "512"])
    error_message = "The seed profile sizes the Fargate tasks at 0.25 vCPU / 0.5 GB."
  }
}

run "ecs_first_apply_has_no_tasks" {
  command = plan

  variables {
    frontend_platform = "ecs"
    deploy_workloads  = false
  }

  assert {
    condition     = length(aws_ecs_service.frontend) == 0 && length(aws_ecs_task_definition.frontend) == 0 && length(aws_lb.public) == 1
    error_message = "On the ECS path the first apply creates the load balancer and cluster, not the services."
  }
}

run "dns_zone_must_be_a_zone_name" {
  command = plan

  variables {
    dns_zone_name = "https://example.com/"
  }

  expect_failures = [var.dns_zone_name]
}

run "no_ssh_from_anywhere" {
  command = plan

  variables {
    ssh_ingress_cidrs = ["0.0.0.0/0"]
  }

  expect_failures = [var.ssh_ingress_cidrs]
}

run "ssh_from_a_narrow_cidr" {
  command = plan

  variables {
    ssh_ingress_cidrs = ["203.0.113.0/24"]
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.ssh) == 1 && aws_vpc_security_group_ingress_rule.ssh["203.0.113.0/24"].from_port == 22
    error_message = "SSH opens only to the given CIDR."
  }
}

run "memorydb_node_type_must_exist" {
  command = plan

  variables {
    memorydb_node_type = "db.t4.micro"
  }

  expect_failures = [var.memorydb_node_type]
}

run "visibility_timeout_at_least_6x" {
  command = plan

  variables {
    sqs_visibility_timeout_multiplier = 2
  }

  expect_failures = [var.sqs_visibility_timeout_multiplier]
}

run "right_sized_lambdas" {
  command = plan

  variables {
    lambda_timeout     = 60
    lambda_memory_size = 256
  }

  assert {
    condition     = alltrue([for q in aws_sqs_queue.main : q.visibility_timeout_seconds == 6 * 60 + 5])
    error_message = "The visibility timeout follows the Lambda timeout."
  }
}

run "claim_check_bodies_outlive_their_messages" {
  command = plan

  variables {
    s3_claim_check_expiration_days = 3
  }

  expect_failures = [var.s3_claim_check_expiration_days]
}
