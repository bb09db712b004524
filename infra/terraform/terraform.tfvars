# Values of the seed's production environment. No secrets here: secrets are generated
# into Secrets Manager (see secrets.tf, rds.tf).
region      = "us-west-2"
project     = "migrationai"
environment = "prod"

vpc_cidr             = "10.0.0.0/16"
availability_zones   = ["us-west-2a", "us-west-2b"]
public_subnet_cidrs  = ["10.0.0.0/24", "10.0.1.0/24"]
private_subnet_cidrs = ["10.0.16.0/20", "10.0.32.0/20"]
single_nat_gateway   = false
ssh_ingress_cidrs    = []

ec2_instance_type    = "t3a.large"
ec2_root_volume_size = 153

lambda_timeout     = 300
lambda_memory_size = 512

memorydb_node_type = "db.t4g.small"

bucket_name = "migrationai"

frontend_platform = "apprunner"

github_repository = "migrationai/migrationai"
github_branch     = "main"
