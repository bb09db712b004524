# The wiring between resources, checked on a mocked apply (every id and ARN known).

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
  dns_zone_name          = "example.com"
  deploy_workloads       = true
}

run "apply_wiring" {
  command = apply

  assert {
    condition     = alltrue([for k, q in aws_sqs_queue.main : jsondecode(q.redrive_policy).maxReceiveCount == 3 && jsondecode(q.redrive_policy).deadLetterTargetArn == aws_sqs_queue.dlq[k].arn])
    error_message = "Each queue redrives to its own DLQ after 3 receives."
  }
  assert {
    condition     = alltrue([for k, p in aws_sqs_queue_redrive_allow_policy.dlq : jsondecode(p.redrive_allow_policy).sourceQueueArns == [aws_sqs_queue.main[k].arn]])
    error_message = "Each DLQ accepts dead letters from its own queue only."
  }
  assert {
    condition     = alltrue([for k, m in aws_lambda_event_source_mapping.worker : m.event_source_arn == aws_sqs_queue.main[k].arn && m.function_name == aws_lambda_function.worker[k].arn])
    error_message = "Each function is triggered by its own queue."
  }
  assert {
    condition     = alltrue([for k, f in aws_lambda_function.worker : f.environment[0].variables["MIGRATIONAI_QUEUE_URL_${upper(replace(k, "-", "_"))}"] == aws_sqs_queue.main[k].url])
    error_message = "Each function's environment carries its queue URL."
  }
  assert {
    condition     = length(aws_lambda_function.worker) == 13 && alltrue([for k, f in aws_lambda_function.worker : f.image_uri == "${aws_ecr_repository.this["worker"].repository_url}:bootstrap"])
    error_message = "All 13 functions run the one worker image, created with the protected tag."
  }
  assert {
    condition = alltrue([for k, d in data.aws_iam_policy_document.lambda :
      one([for s in d.statement : s.resources if s.sid == "ConsumeOwnQueue"]) == toset([aws_sqs_queue.main[k].arn]) &&
      one([for s in d.statement : s.resources if s.sid == "DeadLetterOwnDlq"]) == toset([aws_sqs_queue.dlq[k].arn]) &&
      one([for s in d.statement : s.resources if s.sid == "Logs"]) == toset(["${aws_cloudwatch_log_group.lambda[k].arn}:*"])
    ])
    error_message = "Least privilege: each function consumes only its queue, dead-letters only to its DLQ, logs only to its group."
  }
  assert {
    condition = alltrue([for k, d in data.aws_iam_policy_document.lambda :
      alltrue([for r in one([for s in d.statement : s.resources if s.sid == "WriteBucketPrefixes"]) : startswith(r, "${aws_s3_bucket.app.arn}/") && !endswith(r, "/")])
    ])
    error_message = "Least privilege: functions write only under their bucket prefixes."
  }
  assert {
    condition = (
      contains(one([for s in data.aws_iam_policy_document.lambda["contacts"].statement : s.resources if s.sid == "ReadBucketPrefixes"]), "${aws_s3_bucket.app.arn}/tenants/*/jobs/*/batches/contacts/*") &&
      !contains(one([for s in data.aws_iam_policy_document.lambda["contacts"].statement : s.resources if s.sid == "ReadBucketPrefixes"]), "${aws_s3_bucket.app.arn}/tenants/*") &&
      contains(one([for s in data.aws_iam_policy_document.lambda["document"].statement : s.resources if s.sid == "WriteBucketPrefixes"]), "${aws_s3_bucket.app.arn}/tenants/*/jobs/*/files/document/*")
    )
    error_message = "Workers reach the keys the application writes (their kind's batches, their files), and no more."
  }
  assert {
    condition     = alltrue([for k, f in aws_lambda_function.worker : f.role == aws_iam_role.lambda[k].arn])
    error_message = "A role per function."
  }
  assert {
    condition = toset([for r in aws_vpc_security_group_ingress_rule.sg : r.referenced_security_group_id if r.security_group_id == aws_security_group.redis.id]) == toset([
      aws_security_group.backend.id,
    ])
    error_message = "Redis accepts the backend group only: no worker uses the cache."
  }
  assert {
    condition = toset([for r in aws_vpc_security_group_ingress_rule.sg : r.referenced_security_group_id if r.security_group_id == aws_security_group.backend.id]) == toset([
      aws_security_group.internal_alb.id, aws_security_group.frontend.id,
    ])
    error_message = "The backend accepts the internal load balancer and the App Runner VPC connector only."
  }
  assert {
    condition     = alltrue([for i in aws_instance.host : contains(aws_subnet.private[*].id, i.subnet_id)])
    error_message = "The hosts sit in the private subnets."
  }
  assert {
    condition     = alltrue([for r in aws_route.private_nat : contains(aws_nat_gateway.main[*].id, r.nat_gateway_id)])
    error_message = "Private subnets route to the internet through the NAT gateways."
  }
  assert {
    condition     = alltrue([for n in aws_nat_gateway.main : contains(aws_subnet.public[*].id, n.subnet_id)])
    error_message = "NAT gateways sit in the public subnets."
  }
  assert {
    condition     = alltrue([for s in aws_apprunner_service.frontend : s.network_configuration[0].egress_configuration[0].vpc_connector_arn == aws_apprunner_vpc_connector.main[0].arn])
    error_message = "Both frontends use the VPC connector."
  }
  assert {
    condition = alltrue([for k, s in aws_apprunner_service.frontend :
      s.source_configuration[0].authentication_configuration[0].access_role_arn == aws_iam_role.apprunner_access[0].arn &&
      s.instance_configuration[0].instance_role_arn == aws_iam_role.apprunner_instance[0].arn &&
      startswith(s.source_configuration[0].image_repository[0].image_configuration[0].runtime_environment_variables["MIGRATIONAI_BACKEND_URL"], "https://migrationai-prod-internal.example.com:")
    ])
    error_message = "Frontends pull with the access role, run with the instance role, and call the backend through the internal load balancer."
  }
  assert {
    condition     = aws_memorydb_cluster.redis.security_group_ids == toset([aws_security_group.redis.id]) && aws_memorydb_cluster.redis.subnet_group_name == aws_memorydb_subnet_group.redis.name
    error_message = "MemoryDB in its security group and the private subnet group."
  }
  assert {
    condition     = aws_memorydb_subnet_group.redis.subnet_ids == toset(aws_subnet.private[*].id)
    error_message = "The MemoryDB subnet group holds the private subnets."
  }
  assert {
    condition     = aws_cloudtrail.main.s3_bucket_name == aws_s3_bucket.support["cloudtrail"].id && aws_cloudtrail.main.kms_key_id == aws_kms_key.main.arn
    error_message = "CloudTrail writes to its KMS-encrypted bucket."
  }
  assert {
    condition     = output.redis_endpoint == "rediss://${aws_memorydb_cluster.redis.cluster_endpoint[0].address}:6379"
    error_message = "The Redis endpoint output is a TLS URL."
  }
  assert {
    condition     = output.instance_ids["backend"] == aws_instance.host["backend"].id && strcontains(output.ssm_start_session_commands["tfp"], aws_instance.host["tfp"].id)
    error_message = "Instance ids for aws ssm start-session."
  }
}
