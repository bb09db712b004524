# Valid-looking ARNs and URLs for the computed attributes that the provider validates
# when they feed other resources (the mock provider would return random strings).

mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition = "aws"
  }
}

mock_data "aws_elb_service_account" {
  defaults = {
    arn = "arn:aws:iam::797873946194:root"
  }
}

mock_data "aws_ssm_parameter" {
  defaults = {
    insecure_value = "ami-0123456789abcdef0"
    value          = "ami-0123456789abcdef0"
  }
}

mock_data "aws_secretsmanager_secret_version" {
  defaults = {
    secret_string = "mock-redis-password-0123456789abcdef"
  }
}

mock_resource "aws_appautoscaling_policy" {
  defaults = {
    arn = "arn:aws:autoscaling:us-west-2:123456789012:appautoscaling-policy/mock"
  }
}

mock_resource "aws_appautoscaling_target" {
  defaults = {
    arn = "arn:aws:autoscaling:us-west-2:123456789012:appautoscaling-target/mock"
  }
}

mock_resource "aws_apprunner_auto_scaling_configuration_version" {
  defaults = {
    arn = "arn:aws:apprunner:us-west-2:123456789012:apprunner-auto-scaling-configuration-version/mock"
  }
}

mock_resource "aws_apprunner_observability_configuration" {
  defaults = {
    arn = "arn:aws:apprunner:us-west-2:123456789012:apprunner-observability-configuration/mock"
  }
}

mock_resource "aws_apprunner_service" {
  defaults = {
    arn = "arn:aws:apprunner:us-west-2:123456789012:apprunner-service/mock"
  }
}

mock_resource "aws_apprunner_vpc_connector" {
  defaults = {
    arn = "arn:aws:apprunner:us-west-2:123456789012:apprunner-vpc-connector/mock"
  }
}

mock_resource "aws_cloudtrail" {
  defaults = {
    arn = "arn:aws:cloudtrail:us-west-2:123456789012:cloudtrail/mock"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:us-west-2:123456789012:log-group:mock"
  }
}

mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = {
    arn = "arn:aws:cloudwatch:us-west-2:123456789012:cloudwatch-metric-alarm/mock"
  }
}

mock_resource "aws_codebuild_project" {
  defaults = {
    arn = "arn:aws:codebuild:us-west-2:123456789012:codebuild-project/mock"
  }
}

mock_resource "aws_codedeploy_app" {
  defaults = {
    arn = "arn:aws:codedeploy:us-west-2:123456789012:codedeploy-app/mock"
  }
}

mock_resource "aws_codedeploy_deployment_group" {
  defaults = {
    arn = "arn:aws:codedeploy:us-west-2:123456789012:codedeploy-deployment-group/mock"
  }
}

mock_resource "aws_codepipeline" {
  defaults = {
    arn = "arn:aws:codepipeline:us-west-2:123456789012:codepipeline/mock"
  }
}

mock_resource "aws_codestarconnections_connection" {
  defaults = {
    arn = "arn:aws:codestar-connections:us-west-2:123456789012:codestarconnections-connection/mock"
  }
}

mock_resource "aws_db_proxy" {
  defaults = {
    arn      = "arn:aws:rds:us-west-2:123456789012:db-proxy:prx-mock"
    endpoint = "migrationai-prod-db-proxy.proxy-mock.us-west-2.rds.amazonaws.com"
  }
}

mock_resource "aws_db_instance" {
  defaults = {
    arn      = "arn:aws:rds:us-west-2:123456789012:db:migrationai-prod-db"
    address  = "migrationai-prod-db.mock.us-west-2.rds.amazonaws.com"
    endpoint = "migrationai-prod-db.mock.us-west-2.rds.amazonaws.com:5432"
    port     = 5432
    master_user_secret = [{
      secret_arn    = "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!db-mock"
      kms_key_id    = "arn:aws:kms:us-west-2:123456789012:key/00000000-0000-0000-0000-000000000000"
      secret_status = "active"
    }]
  }
}

mock_resource "aws_db_parameter_group" {
  defaults = {
    arn = "arn:aws:rds:us-west-2:123456789012:db-parameter-group/mock"
  }
}

mock_resource "aws_db_subnet_group" {
  defaults = {
    arn = "arn:aws:rds:us-west-2:123456789012:db-subnet-group/mock"
  }
}

mock_resource "aws_default_security_group" {
  defaults = {
    arn = "arn:aws:ec2:us-west-2:123456789012:default-security-group/mock"
  }
}

mock_resource "aws_ecr_repository" {
  defaults = {
    arn            = "arn:aws:ecr:us-west-2:123456789012:ecr-repository/mock"
    repository_url = "123456789012.dkr.ecr.us-west-2.amazonaws.com/prod/migrationai-mock"
    registry_id    = "123456789012"
  }
}

mock_resource "aws_ecs_cluster" {
  defaults = {
    arn = "arn:aws:ecs:us-west-2:123456789012:ecs-cluster/mock"
  }
}

mock_resource "aws_ecs_task_definition" {
  defaults = {
    arn = "arn:aws:ecs:us-west-2:123456789012:ecs-task-definition/mock"
  }
}

mock_resource "aws_eip" {
  defaults = {
    arn = "arn:aws:ec2:us-west-2:123456789012:eip/mock"
  }
}

mock_resource "aws_flow_log" {
  defaults = {
    arn = "arn:aws:ec2:us-west-2:123456789012:flow-log/mock"
  }
}

mock_resource "aws_iam_instance_profile" {
  defaults = {
    arn = "arn:aws:iam::123456789012:iam-instance-profile/mock"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:iam-role/mock"
  }
}

mock_resource "aws_instance" {
  defaults = {
    arn = "arn:aws:ec2:us-west-2:123456789012:instance/mock"
  }
}

mock_resource "aws_internet_gateway" {
  defaults = {
    arn = "arn:aws:ec2:us-west-2:123456789012:internet-gateway/mock"
  }
}

mock_resource "aws_kms_alias" {
  defaults = {
    arn = "arn:aws:kms:us-west-2:123456789012:kms-alias/mock"
  }
}

mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:us-west-2:123456789012:kms-key/mock"
    key_id = "00000000-0000-0000-0000-000000000000"
  }
}

mock_resource "aws_lambda_event_source_mapping" {
  defaults = {
    arn = "arn:aws:lambda:us-west-2:123456789012:lambda-event-source-mapping/mock"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn = "arn:aws:lambda:us-west-2:123456789012:lambda-function/mock"
  }
}

mock_resource "aws_lb" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:lb/mock"
  }
}

mock_resource "aws_lb_listener" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:lb-listener/mock"
  }
}

mock_resource "aws_lb_target_group" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:lb-target-group/mock"
  }
}

mock_resource "aws_memorydb_acl" {
  defaults = {
    arn = "arn:aws:memorydb:us-west-2:123456789012:memorydb-acl/mock"
  }
}

mock_resource "aws_memorydb_cluster" {
  defaults = {
    arn = "arn:aws:memorydb:us-west-2:123456789012:cluster/migrationai-redis-cache"
    cluster_endpoint = [{
      address = "clustercfg.migrationai-redis-cache.mock.memorydb.us-west-2.amazonaws.com"
      port    = 6379
    }]
  }
}

mock_resource "aws_memorydb_subnet_group" {
  defaults = {
    arn = "arn:aws:memorydb:us-west-2:123456789012:memorydb-subnet-group/mock"
  }
}

mock_resource "aws_memorydb_user" {
  defaults = {
    arn = "arn:aws:memorydb:us-west-2:123456789012:memorydb-user/mock"
  }
}

mock_resource "aws_route_table" {
  defaults = {
    arn = "arn:aws:ec2:us-west-2:123456789012:route-table/mock"
  }
}

mock_resource "aws_s3_bucket" {
  defaults = {
    arn = "arn:aws:s3:::mock-bucket"
  }
}

mock_resource "aws_secretsmanager_secret" {
  defaults = {
    arn = "arn:aws:secretsmanager:us-west-2:123456789012:secretsmanager-secret/mock"
  }
}

mock_resource "aws_secretsmanager_secret_version" {
  defaults = {
    arn = "arn:aws:secretsmanager:us-west-2:123456789012:secretsmanager-secret-version/mock"
  }
}

mock_resource "aws_security_group" {
  defaults = {
    arn = "arn:aws:ec2:us-west-2:123456789012:security-group/mock"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:us-west-2:123456789012:sns-topic/mock"
  }
}

mock_resource "aws_sns_topic_policy" {
  defaults = {
    arn = "arn:aws:sns:us-west-2:123456789012:sns-topic-policy/mock"
  }
}

mock_resource "aws_sns_topic_subscription" {
  defaults = {
    arn = "arn:aws:sns:us-west-2:123456789012:sns-topic-subscription/mock"
  }
}

mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:us-west-2:123456789012:sqs-queue/mock"
    # As long as the longest real one (dlq-prod-migrationai-billing-invoice), so the worker
    # Lambdas' environments are measured at their largest.
    url = "https://sqs.us-west-2.amazonaws.com/123456789012/dlq-prod-migrationai-billing-invoice"
  }
}

mock_resource "aws_ssm_parameter" {
  defaults = {
    arn = "arn:aws:ssm:us-west-2:123456789012:ssm-parameter/mock"
  }
}

mock_resource "aws_subnet" {
  defaults = {
    arn = "arn:aws:ec2:us-west-2:123456789012:subnet/mock"
  }
}

mock_resource "aws_vpc" {
  defaults = {
    arn = "arn:aws:ec2:us-west-2:123456789012:vpc/mock"
  }
}

mock_resource "aws_vpc_endpoint" {
  defaults = {
    arn = "arn:aws:ec2:us-west-2:123456789012:vpc-endpoint/mock"
  }
}

mock_resource "aws_vpc_security_group_egress_rule" {
  defaults = {
    arn = "arn:aws:ec2:us-west-2:123456789012:vpc-security-group-egress-rule/mock"
  }
}

mock_resource "aws_vpc_security_group_ingress_rule" {
  defaults = {
    arn = "arn:aws:ec2:us-west-2:123456789012:vpc-security-group-ingress-rule/mock"
  }
}

mock_resource "aws_wafv2_web_acl" {
  defaults = {
    arn = "arn:aws:wafv2:us-west-2:123456789012:wafv2-web-acl/mock"
  }
}


mock_data "aws_route53_zone" {
  defaults = {
    zone_id = "Z0123456789MOCKZONE"
    name    = "example.com"
  }
}

mock_resource "aws_acm_certificate" {
  defaults = {
    arn = "arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    domain_validation_options = [{
      domain_name           = "mock.example.com"
      resource_record_name  = "_0123456789abcdef.mock.example.com."
      resource_record_type  = "CNAME"
      resource_record_value = "_fedcba9876543210.acm-validations.aws."
    }]
  }
}

mock_resource "aws_route53_record" {
  defaults = {
    fqdn = "mock.example.com"
  }
}

# RDS Proxy's only target group is always named "default"; a random mock name may start with
# a digit, which the proxy target refuses.
mock_resource "aws_db_proxy_default_target_group" {
  defaults = {
    name = "default"
  }
}
