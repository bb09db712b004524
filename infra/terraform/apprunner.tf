# The two frontends: App Runner (the seed, default) or ECS Fargate behind a public ALB
# (var.frontend_platform = "ecs", see ecs.tf). Both sit behind the same WAF web ACL.
# App Runner admits no new customers since 30 April 2026: an account that has never used it
# cannot create these services and must set frontend_platform = "ecs".

locals {
  use_apprunner = var.frontend_platform == "apprunner"
  use_ecs       = var.frontend_platform == "ecs"

  frontend_env = {
    for f, v in local.frontends : f => merge(local.base_app_env, {
      MIGRATIONAI_BACKEND_URL = "${local.backend_url}:${local.backend_services[v.backend].port}"
      MIGRATIONAI_LISTEN      = "0.0.0.0:${v.port}"
    })
  }
}

# ---------------------------------------------------------------------------
# Roles: access role (App Runner pulls from ECR) and instance role (the running app).
# ---------------------------------------------------------------------------
data "aws_iam_policy_document" "apprunner_access_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["build.apprunner.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "apprunner_access" {
  count = local.use_apprunner ? 1 : 0

  name               = "${local.name_prefix}-apprunner-ecr-access"
  assume_role_policy = data.aws_iam_policy_document.apprunner_access_assume.json
}

data "aws_iam_policy_document" "apprunner_access" {
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "EcrPullFrontends"
    actions = [
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchCheckLayerAvailability",
      "ecr:DescribeImages",
    ]
    resources = [for f in keys(local.frontends) : aws_ecr_repository.this[f].arn]
  }

  statement {
    sid       = "DecryptImages"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.main.arn]
  }
}

resource "aws_iam_role_policy" "apprunner_access" {
  count = local.use_apprunner ? 1 : 0

  name   = "ecr-pull"
  role   = aws_iam_role.apprunner_access[0].id
  policy = data.aws_iam_policy_document.apprunner_access.json
}

data "aws_iam_policy_document" "apprunner_instance_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["tasks.apprunner.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "apprunner_instance" {
  count = local.use_apprunner ? 1 : 0

  name               = "${local.name_prefix}-apprunner-instance"
  assume_role_policy = data.aws_iam_policy_document.apprunner_instance_assume.json
}

# The frontends hold no secret and no data: sessions are the backend's (see the README).
data "aws_iam_policy_document" "frontend_runtime" {
  statement {
    sid       = "Traces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "apprunner_instance" {
  count = local.use_apprunner ? 1 : 0

  name   = "frontend-runtime"
  role   = aws_iam_role.apprunner_instance[0].id
  policy = data.aws_iam_policy_document.frontend_runtime.json
}

# ---------------------------------------------------------------------------
# VPC connector, auto scaling, observability, services.
# ---------------------------------------------------------------------------
resource "aws_apprunner_vpc_connector" "main" {
  count = local.use_apprunner ? 1 : 0

  vpc_connector_name = "${local.name_prefix}-connector"
  subnets            = aws_subnet.private[*].id
  security_groups    = [aws_security_group.frontend.id]
}

resource "aws_apprunner_auto_scaling_configuration_version" "frontends" {
  count = local.use_apprunner ? 1 : 0

  auto_scaling_configuration_name = "${local.name_prefix}-frontends"
  max_concurrency                 = var.frontend_max_concurrency
  min_size                        = var.frontend_min_size
  max_size                        = var.frontend_max_size
}

resource "aws_apprunner_observability_configuration" "frontends" {
  count = local.use_apprunner ? 1 : 0

  observability_configuration_name = "${local.name_prefix}-frontends"

  trace_configuration {
    vendor = "AWSXRAY"
  }
}

resource "aws_apprunner_service" "frontend" {
  for_each = local.use_apprunner ? local.deployed_frontends : {}

  service_name                   = "${var.project}-${each.key}"
  auto_scaling_configuration_arn = aws_apprunner_auto_scaling_configuration_version.frontends[0].arn

  source_configuration {
    auto_deployments_enabled = false

    authentication_configuration {
      access_role_arn = aws_iam_role.apprunner_access[0].arn
    }

    image_repository {
      image_identifier      = "${aws_ecr_repository.this[each.key].repository_url}:${var.image_tag}"
      image_repository_type = "ECR"

      image_configuration {
        port                          = tostring(each.value.port)
        runtime_environment_variables = local.frontend_env[each.key]
      }
    }
  }

  instance_configuration {
    cpu               = tostring(local.frontend_cpu)
    memory            = tostring(local.frontend_memory)
    instance_role_arn = aws_iam_role.apprunner_instance[0].arn
  }

  health_check_configuration {
    protocol            = "HTTP"
    path                = "/health"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 1
    unhealthy_threshold = 5
  }

  network_configuration {
    egress_configuration {
      egress_type       = "VPC"
      vpc_connector_arn = aws_apprunner_vpc_connector.main[0].arn
    }
    ingress_configuration {
      is_publicly_accessible = true
    }
  }

  encryption_configuration {
    kms_key = aws_kms_key.main.arn
  }

  observability_configuration {
    observability_enabled           = true
    observability_configuration_arn = aws_apprunner_observability_configuration.frontends[0].arn
  }

  lifecycle {
    # The pipeline deploys new image tags; Terraform does not roll them back.
    ignore_changes = [source_configuration[0].image_repository[0].image_identifier]
  }

  depends_on = [aws_iam_role_policy.apprunner_access]
}

resource "aws_wafv2_web_acl_association" "apprunner" {
  for_each = local.use_apprunner ? local.deployed_frontends : {}

  resource_arn = aws_apprunner_service.frontend[each.key].arn
  web_acl_arn  = aws_wafv2_web_acl.frontends.arn
}

# ---------------------------------------------------------------------------
# WAF in front of the public entry points (App Runner services or the public ALB).
# ---------------------------------------------------------------------------
resource "aws_wafv2_web_acl" "frontends" {
  name        = "${local.name_prefix}-frontends"
  description = "Managed protections and rate limiting for the MigrationAI frontends"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  rule {
    name     = "aws-common"
    priority = 1
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"

        # Uploads of practice-data exports exceed the 8 KB body limit of this rule.
        rule_action_override {
          name = "SizeRestrictions_BODY"
          action_to_use {
            count {}
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "aws-common"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-known-bad-inputs"
    priority = 2
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "aws-known-bad-inputs"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-anonymous-ip"
    priority = 3
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAnonymousIpList"

        # Firms reach the app from office VPNs and cloud desktops: count those, block Tor and proxies.
        rule_action_override {
          name = "HostingProviderIPList"
          action_to_use {
            count {}
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "aws-anonymous-ip"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-limit"
    priority = 4
    action {
      block {}
    }
    statement {
      rate_based_statement {
        limit              = 2000
        aggregate_key_type = "IP"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "rate-limit"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${local.name_prefix}-frontends"
    sampled_requests_enabled   = true
  }
}

resource "aws_cloudwatch_log_group" "waf" {
  # WAF requires the aws-waf-logs- prefix.
  name              = "aws-waf-logs-${local.name_prefix}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_wafv2_web_acl_logging_configuration" "frontends" {
  resource_arn            = aws_wafv2_web_acl.frontends.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]
}
