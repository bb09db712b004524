# ---------------------------------------------------------------------------
# The application bucket (the seed's `migrationai`)
# ---------------------------------------------------------------------------
resource "aws_s3_bucket" "app" {
  #checkov:skip=CKV_AWS_144:Cross-region replication doubles storage cost; versioning plus the lifecycle rules cover recovery. Add a replica bucket for a DR requirement.
  bucket = local.bucket_name
  tags   = { Name = local.bucket_name }
}

resource "aws_s3_bucket_ownership_controls" "app" {
  bucket = aws_s3_bucket.app.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "app" {
  bucket                  = aws_s3_bucket.app.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "app" {
  bucket = aws_s3_bucket.app.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "app" {
  bucket = aws_s3_bucket.app.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.main.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "app" {
  bucket = aws_s3_bucket.app.id

  rule {
    id     = "tiering"
    status = "Enabled"
    filter {}

    transition {
      days          = var.s3_transition_ia_days
      storage_class = "STANDARD_IA"
    }
    transition {
      days          = var.s3_transition_glacier_days
      storage_class = "GLACIER"
    }
    transition {
      days          = var.s3_transition_deep_archive_days
      storage_class = "DEEP_ARCHIVE"
    }

    noncurrent_version_transition {
      noncurrent_days = var.s3_transition_ia_days
      storage_class   = "STANDARD_IA"
    }
    noncurrent_version_expiration {
      noncurrent_days = var.s3_noncurrent_expiration_days
    }
  }

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"
    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.s3_abort_multipart_days
    }
  }

  # Message bodies kept by the claim check outlive their message only by mistake: SQS keeps
  # a message 14 days at most. The bucket is versioned, so expiring the current version only
  # adds a delete marker: the noncurrent version it leaves goes a day later.
  rule {
    id     = "expire-claim-checks"
    status = "Enabled"
    filter {
      prefix = "claims/"
    }

    expiration {
      days = var.s3_claim_check_expiration_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  # Chunks of resumable uploads nobody finished or aborted (and, as above, their old versions).
  rule {
    id     = "expire-unfinished-upload-parts"
    status = "Enabled"
    filter {
      prefix = "upload-parts/"
    }

    expiration {
      days = var.s3_upload_parts_expiration_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  # Delete markers whose noncurrent versions have all expired mark nothing: remove them.
  rule {
    id     = "remove-expired-delete-markers"
    status = "Enabled"
    filter {}

    expiration {
      expired_object_delete_marker = true
    }
  }

  depends_on = [aws_s3_bucket_versioning.app]
}

data "aws_iam_policy_document" "app_bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.app.arn,
      "${aws_s3_bucket.app.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "app" {
  bucket = aws_s3_bucket.app.id
  policy = data.aws_iam_policy_document.app_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.app]
}

resource "aws_s3_bucket_logging" "app" {
  bucket        = aws_s3_bucket.app.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/${local.access_logged_buckets["app"]}/"

  # S3 checks that the target's policy lets the logging service write under the prefix.
  depends_on = [aws_s3_bucket_policy.logs]
}

resource "aws_s3_bucket_notification" "app" {
  bucket      = aws_s3_bucket.app.id
  eventbridge = true
}

# ---------------------------------------------------------------------------
# Access-log bucket (S3 server access logs and ALB access logs). Both log
# deliveries require SSE-S3 on the target bucket, so this one bucket is not SSE-KMS.
# ---------------------------------------------------------------------------
resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_144:Access logs are not replicated; losing them with a region is acceptable.
  #checkov:skip=CKV_AWS_145:S3 server access logging and ALB access logs only deliver to SSE-S3 buckets.
  #checkov:skip=CKV_AWS_18:This is the access-log target; logging it to itself would loop.
  bucket = "${local.bucket_name}-logs"
  tags   = { Name = "${local.bucket_name}-logs" }
}

resource "aws_s3_bucket_ownership_controls" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    id     = "expire-logs"
    status = "Enabled"
    filter {}

    transition {
      days          = 90
      storage_class = "GLACIER"
    }
    expiration {
      days = var.log_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = var.s3_abort_multipart_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.logs]
}

data "aws_elb_service_account" "current" {}

locals {
  # Buckets whose server access logs go to the logs bucket, by key.
  access_logged_buckets = merge(
    { app = local.bucket_name },
    { for k, b in local.support_buckets : k => b.name },
  )
}

data "aws_iam_policy_document" "logs_bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.logs.arn,
      "${aws_s3_bucket.logs.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  # Server access logs: each source bucket writes under its own prefix only.
  dynamic "statement" {
    for_each = local.access_logged_buckets
    content {
      sid       = "S3ServerAccessLogs${replace(title(replace(statement.key, "-", " ")), " ", "")}"
      actions   = ["s3:PutObject"]
      resources = ["${aws_s3_bucket.logs.arn}/s3/${statement.value}/*"]
      principals {
        type        = "Service"
        identifiers = ["logging.s3.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
      condition {
        test     = "ArnLike"
        variable = "aws:SourceArn"
        values   = ["arn:${local.partition}:s3:::${statement.value}"]
      }
    }
  }

  statement {
    sid       = "ElbAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs.arn}/alb/AWSLogs/${local.account_id}/*"]
    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.current.arn]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.logs_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.logs]
}

resource "aws_s3_bucket_notification" "logs" {
  bucket      = aws_s3_bucket.logs.id
  eventbridge = true
}

# ---------------------------------------------------------------------------
# KMS-encrypted support buckets: CloudTrail and pipeline artifacts.
# ---------------------------------------------------------------------------
locals {
  support_buckets = {
    cloudtrail = { name = "${local.bucket_name}-cloudtrail", expire_days = var.log_retention_days }
    artifacts  = { name = "${local.bucket_name}-pipeline-artifacts", expire_days = 90 }
  }
}

resource "aws_s3_bucket" "support" {
  #checkov:skip=CKV_AWS_144:Audit logs and build artifacts are not replicated across regions (cost); versioning protects them.
  for_each = local.support_buckets

  bucket = each.value.name
  tags   = { Name = each.value.name }
}

resource "aws_s3_bucket_ownership_controls" "support" {
  for_each = local.support_buckets

  bucket = aws_s3_bucket.support[each.key].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "support" {
  for_each = local.support_buckets

  bucket                  = aws_s3_bucket.support[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "support" {
  for_each = local.support_buckets

  bucket = aws_s3_bucket.support[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "support" {
  for_each = local.support_buckets

  bucket = aws_s3_bucket.support[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.main.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "support" {
  for_each = local.support_buckets

  bucket = aws_s3_bucket.support[each.key].id

  rule {
    id     = "expire"
    status = "Enabled"
    filter {}

    expiration {
      days = each.value.expire_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = var.s3_abort_multipart_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.support]
}

resource "aws_s3_bucket_logging" "support" {
  for_each = local.support_buckets

  bucket        = aws_s3_bucket.support[each.key].id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/${local.access_logged_buckets[each.key]}/"

  depends_on = [aws_s3_bucket_policy.logs]
}

resource "aws_s3_bucket_notification" "support" {
  for_each = local.support_buckets

  bucket      = aws_s3_bucket.support[each.key].id
  eventbridge = true
}

data "aws_iam_policy_document" "support_bucket" {
  for_each = local.support_buckets

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.support[each.key].arn,
      "${aws_s3_bucket.support[each.key].arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  dynamic "statement" {
    for_each = each.key == "cloudtrail" ? [1] : []
    content {
      sid       = "CloudTrailAclCheck"
      actions   = ["s3:GetBucketAcl"]
      resources = [aws_s3_bucket.support[each.key].arn]
      principals {
        type        = "Service"
        identifiers = ["cloudtrail.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceArn"
        values   = ["arn:${local.partition}:cloudtrail:${var.region}:${local.account_id}:trail/${local.name_prefix}-trail"]
      }
    }
  }

  dynamic "statement" {
    for_each = each.key == "cloudtrail" ? [1] : []
    content {
      sid       = "CloudTrailWrite"
      actions   = ["s3:PutObject"]
      resources = ["${aws_s3_bucket.support[each.key].arn}/AWSLogs/${local.account_id}/*"]
      principals {
        type        = "Service"
        identifiers = ["cloudtrail.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "s3:x-amz-acl"
        values   = ["bucket-owner-full-control"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceArn"
        values   = ["arn:${local.partition}:cloudtrail:${var.region}:${local.account_id}:trail/${local.name_prefix}-trail"]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "support" {
  for_each = local.support_buckets

  bucket = aws_s3_bucket.support[each.key].id
  policy = data.aws_iam_policy_document.support_bucket[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.support]
}
