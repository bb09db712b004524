# Two EC2 hosts running Docker Compose: migrationai-backend (backend-api, admin-backend)
# and migrationai-tfp (tfp). Private subnets, no public IP, Session Manager access.

data "aws_ssm_parameter" "ami" {
  name = var.ec2_ami_ssm_parameter
}

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "ec2" {
  for_each = local.instances

  name               = "${local.name_prefix}-ec2-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

resource "aws_iam_role_policy_attachment" "ec2_ssm" {
  for_each = local.instances

  role       = aws_iam_role.ec2[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_cloudwatch_log_group" "ec2" {
  for_each = local.instances

  name              = "/${var.project}/${var.environment}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

# Non-secret runtime configuration of each host, read by the deployment scripts.
# Secrets are referenced by ARN and fetched by the application at start.
resource "aws_ssm_parameter" "host_config" {
  for_each = local.instances

  name   = "/${var.project}/${var.environment}/${each.key}/env"
  type   = "SecureString"
  tier   = "Advanced"
  key_id = aws_kms_key.main.arn
  value = join("\n", [for k, v in merge(
    local.base_app_env,
    local.redis_env,
    local.database_env,
    local.all_queue_env,
    each.key == "backend" ? local.filevine_env : {},
    each.key == "backend" ? local.admin_env : {},
    {
      # The containers' root file systems are read-only; scratch space is their /tmp.
      MIGRATIONAI_DATA_DIR    = "/tmp/migrationai"
      MIGRATIONAI_LOG_GROUP   = aws_cloudwatch_log_group.ec2[each.key].name
      AWS_REGION              = var.region
      ECR_REGISTRY            = split("/", aws_ecr_repository.this["backend-api"].repository_url)[0]
      IMAGE_REPOSITORY_PREFIX = "${var.environment}/${var.project}"
    },
  ) : "${k}=${v}"])
}

data "aws_iam_policy_document" "ec2" {
  for_each = local.instances

  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "EcrPull"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [for s in each.value.services : aws_ecr_repository.this[s].arn]
  }

  statement {
    sid       = "DeploymentRevisions"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${aws_s3_bucket.support["artifacts"].arn}/*"]
  }

  statement {
    sid       = "HostConfig"
    actions   = ["ssm:GetParameter"]
    resources = [aws_ssm_parameter.host_config[each.key].arn]
  }

  statement {
    sid       = "ContainerLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.ec2[each.key].arn}:*"]
  }

  statement {
    sid     = "ReadSecrets"
    actions = ["secretsmanager:GetSecretValue"]
    resources = [
      aws_secretsmanager_secret.redis_password.arn,
      aws_secretsmanager_secret.database_runtime.arn,
    ]
  }

  statement {
    sid       = "Bucket"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.app.arn}/*"]
  }

  statement {
    sid       = "BucketList"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.app.arn]
  }

  statement {
    sid       = "EnqueueAll"
    actions   = ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
    resources = [for k in local.queue_kinds : aws_sqs_queue.main[k].arn]
  }

  # The admin API shows DLQ depths, inspects dead letters and redrives them.
  dynamic "statement" {
    for_each = each.key == "backend" ? [1] : []
    content {
      sid = "DlqInspectAndRedrive"
      actions = [
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:StartMessageMoveTask",
        "sqs:ListMessageMoveTasks",
        "sqs:CancelMessageMoveTask",
      ]
      resources = [for k in local.queue_kinds : aws_sqs_queue.dlq[k].arn]
    }
  }

  # Operators push a migrated job into Filevine from this host (`migrationai push`).
  dynamic "statement" {
    for_each = each.key == "backend" ? [1] : []
    content {
      sid       = "ReadFilevineCredentials"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [aws_secretsmanager_secret.filevine.arn]
    }
  }

  # admin-api creates the first operator with the password generated into this secret.
  dynamic "statement" {
    for_each = each.key == "backend" && var.admin_email != "" ? [1] : []
    content {
      sid       = "ReadFirstOperatorPassword"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [aws_secretsmanager_secret.admin_password.arn]
    }
  }

  # The admin API's purge empties a queue or its DLQ (`POST /admin/v1/queues/{kind}/purge`).
  dynamic "statement" {
    for_each = each.key == "backend" ? [1] : []
    content {
      sid       = "AdminPurge"
      actions   = ["sqs:PurgeQueue"]
      resources = concat([for k in local.queue_kinds : aws_sqs_queue.main[k].arn], [for k in local.queue_kinds : aws_sqs_queue.dlq[k].arn])
    }
  }

  # No host receives from a main queue: on AWS the 13 Lambda functions are the workers (the
  # seed connects every queue to its function), so a poller here would only compete with them.

  statement {
    sid       = "UseDataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.main.arn]
  }
}

resource "aws_iam_role_policy" "ec2" {
  for_each = local.instances

  name   = "${each.key}-host"
  role   = aws_iam_role.ec2[each.key].id
  policy = data.aws_iam_policy_document.ec2[each.key].json
}

resource "aws_iam_instance_profile" "ec2" {
  for_each = local.instances

  name = "${local.name_prefix}-ec2-${each.key}"
  role = aws_iam_role.ec2[each.key].name
}

resource "aws_instance" "host" {
  for_each = local.instances

  ami                         = data.aws_ssm_parameter.ami.insecure_value
  instance_type               = var.ec2_instance_type
  subnet_id                   = aws_subnet.private[each.value.subnet_index].id
  vpc_security_group_ids      = [aws_security_group.backend.id]
  iam_instance_profile        = aws_iam_instance_profile.ec2[each.key].name
  associate_public_ip_address = false
  ebs_optimized               = true
  monitoring                  = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
    instance_metadata_tags      = "enabled"
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = var.ec2_root_volume_size
    encrypted             = true
    kms_key_id            = aws_kms_key.main.arn
    delete_on_termination = true
  }

  user_data = templatefile("${path.module}/templates/user_data.sh.tftpl", {
    host_name        = each.value.name
    host_key         = each.key
    region           = var.region
    compose_version  = var.docker_compose_version
    config_parameter = aws_ssm_parameter.host_config[each.key].name
  })

  tags = {
    Name              = each.value.name
    MigrationAIHost   = each.key
    CodeDeployTargets = each.key
  }

  lifecycle {
    ignore_changes = [ami]
  }
}

resource "aws_cloudwatch_metric_alarm" "ec2_status" {
  for_each = local.instances

  alarm_name          = "${each.value.name}-status-check"
  alarm_description   = "Status check failing on ${each.value.name}; the instance is recovered automatically."
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed_System"
  dimensions          = { InstanceId = aws_instance.host[each.key].id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.alarms.arn, "arn:${local.partition}:automate:${var.region}:ec2:recover"]
}

# ---------------------------------------------------------------------------
# Internal load balancer: the frontends reach the backend APIs, the backend reaches tfp.
# ---------------------------------------------------------------------------
resource "aws_lb" "internal" {
  #checkov:skip=CKV2_AWS_28:Internal load balancer, not reachable from the internet; the public entry points carry the WAF.
  name                       = "${local.name_prefix}-internal"
  internal                   = true
  load_balancer_type         = "application"
  subnets                    = aws_subnet.private[*].id
  security_groups            = [aws_security_group.internal_alb.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection

  access_logs {
    bucket  = aws_s3_bucket.logs.id
    prefix  = "alb"
    enabled = true
  }

  depends_on = [aws_s3_bucket_policy.logs]
}

resource "aws_lb_target_group" "backend" {
  #checkov:skip=CKV_AWS_378:TLS ends at the internal load balancer; the services on the hosts speak plain HTTP, so the last hop (load balancer to host, inside the private subnets) is unencrypted until the application serves TLS itself.
  for_each = local.backend_services

  name                 = "${local.name_prefix}-${each.key}"
  port                 = each.value.port
  protocol             = "HTTP"
  target_type          = "instance"
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

resource "aws_lb_target_group_attachment" "backend" {
  for_each = local.backend_services

  target_group_arn = aws_lb_target_group.backend[each.key].arn
  target_id        = aws_instance.host[each.value.host].id
  port             = each.value.port
}

# HTTPS: sign-in credentials and session tokens cross the VPC from the frontends to the APIs.
resource "aws_lb_listener" "internal" {
  for_each = local.backend_services

  load_balancer_arn = aws_lb.internal.arn
  port              = each.value.port
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.this["internal"].certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.backend[each.key].arn
  }
}

resource "aws_cloudwatch_metric_alarm" "backend_unhealthy" {
  for_each = local.backend_services

  alarm_name          = "${local.name_prefix}-${each.key}-unhealthy"
  alarm_description   = "${each.key} fails its /health check behind the internal load balancer."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = aws_lb.internal.arn_suffix, TargetGroup = aws_lb_target_group.backend[each.key].arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}
