# Secrets. Generated values go to Secrets Manager through write-only attributes, so that
# they are never stored in the Terraform state. The database password is managed by RDS
# itself (rds.tf). The one exception is the MemoryDB user password: the MemoryDB API takes
# it as a plain argument, so it is read back from Secrets Manager and kept (sensitive) in the
# encrypted remote state.
#
# The ephemeral generators use their own provider configuration (aws.secrets, same account
# and region) because Terraform's mock providers cannot run ephemeral resources: the offline
# tests mock the default provider and set generate_secret_values = false. With it false the
# secrets need a value written with `aws secretsmanager put-secret-value` before the services start.

ephemeral "aws_secretsmanager_random_password" "redis" {
  provider = aws.secrets
  count    = var.generate_secret_values ? 1 : 0

  password_length     = 40
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "redis_password" {
  #checkov:skip=CKV2_AWS_57:MemoryDB passwords cannot be rotated by a Secrets Manager rotation Lambda without a custom function; rotate by writing a new version and re-applying.
  name                    = "${var.project}/${var.environment}/redis-password"
  description             = "Password of the MemoryDB user ${var.project}-app"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "redis_password" {
  count = var.generate_secret_values ? 1 : 0

  secret_id                = aws_secretsmanager_secret.redis_password.id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.redis[0].random_password
  secret_string_wo_version = 1
}

data "aws_secretsmanager_secret_version" "redis_password" {
  secret_id  = aws_secretsmanager_secret.redis_password.id
  depends_on = [aws_secretsmanager_secret_version.redis_password]
}

# The runtime database user every role connects as (README, "Database users"): its name and a
# generated password as the JSON RDS Proxy and the application read. `migrationai db setup`
# (the db-setup function, db_setup.tf) creates the user in PostgreSQL with this password;
# Terraform's AWS provider cannot create PostgreSQL roles.
ephemeral "aws_secretsmanager_random_password" "database_runtime" {
  provider = aws.secrets
  count    = var.generate_secret_values ? 1 : 0

  password_length     = 40
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "database_runtime" {
  #checkov:skip=CKV2_AWS_57:Rotation would change the password without updating the PostgreSQL user; rotate by writing a new version and invoking the db-setup function, which sets it.
  name                    = "${var.project}/${var.environment}/database-runtime"
  description             = "PostgreSQL runtime user ${local.db_runtime_user} (DML only) of every role"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "database_runtime" {
  count = var.generate_secret_values ? 1 : 0

  secret_id = aws_secretsmanager_secret.database_runtime.id
  secret_string_wo = jsonencode({
    username = local.db_runtime_user
    password = ephemeral.aws_secretsmanager_random_password.database_runtime[0].random_password
  })
  secret_string_wo_version = 1
}

# The firm's Filevine credentials (`migrationai push JOB --target filevine`): a JSON object
# with pat, client_id, client_secret, org_id and user_id (README, "Delivering into Filevine").
# Filevine issues them, so Terraform makes the secret empty and an operator writes its value
# with `aws secretsmanager put-secret-value`; no credential passes through the state. Only the
# backend host, where operators run commands, and the worker Lambdas, which push through the
# queues, may read it.
resource "aws_secretsmanager_secret" "filevine" {
  #checkov:skip=CKV2_AWS_57:A Filevine personal access token is issued by Filevine, not rotatable by a Lambda; rotate by writing a new version.
  name                    = "${var.project}/${var.environment}/filevine"
  description             = "Filevine API v2 credentials of the firm (personal access token, client id and secret, org and user ids)"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = 7
}

# The first operator of the admin console (`admin_email`): a generated password, written
# write-only like the others. `admin-api` creates the operator with it at start when the
# account does not exist yet; read it with `aws secretsmanager get-secret-value`.
ephemeral "aws_secretsmanager_random_password" "admin" {
  provider = aws.secrets
  count    = var.generate_secret_values ? 1 : 0

  password_length     = 24
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "admin_password" {
  #checkov:skip=CKV2_AWS_57:admin-api reads it only to create the operator; a rotated value would not change the existing account's password.
  name                    = "${var.project}/${var.environment}/admin-password"
  description             = "First password of the admin console's operator ${var.admin_email}"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "admin_password" {
  count = var.generate_secret_values ? 1 : 0

  secret_id                = aws_secretsmanager_secret.admin_password.id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.admin[0].random_password
  secret_string_wo_version = 1
}
