locals {
  name        = var.project
  env         = var.environment
  name_prefix = "${var.project}-${var.environment}"

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # Globally unique by default: the seed's `migrationai` belongs to someone else.
  bucket_name = var.bucket_name != "" ? var.bucket_name : "${var.project}-${local.account_id}-${var.region}"

  # The two cost profiles (README: Estimated monthly cost). A variable set explicitly wins.
  profiles = {
    seed = {
      single_nat_gateway          = true
      interface_endpoint_services = tolist([])
      memorydb_replicas_per_shard = 0
      db_instance_class           = "db.t4g.micro"
      db_multi_az                 = false
      frontend_cpu                = 256
      frontend_memory             = 512
    }
    resilient = {
      single_nat_gateway          = false
      interface_endpoint_services = tolist(["sqs", "ecr.api", "ecr.dkr", "logs", "ssm", "ssmmessages", "ec2messages", "secretsmanager", "kms", "sts", "monitoring"])
      memorydb_replicas_per_shard = 1
      db_instance_class           = "db.t4g.small"
      db_multi_az                 = true
      frontend_cpu                = 1024
      frontend_memory             = 2048
    }
  }
  profile = local.profiles[var.cost_profile]

  single_nat_gateway          = var.single_nat_gateway != null ? var.single_nat_gateway : local.profile.single_nat_gateway
  interface_endpoint_services = var.interface_endpoint_services != null ? var.interface_endpoint_services : local.profile.interface_endpoint_services
  memorydb_replicas_per_shard = var.memorydb_replicas_per_shard != null ? var.memorydb_replicas_per_shard : local.profile.memorydb_replicas_per_shard
  db_instance_class           = var.db_instance_class != null ? var.db_instance_class : local.profile.db_instance_class
  db_multi_az                 = var.db_multi_az != null ? var.db_multi_az : local.profile.db_multi_az
  frontend_cpu                = var.frontend_cpu != null ? var.frontend_cpu : local.profile.frontend_cpu
  frontend_memory             = var.frontend_memory != null ? var.frontend_memory : local.profile.frontend_memory

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

  # One ECR repository per image: the 5 services, and one worker image that all 13 Lambdas
  # run (the same binary; each function's MIGRATIONAI_QUEUE picks its queue).
  ecr_repositories = merge(
    { for s in keys(local.services) : s => "${var.environment}/${var.project}-${s}" },
    { worker = "${var.environment}/${var.project}-worker" },
  )

  # What runs an image exists only once the first release has pushed one (var.deploy_workloads).
  deployed_queue_kinds = var.deploy_workloads ? toset(local.queue_kinds) : toset([])
  deployed_frontends   = var.deploy_workloads ? local.frontends : {}

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

  # PostgreSQL roles `migrationai db setup` makes: the owner of the tables (no login) and the
  # runtime user (DML only) every role connects as.
  db_owner_role   = "migrationai_owner"
  db_runtime_user = "migrationai_app"

  # The hosts connect to the instance as the runtime user; each pool holds db_pool_hosts
  # connections. No role but db-setup is given the master secret.
  database_env = {
    MIGRATIONAI_DATABASE_URL_SECRET_ARN = aws_secretsmanager_secret.database_runtime.arn
    MIGRATIONAI_DATABASE_HOST           = aws_db_instance.main.address
    MIGRATIONAI_DATABASE_PORT           = tostring(aws_db_instance.main.port)
    MIGRATIONAI_DATABASE_NAME           = aws_db_instance.main.db_name
  }

  # The worker Lambdas connect through RDS Proxy (rds_proxy.tf), each instance with a pool of
  # db_pool_lambda connections (README, "Connection budget").
  lambda_database_env = merge(local.database_env, {
    MIGRATIONAI_DATABASE_HOST      = aws_db_proxy.main.endpoint
    MIGRATIONAI_DATABASE_PORT      = "5432"
    MIGRATIONAI_DB_MAX_CONNECTIONS = tostring(var.db_pool_lambda)
  })

  # The migrating step (db_setup.tf) connects to the instance as the master user.
  db_setup_env = merge(local.database_env, {
    MIGRATIONAI_DATABASE_URL_SECRET_ARN     = aws_db_instance.main.master_user_secret[0].secret_arn
    MIGRATIONAI_DATABASE_RUNTIME_SECRET_ARN = aws_secretsmanager_secret.database_runtime.arn
    MIGRATIONAI_DATABASE_OWNER              = local.db_owner_role
  })

  all_queue_env = merge(
    { for k in local.queue_kinds : "MIGRATIONAI_QUEUE_URL_${local.queue_env_key[k]}" => aws_sqs_queue.main[k].url },
    { for k in local.queue_kinds : "MIGRATIONAI_DLQ_URL_${local.queue_env_key[k]}" => aws_sqs_queue.dlq[k].url },
  )

  # The admin console's first operator, created by admin-api at start (secrets.tf).
  admin_env = var.admin_email == "" ? {} : {
    MIGRATIONAI_ADMIN_EMAIL               = var.admin_email
    MIGRATIONAI_ADMIN_PASSWORD_SECRET_ARN = aws_secretsmanager_secret.admin_password.arn
  }

  # Where a job is delivered (`migrationai push` on the backend host, "Send to Filevine" in
  # the web app): the credentials stay in their secret, read by the backend host and the
  # worker Lambdas, which push the pages, when they push.
  filevine_env = {
    MIGRATIONAI_FILEVINE_SECRET_ARN   = aws_secretsmanager_secret.filevine.arn
    MIGRATIONAI_FILEVINE_GATEWAY_URL  = var.filevine_gateway_url
    MIGRATIONAI_FILEVINE_IDENTITY_URL = var.filevine_identity_url
  }

  # HTTPS to the internal load balancer under its certificate's name (dns.tf).
  backend_url = "https://${local.internal_fqdn}"
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}
