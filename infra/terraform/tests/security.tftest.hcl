# Issue 15, security: TLS inside the VPC, least privilege, versioned-bucket expiry.

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

# The runtime user's secret gets an ARN of its own (the mock gives every secret the same one),
# so that reading it and reading the master secret can be told apart.
override_resource {
  target          = aws_secretsmanager_secret.database_runtime
  override_during = plan
  values = {
    arn = "arn:aws:secretsmanager:us-west-2:123456789012:secret:migrationai/prod/database-runtime-mock"
  }
}

variables {
  generate_secret_values = false
  dns_zone_name          = "example.com"
  deploy_workloads       = true
}

run "https_between_the_frontends_and_the_apis" {
  command = plan

  assert {
    condition = length(aws_lb_listener.internal) == 3 && alltrue([for l in aws_lb_listener.internal :
      l.protocol == "HTTPS" && l.certificate_arn == aws_acm_certificate.this["internal"].arn && startswith(l.ssl_policy, "ELBSecurityPolicy-TLS13")
    ])
    error_message = "The internal load balancer listens with HTTPS only, under the DNS-validated certificate."
  }
  assert {
    condition = (
      aws_acm_certificate.this["internal"].domain_name == "migrationai-prod-internal.example.com" &&
      aws_acm_certificate.this["internal"].validation_method == "DNS" &&
      aws_route53_record.certificate_validation["internal"].zone_id == data.aws_route53_zone.main.zone_id &&
      aws_route53_record.internal.name == "migrationai-prod-internal.example.com"
    )
    error_message = "Terraform requests the certificate, writes its validation record and the load balancer's name in the zone."
  }
  assert {
    condition = alltrue([for k, s in aws_apprunner_service.frontend :
      s.source_configuration[0].image_repository[0].image_configuration[0].runtime_environment_variables["MIGRATIONAI_BACKEND_URL"] == "https://migrationai-prod-internal.example.com:${local.backend_services[local.frontends[k].backend].port}"
    ])
    error_message = "The frontends call their API at an https:// URL whose host the certificate names."
  }
  assert {
    condition     = !contains(keys(aws_acm_certificate.this), "frontends")
    error_message = "No public-ALB certificate on the App Runner path."
  }
}

run "worker_roles_are_least_privilege" {
  command = plan

  assert {
    condition = alltrue([for k, d in data.aws_iam_policy_document.lambda : alltrue([for s in d.statement :
      !anytrue([for a in s.actions : startswith(a, "logs:")]) || alltrue([for r in s.resources : startswith(r, "${aws_cloudwatch_log_group.lambda[k].arn}:")])
    ])])
    error_message = "A worker writes logs to its own group only (AWSLambdaVPCAccessExecutionRole would grant every group)."
  }
  assert {
    condition = alltrue([for k, d in data.aws_iam_policy_document.lambda :
      toset(one([for s in d.statement : s.actions if s.sid == "VpcNetworkInterfaces"])) == toset(["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]) &&
      alltrue([for r in one([for s in d.statement : s.resources if s.sid == "VpcNetworkInterfaces"]) : startswith(r, "arn:aws:ec2:us-west-2:123456789012:")])
    ])
    error_message = "The network-interface actions are inline and scoped to this account and region."
  }
  assert {
    condition     = length([for k, v in data.aws_iam_policy_document.lambda : k]) == 13
    error_message = "Every worker role has its inline policy."
  }
  assert {
    condition = alltrue([for k, d in data.aws_iam_policy_document.lambda :
      toset(one([for s in d.statement : s.resources if s.sid == "ReadSecrets"])) == toset([aws_secretsmanager_secret.database_runtime.arn])
    ])
    error_message = "A worker reads the runtime database secret only: no worker uses the cache, so none reads the Redis password."
  }
  assert {
    condition     = !contains([for r in aws_vpc_security_group_egress_rule.sg : r.referenced_security_group_id if r.security_group_id == aws_security_group.lambda.id], aws_security_group.redis.id)
    error_message = "The worker Lambdas have no route to Redis."
  }
}

run "hosts_purge_through_the_admin_api_and_leave_the_queues_to_the_lambdas" {
  command = plan

  # The mocks give every queue one ARN; the DLQs get another, so the two can be told apart.
  override_resource {
    target          = aws_sqs_queue.dlq
    override_during = plan
    values          = { arn = "arn:aws:sqs:us-west-2:123456789012:mock-dlq" }
  }

  assert {
    condition = (
      toset(one([for s in data.aws_iam_policy_document.ec2["backend"].statement : s.actions if s.sid == "AdminPurge"])) == toset(["sqs:PurgeQueue"]) &&
      toset(one([for s in data.aws_iam_policy_document.ec2["backend"].statement : s.resources if s.sid == "AdminPurge"])) ==
      toset(concat([for k in local.queue_kinds : aws_sqs_queue.main[k].arn], [for k in local.queue_kinds : aws_sqs_queue.dlq[k].arn]))
    )
    error_message = "The admin API's host may purge each of the 13 queues and 13 DLQs, and nothing else with that statement."
  }
  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.ec2["tfp"].statement :
      !contains(s.actions, "sqs:PurgeQueue")
    ])
    error_message = "tfp's host cannot purge a queue."
  }
  assert {
    condition = alltrue([for host, d in data.aws_iam_policy_document.ec2 : alltrue([for s in d.statement :
      alltrue([for r in s.resources : !contains([for k in local.queue_kinds : aws_sqs_queue.main[k].arn], r)])
      if contains(s.actions, "sqs:ReceiveMessage") || contains(s.actions, "sqs:DeleteMessage")
    ])])
    error_message = "No host receives or deletes from a main queue: the Lambda functions are the workers on AWS."
  }
  assert {
    condition = (
      length(aws_lambda_event_source_mapping.worker) == 13 &&
      toset([for m in aws_lambda_event_source_mapping.worker : m.event_source_arn]) == toset([for k in local.queue_kinds : aws_sqs_queue.main[k].arn])
    )
    error_message = "Every one of the 13 queues is consumed by its Lambda function."
  }
}

run "deploy_role_cannot_rewrite_repository_policies" {
  command = plan

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.codebuild_deploy.statement :
      !contains(s.actions, "ecr:SetRepositoryPolicy") && !contains(s.actions, "ecr:*")
    ])
    error_message = "The deploy CodeBuild role must not be able to change who may pull the images."
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.codebuild_deploy.statement : s.actions if s.sid == "UpdateLambdas"]) != null
    error_message = "The deploy role still updates the functions."
  }
}

run "versioned_bucket_expiry_removes_old_versions" {
  command = plan

  assert {
    condition = alltrue([for r in aws_s3_bucket_lifecycle_configuration.app.rule :
      length(r.noncurrent_version_expiration) == 1 && r.noncurrent_version_expiration[0].noncurrent_days <= 1
      if contains(["expire-claim-checks", "expire-unfinished-upload-parts"], r.id)
    ]) && length([for r in aws_s3_bucket_lifecycle_configuration.app.rule : r if contains(["expire-claim-checks", "expire-unfinished-upload-parts"], r.id)]) == 2
    error_message = "Claim-check bodies and upload parts lose their noncurrent versions a day after they expire, not 400 days later."
  }
  assert {
    condition = one([for r in aws_s3_bucket_lifecycle_configuration.app.rule : r.expiration[0].expired_object_delete_marker
    if r.id == "remove-expired-delete-markers"]) == true
    error_message = "Delete markers left with no version behind them are removed."
  }
}

run "lambdas_reach_the_database_through_rds_proxy" {
  command = plan

  assert {
    condition = (
      aws_db_proxy.main.require_tls &&
      aws_db_proxy.main.engine_family == "POSTGRESQL" &&
      one(aws_db_proxy.main.auth).secret_arn == aws_secretsmanager_secret.database_runtime.arn &&
      aws_db_proxy_target.main.db_instance_identifier == aws_db_instance.main.identifier
    )
    error_message = "RDS Proxy fronts the instance, requires TLS and signs in with the runtime user's secret only."
  }
  assert {
    condition = length(aws_lambda_function.worker) == 13 && alltrue([for f in aws_lambda_function.worker :
      f.environment[0].variables["MIGRATIONAI_DATABASE_HOST"] == aws_db_proxy.main.endpoint &&
      f.environment[0].variables["MIGRATIONAI_DB_MAX_CONNECTIONS"] == "2"
    ])
    error_message = "Every worker Lambda connects through the proxy's endpoint with a pool of 2."
  }
  assert {
    condition     = aws_db_proxy.main.endpoint != aws_db_instance.main.address
    error_message = "The proxy's endpoint is not the instance's."
  }
  assert {
    condition = (
      one(aws_db_proxy_default_target_group.main.connection_pool_config).max_connections_percent == 50 &&
      !contains(keys(local.sg_ingress_rules), "db-from-lambda") &&
      local.sg_ingress_rules["db-from-proxy"].src == aws_security_group.db_proxy.id &&
      local.sg_ingress_rules["proxy-from-lambda"].src == aws_security_group.lambda.id
    )
    error_message = "The proxy uses at most half the instance's connections; the Lambdas reach the database only through it."
  }
  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.db_proxy.statement :
      alltrue([for r in s.resources : r == aws_secretsmanager_secret.database_runtime.arn || r == aws_kms_key.main.arn])
    ])
    error_message = "The proxy's role reads the runtime user's secret and decrypts with the project key, nothing else."
  }
}

run "only_the_migrating_step_reads_the_master_secret" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for d in concat(values(data.aws_iam_policy_document.lambda), values(data.aws_iam_policy_document.ec2), [data.aws_iam_policy_document.db_proxy]) : [
        for s in d.statement : !contains(s.resources, aws_db_instance.main.master_user_secret[0].secret_arn)
      ]
    ]))
    error_message = "No worker Lambda, host or the proxy may read the master user's secret."
  }
  assert {
    condition = alltrue([
      for d in concat(values(data.aws_iam_policy_document.lambda), values(data.aws_iam_policy_document.ec2)) :
      contains(one([for s in d.statement : s.resources if s.sid == "ReadSecrets"]), aws_secretsmanager_secret.database_runtime.arn)
    ])
    error_message = "Every worker Lambda and host reads the runtime user's secret."
  }
  assert {
    condition = alltrue(flatten([
      [for f in aws_lambda_function.worker : f.environment[0].variables["MIGRATIONAI_DATABASE_URL_SECRET_ARN"] == aws_secretsmanager_secret.database_runtime.arn],
      [for h in local.instances : local.database_env["MIGRATIONAI_DATABASE_URL_SECRET_ARN"] == aws_secretsmanager_secret.database_runtime.arn],
    ]))
    error_message = "The worker Lambdas and the hosts connect as the runtime user."
  }
  assert {
    condition = (
      toset(one([for s in data.aws_iam_policy_document.db_setup.statement : s.resources if s.sid == "ReadSecrets"])) ==
      toset([aws_db_instance.main.master_user_secret[0].secret_arn, aws_secretsmanager_secret.database_runtime.arn]) &&
      length([for s in data.aws_iam_policy_document.db_setup.statement : s if anytrue([for a in s.actions : startswith(a, "sqs:") || startswith(a, "s3:")])]) == 0
    )
    error_message = "The db-setup function reads the master and runtime secrets, and touches no queue or bucket."
  }
  assert {
    condition = (
      length(aws_lambda_function.db_setup) == 1 &&
      aws_lambda_function.db_setup[0].environment[0].variables["MIGRATIONAI_DATABASE_URL_SECRET_ARN"] == aws_db_instance.main.master_user_secret[0].secret_arn &&
      aws_lambda_function.db_setup[0].environment[0].variables["MIGRATIONAI_DATABASE_RUNTIME_SECRET_ARN"] == aws_secretsmanager_secret.database_runtime.arn &&
      aws_lambda_function.db_setup[0].environment[0].variables["MIGRATIONAI_DATABASE_HOST"] == aws_db_instance.main.address &&
      one(aws_lambda_function.db_setup[0].image_config).command == tolist(["db", "setup", "--lambda"]) &&
      aws_lambda_function.db_setup[0].reserved_concurrent_executions == 1
    )
    error_message = "The db-setup function runs `migrationai db setup --lambda` against the instance with the master and runtime secrets, one at a time."
  }
  assert {
    condition = (
      local.sg_ingress_rules["db-from-db-setup"].src == aws_security_group.db_setup.id &&
      !contains(keys(local.sg_ingress_rules), "proxy-from-db-setup")
    )
    error_message = "The db-setup function reaches the instance directly, not through the proxy."
  }
}

run "only_the_backend_host_and_the_workers_read_the_filevine_credentials" {
  command = plan

  # The mocks give every secret one ARN; Filevine's gets its own, so reads can be told apart.
  override_resource {
    target          = aws_secretsmanager_secret.filevine
    override_during = plan
    values          = { arn = "arn:aws:secretsmanager:us-west-2:123456789012:secret:migrationai/prod/filevine-mock" }
  }

  assert {
    condition = (
      aws_secretsmanager_secret.filevine.kms_key_id == aws_kms_key.main.arn &&
      aws_secretsmanager_secret.filevine.name == "migrationai/prod/filevine" &&
      aws_secretsmanager_secret.filevine.recovery_window_in_days == 7
    )
    error_message = "The Filevine secret is encrypted with the project key and can be recovered for a week after deletion."
  }
  assert {
    condition = (
      toset(one([for s in data.aws_iam_policy_document.ec2["backend"].statement : s.resources if s.sid == "ReadFilevineCredentials"])) ==
      toset([aws_secretsmanager_secret.filevine.arn]) &&
      toset(one([for s in data.aws_iam_policy_document.ec2["backend"].statement : s.actions if s.sid == "ReadFilevineCredentials"])) ==
      toset(["secretsmanager:GetSecretValue"])
    )
    error_message = "The backend host, where operators run `migrationai push`, may read the Filevine secret and do nothing else with it."
  }
  assert {
    condition = alltrue([
      for d in values(data.aws_iam_policy_document.lambda) :
      toset(one([for s in d.statement : s.resources if s.sid == "ReadFilevineCredentials"])) == toset([aws_secretsmanager_secret.filevine.arn]) &&
      toset(one([for s in d.statement : s.actions if s.sid == "ReadFilevineCredentials"])) == toset(["secretsmanager:GetSecretValue"]) &&
      length([for s in d.statement : s if contains(s.resources, aws_secretsmanager_secret.filevine.arn)]) == 1
    ])
    error_message = "Each worker Lambda, which pushes the pages of a push through the queues, may read the Filevine secret and do nothing else with it."
  }
  assert {
    condition = alltrue([
      for f in values(aws_lambda_function.worker) :
      f.environment[0].variables["MIGRATIONAI_FILEVINE_SECRET_ARN"] == aws_secretsmanager_secret.filevine.arn
    ])
    error_message = "Each worker Lambda is told where the Filevine credentials are."
  }
  assert {
    condition = alltrue(flatten([
      for d in [data.aws_iam_policy_document.ec2["tfp"], data.aws_iam_policy_document.db_setup, data.aws_iam_policy_document.db_proxy] : [
        for s in d.statement : !contains(s.resources, aws_secretsmanager_secret.filevine.arn)
      ]
    ]))
    error_message = "Neither tfp's host, the db-setup function nor the proxy may read the Filevine secret."
  }
  assert {
    condition = (
      strcontains(aws_ssm_parameter.host_config["backend"].value, "MIGRATIONAI_FILEVINE_SECRET_ARN=${aws_secretsmanager_secret.filevine.arn}") &&
      strcontains(aws_ssm_parameter.host_config["backend"].value, "MIGRATIONAI_FILEVINE_GATEWAY_URL=https://api.filevineapp.com") &&
      !strcontains(aws_ssm_parameter.host_config["tfp"].value, "MIGRATIONAI_FILEVINE_SECRET_ARN")
    )
    error_message = "The backend host's configuration names the Filevine secret and gateway; tfp's names neither."
  }
  assert {
    condition     = output.filevine_secret_arn == aws_secretsmanager_secret.filevine.arn
    error_message = "The secret to write the credentials into is an output."
  }
}

run "filevine_urls_must_be_https" {
  command = plan
  variables {
    filevine_gateway_url = "http://api.filevineapp.com"
  }
  expect_failures = [var.filevine_gateway_url]
}

run "the_first_operator_reads_only_its_own_password" {
  command = plan
  variables {
    admin_email = "ops@firm.example"
  }

  # Its own ARN, so that reads of it can be told apart from the other secrets'.
  override_resource {
    target          = aws_secretsmanager_secret.admin_password
    override_during = plan
    values          = { arn = "arn:aws:secretsmanager:us-west-2:123456789012:secret:migrationai/prod/admin-password-mock" }
  }

  assert {
    condition = (
      strcontains(aws_ssm_parameter.host_config["backend"].value, "MIGRATIONAI_ADMIN_EMAIL=ops@firm.example") &&
      strcontains(aws_ssm_parameter.host_config["backend"].value, "MIGRATIONAI_ADMIN_PASSWORD_SECRET_ARN=${aws_secretsmanager_secret.admin_password.arn}") &&
      !strcontains(aws_ssm_parameter.host_config["backend"].value, "MIGRATIONAI_ADMIN_PASSWORD=") &&
      !strcontains(aws_ssm_parameter.host_config["tfp"].value, "MIGRATIONAI_ADMIN_EMAIL")
    )
    error_message = "admin-api's host is told the operator's email and the ARN of its password, never the password; tfp's host neither."
  }
  assert {
    condition = (
      toset(one([for s in data.aws_iam_policy_document.ec2["backend"].statement : s.resources if s.sid == "ReadFirstOperatorPassword"])) ==
      toset([aws_secretsmanager_secret.admin_password.arn]) &&
      alltrue(flatten([
        for d in concat(values(data.aws_iam_policy_document.lambda), [data.aws_iam_policy_document.ec2["tfp"], data.aws_iam_policy_document.db_setup]) : [
          for s in d.statement : !contains(s.resources, aws_secretsmanager_secret.admin_password.arn)
        ]
      ]))
    )
    error_message = "Only the backend host may read the operator's password."
  }
  assert {
    condition     = aws_secretsmanager_secret.admin_password.kms_key_id == aws_kms_key.main.arn && output.admin_password_secret_arn == aws_secretsmanager_secret.admin_password.arn
    error_message = "The password's secret is encrypted with the project key and its ARN is an output."
  }
}

run "no_operator_is_created_unless_asked" {
  command = plan

  assert {
    condition = (
      !strcontains(aws_ssm_parameter.host_config["backend"].value, "MIGRATIONAI_ADMIN_EMAIL") &&
      !strcontains(aws_ssm_parameter.host_config["backend"].value, "MIGRATIONAI_ADMIN_PASSWORD_SECRET_ARN") &&
      length([for s in data.aws_iam_policy_document.ec2["backend"].statement : s if s.sid == "ReadFirstOperatorPassword"]) == 0
    )
    error_message = "With admin_email empty, admin-api is given no operator and its host no grant."
  }
}

run "admin_email_must_be_an_email" {
  command = plan
  variables {
    admin_email = "not an email"
  }
  expect_failures = [var.admin_email]
}
