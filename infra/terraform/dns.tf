# Names and certificates in the account's public hosted zone (var.dns_zone_name): TLS from the
# frontends to the internal load balancer, and on the public load balancer of the ECS path.
# ACM validates each certificate through a DNS record Terraform writes; nothing is made by hand.

data "aws_route53_zone" "main" {
  name         = var.dns_zone_name
  private_zone = false
}

locals {
  zone_name = trimsuffix(var.dns_zone_name, ".")

  # The internal name resolves (publicly) to the load balancer's private addresses: only
  # reachable from inside the VPC, but a public name lets ACM issue and renew a trusted
  # certificate that the frontends verify with their system roots.
  internal_fqdn = "${local.name_prefix}-internal.${local.zone_name}"
  frontend_fqdn = "${var.frontend_host_name}.${local.zone_name}"

  certificates = merge(
    { internal = local.internal_fqdn },
    local.use_ecs ? { frontends = local.frontend_fqdn } : {},
  )
}

resource "aws_acm_certificate" "this" {
  for_each = local.certificates

  domain_name       = each.value
  validation_method = "DNS"
  tags              = { Name = each.value }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "certificate_validation" {
  for_each = local.certificates

  zone_id         = data.aws_route53_zone.main.zone_id
  name            = one(aws_acm_certificate.this[each.key].domain_validation_options).resource_record_name
  type            = one(aws_acm_certificate.this[each.key].domain_validation_options).resource_record_type
  records         = [one(aws_acm_certificate.this[each.key].domain_validation_options).resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  for_each = local.certificates

  certificate_arn         = aws_acm_certificate.this[each.key].arn
  validation_record_fqdns = [aws_route53_record.certificate_validation[each.key].fqdn]
}

resource "aws_route53_record" "internal" {
  zone_id = data.aws_route53_zone.main.zone_id
  name    = local.internal_fqdn
  type    = "A"

  alias {
    name                   = aws_lb.internal.dns_name
    zone_id                = aws_lb.internal.zone_id
    evaluate_target_health = false
  }
}
