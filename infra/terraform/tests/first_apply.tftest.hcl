# Issue 15, "would break a real deploy": the first apply on an empty registry, the tag the
# workloads are created with, reserved concurrency and CodeDeploy gating on a new account.

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
}

# The committed default: nothing that runs an image, so an empty registry is no obstacle.
run "first_apply_from_an_empty_registry" {
  command = plan

  assert {
    condition     = var.deploy_workloads == false
    error_message = "The first apply must not need an image: deploy_workloads defaults to false."
  }
  assert {
    condition = (
      length(aws_lambda_function.worker) == 0 && length(aws_lambda_event_source_mapping.worker) == 0 &&
      length(aws_cloudwatch_metric_alarm.lambda_errors) == 0 && length(aws_apprunner_service.frontend) == 0 &&
      length(aws_wafv2_web_acl_association.apprunner) == 0
    )
    error_message = "No Lambda, trigger or App Runner service before the first image exists."
  }
  assert {
    condition = (
      length(aws_ecr_repository.this) == 6 && length(aws_sqs_queue.main) == 13 && length(aws_iam_role.lambda) == 13 &&
      length(aws_instance.host) == 2 && length(aws_apprunner_vpc_connector.main) == 1 && length(aws_codebuild_project.this) == 2
    )
    error_message = "Everything that needs no image (registries, queues, roles, hosts, connector, pipeline) exists from the first apply."
  }
  assert {
    condition     = alltrue([for g in aws_codedeploy_deployment_group.hosts : g.alarm_configuration[0].enabled == false])
    error_message = "No alarm gating before the first release: the unhealthy-host alarms start in ALARM."
  }
  assert {
    condition     = one([for v in aws_codebuild_project.this["deploy"].environment[0].environment_variable : v.value if v.name == "LAMBDA_FUNCTIONS"]) == ""
    error_message = "The deploy step updates only functions that exist: none yet."
  }
  assert {
    condition     = one([for v in aws_codebuild_project.this["build"].environment[0].environment_variable : v.value if v.name == "BOOTSTRAP_IMAGE_TAG"]) == "bootstrap"
    error_message = "The build knows the tag to push once for the workloads."
  }
  assert {
    condition = alltrue([for d in [data.aws_iam_policy_document.codebuild_deploy, data.aws_iam_policy_document.codebuild_build, data.aws_iam_policy_document.codepipeline] :
      alltrue([for st in d.statement : length(st.resources) > 0])
    ])
    error_message = "No IAM statement without a resource (IAM refuses them): statements about the workloads wait for the workloads."
  }
}

run "second_apply_creates_the_workloads" {
  command = plan

  variables {
    deploy_workloads = true
  }

  assert {
    condition     = length(aws_lambda_function.worker) == 13 && length(aws_lambda_event_source_mapping.worker) == 13 && length(aws_apprunner_service.frontend) == 2
    error_message = "With the first images pushed, the 13 functions and the 2 frontends are created."
  }
  assert {
    condition     = alltrue([for g in aws_codedeploy_deployment_group.hosts : g.alarm_configuration[0].enabled && length(g.alarm_configuration[0].alarms) > 0])
    error_message = "After the first good release CodeDeploy stops on the unhealthy-host alarms."
  }
  assert {
    condition     = length(split(" ", one([for v in aws_codebuild_project.this["deploy"].environment[0].environment_variable : v.value if v.name == "LAMBDA_FUNCTIONS"]))) == 13
    error_message = "The deploy step updates the 13 functions."
  }
  assert {
    condition = (
      contains(one([for st in data.aws_iam_policy_document.codebuild_deploy.statement : st.resources if st.sid == "UpdateLambdas"]), aws_lambda_function.worker["contacts"].arn) &&
      contains(one([for st in data.aws_iam_policy_document.codebuild_deploy.statement : st.resources if st.sid == "DeployAppRunner"]), aws_apprunner_service.frontend["frontend"].arn)
    )
    error_message = "With the workloads, the deploy role may update the functions and the services."
  }
  assert {
    condition     = alltrue([for f in aws_lambda_function.worker : f.reserved_concurrent_executions == null || f.reserved_concurrent_executions == -1])
    error_message = "No reserved concurrency by default: new accounts cannot reserve 13 x 10."
  }
}

run "the_creation_tag_is_never_expired" {
  command = plan

  assert {
    condition = alltrue([for p in aws_ecr_lifecycle_policy.this :
      jsondecode(p.policy).rules[0].rulePriority == 1 &&
      jsondecode(p.policy).rules[0].selection.tagStatus == "tagged" &&
      jsondecode(p.policy).rules[0].selection.tagPrefixList == ["bootstrap"] &&
      jsondecode(p.policy).rules[0].selection.countNumber >= 9999 &&
      jsondecode(p.policy).rules[2].selection.tagStatus == "any" &&
      jsondecode(p.policy).rules[2].rulePriority > jsondecode(p.policy).rules[0].rulePriority
    ])
    error_message = "The image_tag rule comes first and never reaches its count, so the keep-20 rule cannot expire the image the workloads are created with."
  }
  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.image_tag_mutability == "IMMUTABLE"])
    error_message = "Tags stay immutable."
  }
}

run "image_tag_cannot_look_like_a_pipeline_tag" {
  command = plan

  variables {
    image_tag = "0a1b2c3d4e5f-12"
  }

  expect_failures = [var.image_tag]
}

run "reserved_concurrency_below_the_pollers_is_refused" {
  command = plan

  variables {
    lambda_reserved_concurrency = 2
  }

  expect_failures = [var.lambda_reserved_concurrency]
}

run "unique_bucket_name_can_be_overridden" {
  command = plan

  variables {
    bucket_name = "firm-migrationai"
  }

  assert {
    condition     = aws_s3_bucket.app.bucket == "firm-migrationai" && aws_s3_bucket.support["artifacts"].bucket == "firm-migrationai-pipeline-artifacts"
    error_message = "An explicit bucket name wins, and the support buckets follow it."
  }
}
