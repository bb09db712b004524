# 13 worker Lambdas, one per queue: the one worker image from ECR (MIGRATIONAI_QUEUE picks the
# queue), SQS trigger with partial batch failures, a least-privilege role each. The functions,
# their triggers and alarms exist once the first image does (var.deploy_workloads); the roles
# and log groups exist from the first apply.

locals {
  worker_image = "${aws_ecr_repository.this["worker"].repository_url}:${var.image_tag}"
}

resource "aws_cloudwatch_log_group" "lambda" {
  for_each = toset(local.queue_kinds)

  name              = "/aws/lambda/${var.project}-${each.value}"
  retention_in_days = var.lambda_log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "lambda" {
  for_each = toset(local.queue_kinds)

  name               = "${local.name_prefix}-lambda-${each.value}"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "lambda" {
  for_each = toset(local.queue_kinds)

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.lambda[each.value].arn}:*"]
  }

  statement {
    sid = "ConsumeOwnQueue"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
    ]
    resources = [aws_sqs_queue.main[each.value].arn]
  }

  statement {
    sid       = "DeadLetterOwnDlq"
    actions   = ["sqs:SendMessage", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.dlq[each.value].arn]
  }

  statement {
    sid       = "SendToQueues"
    actions   = ["sqs:SendMessage", "sqs:GetQueueUrl"]
    resources = [for k in local.worker_send_queues[each.value] : aws_sqs_queue.main[k].arn]
  }

  statement {
    sid       = "ReadBucketPrefixes"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = [for p in local.worker_read_prefixes[each.value] : "${aws_s3_bucket.app.arn}/${p}"]
  }

  statement {
    sid       = "WriteBucketPrefixes"
    actions   = ["s3:PutObject", "s3:GetObject"]
    resources = [for p in local.worker_write_prefixes[each.value] : "${aws_s3_bucket.app.arn}/${p}"]
  }

  statement {
    sid       = "ListOwnPrefixes"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.app.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = concat(local.worker_read_prefixes[each.value], local.worker_write_prefixes[each.value])
    }
  }

  statement {
    sid     = "ReadSecrets"
    actions = ["secretsmanager:GetSecretValue"]
    resources = [
      aws_secretsmanager_secret.database_runtime.arn,
    ]
  }

  # A push into Filevine runs through the queues: each kind's worker pushes its pages and the
  # jobs worker reads Filevine back, with the firm's credentials from this secret.
  statement {
    sid       = "ReadFilevineCredentials"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.filevine.arn]
  }

  statement {
    sid       = "UseDataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.main.arn]
  }

  # What AWSLambdaVPCAccessExecutionRole grants for the VPC, without its logs:* on every group:
  # Lambda creates and removes the function's network interfaces in this account and region.
  statement {
    sid     = "VpcNetworkInterfaces"
    actions = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
    resources = [
      "arn:${local.partition}:ec2:${var.region}:${local.account_id}:network-interface/*",
      "arn:${local.partition}:ec2:${var.region}:${local.account_id}:subnet/*",
      "arn:${local.partition}:ec2:${var.region}:${local.account_id}:security-group/*",
    ]
  }

  statement {
    sid       = "DescribeNetwork"
    actions   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
    resources = ["*"]
  }

  statement {
    sid       = "Traces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "lambda" {
  for_each = toset(local.queue_kinds)

  name   = "worker-${each.value}"
  role   = aws_iam_role.lambda[each.value].id
  policy = data.aws_iam_policy_document.lambda[each.value].json
}

resource "aws_lambda_function" "worker" {
  #checkov:skip=CKV_AWS_272:Code signing applies to .zip packages only; these are container images, scanned on push and tag-immutable in ECR.
  for_each = local.deployed_queue_kinds

  function_name = "${var.project}-${each.value}"
  description   = "MigrationAI ${each.value} worker (queue ${aws_sqs_queue.main[each.value].name})"
  role          = aws_iam_role.lambda[each.value].arn
  package_type  = "Image"
  image_uri     = local.worker_image
  architectures = ["x86_64"]

  timeout                        = var.lambda_timeout
  memory_size                    = var.lambda_memory_size
  reserved_concurrent_executions = var.lambda_reserved_concurrency
  kms_key_arn                    = aws_kms_key.main.arn

  vpc_config {
    subnet_ids         = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.lambda.id]
  }

  environment {
    variables = local.worker_environment[each.value]
  }

  # Asynchronous invocations that fail end in the function's DLQ too.
  dead_letter_config {
    target_arn = aws_sqs_queue.dlq[each.value].arn
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.lambda[each.value].name
  }

  lifecycle {
    # The pipeline deploys new images; Terraform does not roll them back.
    ignore_changes = [image_uri]

    # AWS refuses a function whose environment is over 4 KB, measured as its JSON; said
    # here, naming the worker, before anything is created (at plan once the queue URLs are
    # known, else at apply).
    precondition {
      condition     = local.worker_environment_bytes[each.value] <= local.lambda_environment_limit
      error_message = "The environment of the ${each.value} worker Lambda is ${local.worker_environment_bytes[each.value]} bytes; AWS allows ${local.lambda_environment_limit}."
    }
  }

  depends_on = [
    aws_iam_role_policy.lambda,
    aws_ecr_repository_policy.worker,
  ]
}

locals {
  # Each worker's environment: the app's settings, its database secret, the Filevine secret
  # and service URLs, its own DLQ, and every queue it sends to (not all 13, which would
  # not fit the 4 KB AWS allows).
  worker_environment = {
    for kind in local.queue_kinds : kind => merge(
      local.base_app_env,
      local.lambda_database_env,
      local.filevine_env,
      {
        MIGRATIONAI_QUEUE                                  = kind
        "MIGRATIONAI_DLQ_URL_${local.queue_env_key[kind]}" = aws_sqs_queue.dlq[kind].url
      },
      { for k in local.worker_send_queues[kind] : "MIGRATIONAI_QUEUE_URL_${local.queue_env_key[k]}" => aws_sqs_queue.main[k].url },
    )
  }
  # The size AWS measures: the variables as one JSON object.
  worker_environment_bytes = { for kind, env in local.worker_environment : kind => length(jsonencode(env)) }
  lambda_environment_limit = 4096
}

resource "aws_lambda_event_source_mapping" "worker" {
  for_each = local.deployed_queue_kinds

  event_source_arn                   = aws_sqs_queue.main[each.value].arn
  function_name                      = aws_lambda_function.worker[each.value].arn
  batch_size                         = var.sqs_batch_size
  maximum_batching_window_in_seconds = var.sqs_batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.sqs_maximum_concurrency
  }
}

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = local.deployed_queue_kinds

  alarm_name          = "${local.name_prefix}-lambda-${each.value}-errors"
  alarm_description   = "Invocation errors of ${var.project}-${each.value} (whole batches failing)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.worker[each.value].function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}
