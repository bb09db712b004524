# MemoryDB `migrationai-redis-cache` (Valkey by default, Redis protocol): TLS, ACL with one
# password user, private subnets.

resource "aws_memorydb_subnet_group" "redis" {
  name        = "${var.project}-redis-cache"
  description = "Private subnets of ${local.name_prefix}"
  subnet_ids  = aws_subnet.private[*].id
}

resource "aws_memorydb_user" "app" {
  user_name     = "${var.project}-app"
  access_string = "on ~* &* +@all -@dangerous"

  authentication_mode {
    type      = "password"
    passwords = [data.aws_secretsmanager_secret_version.redis_password.secret_string]
  }
}

resource "aws_memorydb_acl" "redis" {
  name       = "${var.project}-redis-cache"
  user_names = [aws_memorydb_user.app.user_name]
}

resource "aws_memorydb_cluster" "redis" {
  name                       = "${var.project}-redis-cache"
  description                = "Cache of ${local.name_prefix}"
  engine                     = var.memorydb_engine
  engine_version             = var.memorydb_engine_version
  node_type                  = var.memorydb_node_type
  num_shards                 = 1
  num_replicas_per_shard     = local.memorydb_replicas_per_shard
  port                       = 6379
  tls_enabled                = true
  kms_key_arn                = aws_kms_key.main.arn
  acl_name                   = aws_memorydb_acl.redis.name
  subnet_group_name          = aws_memorydb_subnet_group.redis.name
  security_group_ids         = [aws_security_group.redis.id]
  snapshot_retention_limit   = var.memorydb_snapshot_retention_days
  auto_minor_version_upgrade = true
  sns_topic_arn              = aws_sns_topic.alarms.arn
}
