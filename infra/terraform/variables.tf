# ---------------------------------------------------------------------------
# General
# ---------------------------------------------------------------------------
variable "region" {
  description = "AWS region (the seed: us-west-2, Oregon)."
  type        = string
  default     = "us-west-2"
}

variable "project" {
  description = "Project name, used as the prefix of every resource name."
  type        = string
  default     = "migrationai"
}

variable "environment" {
  description = "Environment name (queue names are <environment>-<project>-<kind>, ECR repositories <environment>/<project>-<image>)."
  type        = string
  default     = "prod"
}

variable "tags" {
  description = "Extra tags applied to every resource."
  type        = map(string)
  default     = {}
}

variable "cost_profile" {
  description = "seed: near the seed's ~$380/month, $402 with RDS Proxy (one NAT, no interface endpoints, no MemoryDB replica, single-AZ db.t4g.micro, 0.25 vCPU frontends). resilient: AZ-independent egress, interface endpoints, a MemoryDB replica, Multi-AZ db.t4g.small, 1 vCPU frontends. The variables below that default to null take their value from the profile."
  type        = string
  default     = "seed"

  validation {
    condition     = contains(["seed", "resilient"], var.cost_profile)
    error_message = "cost_profile must be seed or resilient."
  }
}

variable "deploy_workloads" {
  description = "Create what runs an image (the 13 Lambdas, the frontends) and gate CodeDeploy on the health alarms. False for the first apply on an empty registry; true once the first release has pushed the images tagged image_tag and the hosts are healthy (infra/README.md, Deploying)."
  type        = bool
  default     = false
}

variable "image_tag" {
  description = "Tag the workloads are created with. The first build pushes it once; the ECR lifecycle policy never expires it, so a replaced function or service can always be created. Later deployments come from the pipeline, which Terraform does not revert (image fields ignore changes)."
  type        = string
  default     = "bootstrap"

  validation {
    condition     = can(regex("^[a-z][a-z-]{2,}$", var.image_tag))
    error_message = "image_tag must be lower-case letters and dashes, so it never collides with the pipeline's <commit>-<build> tags."
  }
}

variable "dns_zone_name" {
  description = "Public Route 53 hosted zone of this account (e.g. example.com). Terraform creates DNS-validated ACM certificates in it: <name>-internal.<zone> for the internal load balancer (HTTPS between the frontends and the APIs) and, with frontend_platform = ecs, <frontend_host_name>.<zone> for the public load balancer."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]\\.?$", var.dns_zone_name))
    error_message = "dns_zone_name must be a DNS zone name such as example.com."
  }
}

# ---------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------
variable "vpc_cidr" {
  description = "CIDR block of migrationai-prod-vpc."
  type        = string
  default     = "10.0.0.0/16"
}

variable "availability_zones" {
  description = "Two availability zones for the public and private subnets."
  type        = list(string)
  default     = ["us-west-2a", "us-west-2b"]

  validation {
    condition     = length(var.availability_zones) == 2
    error_message = "Exactly two availability zones are expected (the seed: us-west-2a and us-west-2b)."
  }
}

variable "public_subnet_cidrs" {
  description = "CIDRs of the public subnets, one per availability zone."
  type        = list(string)
  default     = ["10.0.0.0/24", "10.0.1.0/24"]
}

variable "private_subnet_cidrs" {
  description = "CIDRs of the private subnets, one per availability zone (sized for Lambda and Fargate ENIs)."
  type        = list(string)
  default     = ["10.0.16.0/20", "10.0.32.0/20"]
}

variable "single_nat_gateway" {
  description = "One NAT gateway for both AZs ($32.85/month less, egress depends on one AZ). Null: the cost profile's (seed: true, resilient: false)."
  type        = bool
  default     = null
}

variable "interface_endpoint_services" {
  description = "AWS services reached through interface VPC endpoints from the private subnets ($14.60/month each for two AZs). Null: the cost profile's (seed: none, traffic goes through the NAT; resilient: 11)."
  type        = list(string)
  default     = null
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow log group."
  type        = number
  default     = 365
}

variable "ssh_ingress_cidrs" {
  description = "CIDRs allowed to SSH (22) to the EC2 hosts. Empty by default: use Session Manager."
  type        = list(string)
  default     = []

  validation {
    condition     = !contains(var.ssh_ingress_cidrs, "0.0.0.0/0")
    error_message = "SSH from 0.0.0.0/0 is not allowed; use Session Manager or a narrow CIDR."
  }
}

# ---------------------------------------------------------------------------
# EC2
# ---------------------------------------------------------------------------
variable "ec2_instance_type" {
  description = "Instance type of both EC2 hosts."
  type        = string
  default     = "t3a.large"
}

variable "ec2_root_volume_size" {
  description = "Root volume size (GB) of both EC2 hosts."
  type        = number
  default     = 153
}

variable "ec2_ami_ssm_parameter" {
  description = "Public SSM parameter holding the AMI id (Amazon Linux 2023)."
  type        = string
  default     = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

variable "docker_compose_version" {
  description = "Docker Compose plugin version installed by the EC2 user data."
  type        = string
  default     = "v2.29.7"
}

# ---------------------------------------------------------------------------
# SQS and Lambda
# ---------------------------------------------------------------------------
variable "lambda_timeout" {
  description = "Timeout (s) of each worker Lambda (the seed: 300)."
  type        = number
  default     = 300

  validation {
    condition     = var.lambda_timeout >= 1 && var.lambda_timeout <= 900
    error_message = "Lambda timeout must be between 1 and 900 seconds."
  }
}

variable "lambda_memory_size" {
  description = "Memory (MB) of each worker Lambda (the seed: 512)."
  type        = number
  default     = 512
}

variable "lambda_log_retention_days" {
  description = "Retention of the Lambda log groups."
  type        = number
  default     = 365
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrency of each worker Lambda. Null (default): none; the event source mappings' maximum concurrency already bounds the load, and new accounts' concurrency quotas cannot reserve 13 x 10 while AWS keeps 100 unreserved."
  type        = number
  default     = null

  validation {
    condition     = var.lambda_reserved_concurrency == null || try(var.lambda_reserved_concurrency >= var.sqs_maximum_concurrency, false)
    error_message = "A reserved concurrency below the event source mappings' maximum concurrency throttles the SQS pollers."
  }
}

variable "sqs_batch_size" {
  description = "Messages per Lambda invocation."
  type        = number
  default     = 10
}

variable "sqs_batching_window_seconds" {
  description = "Maximum batching window (s) of the SQS event source mappings."
  type        = number
  default     = 5
}

variable "sqs_maximum_concurrency" {
  description = "Maximum concurrent invocations per SQS event source mapping (2 to 1000, at most the reserved concurrency)."
  type        = number
  default     = 5

  validation {
    condition     = var.sqs_maximum_concurrency >= 2 && var.sqs_maximum_concurrency <= 1000
    error_message = "SQS maximum concurrency must be between 2 and 1000."
  }
}

variable "sqs_visibility_timeout_multiplier" {
  description = "Visibility timeout = multiplier x Lambda timeout + batching window (AWS recommends at least 6)."
  type        = number
  default     = 6

  validation {
    condition     = var.sqs_visibility_timeout_multiplier >= 6
    error_message = "The visibility timeout must be at least 6x the Lambda timeout."
  }
}

variable "sqs_max_receive_count" {
  description = "Receives before a message moves to its DLQ (the seed: 3)."
  type        = number
  default     = 3
}

variable "sqs_message_retention_seconds" {
  description = "Retention of messages in the main queues."
  type        = number
  default     = 345600
}

variable "dlq_message_retention_seconds" {
  description = "Retention of messages in the DLQs (maximum, 14 days, to leave time to inspect and redrive)."
  type        = number
  default     = 1209600
}

variable "queue_oldest_message_alarm_seconds" {
  description = "Alarm when the oldest message of a main queue is older than this."
  type        = number
  default     = 3600
}

# ---------------------------------------------------------------------------
# Frontends
# ---------------------------------------------------------------------------
variable "frontend_platform" {
  description = "Where the two frontends run: apprunner (the seed) or ecs (Fargate behind a public ALB, for accounts App Runner no longer admits)."
  type        = string
  default     = "apprunner"

  validation {
    condition     = contains(["apprunner", "ecs"], var.frontend_platform)
    error_message = "frontend_platform must be apprunner or ecs."
  }
}

variable "frontend_cpu" {
  description = "vCPU units per frontend instance/task (1024 = 1 vCPU). Null: the cost profile's (seed: 256, resilient: 1024)."
  type        = number
  default     = null
}

variable "frontend_memory" {
  description = "Memory (MB) per frontend instance/task. Null: the cost profile's (seed: 512, resilient: 2048)."
  type        = number
  default     = null
}

variable "frontend_min_size" {
  description = "Minimum instances/tasks per frontend."
  type        = number
  default     = 1
}

variable "frontend_max_size" {
  description = "Maximum instances/tasks per frontend."
  type        = number
  default     = 4
}

variable "frontend_max_concurrency" {
  description = "Concurrent requests per App Runner instance before it scales out."
  type        = number
  default     = 100
}

variable "frontend_host_name" {
  description = "Host name of the frontends on the public load balancer (frontend_platform = ecs): <frontend_host_name>.<dns_zone_name>, firm frontend on 443, admin console on 8443."
  type        = string
  default     = "migrationai"
}

# ---------------------------------------------------------------------------
# MemoryDB
# ---------------------------------------------------------------------------
variable "memorydb_node_type" {
  description = "MemoryDB node type. The seed's db.t4.micro does not exist; db.t4g.small is the smallest."
  type        = string
  default     = "db.t4g.small"

  validation {
    condition     = can(regex("^db\\.(t4g\\.(small|medium)|r6g\\.(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge)|r6gd\\.(xlarge|2xlarge|4xlarge|8xlarge)|r7g\\.(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge)|m7g\\.(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge))$", var.memorydb_node_type))
    error_message = "memorydb_node_type must be a MemoryDB node type that exists (db.t4g.small, db.t4g.medium, db.r6g.*, db.r6gd.*, db.r7g.*, db.m7g.*)."
  }
}

variable "memorydb_replicas_per_shard" {
  description = "Replicas per MemoryDB shard (1 gives a multi-AZ failover target). Null: the cost profile's (seed: 0, resilient: 1)."
  type        = number
  default     = null
}

variable "memorydb_engine" {
  description = "MemoryDB engine: valkey (30% cheaper per node than redis, same protocol) or redis."
  type        = string
  default     = "valkey"

  validation {
    condition     = contains(["valkey", "redis"], var.memorydb_engine)
    error_message = "memorydb_engine must be valkey or redis."
  }
}

variable "memorydb_engine_version" {
  description = "MemoryDB engine version (Valkey 7.2; Redis OSS 7.1)."
  type        = string
  default     = "7.2"
}

variable "memorydb_snapshot_retention_days" {
  description = "Days of MemoryDB snapshots kept."
  type        = number
  default     = 7
}

# ---------------------------------------------------------------------------
# Database (an addition: the seed's "direct database connections")
# ---------------------------------------------------------------------------
variable "db_pool_lambda" {
  description = "Connections each worker Lambda instance pools (MIGRATIONAI_DB_MAX_CONNECTIONS). 13 functions x sqs_maximum_concurrency x this are RDS Proxy's clients (README, \"Connection budget\")."
  type        = number
  default     = 2

  validation {
    condition     = var.db_pool_lambda >= 1 && var.db_pool_lambda <= 10
    error_message = "Each Lambda instance pools 1 to 10 connections."
  }
}

variable "db_proxy_max_connections_percent" {
  description = "Share of the instance's max_connections RDS Proxy may open for the Lambdas; the rest is the hosts' and the headroom (README, \"Connection budget\")."
  type        = number
  default     = 50

  validation {
    condition     = var.db_proxy_max_connections_percent >= 10 && var.db_proxy_max_connections_percent <= 80
    error_message = "Leave the hosts and the headroom at least 20% of the connections."
  }
}

variable "db_instance_class" {
  description = "RDS PostgreSQL instance class. Null: the cost profile's (seed: db.t4g.micro, resilient: db.t4g.small)."
  type        = string
  default     = null
}

variable "db_allocated_storage" {
  description = "RDS storage (GB)."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage" {
  description = "Storage autoscaling ceiling (GB)."
  type        = number
  default     = 100
}

variable "db_engine_version" {
  description = "PostgreSQL major version."
  type        = string
  default     = "16"
}

variable "db_multi_az" {
  description = "Run the database Multi-AZ. Null: the cost profile's (seed: false, resilient: true)."
  type        = bool
  default     = null
}

variable "db_backup_retention_days" {
  description = "Automated backup retention (days)."
  type        = number
  default     = 7
}

variable "deletion_protection" {
  description = "Protect the database and the load balancers from deletion (false only for throwaway environments and the moto test)."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------------------
# S3
# ---------------------------------------------------------------------------
variable "bucket_name" {
  description = "Name of the application bucket. Empty (default): <project>-<account id>-<region>, unique because bucket names are global (the seed's `migrationai` is taken). The logs, CloudTrail and artifact buckets append -logs, -cloudtrail, -pipeline-artifacts."
  type        = string
  default     = ""

  validation {
    condition     = var.bucket_name == "" || can(regex("^[a-z0-9][a-z0-9.-]{1,42}$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name of at most 43 characters (the support buckets append up to 19)."
  }
}

variable "s3_transition_ia_days" {
  description = "Days before objects move to STANDARD_IA."
  type        = number
  default     = 30
}

variable "s3_transition_glacier_days" {
  description = "Days before objects move to GLACIER."
  type        = number
  default     = 90
}

variable "s3_transition_deep_archive_days" {
  description = "Days before objects move to DEEP_ARCHIVE."
  type        = number
  default     = 365
}

variable "s3_noncurrent_expiration_days" {
  description = "Days before noncurrent object versions expire."
  type        = number
  default     = 400
}

variable "s3_abort_multipart_days" {
  description = "Days before incomplete multipart uploads are aborted."
  type        = number
  default     = 7
}

variable "s3_claim_check_expiration_days" {
  description = "Days before message bodies stored by the SQS claim check (prefix claims/) expire; at least SQS's 14-day maximum retention."
  type        = number
  default     = 15

  validation {
    condition     = var.s3_claim_check_expiration_days >= 15
    error_message = "Claim-check bodies must outlive SQS's 14-day maximum message retention."
  }
}

variable "s3_upload_parts_expiration_days" {
  description = "Days before chunks of unfinished resumable uploads (prefix upload-parts/) expire."
  type        = number
  default     = 7

  validation {
    condition     = var.s3_upload_parts_expiration_days >= 1
    error_message = "Upload parts must be kept at least one day."
  }
}

# ---------------------------------------------------------------------------
# ECR
# ---------------------------------------------------------------------------
variable "ecr_keep_images" {
  description = "Images kept per ECR repository by the lifecycle policy."
  type        = number
  default     = 20
}

# ---------------------------------------------------------------------------
# The admin console's first operator
# ---------------------------------------------------------------------------
variable "admin_email" {
  description = "Email of the operator admin-api creates at first start, with a generated password kept in Secrets Manager (output admin_password_secret_arn). Empty: no operator is created."
  type        = string
  default     = ""
  validation {
    condition     = var.admin_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.admin_email))
    error_message = "admin_email must be empty or an email address."
  }
}

# ---------------------------------------------------------------------------
# Filevine (the target a migrated job is pushed into)
# ---------------------------------------------------------------------------
variable "filevine_gateway_url" {
  description = "Filevine's API v2 gateway, as MIGRATIONAI_FILEVINE_GATEWAY_URL on the backend host."
  type        = string
  default     = "https://api.filevineapp.com"
  validation {
    condition     = can(regex("^https://[^/\\s]+", var.filevine_gateway_url))
    error_message = "filevine_gateway_url must be an https:// URL."
  }
}

variable "filevine_identity_url" {
  description = "Filevine's identity service (the token exchange), as MIGRATIONAI_FILEVINE_IDENTITY_URL on the backend host."
  type        = string
  default     = "https://identity.filevine.com"
  validation {
    condition     = can(regex("^https://[^/\\s]+", var.filevine_identity_url))
    error_message = "filevine_identity_url must be an https:// URL."
  }
}

# ---------------------------------------------------------------------------
# CI/CD
# ---------------------------------------------------------------------------
variable "github_repository" {
  description = "GitHub repository (owner/name) the pipeline builds."
  type        = string
  default     = "migrationai/migrationai"
}

variable "github_branch" {
  description = "Branch that triggers the pipeline."
  type        = string
  default     = "main"
}

variable "codebuild_compute_type" {
  description = "CodeBuild compute type (the Rust workspace builds once per run)."
  type        = string
  default     = "BUILD_GENERAL1_LARGE"
}

variable "codebuild_image" {
  description = "CodeBuild image."
  type        = string
  default     = "aws/codebuild/amazonlinux2-x86_64-standard:5.0"
}

# ---------------------------------------------------------------------------
# Observability
# ---------------------------------------------------------------------------
variable "alarm_email" {
  description = "Email subscribed to the alarm topic (empty: no subscription)."
  type        = string
  default     = ""
}

variable "log_retention_days" {
  description = "Retention of the other log groups (EC2, CodeBuild, CloudTrail, frontends)."
  type        = number
  default     = 365
}

variable "generate_secret_values" {
  description = "Generate the Redis password into Secrets Manager (write-only, never in the state). False only for the offline tests or when the values are written by hand."
  type        = bool
  default     = true
}
