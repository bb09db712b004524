# The migrating step (README, "Database users"): a function on the worker image whose every
# invocation runs `migrationai db setup`. With the master secret it creates or updates the
# owner role (no login; owns the tables) and the runtime user (DML only, password from its
# secret), then applies the migrations as the owner. The deploy invokes it before moving any
# role to a new image (deploy/scripts/deploy_serverless.sh); the roles connect as the runtime
# user and refuse to start on a schema that is behind. It is the only workload that may read
# the master secret, and it connects to the instance directly (not through RDS Proxy, whose
# only user is the runtime one).

resource "aws_cloudwatch_log_group" "db_setup" {
  name              = "/aws/lambda/${var.project}-db-setup"
  retention_in_days = var.lambda_log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_iam_role" "db_setup" {
  name               = "${local.name_prefix}-lambda-db-setup"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "db_setup" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.db_setup.arn}:*"]
  }

  statement {
    sid     = "ReadSecrets"
    actions = ["secretsmanager:GetSecretValue"]
    resources = [
      aws_db_instance.main.master_user_secret[0].secret_arn,
      aws_secretsmanager_secret.database_runtime.arn,
    ]
  }

  statement {
    sid       = "DecryptSecrets"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.main.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }

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
}

resource "aws_iam_role_policy" "db_setup" {
  name   = "db-setup"
  role   = aws_iam_role.db_setup.id
  policy = data.aws_iam_policy_document.db_setup.json
}

resource "aws_lambda_function" "db_setup" {
  #checkov:skip=CKV_AWS_272:Code signing applies to .zip packages only; this is the worker container image, scanned on push and tag-immutable in ECR.
  #checkov:skip=CKV_AWS_116:Invoked synchronously by the deploy, which fails on an error; there is no asynchronous event to keep.
  count = var.deploy_workloads ? 1 : 0

  function_name = "${var.project}-db-setup"
  description   = "MigrationAI database setup: roles and migrations (migrationai db setup)"
  role          = aws_iam_role.db_setup.arn
  package_type  = "Image"
  image_uri     = local.worker_image
  architectures = ["x86_64"]
  timeout       = 900
  memory_size   = 512
  kms_key_arn   = aws_kms_key.main.arn
  # One setup at a time (its statements also take an advisory lock).
  reserved_concurrent_executions = 1

  image_config {
    entry_point = ["/usr/local/bin/migrationai"]
    command     = ["db", "setup", "--lambda"]
  }

  vpc_config {
    subnet_ids         = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.db_setup.id]
  }

  environment {
    variables = merge(local.base_app_env, local.db_setup_env)
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.db_setup.name
  }

  lifecycle {
    # The pipeline deploys new images; Terraform does not roll them back.
    ignore_changes = [image_uri]
  }

  depends_on = [
    aws_iam_role_policy.db_setup,
    aws_ecr_repository_policy.worker,
  ]
}
