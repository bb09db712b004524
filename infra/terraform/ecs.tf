# ECS Fargate alternative for the two frontends (var.frontend_platform = "ecs"), for AWS
# accounts that App Runner no longer admits. Tasks in the private subnets behind a public
# ALB: the firm frontend on 443, the admin console on 8443.

resource "aws_ecs_cluster" "frontends" {
  count = local.use_ecs ? 1 : 0

  name = "${local.name_prefix}-frontends"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "ecs" {
  for_each = local.use_ecs ? local.frontends : {}

  name              = "/${var.project}/${var.environment}/ecs/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "ecs_execution" {
  count = local.use_ecs ? 1 : 0

  name               = "${local.name_prefix}-ecs-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "ecs_execution" {
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "EcrPullFrontends"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [for f in keys(local.frontends) : aws_ecr_repository.this[f].arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:/${var.project}/${var.environment}/ecs/*:*"]
  }

  statement {
    sid       = "DecryptImages"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.main.arn]
  }
}

resource "aws_iam_role_policy" "ecs_execution" {
  count = local.use_ecs ? 1 : 0

  name   = "execution"
  role   = aws_iam_role.ecs_execution[0].id
  policy = data.aws_iam_policy_document.ecs_execution.json
}

resource "aws_iam_role" "ecs_task" {
  count = local.use_ecs ? 1 : 0

  name               = "${local.name_prefix}-ecs-frontend-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "ecs_task" {
  count = local.use_ecs ? 1 : 0

  name   = "frontend-runtime"
  role   = aws_iam_role.ecs_task[0].id
  policy = data.aws_iam_policy_document.frontend_runtime.json
}

resource "aws_ecs_task_definition" "frontend" {
  for_each = local.use_ecs ? local.deployed_frontends : {}

  family                   = "${var.project}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(local.frontend_cpu)
  memory                   = tostring(local.frontend_memory)
  execution_role_arn       = aws_iam_role.ecs_execution[0].arn
  task_role_arn            = aws_iam_role.ecs_task[0].arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name                   = each.key
      image                  = "${aws_ecr_repository.this[each.key].repository_url}:${var.image_tag}"
      essential              = true
      readonlyRootFilesystem = true
      user                   = "10001"
      portMappings           = [{ containerPort = each.value.port, protocol = "tcp" }]
      environment            = [for k, v in local.frontend_env[each.key] : { name = k, value = v }]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.ecs[each.key].name
          awslogs-region        = var.region
          awslogs-stream-prefix = each.key
        }
      }
    }
  ])
}

resource "aws_ecs_service" "frontend" {
  for_each = local.use_ecs ? local.deployed_frontends : {}

  name             = "${var.project}-${each.key}"
  cluster          = aws_ecs_cluster.frontends[0].id
  task_definition  = aws_ecs_task_definition.frontend[each.key].arn
  launch_type      = "FARGATE"
  platform_version = "LATEST"
  desired_count    = var.frontend_min_size

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.frontend.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.frontend[each.key].arn
    container_name   = each.key
    container_port   = each.value.port
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  lifecycle {
    # The pipeline registers new task definitions; autoscaling owns the count.
    ignore_changes = [task_definition, desired_count]
  }

  depends_on = [aws_lb_listener.public]
}

resource "aws_appautoscaling_target" "frontend" {
  for_each = local.use_ecs ? local.deployed_frontends : {}

  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.frontends[0].name}/${aws_ecs_service.frontend[each.key].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.frontend_min_size
  max_capacity       = var.frontend_max_size
}

resource "aws_appautoscaling_policy" "frontend_cpu" {
  for_each = local.use_ecs ? local.deployed_frontends : {}

  name               = "${var.project}-${each.key}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.frontend[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.frontend[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.frontend[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# ---------------------------------------------------------------------------
# Public ALB
# ---------------------------------------------------------------------------
locals {
  public_listener_ports = { "frontend" = 443, "admin-frontend" = 8443 }
}

resource "aws_security_group" "public_alb" {
  count = local.use_ecs ? 1 : 0

  name        = "${local.name_prefix}-public-alb"
  description = "Public ALB of the frontends: HTTPS only"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name_prefix}-public-alb" }
}

resource "aws_vpc_security_group_ingress_rule" "public_alb_https" {
  for_each = local.use_ecs ? local.public_listener_ports : {}

  security_group_id = aws_security_group.public_alb[0].id
  description       = "HTTPS to the ${each.key} listener from the internet"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "public_alb_to_tasks" {
  for_each = local.use_ecs ? local.frontends : {}

  security_group_id            = aws_security_group.public_alb[0].id
  referenced_security_group_id = aws_security_group.frontend.id
  description                  = "Public ALB to the ${each.key} tasks"
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_public_alb" {
  for_each = local.use_ecs ? local.frontends : {}

  security_group_id            = aws_security_group.frontend.id
  referenced_security_group_id = aws_security_group.public_alb[0].id
  description                  = "${each.key} tasks from the public ALB"
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_lb" "public" {
  count = local.use_ecs ? 1 : 0

  name                       = "${local.name_prefix}-public"
  internal                   = false
  load_balancer_type         = "application"
  subnets                    = aws_subnet.public[*].id
  security_groups            = [aws_security_group.public_alb[0].id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection

  access_logs {
    bucket  = aws_s3_bucket.logs.id
    prefix  = "alb"
    enabled = true
  }

  depends_on = [aws_s3_bucket_policy.logs]
}

resource "aws_lb_target_group" "frontend" {
  #checkov:skip=CKV_AWS_378:TLS ends at the public ALB; the frontend tasks speak plain HTTP, so the ALB-to-task hop inside the private subnets is unencrypted until the application serves TLS itself.
  for_each = local.use_ecs ? local.frontends : {}

  name                 = "${local.name_prefix}-${each.key}"
  port                 = each.value.port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = aws_vpc.main.id
  deregistration_delay = 30

  health_check {
    path                = "/health"
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "public" {
  for_each = local.use_ecs ? local.public_listener_ports : {}

  load_balancer_arn = aws_lb.public[0].arn
  port              = each.value
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.this["frontends"].certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.frontend[each.key].arn
  }
}

resource "aws_route53_record" "frontends" {
  count = local.use_ecs ? 1 : 0

  zone_id = data.aws_route53_zone.main.zone_id
  name    = local.frontend_fqdn
  type    = "A"

  alias {
    name                   = aws_lb.public[0].dns_name
    zone_id                = aws_lb.public[0].zone_id
    evaluate_target_health = false
  }
}

resource "aws_wafv2_web_acl_association" "public_alb" {
  count = local.use_ecs ? 1 : 0

  resource_arn = aws_lb.public[0].arn
  web_acl_arn  = aws_wafv2_web_acl.frontends.arn
}
