locals {
  name        = var.project
  env         = var.environment
  name_prefix = "${var.project}-${var.environment}"

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  common_tags = merge({
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
  }, var.tags)

  # The 13 queues, named after Filevine's API v2 resources.
  queue_kinds = [
    "contacts", "projects", "sections", "notes", "calendar", "tasks", "billing-items",
    "project-funds", "billing-invoice", "payment", "project-email", "document", "jobs",
  ]

  # KIND_UPPER_SNAKE used in environment variable names.
  queue_env_key = { for k in local.queue_kinds : k => upper(replace(k, "-", "_")) }

  # The 5 long-running services: subcommand of the migrationai binary and port.
  services = {
    "frontend"       = { command = "web", port = 8090 }
    "admin-frontend" = { command = "admin-web", port = 8091 }
    "backend-api"    = { command = "api", port = 8080 }
    "admin-backend"  = { command = "admin-api", port = 8081 }
    "tfp"            = { command = "tfp", port = 8082 }
  }

  frontends = {
    "frontend"       = { port = 8090, backend = "backend-api" }
    "admin-frontend" = { port = 8091, backend = "admin-backend" }
  }

  # Services behind the internal load balancer, and the host they run on.
  backend_services = {
    "backend-api"   = { port = 8080, host = "backend" }
    "admin-backend" = { port = 8081, host = "backend" }
    "tfp"           = { port = 8082, host = "tfp" }
  }

  # One ECR repository per deployed image: 5 services + 13 workers.
  ecr_repositories = merge(
    { for s in keys(local.services) : s => "${var.environment}/${var.project}-${s}" },
    { for k in local.queue_kinds : "worker-${k}" => "${var.environment}/${var.project}-worker-${k}" },
  )

  # The two EC2 hosts.
  instances = {
    "backend" = { name = "${var.project}-backend", subnet_index = 0, services = ["backend-api", "admin-backend"] }
    "tfp"     = { name = "${var.project}-tfp", subnet_index = 1, services = ["tfp"] }
  }

  # Visibility timeout derived from the function timeout (AWS: at least 6x, plus the batching window).
  sqs_visibility_timeout = var.sqs_visibility_timeout_multiplier * var.lambda_timeout + var.sqs_batching_window_seconds

  # Bucket prefixes each worker reads and writes, as the application lays keys out:
  # tenants/<tenant>/jobs/<job>/batches/<kind>/ (batches tfp split), .../staged/ (documents tfp
  # copied), .../files/<kind>/ (documents and attachments stored by their workers), uploads/
  # (exports as uploaded), claims/<queue>/ (SQS claim-check bodies), reports/.
  worker_read_prefixes = {
    for k in local.queue_kinds : k => (
      k == "jobs" ? ["tenants/*", "uploads/*", "claims/*"] :
      contains(["document", "project-email"], k) ? ["tenants/*/jobs/*/batches/${k}/*", "tenants/*/jobs/*/staged/*", "claims/*migrationai-${k}/*"] :
      ["tenants/*/jobs/*/batches/${k}/*", "claims/*migrationai-${k}/*"]
    )
  }
  # The jobs worker plans on resume (batches) and fans out (claim-check bodies for any queue);
  # the others store files (documents, attachments) or, at most, a large message to jobs.
  worker_write_prefixes = {
    for k in local.queue_kinds : k => (
      k == "jobs" ? ["tenants/*/jobs/*/batches/*", "reports/*", "claims/*"] :
      contains(["document", "project-email"], k) ? ["tenants/*/jobs/*/files/${k}/*", "claims/*migrationai-jobs/*"] :
      ["claims/*migrationai-jobs/*"]
    )
  }

  # Queues each worker may send to: the jobs worker fans out to every queue; the others report to jobs.
  worker_send_queues = {
    for k in local.queue_kinds : k => (k == "jobs" ? local.queue_kinds : distinct([k, "jobs"]))
  }

  base_app_env = {
    MIGRATIONAI_PROFILE = "aws"
    MIGRATIONAI_ENV     = var.environment
    MIGRATIONAI_BUCKET  = aws_s3_bucket.app.bucket
  }

  redis_env = {
    MIGRATIONAI_REDIS_URL                 = "rediss://${aws_memorydb_cluster.redis.cluster_endpoint[0].address}:${aws_memorydb_cluster.redis.cluster_endpoint[0].port}"
    MIGRATIONAI_REDIS_USER                = aws_memorydb_user.app.user_name
    MIGRATIONAI_REDIS_PASSWORD_SECRET_ARN = aws_secretsmanager_secret.redis_password.arn
  }

  database_env = {
    MIGRATIONAI_DATABASE_URL_SECRET_ARN = aws_db_instance.main.master_user_secret[0].secret_arn
    MIGRATIONAI_DATABASE_HOST           = aws_db_instance.main.address
    MIGRATIONAI_DATABASE_PORT           = tostring(aws_db_instance.main.port)
    MIGRATIONAI_DATABASE_NAME           = aws_db_instance.main.db_name
  }

  all_queue_env = merge(
    { for k in local.queue_kinds : "MIGRATIONAI_QUEUE_URL_${local.queue_env_key[k]}" => aws_sqs_queue.main[k].url },
    { for k in local.queue_kinds : "MIGRATIONAI_DLQ_URL_${local.queue_env_key[k]}" => aws_sqs_queue.dlq[k].url },
  )

  backend_url = "http://${aws_lb.internal.dns_name}"
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}
