# RDS Proxy in front of PostgreSQL for the 13 worker Lambda functions. Up to
# 13 x sqs_maximum_concurrency instances each pool a few connections (README, "Connection
# budget"); the proxy multiplexes them onto at most db_proxy_max_connections_percent of the
# instance's max_connections, so a burst of invocations cannot exhaust the database the API
# hosts also use. The hosts connect to the instance directly with their own small pools.

data "aws_iam_policy_document" "db_proxy_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "db_proxy" {
  name               = "${local.name_prefix}-db-proxy"
  assume_role_policy = data.aws_iam_policy_document.db_proxy_assume.json
}

# Least privilege: read the runtime user's secret (the only user that signs in through the
# proxy), decrypt it with the project key only through Secrets Manager.
data "aws_iam_policy_document" "db_proxy" {
  statement {
    sid       = "ReadDatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.database_runtime.arn]
  }
  statement {
    sid       = "DecryptDatabaseSecret"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.main.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "db_proxy" {
  name   = "read-database-secret"
  role   = aws_iam_role.db_proxy.id
  policy = data.aws_iam_policy_document.db_proxy.json
}

resource "aws_security_group" "db_proxy" {
  #checkov:skip=CKV2_AWS_5:Attached to aws_db_proxy.main (vpc_security_group_ids), a resource type checkov's attachment check does not know.
  name        = "${local.name_prefix}-db-proxy"
  description = "RDS Proxy: 5432 from the worker Lambdas, to the database only"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name_prefix}-db-proxy" }
}

resource "aws_db_proxy" "main" {
  name                   = "${local.name_prefix}-db-proxy"
  engine_family          = "POSTGRESQL"
  role_arn               = aws_iam_role.db_proxy.arn
  vpc_subnet_ids         = aws_subnet.private[*].id
  vpc_security_group_ids = [aws_security_group.db_proxy.id]
  # Clients must use TLS; the proxy's certificate is in the RDS CA bundle the images ship.
  require_tls         = true
  idle_client_timeout = 1800
  debug_logging       = false

  auth {
    auth_scheme               = "SECRETS"
    secret_arn                = aws_secretsmanager_secret.database_runtime.arn
    client_password_auth_type = "POSTGRES_SCRAM_SHA_256"
    iam_auth                  = "DISABLED"
    description               = "The runtime user (DML only) the worker Lambdas connect as"
  }

  depends_on = [aws_iam_role_policy.db_proxy]
}

resource "aws_db_proxy_default_target_group" "main" {
  db_proxy_name = aws_db_proxy.main.name

  connection_pool_config {
    max_connections_percent      = var.db_proxy_max_connections_percent
    max_idle_connections_percent = 10
    # A Lambda waits this long for a database connection before its statement fails (and
    # the message is retried with backoff), rather than the database refusing at once.
    connection_borrow_timeout = 120
  }
}

resource "aws_db_proxy_target" "main" {
  db_proxy_name          = aws_db_proxy.main.name
  target_group_name      = aws_db_proxy_default_target_group.main.name
  db_instance_identifier = aws_db_instance.main.identifier
}
