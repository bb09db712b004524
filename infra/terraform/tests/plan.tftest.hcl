# The seed's requirements, checked on a plan of the default configuration (terraform.tfvars).
# Offline: the AWS provider is mocked (tests/mocks); the aws.secrets configuration is never
# called because generate_secret_values = false (mock providers cannot run ephemeral resources).

mock_provider "aws" {
  source = "./tests/mocks"
  # Mocked computed values (ids, ARNs) are known at plan time, so plans can compare them.
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

run "seed_requirements" {
  command = plan

  # --- network

  assert {
    condition     = aws_vpc.main.cidr_block == "10.0.0.0/16" && aws_vpc.main.tags["Name"] == "migrationai-prod-vpc"
    error_message = "The VPC must be migrationai-prod-vpc, 10.0.0.0/16."
  }
  assert {
    condition     = var.region == "us-west-2"
    error_message = "The region must be us-west-2."
  }
  assert {
    condition     = length(aws_subnet.public) == 2 && [for s in aws_subnet.public : s.availability_zone] == ["us-west-2a", "us-west-2b"]
    error_message = "Two public subnets in us-west-2a and us-west-2b."
  }
  assert {
    condition     = length(aws_subnet.private) == 2 && [for s in aws_subnet.private : s.availability_zone] == ["us-west-2a", "us-west-2b"]
    error_message = "Two private subnets in us-west-2a and us-west-2b."
  }
  assert {
    condition     = alltrue([for s in concat(aws_subnet.public, aws_subnet.private) : cidrsubnet(s.cidr_block, 0, 0) == s.cidr_block && startswith(s.cidr_block, "10.0.")])
    error_message = "Subnets must lie inside 10.0.0.0/16."
  }
  assert {
    condition     = alltrue([for s in aws_subnet.public : s.map_public_ip_on_launch == false])
    error_message = "Nothing gets a public IP by default."
  }
  assert {
    condition     = length(aws_nat_gateway.main) == 1 && length(aws_eip.nat) == 1 && length(aws_route.private_nat) == 2
    error_message = "The seed profile shares one NAT gateway between the two private route tables."
  }
  assert {
    condition     = length(aws_route_table.private) == 2 && length(aws_route.private_nat) == 2 && aws_route.public_internet.destination_cidr_block == "0.0.0.0/0"
    error_message = "Public and private route tables with default routes."
  }
  assert {
    condition     = aws_vpc_endpoint.s3.vpc_endpoint_type == "Gateway"
    error_message = "S3 is reached through a gateway endpoint."
  }
  assert {
    condition     = length(aws_vpc_endpoint.interface) == 0
    error_message = "The seed profile reaches AWS APIs through the NAT it already pays for: no interface endpoints ($14.60/month each)."
  }
  assert {
    condition     = aws_flow_log.main.traffic_type == "ALL"
    error_message = "VPC flow logs capture all traffic."
  }

  # --- security groups

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.ssh) == 0
    error_message = "No SSH ingress by default (Session Manager instead)."
  }
  assert {
    condition     = alltrue([for r in aws_vpc_security_group_ingress_rule.sg : r.cidr_ipv4 == null && r.from_port != 22])
    error_message = "Service ports are opened to security groups only, never to CIDRs."
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.endpoints_https.cidr_ipv4 == "10.0.0.0/16"
    error_message = "Endpoints accept HTTPS from the VPC only."
  }
  assert {
    condition = toset([for k, r in aws_vpc_security_group_ingress_rule.sg : k if startswith(k, "redis-")]) == toset(["redis-from-backend"]) && alltrue([
      for k, r in aws_vpc_security_group_ingress_rule.sg : r.from_port == 6379 && r.to_port == 6379 if startswith(k, "redis-")
    ])
    error_message = "Redis 6379 is open to the backend group only."
  }
  assert {
    condition = toset([for k, r in aws_vpc_security_group_ingress_rule.sg : k if startswith(k, "backend-")]) == toset([
      "backend-backend-api-from-alb", "backend-admin-backend-from-alb", "backend-tfp-from-alb",
      "backend-backend-api-from-frontend", "backend-admin-backend-from-frontend",
    ])
    error_message = "Backend ports are open only to the load balancer and the App Runner VPC connector."
  }
  assert {
    condition     = length(aws_security_group.public_alb) == 0 && length(aws_vpc_security_group_ingress_rule.public_alb_https) == 0
    error_message = "No internet-facing security group with App Runner."
  }

  # --- ec2 hosts

  assert {
    condition     = length(aws_instance.host) == 2 && toset([for i in aws_instance.host : i.tags["Name"]]) == toset(["migrationai-backend", "migrationai-tfp"])
    error_message = "Two hosts: migrationai-backend and migrationai-tfp."
  }
  assert {
    condition     = alltrue([for i in aws_instance.host : i.instance_type == "t3a.large"])
    error_message = "Both hosts are t3a.large."
  }
  assert {
    condition = alltrue([for i in aws_instance.host :
      i.root_block_device[0].volume_size == 153 && i.root_block_device[0].encrypted && i.root_block_device[0].volume_type == "gp3"
    ])
    error_message = "153 GB encrypted gp3 root volumes."
  }
  assert {
    condition     = alltrue([for i in aws_instance.host : i.associate_public_ip_address == false && i.metadata_options[0].http_tokens == "required"])
    error_message = "No public IP, IMDSv2 required."
  }
  assert {
    condition     = length(aws_iam_instance_profile.ec2) == 2 && length(aws_iam_role_policy_attachment.ec2_ssm) == 2
    error_message = "Each host has an instance profile with Session Manager."
  }
  assert {
    condition = alltrue([for s in ["dnf -y install docker", "docker-compose", "codedeploy-agent", "ecr-login"] :
      strcontains(templatefile("templates/user_data.sh.tftpl", {
        host_name = "h", host_key = "backend", region = var.region, compose_version = var.docker_compose_version, config_parameter = "/p"
      }), s)
    ])
    error_message = "User data installs Docker, Compose, the ECR credential helper and the CodeDeploy agent."
  }
  assert {
    condition     = aws_lb.internal.internal == true && length(aws_lb_listener.internal) == 3 && toset([for l in aws_lb_listener.internal : l.port]) == toset([8080, 8081, 8082])
    error_message = "An internal load balancer serves backend-api (8080), admin-backend (8081) and tfp (8082)."
  }
  assert {
    condition     = alltrue([for t in aws_lb_target_group.backend : t.health_check[0].path == "/health"])
    error_message = "Targets are health-checked on /health."
  }

  # --- ecr

  assert {
    condition     = length(aws_ecr_repository.this) == 6
    error_message = "One repository per image: 5 services + the one worker image."
  }
  assert {
    condition = toset([for r in aws_ecr_repository.this : r.name]) == toset(concat(
      ["prod/migrationai-frontend", "prod/migrationai-admin-frontend", "prod/migrationai-backend-api", "prod/migrationai-admin-backend", "prod/migrationai-tfp"],
      ["prod/migrationai-worker"],
    ))
    error_message = "Repository names follow prod/migrationai-<service> and prod/migrationai-worker."
  }
  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.image_tag_mutability == "IMMUTABLE" && r.image_scanning_configuration[0].scan_on_push])
    error_message = "Immutable tags and scan on push."
  }
  assert {
    condition     = length(aws_ecr_lifecycle_policy.this) == 6 && alltrue([for p in aws_ecr_lifecycle_policy.this : jsondecode(p.policy).rules[2].selection.countNumber == 20 && jsondecode(p.policy).rules[2].selection.tagStatus == "any"])
    error_message = "Each repository keeps the last 20 images."
  }

  # --- sqs

  assert {
    condition = toset([for q in aws_sqs_queue.main : q.name]) == toset([
      for k in ["contacts", "projects", "sections", "notes", "calendar", "tasks", "billing-items", "project-funds", "billing-invoice", "payment", "project-email", "document", "jobs"] : "prod-migrationai-${k}"
    ])
    error_message = "13 queues named prod-migrationai-<kind>."
  }
  assert {
    condition = toset([for q in aws_sqs_queue.dlq : q.name]) == toset([
      for k in ["contacts", "projects", "sections", "notes", "calendar", "tasks", "billing-items", "project-funds", "billing-invoice", "payment", "project-email", "document", "jobs"] : "dlq-prod-migrationai-${k}"
    ])
    error_message = "13 DLQs named dlq-prod-migrationai-<kind>."
  }
  assert {
    condition     = alltrue([for q in aws_sqs_queue.main : q.visibility_timeout_seconds >= 6 * var.lambda_timeout])
    error_message = "Contradiction resolved: the visibility timeout is at least 6x the Lambda timeout (AWS refuses a trigger whose function timeout exceeds it)."
  }
  assert {
    condition     = alltrue([for q in aws_sqs_queue.main : q.visibility_timeout_seconds >= aws_lambda_function.worker[q.tags["Kind"]].timeout])
    error_message = "Every queue's visibility timeout covers its function's timeout."
  }
  assert {
    condition     = alltrue([for q in concat(values(aws_sqs_queue.main), values(aws_sqs_queue.dlq)) : q.kms_master_key_id != null])
    error_message = "Queues are encrypted with the KMS key."
  }
  assert {
    condition     = length(aws_sqs_queue_redrive_allow_policy.dlq) == 13
    error_message = "Each DLQ has a redrive-allow policy."
  }
  assert {
    condition = length(aws_cloudwatch_metric_alarm.dlq_depth) == 13 && length(aws_cloudwatch_metric_alarm.queue_age) == 13 && alltrue([
      for a in aws_cloudwatch_metric_alarm.queue_age : a.metric_name == "ApproximateAgeOfOldestMessage"
    ])
    error_message = "Alarms on DLQ depth and on the age of the oldest message."
  }

  # --- lambda

  assert {
    condition     = length(aws_lambda_function.worker) == 13 && alltrue([for k, f in aws_lambda_function.worker : f.function_name == "migrationai-${k}"])
    error_message = "13 functions named migrationai-<kind>."
  }
  assert {
    condition     = alltrue([for f in aws_lambda_function.worker : f.package_type == "Image" && f.timeout == 300 && f.memory_size == 512])
    error_message = "Container images, 300 s, 512 MB."
  }
  assert {
    condition     = alltrue([for f in aws_lambda_function.worker : length(f.vpc_config[0].subnet_ids) == 2])
    error_message = "Functions run in the two private subnets."
  }
  assert {
    condition = alltrue([for k, f in aws_lambda_function.worker :
      f.environment[0].variables["MIGRATIONAI_QUEUE"] == k &&
      f.environment[0].variables["MIGRATIONAI_PROFILE"] == "aws" &&
      f.environment[0].variables["MIGRATIONAI_ENV"] == "prod" &&
      contains(keys(f.environment[0].variables), "MIGRATIONAI_QUEUE_URL_${upper(replace(k, "-", "_"))}") &&
      contains(keys(f.environment[0].variables), "MIGRATIONAI_DLQ_URL_${upper(replace(k, "-", "_"))}") &&
      contains(keys(f.environment[0].variables), "MIGRATIONAI_DATABASE_URL_SECRET_ARN") &&
      length(setintersection(keys(f.environment[0].variables), ["MIGRATIONAI_REDIS_URL", "MIGRATIONAI_REDIS_USER", "MIGRATIONAI_REDIS_PASSWORD", "MIGRATIONAI_REDIS_PASSWORD_SECRET_ARN"])) == 0
    ])
    error_message = "Each function knows its queue, its DLQ and the database, and nothing of the cache (no worker uses it)."
  }
  assert {
    condition     = length(output.worker_environment_bytes) == 13 && alltrue([for k, n in output.worker_environment_bytes : n <= 4096 && n == length(jsonencode(aws_lambda_function.worker[k].environment[0].variables))])
    error_message = "Every worker Lambda's environment must fit AWS's 4 KB, measured as its JSON: ${jsonencode(output.worker_environment_bytes)}."
  }
  assert {
    condition     = length(aws_lambda_function.worker["jobs"].environment[0].variables) > length(aws_lambda_function.worker["contacts"].environment[0].variables)
    error_message = "The jobs worker fans out: it knows every queue."
  }
  assert {
    condition = length(aws_lambda_event_source_mapping.worker) == 13 && alltrue([for m in aws_lambda_event_source_mapping.worker :
      m.function_response_types == toset(["ReportBatchItemFailures"]) && m.batch_size == 10 && m.scaling_config[0].maximum_concurrency == 5
    ])
    error_message = "SQS triggers with partial batch failures, batch size and maximum concurrency."
  }
  assert {
    condition     = length(aws_iam_role.lambda) == 13 && length(aws_cloudwatch_log_group.lambda) == 13 && alltrue([for g in aws_cloudwatch_log_group.lambda : g.retention_in_days == 365])
    error_message = "A role and a log group with retention per function."
  }

  # --- apprunner

  assert {
    condition     = toset([for s in aws_apprunner_service.frontend : s.service_name]) == toset(["migrationai-frontend", "migrationai-admin-frontend"])
    error_message = "Two App Runner services: migrationai-frontend and migrationai-admin-frontend."
  }
  assert {
    condition = alltrue([for s in aws_apprunner_service.frontend :
      s.health_check_configuration[0].path == "/health" &&
      s.network_configuration[0].egress_configuration[0].egress_type == "VPC" &&
      s.source_configuration[0].image_repository[0].image_repository_type == "ECR"
    ])
    error_message = "ECR images, /health checks, egress through the VPC connector."
  }
  assert {
    condition = (aws_apprunner_service.frontend["frontend"].source_configuration[0].image_repository[0].image_configuration[0].port == "8090" &&
    aws_apprunner_service.frontend["admin-frontend"].source_configuration[0].image_repository[0].image_configuration[0].port == "8091")
    error_message = "web listens on 8090, admin-web on 8091."
  }
  assert {
    condition = alltrue([for s in aws_apprunner_service.frontend :
      s.source_configuration[0].image_repository[0].image_configuration[0].runtime_environment_variables["MIGRATIONAI_LISTEN"] == "0.0.0.0:${s.source_configuration[0].image_repository[0].image_configuration[0].port}" &&
      length([for k in keys(s.source_configuration[0].image_repository[0].image_configuration[0].runtime_environment_variables) : k if strcontains(k, "SECRET")]) == 0
    ])
    error_message = "Each frontend listens on all interfaces at its App Runner port and is given no secret."
  }
  assert {
    condition     = aws_apprunner_auto_scaling_configuration_version.frontends[0].min_size == 1 && aws_apprunner_auto_scaling_configuration_version.frontends[0].max_size == 4
    error_message = "Auto scaling between 1 and 4 instances."
  }
  assert {
    condition     = length(aws_apprunner_vpc_connector.main) == 1 && length(aws_ecs_service.frontend) == 0 && length(aws_lb.public) == 0
    error_message = "App Runner by default, with a VPC connector and no ECS."
  }

  # --- memorydb and database

  assert {
    condition     = aws_memorydb_cluster.redis.name == "migrationai-redis-cache" && aws_memorydb_cluster.redis.node_type == "db.t4g.small"
    error_message = "Contradiction resolved: migrationai-redis-cache on db.t4g.small (db.t4.micro does not exist)."
  }
  assert {
    condition     = aws_memorydb_cluster.redis.tls_enabled && aws_memorydb_cluster.redis.port == 6379 && aws_memorydb_cluster.redis.acl_name == "migrationai-redis-cache"
    error_message = "TLS, port 6379 and the ACL."
  }
  assert {
    condition     = aws_memorydb_user.app.authentication_mode[0].type == "password"
    error_message = "The ACL user authenticates with a password from Secrets Manager."
  }
  assert {
    condition     = aws_db_instance.main.storage_encrypted && !aws_db_instance.main.publicly_accessible && aws_db_instance.main.manage_master_user_password && aws_db_instance.main.engine == "postgres"
    error_message = "PostgreSQL: encrypted, private, password managed in Secrets Manager."
  }

  # --- s3

  assert {
    condition     = aws_s3_bucket.app.bucket == "migrationai-123456789012-us-west-2" && aws_s3_bucket.logs.bucket == "migrationai-123456789012-us-west-2-logs"
    error_message = "Bucket names are made unique by account and region (the seed's migrationai is taken)."
  }
  assert {
    condition     = aws_s3_bucket_versioning.app.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning enabled."
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.app.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms"
    error_message = "SSE-KMS."
  }
  assert {
    condition = (aws_s3_bucket_public_access_block.app.block_public_acls && aws_s3_bucket_public_access_block.app.block_public_policy &&
    aws_s3_bucket_public_access_block.app.ignore_public_acls && aws_s3_bucket_public_access_block.app.restrict_public_buckets)
    error_message = "Public access fully blocked."
  }
  assert {
    condition = (
      { for t in aws_s3_bucket_lifecycle_configuration.app.rule[0].transition : t.storage_class => t.days }["STANDARD_IA"] <
      { for t in aws_s3_bucket_lifecycle_configuration.app.rule[0].transition : t.storage_class => t.days }["GLACIER"] &&
      { for t in aws_s3_bucket_lifecycle_configuration.app.rule[0].transition : t.storage_class => t.days }["GLACIER"] <
      { for t in aws_s3_bucket_lifecycle_configuration.app.rule[0].transition : t.storage_class => t.days }["DEEP_ARCHIVE"]
    )
    error_message = "Lifecycle: STANDARD_IA, then GLACIER, then DEEP_ARCHIVE."
  }
  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.app.rule[1].abort_incomplete_multipart_upload[0].days_after_initiation == 7
    error_message = "Incomplete multipart uploads are aborted."
  }
  assert {
    condition = (
      aws_s3_bucket_lifecycle_configuration.app.rule[2].id == "expire-claim-checks" &&
      aws_s3_bucket_lifecycle_configuration.app.rule[2].filter[0].prefix == "claims/" &&
      aws_s3_bucket_lifecycle_configuration.app.rule[2].expiration[0].days == 15 &&
      aws_s3_bucket_lifecycle_configuration.app.rule[3].id == "expire-unfinished-upload-parts" &&
      aws_s3_bucket_lifecycle_configuration.app.rule[3].filter[0].prefix == "upload-parts/" &&
      aws_s3_bucket_lifecycle_configuration.app.rule[3].expiration[0].days == 7
    )
    error_message = "Claim-check bodies and unfinished upload parts expire."
  }
  assert {
    condition     = data.aws_iam_policy_document.app_bucket.statement[0].effect == "Deny" && one(data.aws_iam_policy_document.app_bucket.statement[0].condition).variable == "aws:SecureTransport"
    error_message = "The bucket policy denies non-TLS access."
  }

  # --- pipeline

  assert {
    condition     = [for s in aws_codepipeline.main.stage : s.name] == ["Source", "Build", "Deploy"]
    error_message = "Source, Build, Deploy."
  }
  assert {
    condition     = aws_codepipeline.main.stage[0].action[0].provider == "CodeStarSourceConnection"
    error_message = "GitHub through a CodeStar connection."
  }
  assert {
    condition     = aws_codebuild_project.this["build"].source[0].buildspec == "buildspec.yml" && aws_codebuild_project.this["build"].environment[0].privileged_mode
    error_message = "CodeBuild runs buildspec.yml with Docker."
  }
  assert {
    condition     = toset([for a in aws_codepipeline.main.stage[2].action : a.provider]) == toset(["CodeDeploy", "CodeBuild"]) && length(aws_codepipeline.main.stage[2].action) == 3
    error_message = "Deploy: CodeDeploy to both hosts, plus the Lambda and App Runner step."
  }
  assert {
    condition     = one(aws_codepipeline.main.artifact_store).encryption_key[0].type == "KMS"
    error_message = "The artifact store is encrypted."
  }
  assert {
    condition     = length(aws_codedeploy_deployment_group.hosts) == 2 && alltrue([for g in aws_codedeploy_deployment_group.hosts : g.auto_rollback_configuration[0].enabled])
    error_message = "A CodeDeploy group per host, with automatic rollback."
  }

  # --- observability

  assert {
    condition     = aws_cloudtrail.main.is_multi_region_trail && aws_cloudtrail.main.enable_log_file_validation
    error_message = "CloudTrail: all regions, log file validation."
  }
  assert {
    condition     = aws_kms_key.main.enable_key_rotation
    error_message = "The KMS key rotates."
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.lambda_errors) == 13 && length(aws_cloudwatch_metric_alarm.ec2_status) == 2
    error_message = "Alarms on Lambda errors and EC2 status checks."
  }

  # --- outputs

  assert {
    condition     = length(output.queue_urls) == 13 && length(output.dlq_urls) == 13 && length(output.ecr_repository_urls) == 6
    error_message = "Outputs list every queue, DLQ and repository."
  }
  assert {
    condition     = toset(keys(output.ssm_start_session_commands)) == toset(["backend", "tfp"])
    error_message = "Outputs give the Session Manager command of each host."
  }
  assert {
    condition     = output.bucket_name == "migrationai-123456789012-us-west-2" && output.queue_visibility_timeout_seconds == 1805
    error_message = "Bucket and visibility timeout outputs."
  }
}

# AWS refuses a Lambda environment over 4 KB: the plan says so first, naming the worker.
run "a_worker_environment_over_4_kb_is_refused" {
  command = plan

  variables {
    filevine_identity_url = format("https://identity.example.com/%04000d", 0)
  }

  expect_failures = [aws_lambda_function.worker]
}
