output "vpc_id" {
  description = "Id of migrationai-prod-vpc."
  value       = aws_vpc.main.id
}

output "public_subnet_ids" {
  description = "Public subnets (us-west-2a, us-west-2b)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets (us-west-2a, us-west-2b)."
  value       = aws_subnet.private[*].id
}

output "queue_urls" {
  description = "URL of each main queue, by kind."
  value       = { for k in local.queue_kinds : k => aws_sqs_queue.main[k].url }
}

output "dlq_urls" {
  description = "URL of each dead-letter queue, by kind."
  value       = { for k in local.queue_kinds : k => aws_sqs_queue.dlq[k].url }
}

output "queue_visibility_timeout_seconds" {
  description = "Visibility timeout of the queues (derived from the Lambda timeout)."
  value       = local.sqs_visibility_timeout
}

output "ecr_repository_urls" {
  description = "URL of each ECR repository, by image."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "lambda_function_names" {
  description = "Worker Lambda function names, by kind (empty until deploy_workloads = true)."
  value       = { for k, f in aws_lambda_function.worker : k => f.function_name }
}

output "worker_environment_bytes" {
  description = "Each worker Lambda's environment as AWS measures it (its variables as one JSON object), by kind; AWS allows 4096 bytes."
  value       = local.worker_environment_bytes
}

output "frontend_urls" {
  description = "Public URLs of the two frontends."
  value = local.use_apprunner ? {
    for k, s in aws_apprunner_service.frontend : k => "https://${s.service_url}"
    } : {
    for k, p in local.public_listener_ports : k => p == 443 ? "https://${local.frontend_fqdn}" : "https://${local.frontend_fqdn}:${p}"
  }
}

output "apprunner_service_arns" {
  description = "App Runner service ARNs (empty with frontend_platform = ecs)."
  value       = { for k, s in aws_apprunner_service.frontend : k => s.arn }
}

output "backend_internal_url" {
  description = "Internal load balancer the frontends call over HTTPS (ports 8080 backend-api, 8081 admin-backend, 8082 tfp)."
  value       = local.backend_url
}

output "redis_endpoint" {
  description = "MemoryDB endpoint (TLS)."
  value       = "rediss://${aws_memorydb_cluster.redis.cluster_endpoint[0].address}:${aws_memorydb_cluster.redis.cluster_endpoint[0].port}"
}

output "redis_user" {
  description = "MemoryDB ACL user of the application."
  value       = aws_memorydb_user.app.user_name
}

output "redis_password_secret_arn" {
  description = "Secrets Manager ARN of the MemoryDB password."
  value       = aws_secretsmanager_secret.redis_password.arn
}

output "database_endpoint" {
  description = "PostgreSQL endpoint (host:port)."
  value       = aws_db_instance.main.endpoint
}

output "database_secret_arn" {
  description = "Secrets Manager ARN of the database credentials (managed by RDS)."
  value       = aws_db_instance.main.master_user_secret[0].secret_arn
}

output "bucket_name" {
  description = "Application bucket."
  value       = aws_s3_bucket.app.bucket
}

output "instance_ids" {
  description = "EC2 instance ids, by host."
  value       = { for k, i in aws_instance.host : k => i.id }
}

output "ssm_start_session_commands" {
  description = "Commands that open a shell on each host through Session Manager."
  value       = { for k, i in aws_instance.host : k => "aws ssm start-session --region ${var.region} --target ${i.id}" }
}

output "pipeline_name" {
  description = "CodePipeline name."
  value       = aws_codepipeline.main.name
}

output "github_connection_arn" {
  description = "CodeStar connection to GitHub: confirm it once in the console before the first run."
  value       = aws_codestarconnections_connection.github.arn
}

output "alarm_topic_arn" {
  description = "SNS topic of every alarm."
  value       = aws_sns_topic.alarms.arn
}

output "kms_key_arn" {
  description = "Customer-managed key of this environment."
  value       = aws_kms_key.main.arn
}

output "image_tag" {
  description = "Tag the workloads are created with; the first build pushes it and ECR keeps it."
  value       = var.image_tag
}

output "filevine_secret_arn" {
  description = "The secret to write the firm's Filevine credentials into (JSON: pat, client_id, client_secret, org_id, user_id) before `migrationai push`."
  value       = aws_secretsmanager_secret.filevine.arn
}

output "admin_password_secret_arn" {
  description = "The admin console operator's first password (admin_email); read it with `aws secretsmanager get-secret-value`."
  value       = aws_secretsmanager_secret.admin_password.arn
}
