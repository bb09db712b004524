#!/usr/bin/env bash
# Fetch this host's configuration, prepare the next deploy environment and pull its images.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

# Runtime configuration from SSM (SecureString): queue URLs, endpoints, secret ARNs.
param="${MIGRATIONAI_CONFIG_PARAMETER:-/migrationai/prod/${HOST}/env}"
umask 077
aws ssm get-parameter --name "$param" --with-decryption \
  --query Parameter.Value --output text > "${APP_DIR}/app.env.next"

# The next deploy environment: image coordinates plus what the compose file interpolates.
{
  cat "${RELEASE_DIR}/image.env"
  grep -E '^(MIGRATIONAI_LOG_GROUP|AWS_REGION)=' "${APP_DIR}/app.env.next"
} > "${APP_DIR}/deploy.env.next"
cp "${RELEASE_DIR}/compose/${HOST}.yml" "${APP_DIR}/compose.next.yml"

# Pull with the ECR credential helper (instance role); log in explicitly as a fallback.
registry="$(sed -n 's/^ECR_REGISTRY=//p' "${RELEASE_DIR}/image.env")"
if ! command -v docker-credential-ecr-login >/dev/null 2>&1; then
  aws ecr get-login-password | docker login --username AWS --password-stdin "$registry"
fi
docker compose -p "$COMPOSE_PROJECT" -f "${APP_DIR}/compose.next.yml" \
  --env-file "${APP_DIR}/deploy.env.next" pull
log "pulled $(grep '^IMAGE_TAG=' "${APP_DIR}/deploy.env.next")"
