# 13 queues and their 13 dead-letter queues: <env>-<project>-<kind> and dlq-<env>-<project>-<kind>.

resource "aws_sqs_queue" "dlq" {
  for_each = toset(local.queue_kinds)

  name                              = "dlq-${var.environment}-${var.project}-${each.value}"
  message_retention_seconds         = var.dlq_message_retention_seconds
  visibility_timeout_seconds        = local.sqs_visibility_timeout
  kms_master_key_id                 = aws_kms_key.main.arn
  kms_data_key_reuse_period_seconds = 300

  tags = { Name = "dlq-${var.environment}-${var.project}-${each.value}", Kind = each.value }
}

resource "aws_sqs_queue" "main" {
  for_each = toset(local.queue_kinds)

  name                              = "${var.environment}-${var.project}-${each.value}"
  visibility_timeout_seconds        = local.sqs_visibility_timeout
  message_retention_seconds         = var.sqs_message_retention_seconds
  receive_wait_time_seconds         = 20
  kms_master_key_id                 = aws_kms_key.main.arn
  kms_data_key_reuse_period_seconds = 300

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[each.value].arn
    maxReceiveCount     = var.sqs_max_receive_count
  })

  tags = { Name = "${var.environment}-${var.project}-${each.value}", Kind = each.value }
}

# Each DLQ accepts dead letters from its own queue only.
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  for_each = toset(local.queue_kinds)

  queue_url = aws_sqs_queue.dlq[each.value].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.main[each.value].arn]
  })
}

# ---------------------------------------------------------------------------
# Alarms: anything in a DLQ, and messages waiting too long in a main queue.
# ---------------------------------------------------------------------------
resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each = toset(local.queue_kinds)

  alarm_name          = "${local.name_prefix}-dlq-${each.value}-not-empty"
  alarm_description   = "Messages in dlq-${var.environment}-${var.project}-${each.value}: inspect and redrive from the admin console."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq[each.value].name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "queue_age" {
  for_each = toset(local.queue_kinds)

  alarm_name          = "${local.name_prefix}-queue-${each.value}-oldest-message"
  alarm_description   = "Oldest message in ${var.environment}-${var.project}-${each.value} is older than ${var.queue_oldest_message_alarm_seconds}s: the worker is stuck or throttled."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = aws_sqs_queue.main[each.value].name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.queue_oldest_message_alarm_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
