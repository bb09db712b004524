# Values of the seed's production environment. No secrets here: secrets are generated
# into Secrets Manager (see secrets.tf, rds.tf).
region      = "us-west-2"
project     = "migrationai"
environment = "prod"

# seed: within the seed's ~$380/month; resilient: AZ-independent (infra/README.md, costs).
cost_profile = "seed"

# False for the first apply on an empty registry; set true once the first build has pushed
# the images (infra/README.md, Deploying).
deploy_workloads = false

# dns_zone_name (a public Route 53 zone of the account) has no default: pass it with
# -var dns_zone_name=example.com or add it here.

vpc_cidr             = "10.0.0.0/16"
availability_zones   = ["us-west-2a", "us-west-2b"]
public_subnet_cidrs  = ["10.0.0.0/24", "10.0.1.0/24"]
private_subnet_cidrs = ["10.0.16.0/20", "10.0.32.0/20"]
ssh_ingress_cidrs    = []

ec2_instance_type    = "t3a.large"
ec2_root_volume_size = 153

lambda_timeout     = 300
lambda_memory_size = 512

memorydb_node_type = "db.t4g.small"

frontend_platform = "apprunner"

github_repository = "migrationai/migrationai"
github_branch     = "main"
