# Security groups. Rules are separate resources so that each one is described and testable.

resource "aws_security_group" "endpoints" {
  name        = "${local.name_prefix}-endpoints"
  description = "Interface VPC endpoints: HTTPS from inside the VPC"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name_prefix}-endpoints" }
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_https" {
  security_group_id = aws_security_group.endpoints.id
  description       = "HTTPS to the AWS API endpoints from the VPC"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = var.vpc_cidr
}

resource "aws_security_group" "internal_alb" {
  name        = "${local.name_prefix}-internal-alb"
  description = "Internal load balancer in front of the backend APIs"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name_prefix}-internal-alb" }
}

resource "aws_security_group" "backend" {
  name        = "${local.name_prefix}-backend"
  description = "EC2 hosts (backend and tfp): service ports from the load balancer and the frontends only"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name_prefix}-backend" }
}

resource "aws_security_group" "frontend" {
  name        = "${local.name_prefix}-frontend"
  description = "App Runner VPC connector or ECS frontend tasks"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name_prefix}-frontend" }
}

resource "aws_security_group" "lambda" {
  name        = "${local.name_prefix}-lambda"
  description = "Worker Lambda functions"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name_prefix}-lambda" }
}

resource "aws_security_group" "db_setup" {
  name        = "${local.name_prefix}-db-setup"
  description = "The db-setup function: PostgreSQL and the AWS APIs only"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name_prefix}-db-setup" }
}

resource "aws_security_group" "redis" {
  name        = "${local.name_prefix}-redis"
  description = "MemoryDB: 6379 from the backend and Lambda groups only"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name_prefix}-redis" }
}

resource "aws_security_group" "database" {
  name        = "${local.name_prefix}-database"
  description = "PostgreSQL: 5432 from the backend group and RDS Proxy only"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name_prefix}-database" }
}

locals {
  # Ingress rules between security groups: key => [target sg, source sg, port, description]
  sg_ingress_rules = merge(
    {
      for s, v in local.backend_services : "alb-${s}-from-frontend" => {
        sg   = aws_security_group.internal_alb.id, src = aws_security_group.frontend.id, port = v.port
        desc = "${s} listener from the frontends"
      } if s != "tfp"
    },
    {
      "alb-tfp-from-backend" = {
        sg   = aws_security_group.internal_alb.id, src = aws_security_group.backend.id, port = 8082
        desc = "tfp listener from the backend host"
      }
    },
    {
      for s, v in local.backend_services : "backend-${s}-from-alb" => {
        sg   = aws_security_group.backend.id, src = aws_security_group.internal_alb.id, port = v.port
        desc = "${s} from the internal load balancer"
      }
    },
    {
      for s, v in local.backend_services : "backend-${s}-from-frontend" => {
        sg   = aws_security_group.backend.id, src = aws_security_group.frontend.id, port = v.port
        desc = "${s} from the App Runner VPC connector"
      } if s != "tfp"
    },
    {
      "redis-from-backend" = { sg = aws_security_group.redis.id, src = aws_security_group.backend.id, port = 6379, desc = "Redis from the backend hosts" }
      "db-from-backend"    = { sg = aws_security_group.database.id, src = aws_security_group.backend.id, port = 5432, desc = "PostgreSQL from the backend hosts" }
      "db-from-proxy"      = { sg = aws_security_group.database.id, src = aws_security_group.db_proxy.id, port = 5432, desc = "PostgreSQL from RDS Proxy" }
      "proxy-from-lambda"  = { sg = aws_security_group.db_proxy.id, src = aws_security_group.lambda.id, port = 5432, desc = "RDS Proxy from the worker Lambdas" }
      "db-from-db-setup"   = { sg = aws_security_group.database.id, src = aws_security_group.db_setup.id, port = 5432, desc = "PostgreSQL from the db-setup function" }
    },
  )

  # Egress rules to other security groups: key => [sg, destination sg, port, description]
  sg_egress_rules = merge(
    {
      for s, v in local.backend_services : "alb-to-backend-${s}" => {
        sg   = aws_security_group.internal_alb.id, dst = aws_security_group.backend.id, port = v.port
        desc = "Internal load balancer to ${s}"
      }
    },
    {
      for s, v in local.backend_services : "frontend-to-alb-${s}" => {
        sg   = aws_security_group.frontend.id, dst = aws_security_group.internal_alb.id, port = v.port
        desc = "Frontends to the ${s} listener"
      } if s != "tfp"
    },
    {
      "backend-to-alb-tfp" = { sg = aws_security_group.backend.id, dst = aws_security_group.internal_alb.id, port = 8082, desc = "Backend to the tfp listener" }
      "backend-to-redis"   = { sg = aws_security_group.backend.id, dst = aws_security_group.redis.id, port = 6379, desc = "Backend hosts to Redis" }
      "backend-to-db"      = { sg = aws_security_group.backend.id, dst = aws_security_group.database.id, port = 5432, desc = "Backend hosts to PostgreSQL" }
      "lambda-to-proxy"    = { sg = aws_security_group.lambda.id, dst = aws_security_group.db_proxy.id, port = 5432, desc = "Lambdas to RDS Proxy" }
      "proxy-to-db"        = { sg = aws_security_group.db_proxy.id, dst = aws_security_group.database.id, port = 5432, desc = "RDS Proxy to PostgreSQL" }
      "db-setup-to-db"     = { sg = aws_security_group.db_setup.id, dst = aws_security_group.database.id, port = 5432, desc = "db-setup function to PostgreSQL" }
    },
  )

  # HTTPS egress to AWS APIs (endpoints, or NAT for ECR layers on S3, GitHub, package repositories).
  https_egress_groups = {
    backend  = aws_security_group.backend.id
    lambda   = aws_security_group.lambda.id
    db_setup = aws_security_group.db_setup.id
    frontend = aws_security_group.frontend.id
  }
}

resource "aws_vpc_security_group_ingress_rule" "sg" {
  for_each = local.sg_ingress_rules

  security_group_id            = each.value.sg
  referenced_security_group_id = each.value.src
  description                  = each.value.desc
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "sg" {
  for_each = local.sg_egress_rules

  security_group_id            = each.value.sg
  referenced_security_group_id = each.value.dst
  description                  = each.value.desc
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "https" {
  for_each = local.https_egress_groups

  security_group_id = each.value
  description       = "HTTPS to AWS APIs and package repositories"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

# SSH is closed by default (Session Manager instead). Narrow CIDRs may be opened by variable.
resource "aws_vpc_security_group_ingress_rule" "ssh" {
  for_each = toset(var.ssh_ingress_cidrs)

  security_group_id = aws_security_group.backend.id
  description       = "SSH from an allowed administrative network"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = each.value
}
