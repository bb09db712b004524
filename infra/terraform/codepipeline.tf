# CI/CD: GitHub (CodeStar connection) -> CodeBuild (one workspace build, 6 images) ->
# deploy: CodeDeploy to the two EC2 hosts, and a CodeBuild step that moves the 13 Lambdas
# and the two frontends to the new image tag (those that exist: var.deploy_workloads).

resource "aws_codestarconnections_connection" "github" {
  # Created PENDING: confirm it once in the console (Developer Tools > Connections).
  name          = "${local.name_prefix}-github"
  provider_type = "GitHub"
}

locals {
  artifacts_bucket = aws_s3_bucket.support["artifacts"]
  codebuild_projects = {
    build  = { buildspec = "buildspec.yml", privileged = true, description = "Builds the workspace once and pushes the 6 images" }
    deploy = { buildspec = "buildspec-deploy.yml", privileged = false, description = "Moves the Lambdas and the frontends to the new image tag" }
  }
}

resource "aws_cloudwatch_log_group" "codebuild" {
  for_each = local.codebuild_projects

  name              = "/aws/codebuild/${local.name_prefix}-${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

data "aws_iam_policy_document" "codebuild_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codebuild.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "codebuild" {
  for_each = local.codebuild_projects

  name               = "${local.name_prefix}-codebuild-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume.json
}

data "aws_iam_policy_document" "codebuild_common" {
  for_each = local.codebuild_projects

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.codebuild[each.key].arn}:*"]
  }

  statement {
    sid       = "Artifacts"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    resources = ["${local.artifacts_bucket.arn}/*"]
  }

  statement {
    sid       = "ArtifactsBucket"
    actions   = ["s3:GetBucketLocation", "s3:GetBucketAcl"]
    resources = [local.artifacts_bucket.arn]
  }

  statement {
    sid       = "DataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"]
    resources = [aws_kms_key.main.arn]
  }

  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "codebuild_build" {
  source_policy_documents = [data.aws_iam_policy_document.codebuild_common["build"].json]

  statement {
    sid = "EcrPush"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload",
      "ecr:PutImage",
      "ecr:DescribeImages",
    ]
    resources = [for r in aws_ecr_repository.this : r.arn]
  }
}

data "aws_iam_policy_document" "codebuild_deploy" {
  source_policy_documents = [data.aws_iam_policy_document.codebuild_common["deploy"].json]

  # Statements about the workloads exist with the workloads: IAM refuses a statement with no
  # resource, which is what they would be on the first apply (deploy_workloads = false).
  dynamic "statement" {
    for_each = var.deploy_workloads ? [1] : []
    content {
      sid       = "UpdateLambdas"
      actions   = ["lambda:UpdateFunctionCode", "lambda:GetFunction", "lambda:GetFunctionConfiguration"]
      resources = concat([for f in aws_lambda_function.worker : f.arn], aws_lambda_function.db_setup[*].arn)
    }
  }

  dynamic "statement" {
    for_each = var.deploy_workloads ? [1] : []
    content {
      sid       = "RunDatabaseSetup"
      actions   = ["lambda:InvokeFunction"]
      resources = aws_lambda_function.db_setup[*].arn
    }
  }

  statement {
    sid       = "CheckImages"
    actions   = ["ecr:DescribeImages", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [for r in aws_ecr_repository.this : r.arn]
  }

  dynamic "statement" {
    for_each = local.use_apprunner && var.deploy_workloads ? [1] : []
    content {
      sid       = "DeployAppRunner"
      actions   = ["apprunner:UpdateService", "apprunner:DescribeService", "apprunner:ListOperations"]
      resources = [for s in aws_apprunner_service.frontend : s.arn]
    }
  }

  dynamic "statement" {
    for_each = local.use_apprunner ? [1] : []
    content {
      sid       = "PassAppRunnerAccessRole"
      actions   = ["iam:PassRole"]
      resources = [aws_iam_role.apprunner_access[0].arn]
    }
  }

  dynamic "statement" {
    for_each = local.use_ecs && var.deploy_workloads ? [1] : []
    content {
      sid       = "DeployEcsServices"
      actions   = ["ecs:UpdateService", "ecs:DescribeServices"]
      resources = [for s in aws_ecs_service.frontend : s.id]
    }
  }

  dynamic "statement" {
    for_each = local.use_ecs ? [1] : []
    content {
      sid       = "EcsTaskDefinitions"
      actions   = ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = local.use_ecs ? [1] : []
    content {
      sid       = "PassEcsRoles"
      actions   = ["iam:PassRole"]
      resources = [aws_iam_role.ecs_execution[0].arn, aws_iam_role.ecs_task[0].arn]
    }
  }
}

resource "aws_iam_role_policy" "codebuild" {
  for_each = local.codebuild_projects

  name   = "codebuild-${each.key}"
  role   = aws_iam_role.codebuild[each.key].id
  policy = each.key == "build" ? data.aws_iam_policy_document.codebuild_build.json : data.aws_iam_policy_document.codebuild_deploy.json
}

resource "aws_codebuild_project" "this" {
  #checkov:skip=CKV_AWS_316:The build project runs docker build, which needs privileged mode; the deploy project does not use it.
  for_each = local.codebuild_projects

  name           = "${local.name_prefix}-${each.key}"
  description    = each.value.description
  service_role   = aws_iam_role.codebuild[each.key].arn
  encryption_key = aws_kms_key.main.arn
  build_timeout  = each.key == "build" ? 120 : 60

  source {
    type      = "CODEPIPELINE"
    buildspec = each.value.buildspec
  }

  artifacts {
    type = "CODEPIPELINE"
  }

  cache {
    type  = "LOCAL"
    modes = ["LOCAL_DOCKER_LAYER_CACHE", "LOCAL_SOURCE_CACHE"]
  }

  environment {
    compute_type                = each.key == "build" ? var.codebuild_compute_type : "BUILD_GENERAL1_SMALL"
    image                       = var.codebuild_image
    type                        = "LINUX_CONTAINER"
    image_pull_credentials_type = "CODEBUILD"
    privileged_mode             = each.value.privileged

    environment_variable {
      name  = "AWS_ACCOUNT_ID"
      value = local.account_id
    }
    environment_variable {
      name  = "ECR_REGISTRY"
      value = split("/", aws_ecr_repository.this["backend-api"].repository_url)[0]
    }
    environment_variable {
      name  = "IMAGE_REPOSITORY_PREFIX"
      value = "${var.environment}/${var.project}"
    }
    environment_variable {
      name  = "SERVICES"
      value = join(" ", keys(local.services))
    }
    environment_variable {
      name  = "BOOTSTRAP_IMAGE_TAG"
      value = var.image_tag
    }
    environment_variable {
      name  = "DB_SETUP_FUNCTION"
      value = join("", aws_lambda_function.db_setup[*].function_name)
    }
    environment_variable {
      name  = "LAMBDA_FUNCTIONS"
      value = join(" ", [for f in aws_lambda_function.worker : f.function_name])
    }
    environment_variable {
      name  = "FRONTEND_PLATFORM"
      value = var.frontend_platform
    }
    environment_variable {
      name  = "PROJECT"
      value = var.project
    }
    environment_variable {
      name  = "APPRUNNER_SERVICE_ARNS"
      value = join(" ", [for k, s in aws_apprunner_service.frontend : "${k}=${s.arn}"])
    }
    environment_variable {
      name  = "ECS_CLUSTER"
      value = local.use_ecs ? aws_ecs_cluster.frontends[0].name : ""
    }
    environment_variable {
      name  = "ECS_SERVICES"
      value = join(" ", [for k, s in aws_ecs_service.frontend : "${k}=${s.name}"])
    }
  }

  logs_config {
    cloudwatch_logs {
      group_name = aws_cloudwatch_log_group.codebuild[each.key].name
    }
  }
}

# ---------------------------------------------------------------------------
# CodeDeploy to the two EC2 hosts
# ---------------------------------------------------------------------------
resource "aws_codedeploy_app" "hosts" {
  name             = "${local.name_prefix}-hosts"
  compute_platform = "Server"
}

data "aws_iam_policy_document" "codedeploy_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codedeploy.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "codedeploy" {
  name               = "${local.name_prefix}-codedeploy"
  assume_role_policy = data.aws_iam_policy_document.codedeploy_assume.json
}

resource "aws_iam_role_policy_attachment" "codedeploy" {
  role       = aws_iam_role.codedeploy.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSCodeDeployRole"
}

resource "aws_codedeploy_deployment_group" "hosts" {
  for_each = local.instances

  app_name               = aws_codedeploy_app.hosts.name
  deployment_group_name  = each.key
  service_role_arn       = aws_iam_role.codedeploy.arn
  deployment_config_name = "CodeDeployDefault.AllAtOnce"

  ec2_tag_set {
    ec2_tag_filter {
      key   = "CodeDeployTargets"
      type  = "KEY_AND_VALUE"
      value = each.key
    }
  }

  auto_rollback_configuration {
    enabled = true
    events  = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
  }

  # Before the first release the targets have no container behind them, so the unhealthy-host
  # alarms start in ALARM and would stop the first deployment with nothing to roll back to.
  # Gating starts with the release that deploy_workloads = true follows.
  alarm_configuration {
    enabled = var.deploy_workloads
    alarms  = [for s, v in local.backend_services : aws_cloudwatch_metric_alarm.backend_unhealthy[s].alarm_name if v.host == each.key]
  }
}

# ---------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------
data "aws_iam_policy_document" "codepipeline_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codepipeline.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "codepipeline" {
  name               = "${local.name_prefix}-codepipeline"
  assume_role_policy = data.aws_iam_policy_document.codepipeline_assume.json
}

data "aws_iam_policy_document" "codepipeline" {
  statement {
    sid       = "Artifacts"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl"]
    resources = ["${local.artifacts_bucket.arn}/*"]
  }

  statement {
    sid       = "ArtifactsBucket"
    actions   = ["s3:GetBucketVersioning", "s3:GetBucketLocation", "s3:ListBucket"]
    resources = [local.artifacts_bucket.arn]
  }

  statement {
    sid       = "DataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt", "kms:DescribeKey"]
    resources = [aws_kms_key.main.arn]
  }

  statement {
    sid       = "GitHub"
    actions   = ["codestar-connections:UseConnection", "codeconnections:UseConnection"]
    resources = [aws_codestarconnections_connection.github.arn]
  }

  statement {
    sid       = "CodeBuild"
    actions   = ["codebuild:StartBuild", "codebuild:BatchGetBuilds"]
    resources = [for p in aws_codebuild_project.this : p.arn]
  }

  statement {
    sid = "CodeDeploy"
    actions = [
      "codedeploy:CreateDeployment",
      "codedeploy:GetDeployment",
      "codedeploy:GetApplication",
      "codedeploy:GetApplicationRevision",
      "codedeploy:RegisterApplicationRevision",
    ]
    resources = concat(
      [aws_codedeploy_app.hosts.arn],
      [for g in aws_codedeploy_deployment_group.hosts : g.arn],
    )
  }

  statement {
    sid       = "CodeDeployConfig"
    actions   = ["codedeploy:GetDeploymentConfig"]
    resources = ["arn:${local.partition}:codedeploy:${var.region}:${local.account_id}:deploymentconfig:*"]
  }
}

resource "aws_iam_role_policy" "codepipeline" {
  name   = "pipeline"
  role   = aws_iam_role.codepipeline.id
  policy = data.aws_iam_policy_document.codepipeline.json
}

resource "aws_codepipeline" "main" {
  name          = "${local.name_prefix}-pipeline"
  role_arn      = aws_iam_role.codepipeline.arn
  pipeline_type = "V2"

  artifact_store {
    location = local.artifacts_bucket.bucket
    type     = "S3"

    encryption_key {
      id   = aws_kms_key.main.arn
      type = "KMS"
    }
  }

  stage {
    name = "Source"

    action {
      name             = "GitHub"
      category         = "Source"
      owner            = "AWS"
      provider         = "CodeStarSourceConnection"
      version          = "1"
      output_artifacts = ["source"]

      configuration = {
        ConnectionArn    = aws_codestarconnections_connection.github.arn
        FullRepositoryId = var.github_repository
        BranchName       = var.github_branch
      }
    }
  }

  stage {
    name = "Build"

    action {
      name             = "BuildImages"
      category         = "Build"
      owner            = "AWS"
      provider         = "CodeBuild"
      version          = "1"
      input_artifacts  = ["source"]
      output_artifacts = ["bundle"]

      configuration = {
        ProjectName = aws_codebuild_project.this["build"].name
      }
    }
  }

  stage {
    name = "Deploy"

    dynamic "action" {
      for_each = local.instances
      content {
        name     = "CodeDeploy-${action.key}"
        category = "Deploy"
        owner    = "AWS"
        provider = "CodeDeploy"
        version  = "1"
        # After LambdasAndFrontends, whose first step migrates the database (db-setup): the
        # hosts' roles refuse to start on a schema that is behind.
        run_order       = 2
        input_artifacts = ["bundle"]

        configuration = {
          ApplicationName     = aws_codedeploy_app.hosts.name
          DeploymentGroupName = aws_codedeploy_deployment_group.hosts[action.key].deployment_group_name
        }
      }
    }

    action {
      name            = "LambdasAndFrontends"
      category        = "Build"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      run_order       = 1
      input_artifacts = ["bundle"]

      configuration = {
        ProjectName = aws_codebuild_project.this["deploy"].name
      }
    }
  }

  depends_on = [aws_iam_role_policy.codepipeline]
}
